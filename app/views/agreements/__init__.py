"""Agreement screens: the list, the tabbed form and its dialogs."""
