"""The organization registry screens."""
