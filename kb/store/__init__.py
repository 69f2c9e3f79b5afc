"""Store: the embedded record store (documents, clauses, citations, topic tags) in one SQLite file."""
