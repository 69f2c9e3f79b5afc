"""Every command's --json output validates against the JSON Schema of its records (kb/schema.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from conftest import corpus_file

from kb.cli import cli
from kb.graph.trace import TraceResult
from kb.models import IngestReport, KbStatus, SearchResult
from kb.report.stats import CountTable, ListRow
from kb.schema import json_schema

FILES = ("行政法/数据安全法(2021-06-10).md", "行政法/个人信息保护法(2021-08-20).md")


@pytest.fixture(scope="module")
def small_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("src")
    for rel in FILES:
        shutil.copy(corpus_file(rel), src / Path(rel).name)
    home = tmp_path_factory.mktemp("home")
    result = CliRunner().invoke(cli, ["--home", str(home), "ingest", str(src), "--json"])
    assert result.exit_code == 0, result.output
    jsonschema.validate(json.loads(result.output), json_schema(IngestReport))
    return home


def _run(home: Path, *args: str) -> Any:
    result = CliRunner().invoke(cli, ["--home", str(home), *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _list_of(cls: type) -> dict[str, Any]:
    return {"type": "array", "items": json_schema(cls)}


@pytest.mark.parametrize(
    ("args", "schema"),
    [
        (("search", "数据", "--json"), json_schema(SearchResult)),
        (("search", "数据", "--docs", "--json"), json_schema(SearchResult)),
        (("list", "--format", "json"), _list_of(ListRow)),
        (("stats", "--by", "year", "--format", "json"), json_schema(CountTable)),
        (("trace", "数据安全法 第二十一条", "--format", "json"), json_schema(TraceResult)),
    ],
)
def test_command_json_validates_against_its_schema(small_home: Path, args: tuple[str, ...], schema: Any) -> None:
    jsonschema.validate(_run(small_home, *args), schema)


def test_status_json_carries_the_status_record(small_home: Path) -> None:
    data = _run(small_home, "status", "--json")
    schema = json_schema(KbStatus)
    schema["properties"]["index_state"] = {"type": ["string", "null"]}
    schema["properties"]["duplicates"] = {"type": "array", "items": {"type": "object", "required": ["doc_id"]}}
    schema["properties"]["missing_from_index"] = {"type": "array", "items": {"type": "string"}}
    schema["required"] += ["index_state", "duplicates", "missing_from_index"]
    jsonschema.validate(data, schema)


def test_every_record_names_doc_and_clause_and_no_ambiguous_id(small_home: Path) -> None:
    """Regression: `id` meant a doc id, a clause id or DOC#CLAUSE depending on the command."""
    hits = _run(small_home, "search", "数据", "--json")["hits"]
    rows = _run(small_home, "list", "--format", "json")
    trace = _run(small_home, "trace", "数据安全法 第二十一条", "--format", "json")
    clause = _run(small_home, "show", "数据安全法 第二十一条", "--json")
    for record in [*hits, *rows, trace, clause, *[i for g in trace["groups"] for i in g["items"]]]:
        assert "id" not in record
        assert "doc_id" in record and "clause_id" in record
    assert clause["clause_id"] == "chp_3__art_21" and trace["ref"] == f"{trace['doc_id']}#chp_3__art_21"
    facets = _run(small_home, "search", "数据", "--json")["facets"]
    assert isinstance(facets, dict) and all(isinstance(v, dict) for v in facets.values())
