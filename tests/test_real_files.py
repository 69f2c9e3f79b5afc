"""Real files as people pass them around (../shared/fixtures/real-world): one regression test per failure class."""

from __future__ import annotations

import io
import re
import shutil
from functools import cache
from pathlib import Path

import docx
import pytest

from kb.errors import MissingDependency
from kb.extract import extract, extract_bytes
from kb.metadata.read import read_metadata
from kb.models import ClauseKind, DocMeta, DocType, ExtractedText, Format
from kb.normalize.clean import artefact_table, clean_line, fold_artefacts
from kb.search.analyzer import normalize
from kb.segment.segmenter import build_body, segment
from tests.conftest import LAWREFBOOK, SHARED, require_shared

REAL_WORLD = SHARED / "fixtures" / "real-world"


@cache
def _read(name: str) -> tuple[ExtractedText, DocMeta, tuple[tuple[str, str], ...]]:
    got = extract(require_shared(REAL_WORLD / name))
    body = build_body(got.blocks)
    clauses = segment(name, body).clauses
    articles = tuple((c.number or "", c.text) for c in clauses if c.kind == ClauseKind.ARTICLE)
    return got, read_metadata(got, body), articles


def _numbers(articles: tuple[tuple[str, str], ...]) -> list[str]:
    return [number for number, _ in articles]


def test_pdf_article_after_a_full_line_starts_its_own_article() -> None:
    """rw-26 (劳动法 1994): 第二条 after a 第一条 that runs to the right margin is not glued to it (was 97 of 107)."""
    _, _, articles = _read("rw-26.pdf")
    assert len(articles) == 107
    assert len(set(_numbers(articles))) == 107
    assert not any(re.search(r"。第[一二三四五六七八九十百]+条", text) for _, text in articles)


def test_web_copy_debris_hidden_runs_image_captions_and_footnote_marks_are_dropped() -> None:
    """rw-23, saved from an online encyclopedia: no 折叠, no [1], no caption 《…》 inside a sentence."""
    got, meta, _ = _read("rw-23.docx")
    text = "\n".join(b.text for b in got.blocks)
    assert "折叠" not in text and "[1]" not in text
    assert "保障劳动者享有劳动权利" in text
    assert meta.title == "劳动合同法"


def test_article_number_run_into_its_text_reads_as_an_article() -> None:
    """rw-23: 第二条中华人民共和国境内的企业… (no space, 中 of 中华) and 第九十八条：本法… are articles."""
    _, _, articles = _read("rw-23.docx")
    numbers = _numbers(articles)
    assert numbers[:3] == ["第一条", "第二条", "第三条"]
    assert "第九十八条" in numbers and len(numbers) == 98


def test_long_amendment_header_gives_the_last_amendment_as_version_date() -> None:
    """rw-25 (刑法 2020): the header wraps over 30 PDF lines; the version is the 2020-12-26 amendment."""
    _, meta, _ = _read("rw-25.pdf")
    assert meta.version_date is not None and meta.version_date.isoformat() == "2020-12-26"


def test_order_sentence_gives_the_adoption_date() -> None:
    """rw-26: "《…劳动法》已由…会议于1994年7月5日通过，现予公布" is the text's date when no header says more."""
    _, meta, _ = _read("rw-26.pdf")
    assert meta.version_date is not None and meta.version_date.isoformat() == "1994-07-05"


def test_legislature_decision_is_typed_decision_not_law() -> None:
    """rw-18: 全国人民代表大会常务委员会关于授权…的决定 is a 决定."""
    _, meta, _ = _read("rw-18.docx")
    assert meta.doc_type is DocType.DECISION


def test_legacy_doc_reads_like_the_other_formats() -> None:
    """rw-36 (合伙企业法, Word 97-2003): every article, the title, the decree's number and the revision date."""
    _, meta, articles = _read("rw-36.doc")
    want = (LAWREFBOOK / "民法商法" / "合伙企业法(2006-08-27).md").read_text(encoding="utf-8")
    assert len(articles) == len(re.findall(r"^第[一二三四五六七八九十百零〇]+条 ", want, re.M)) == 109
    assert meta.title == "中华人民共和国合伙企业法"
    assert meta.version_date is not None and meta.version_date.isoformat() == "2006-08-27"


def test_wps_in_word_format_reads_like_the_doc(monkeypatch: pytest.MonkeyPatch) -> None:
    """A .wps that WPS Office saved in the Word 97-2003 format (an OLE file with a WordDocument stream) is read
    by antiword like the .doc, with no LibreOffice; the format recorded is WPS."""
    from kb.extract import doc

    monkeypatch.setattr(doc, "_soffice", lambda: None)
    data = require_shared(REAL_WORLD / "rw-36.doc").read_bytes()
    got = extract_bytes(data, "通知/合伙企业法.wps")
    assert got.format is Format.WPS
    body = build_body(got.blocks)
    articles = [c for c in segment("x", body).clauses if c.kind == ClauseKind.ARTICLE]
    assert len(articles) == 109 and read_metadata(got, body).title == "中华人民共和国合伙企业法"


def test_wps_in_an_older_format_without_libreoffice_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from kb.extract import doc

    monkeypatch.setattr(doc, "_soffice", lambda: None)
    with pytest.raises(MissingDependency, match=r"^x/old\.wps: reading \.wps needs LibreOffice \(soffice\)"):
        extract_bytes(b"\x00WPS old format" * 50, "x/old.wps")


def test_legacy_doc_without_a_converter_is_a_clear_per_file_error(monkeypatch: pytest.MonkeyPatch) -> None:
    data = require_shared(REAL_WORLD / "rw-36.doc").read_bytes()
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(MissingDependency, match=r"^x/law\.doc: reading \.doc needs antiword or LibreOffice"):
        extract_bytes(data, "x/law.doc")


@pytest.mark.parametrize(
    ("title", "lines", "want_title", "want_number"),
    [
        (
            "中华人民共和国国务院令 第535号",
            ["中华人民共和国国务院令 第535号", "《…》已经…通过，现予公布。", "中华人民共和国道路交通安全法实施条例"],
            "中华人民共和国道路交通安全法实施条例",
            "中华人民共和国国务院令 第535号",
        ),
        (
            "中华人民共和国主席令",
            ["第五十五号", "中华人民共和国合伙企业法"],
            "中华人民共和国合伙企业法",
            "中华人民共和国主席令第五十五号",
        ),
        (
            "国办发〔2018〕124号",
            ["国务院办公厅关于加强政务数据共享的通知", "各省人民政府："],
            "国务院办公厅关于加强政务数据共享的通知",
            "国办发〔2018〕124号",
        ),
        ("中华人民共和国数据安全法", ["第一章 总则"], "中华人民共和国数据安全法", None),
    ],
)
def test_decree_header_or_doc_number_in_the_title_slot(
    title: str, lines: list[str], want_title: str | None, want_number: str | None
) -> None:
    from kb.metadata.read import _title_behind_number

    assert _title_behind_number(title, lines) == (want_title, want_number)


def test_radicals_fold_to_the_character_they_stand_for() -> None:
    """A font's radical code points (⺠ U+2EA0, ⻔ U+2ED4, Kangxi ⼈ U+2F08) fold; every target is a CJK ideograph."""
    assert clean_line("人⺠法院 ⻔户 ⼈") == "人民法院 门户 人"
    table = artefact_table()
    assert all(0x4E00 <= ord(ch) <= 0x9FFF or 0x3400 <= ord(ch) <= 0x4DBF or ord(ch) > 0x20000 for ch in table.values())
    assert sum(1 for code in table if 0x2F00 <= code <= 0x2FD5) == 214  # all Kangxi radicals
    assert fold_artefacts("第８０条，") == "第８０条，"  # widths and punctuation are not artefacts


def _corpus_with_full_width_digits() -> Path:
    path = LAWREFBOOK / "DLC" / "北京地方法规" / "地方性法规" / "北京" / "北京市河湖保护管理条例(2019-07-26).md"
    return require_shared(path)


def test_same_text_gives_same_stored_body_across_formats_full_width_digits_and_zero_width_spaces() -> None:
    """One real text as .md, .txt, .html and .docx, with a zero-width space added: one stored body, as published."""
    source = _corpus_with_full_width_digits().read_text(encoding="utf-8")
    body = source.split("<!-- INFO END -->", 1)[1]
    paras = [line.lstrip("#").strip() for line in body.splitlines() if line.strip()]
    paras[1] = paras[1][:5] + "\u200b" + paras[1][5:]
    title = "北京市河湖保护管理条例"
    md = f"# {title}\n\n<!-- INFO END -->\n\n" + "\n\n".join(
        ("## " if p.startswith("第") and "章" in p[:5] else "") + p for p in paras
    )
    txt = title + "\n" + "\n".join(paras)
    html = f"<html><body><h1>{title}</h1>" + "".join(f"<p>{p}</p>" for p in paras) + "</body></html>"
    document = docx.Document()
    document.add_heading(title, 0)
    for p in paras:
        document.add_paragraph(p)
    buffer = io.BytesIO()
    document.save(buffer)
    bodies = {}
    for suffix, data in [
        (".md", md.encode()),
        (".txt", txt.encode()),
        (".html", html.encode()),
        (".docx", buffer.getvalue()),
    ]:
        got = extract_bytes(data, f"law{suffix}")
        clauses = segment("x", build_body(got.blocks)).clauses
        bodies[suffix] = [c.text for c in clauses if c.kind == ClauseKind.ARTICLE]
    assert bodies[".md"] == bodies[".txt"] == bodies[".html"] == bodies[".docx"]
    joined = "".join(bodies[".md"])
    assert "１万元" in joined and "\u200b" not in joined


def test_search_finds_full_width_text_by_ascii_digits() -> None:
    """The index folds widths, so 1万元 finds the stored １万元."""
    assert normalize("1万元") in normalize("并处１万元以上")


def _corpus_text(relative: str, paragraphs: int | None = None) -> str:
    source = require_shared(LAWREFBOOK / relative).read_text(encoding="utf-8")
    head, body = source.split("<!-- INFO END -->", 1)
    lines = [line.lstrip("# ").strip() for line in head.splitlines() if line.strip()]
    lines += [line.lstrip("#").strip() for line in body.splitlines() if line.strip()]
    return "\n".join(lines[:paragraphs])


def test_file_holding_a_second_document_keeps_the_first_and_warns() -> None:
    """A law and then the start of another in one file: the second is left out, with a warning naming it."""
    first = _corpus_text("经济法/农业技术推广法(2024-04-26).md")
    second = _corpus_text("社会法/农村集体经济组织法(2024-06-28).md", 30)
    got = extract_bytes((first + "\n" + second).encode("utf-8"), "two.txt")
    body = build_body(got.blocks)
    articles = [c for c in segment("x", body).clauses if c.kind == ClauseKind.ARTICLE]
    assert len(articles) == 39
    assert "农村集体经济组织" not in body
    assert any("a second document starts" in w and "中华人民共和国农村集体经济组织法" in w for w in got.warnings)


def test_attachment_with_its_own_articles_is_not_a_second_document() -> None:
    """附件 then a 办法 with 第一条 again belongs to the document (no cut, no warning)."""
    first = _corpus_text("经济法/农业技术推广法(2024-04-26).md")
    text = (
        first
        + "\n附件\n农业技术推广示范管理办法\n第一条 为了规范示范工作，制定本办法。\n第二条 本办法自公布之日起施行。"
    )
    got = extract_bytes(text.encode("utf-8"), "one.txt")
    assert not any("second document" in w for w in got.warnings)
    assert got.blocks[-1].text.startswith("第二条 本办法")
