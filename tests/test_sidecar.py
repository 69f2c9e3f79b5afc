"""Sidecar overrides: loading a CSV (and the corpus manifest), matching documents, applying, and malformed files."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from kb.errors import MetadataFileError
from kb.metadata.read import apply_overrides, load_overrides
from kb.models import DocMeta, DocType, Level, Status
from tests.conftest import CORPUS, require_shared


def _csv(tmp_path: Path, text: str, name: str = "meta.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


DETECTED = DocMeta(
    title="潍坊市某某条例",
    short_title="潍坊市某某条例",
    version_date=date(2019, 6, 3),
    year=2019,
    adopted=date(2016, 1, 1),
    first_year=2016,
    province="山东",
    city="潍坊",
    level=Level.MUNICIPAL,
    doc_type=DocType.LOCAL_REGULATION,
)


def test_path_column_matches_by_path_suffix(tmp_path: Path) -> None:
    path = _csv(
        tmp_path, "path,file_date,publish,valid_from\nDLC/山东/潍坊市某某条例.md,2020-01-15,2020-01-16,2020-05-01\n"
    )
    overrides = load_overrides(path)
    meta = apply_overrides(DETECTED, "/data/corpus/DLC/山东/潍坊市某某条例.md", overrides)
    assert (meta.version_date, meta.year) == (date(2020, 1, 15), 2020)
    assert (meta.promulgated, meta.effective) == (date(2020, 1, 16), date(2020, 5, 1))
    assert (meta.adopted, meta.first_year) == (date(2016, 1, 1), 2016)  # not in the file: kept


@pytest.mark.parametrize(
    "doc_path",
    [
        "/data/corpus/DLC/山东/新潍坊市某某条例.md",  # a longer file name ending the same way
        "/data/corpus/DLC/山西/潍坊市某某条例.md",  # another folder
    ],
)
def test_path_must_match_whole_components(tmp_path: Path, doc_path: str) -> None:
    overrides = load_overrides(_csv(tmp_path, "path,year\nDLC/山东/潍坊市某某条例.md,2001\n"))
    assert apply_overrides(DETECTED, doc_path, overrides) == DETECTED


def test_title_column_matches_the_title_or_short_title(tmp_path: Path) -> None:
    overrides = load_overrides(_csv(tmp_path, "title,doc_type,issuers\n潍坊市某某条例,地方政府规章,潍坊市人民政府\n"))
    meta = apply_overrides(DETECTED, "anything.md", overrides)
    assert (meta.doc_type, meta.issuers, meta.issuer) == (DocType.LOCAL_GOV_RULE, ("潍坊市人民政府",), "潍坊市人民政府")


def test_empty_cells_override_nothing(tmp_path: Path) -> None:
    overrides = load_overrides(_csv(tmp_path, "title,province,city,year,level\n潍坊市某某条例,,,,\n"))
    assert apply_overrides(DETECTED, "x.md", overrides) == DETECTED


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("province\n潍坊市某某条例,山东省", ("山东", "潍坊", Level.MUNICIPAL)),  # same province: the city stays
        ("province\n潍坊市某某条例,河北", ("河北", None, Level.PROVINCIAL)),  # another province: the city goes
        ("province,city\n潍坊市某某条例,浙江,宁波市", ("浙江", "宁波", Level.MUNICIPAL)),
        ("province,level\n潍坊市某某条例,上海,county", ("上海", None, Level.COUNTY)),
    ],
)
def test_level_is_recomputed_from_place(tmp_path: Path, row: str, expected: tuple) -> None:
    overrides = load_overrides(_csv(tmp_path, "title," + row + "\n"))
    meta = apply_overrides(DETECTED, "x.md", overrides)
    assert (meta.province, meta.city, meta.level) == expected


def test_national_type_without_place_is_national(tmp_path: Path) -> None:
    detected = DocMeta(title="某某办法", doc_type=DocType.ADMIN_REGULATION, level=Level.NATIONAL)
    overrides = load_overrides(_csv(tmp_path, "title,level,doc_number\n某某办法,部门规章,公安部令第102号\n"))
    meta = apply_overrides(detected, "x.md", overrides)
    assert (meta.doc_type, meta.level, meta.doc_number_key) == (DocType.DEPT_RULE, Level.NATIONAL, "公安部令102")


def test_expired_means_repealed(tmp_path: Path) -> None:
    overrides = load_overrides(_csv(tmp_path, "title,expired\n潍坊市某某条例,1\n"))
    assert apply_overrides(DETECTED, "x.md", overrides).status is Status.REPEALED
    overrides = load_overrides(_csv(tmp_path, "title,expired\n潍坊市某某条例,0\n"))
    assert apply_overrides(DETECTED, "x.md", overrides).status is None


def test_later_rows_win(tmp_path: Path) -> None:
    overrides = load_overrides(_csv(tmp_path, "title,year\n潍坊市某某条例,2001\n潍坊市某某条例,2002\n"))
    assert apply_overrides(DETECTED, "x.md", overrides).year == 2002


def test_byte_order_mark_and_crlf_are_read(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeffpath,year\r\na/b.md,2001\r\n".encode("utf-8"))
    assert apply_overrides(DETECTED, "/x/a/b.md", load_overrides(path)).year == 2001


@pytest.mark.parametrize(
    ("content", "line", "fragment"),
    [
        ("", None, "no header row"),
        ("province,year\n山东,2001\n", 1, "no 'path' or 'title' column"),
        ("path,yaer\na.md,2001\n", 1, "unknown column(s) 'yaer'"),
        ("path,year,year\na.md,1,2\n", 1, "named twice: year"),
        ("path,year\na.md,2001\nb.md,2002,extra\n", 3, "3 cells where the header has 2 columns"),
        ("path,year\na.md,二零零一\n", 2, "'二零零一' is not a year"),
        ("path,file_date\na.md,2020-13-45\n", 2, "'2020-13-45' is not a date"),
        ("path,level\na.md,国家级法规\n", 2, "unknown value '国家级法规'"),
        ("path,status\na.md,maybe\n", 2, "unknown status 'maybe'"),
        ("path,is_draft\na.md,perhaps\n", 2, "'perhaps' is not yes/no"),
        ("path,year\n,2001\n", 2, "neither a path nor a title"),
        ('path,year\n"a.md,2001\n', 2, "malformed CSV"),
        ("path,year\na.md\x00,2001\n", 2, "NUL byte"),
    ],
)
def test_malformed_files_name_the_file_and_line(tmp_path: Path, content: str, line: int | None, fragment: str) -> None:
    path = _csv(tmp_path, content, "bad.csv")
    with pytest.raises(MetadataFileError) as info:
        load_overrides(path)
    message = str(info.value)
    assert message.startswith(str(path))
    assert fragment in message
    if line is not None:
        assert f"line {line}:" in message


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes(b"path,title\n" + "a.md,潍坊市条例\n".encode("gbk"))
    with pytest.raises(MetadataFileError, match=r"gbk\.csv, line 2: not UTF-8"):
        load_overrides(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(MetadataFileError, match="cannot be read"):
        load_overrides(tmp_path / "absent.csv")


def test_the_corpus_manifest_loads_and_sets_its_facts() -> None:
    manifest = require_shared(CORPUS / "manifest.csv")
    rows = list(csv.DictReader(manifest.open(encoding="utf-8")))
    overrides = load_overrides(manifest)
    assert len(overrides) == len(rows) == 3242
    row = next(r for r in rows if r["file_date"] and r["province"] and r["valid_from"] and r["expired"] == "1")
    meta = apply_overrides(DocMeta(), str(CORPUS / "lawrefbook" / row["path"]), overrides)
    assert meta.version_date == date.fromisoformat(row["file_date"])
    assert meta.year == int(row["file_date"][:4])
    assert meta.effective == date.fromisoformat(row["valid_from"])
    assert meta.province == row["province"]
    assert meta.doc_type == DocType(row["level"])
    assert meta.status is Status.REPEALED
    assert meta.title == row["title"]


def test_overrides_pickle() -> None:
    import pickle

    overrides = load_overrides(require_shared(CORPUS / "manifest.csv"))
    assert pickle.loads(pickle.dumps(overrides)) == overrides


def test_title_override_recomputes_the_short_title(tmp_path: Path) -> None:
    overrides = load_overrides(_csv(tmp_path, "path,title\na.md,中华人民共和国某某法（2018年修正）\n"))
    meta = apply_overrides(DETECTED, "/x/a.md", overrides)
    assert (meta.title, meta.short_title) == ("中华人民共和国某某法（2018年修正）", "某某法")


def test_an_empty_version_date_cell_leaves_the_counting_year_unknown(tmp_path: Path) -> None:
    # The manifest dates most files by file_date; a row without one means the catalogue does not know the version,
    # so the year read from header lines (which may miss a later amendment) does not count as the version's year.
    sidecar = tmp_path / "m.csv"
    sidecar.write_text("path,file_date,province\na/undated.md,,山东\na/dated.md,2020-05-01,\n", encoding="utf-8")
    overrides = load_overrides(sidecar)
    read = DocMeta(title="某条例", version_date=date(2016, 3, 1), year=2016, adopted=date(2001, 1, 1), first_year=2001)
    undated = apply_overrides(read, "/x/a/undated.md", overrides)
    assert (undated.version_date, undated.year, undated.first_year, undated.province) == (None, None, 2001, "山东")
    dated = apply_overrides(read, "/x/a/dated.md", overrides)
    assert (dated.version_date, dated.year) == (date(2020, 5, 1), 2020)
