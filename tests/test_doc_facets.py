"""Subject and status facets joined from the store to the engines' per-version counts."""

from __future__ import annotations

import numpy as np

from kb.search.doc_facets import VERSION_FACET, FacetTable, join_document_facets


def test_versions_become_subject_and_status_counts() -> None:
    facets = (("province", (("浙江", 3),)), (VERSION_FACET, (("a@1", 2), ("b@2", 1), ("c@3", 4))))
    values = {"a": ("in_force", ("数据治理", "数据安全与个人信息")), "b": ("repealed", ("数据治理",)), "c": (None, ())}
    joined = dict(join_document_facets(facets, values))
    assert joined["province"] == (("浙江", 3),)
    assert joined["subject"] == (("数据治理", 3), ("数据安全与个人信息", 2))
    assert joined["status"] == (("in_force", 2), ("repealed", 1))
    assert VERSION_FACET not in joined


def test_without_store_values_the_version_counts_are_dropped() -> None:
    facets = (("year", (("2021", 1),)), (VERSION_FACET, (("a@1", 1),)))
    assert join_document_facets(facets, None) == (("year", (("2021", 1),)),)


def test_the_array_table_counts_what_the_join_counts() -> None:
    values = {"a": ("in_force", ("数据治理", "数据安全与个人信息")), "b": ("repealed", ("数据治理",)), "c": (None, ())}
    versions = ["", "a@1", "b@2", "c@3", "z@9"]  # a segment's distinct version values ("" and an unknown one too)
    per_version = np.array([5, 2, 1, 4, 7])
    table = FacetTable(values)
    status_of, rows, cols = table.version_maps(versions)
    known = status_of >= 0
    statuses = np.bincount(status_of[known], weights=per_version[known], minlength=len(table.statuses))
    subjects = np.bincount(cols, weights=per_version[rows], minlength=len(table.subjects))
    counted = tuple(zip(versions[1:], per_version[1:].tolist(), strict=True))
    joined = join_document_facets(((VERSION_FACET, counted),), values)
    assert table.facets(statuses, subjects) == joined
