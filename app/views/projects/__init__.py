"""The purchase project screens."""
