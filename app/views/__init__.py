"""Qt widgets, dialogs and item models. They talk to services only, through the worker."""
