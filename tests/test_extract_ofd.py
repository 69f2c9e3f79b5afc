"""OFD (GB/T 33190): a package built here from a real corpus text reads like the same text in other formats."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from kb.errors import CorruptFile, EmptyFile
from kb.extract import extract_bytes
from kb.metadata.read import read_metadata
from kb.models import ClauseKind, Format
from kb.segment.segmenter import build_body, segment
from tests.conftest import LAWREFBOOK, require_shared

NS = "http://www.ofdspec.org/2016"
SIZE = 3.7  # 10.5 pt in millimetres
PER_LINE = 40  # characters of a full line on the page
LEFT, TOP, LINE_GAP = 25.0, 30.0, 6.0
LINES_PER_PAGE = 38


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _layout(paragraphs: list[tuple[str, bool]]) -> list[list[tuple[float, float, str]]]:
    """Pages of (x, y, text) lines: a centred title, then paragraphs indented two characters and wrapped."""
    lines: list[tuple[float, str]] = []
    for text, centred in paragraphs:
        if centred:
            lines.append((LEFT + (PER_LINE - len(text)) / 2 * SIZE, text))
            continue
        first, rest = text[: PER_LINE - 2], text[PER_LINE - 2 :]
        lines.append((LEFT + 2 * SIZE, first))
        lines += [(LEFT, rest[i : i + PER_LINE]) for i in range(0, len(rest), PER_LINE)]
    pages = []
    for start in range(0, len(lines), LINES_PER_PAGE):
        chunk = lines[start : start + LINES_PER_PAGE]
        pages.append([(x, TOP + i * LINE_GAP, text) for i, (x, text) in enumerate(chunk)])
    return pages


def build_ofd(paragraphs: list[tuple[str, bool]]) -> bytes:
    """A minimal valid OFD package: OFD.xml -> Doc_0/Document.xml -> Pages/Page_N/Content.xml, one TextObject a line."""
    pages = _layout(paragraphs)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "OFD.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="{NS}" Version="1.0" DocType="OFD">'
            "<ofd:DocBody><ofd:DocInfo><ofd:DocID>x</ofd:DocID></ofd:DocInfo>"
            "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
        )
        page_refs = "".join(f'<ofd:Page ID="{i + 1}" BaseLoc="Pages/Page_{i}/Content.xml"/>' for i in range(len(pages)))
        archive.writestr(
            "Doc_0/Document.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document xmlns:ofd="{NS}"><ofd:CommonData>'
            "<ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea></ofd:CommonData>"
            f"<ofd:Pages>{page_refs}</ofd:Pages></ofd:Document>",
        )
        for i, page in enumerate(pages):
            objects = "".join(
                f'<ofd:TextObject ID="{i}{j}" Boundary="{x:.2f} {y:.2f} {len(t) * SIZE:.2f} {SIZE * 1.2:.2f}"'
                f' Font="1" Size="{SIZE}"><ofd:TextCode X="0" Y="{SIZE:.2f}" DeltaX="g {len(t) - 1} {SIZE}">'
                f"{_escape(t)}</ofd:TextCode></ofd:TextObject>"
                for j, (x, y, t) in enumerate(page)
            )
            archive.writestr(
                f"Doc_0/Pages/Page_{i}/Content.xml",
                f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page xmlns:ofd="{NS}"><ofd:Content>'
                f'<ofd:Layer ID="L{i}">{objects}</ofd:Layer></ofd:Content></ofd:Page>',
            )
    return buffer.getvalue()


def _corpus_law() -> tuple[str, list[tuple[str, bool]], list[tuple[str, str]]]:
    source = require_shared(LAWREFBOOK / "经济法" / "农业技术推广法(2024-04-26).md").read_text(encoding="utf-8")
    head, body = source.split("<!-- INFO END -->", 1)
    title = head.splitlines()[0].lstrip("# ").strip()
    info = [line.strip() for line in head.splitlines()[1:] if line.strip()]
    lines = [line.lstrip("#").strip() for line in body.splitlines() if line.strip()]
    paragraphs = (
        [(title, True)]
        + [(f"（{line}）", False) for line in info]
        + [(line, bool(re.match(r"^第[一二三四五六七八九十]+章", line))) for line in lines]
    )
    articles = []
    for line in lines:
        if re.match(r"^第[一二三四五六七八九十百零]+条 ", line):
            articles.append((line.split(" ", 1)[0], line))
        elif articles and not re.match(r"^第[一二三四五六七八九十]+章", line):
            articles[-1] = (articles[-1][0], articles[-1][1] + line)
    return title, paragraphs, articles


def test_ofd_built_from_a_corpus_law_gives_its_articles_title_and_dates() -> None:
    title, paragraphs, want = _corpus_law()
    assert len(want) == 39
    got = extract_bytes(build_ofd(paragraphs), "law.ofd")
    assert got.format is Format.OFD and (got.pages or 0) > 1
    body = build_body(got.blocks)
    clauses = segment("x", body).clauses
    mine = [(c.number, "".join(c.text.split())) for c in clauses if c.kind == ClauseKind.ARTICLE]
    assert mine == [(number, "".join(text.split())) for number, text in want]
    meta = read_metadata(got, body)
    assert meta.title == title
    assert meta.version_date is not None and meta.version_date.isoformat() == "2024-04-26"


@pytest.mark.parametrize(
    ("data", "error", "says"),
    [
        (b"PK\x03\x04 not really", CorruptFile, "not an OFD file"),
        (b"%PDF-1.7", CorruptFile, "not an OFD file"),
    ],
)
def test_bad_ofd_names_the_file(data: bytes, error: type[Exception], says: str) -> None:
    with pytest.raises(error, match=rf"^bad/x\.ofd: {says}"):
        extract_bytes(data, "bad/x.ofd")


def test_ofd_entities_are_not_expanded() -> None:
    """An OFD's XML is untrusted: an external entity is never read (the text holds no file content)."""
    ofd = build_ofd([("标题", True), ("第一条 本法。", False)])
    with zipfile.ZipFile(io.BytesIO(ofd)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    page = members["Doc_0/Pages/Page_0/Content.xml"].decode()
    page = page.replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    )
    page = page.replace("本法。", "本法&x;。")
    members["Doc_0/Pages/Page_0/Content.xml"] = page.encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    try:
        got = extract_bytes(buffer.getvalue(), "x.ofd")
    except (CorruptFile, EmptyFile):
        return
    assert "root:" not in "".join(b.text for b in got.blocks)
