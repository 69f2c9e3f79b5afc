"""Versions: the documents of one work linked over time, with a status each, and what changed between them."""
