"""Search scope: a search's filters -> the filters the index can apply. What only the store decides — the
documents mainly about a subject, a document's status (on a day) — becomes the documents it leaves, and each
document's status and subjects are what results are counted by (kb.search.doc_facets). `kb search` and the web's
search both call :func:`scoped_filters`, so their answers agree.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from kb.models import DocFilter

if TYPE_CHECKING:
    from kb.store.sqlite import Store


def needs_store(filters: DocFilter) -> bool:
    """Whether the filters name something the index does not hold (subjects, a status, a day)."""
    return bool(filters.subjects) or filters.status is not None or filters.as_of is not None


def scoped_filters(store: Store, filters: DocFilter) -> DocFilter:
    """``filters`` with subjects, status and day replaced by the ids of the documents they leave (each document
    once, not its copies); unchanged when they name none of these."""
    if not needs_store(filters):
        return filters
    chosen = DocFilter(subjects=filters.subjects, match_all=filters.match_all, status=filters.status,
                       as_of=filters.as_of)  # fmt: skip
    ids = tuple(s.id for s in store.summaries(chosen, once=True))
    if filters.doc_ids is not None:
        allowed = set(filters.doc_ids)
        ids = tuple(i for i in ids if i in allowed)
    return replace(filters, doc_ids=ids, status=None, as_of=None)
