"""Use cases. Each takes a Session (one unit of work) and the acting user; no Qt here."""
