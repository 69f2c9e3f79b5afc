"""Citations: a Document -> the references its clauses make (find) and their targets (resolve, lookup)."""
