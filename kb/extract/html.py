"""HTML extraction: a government web page's bytes -> ExtractedText (main content, metadata table, <meta> tags).

The page is parsed with BeautifulSoup over lxml. The main content is the gov.cn ``UCAP-CONTENT`` container when the
page has one, otherwise the container that holds the most Chinese text in paragraphs and the fewest links; navigation,
breadcrumbs, related-document lists, share buttons, scripts and footers are never read as body. The page's metadata
table (标题, 发文机关, 发文字号, 成文日期, 发布日期, 索引号, 主题分类) and its ``<meta>`` tags become ``fields``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice

from bs4 import BeautifulSoup
from bs4.element import CData, Comment, Declaration, Doctype, NavigableString, ProcessingInstruction, Tag

from kb.errors import CorruptFile, NoBody
from kb.models import Block, ExtractedText, Format
from kb.normalize.clean import (
    clean_line,
    collapse_cjk_spaces,
    heading_levels,
    leading_header_lines,
    squeeze,
    structural_kind,
    toc_span,
)
from kb.normalize.decode import decode_bytes, describe_bad_bytes, looks_binary

# A charset declared in the page: <meta charset="gbk">, <meta http-equiv="Content-Type" content="text/html;
# charset=GB2312">, or an XML declaration's encoding="utf-8". Read from the raw bytes before decoding.
DECLARED_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)|<\?xml[^>]{0,100}?encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""",
    re.IGNORECASE,
)
# The id gov.cn and the sites built on its platform (UCAP) give the article body; matched after stripping spaces,
# since some pages write it with a line break inside the attribute (id="\nUCAP-CONTENT").
CONTENT_ID = "ucap-content"
# Elements whose text is never document text.
# fmt: off
SKIP_TAGS = frozenset({
    "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas", "button", "input",
    "select", "textarea", "option", "head", "title", "meta", "link", "map",
})
# fmt: on
# Elements that begin and end a line of text (everything else is inline and flows into the current line).
# fmt: off
BLOCK_TAGS = frozenset({
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "table", "tr", "td", "th",
    "tbody", "thead", "tfoot", "caption", "section", "article", "main", "aside", "header", "footer", "nav",
    "blockquote", "pre", "center", "form", "fieldset", "figure", "figcaption", "address", "hr", "body", "html",
})
# fmt: on
# Block elements that are one paragraph; they credit their container when the content is looked for.
PARAGRAPH_TAGS = frozenset({"p", "pre", "li", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "address"})
HEADING_TAGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
# class/id words of page chrome: navigation, breadcrumbs, related lists, sharing, footers, headers, sidebars.
# A candidate container whose class or id holds one scores low, and such an element inside the content is skipped.
CHROME_NAME = re.compile(
    r"nav|menu|crumb|breadcrumb|footer|foot|header|top|related|relate|share|bdshare|comment|sidebar|side|"
    r"copyright|links|toolbar|tool|print|search|logo|banner|pager|pagination|qrcode|ewm|fenxiang|xgwj|xglj",
    re.IGNORECASE,
)
# The heading of a related-documents or related-links list, or of a share bar, e.g. "相关文件", "相关链接：",
# "分享到：". The element it heads is not part of the document.
RELATED_HEADING = re.compile(
    r"^(?:相关(?:文件|链接|阅读|新闻|政策|解读|稿件|附件)|延伸阅读|推荐阅读|热点推荐|分享到)[:：]?\s*"
)
# Elements that may hold a related list, a share bar or its heading inside the content.
RELATED_CANDIDATES = frozenset(
    {"div", "ul", "ol", "table", "section", "dl", "aside", "nav", "footer", "p", "span", "h1", "h2", "h3", "h4", "h5",
     "h6", "strong", "b"}
)  # fmt: skip
# A line of page controls inside the content: "【打印】【关闭】", "分享到：", "字号：大 中 小",
# "扫一扫在手机打开当前页".
PAGE_CHROME_LINE = re.compile(
    r"^(?:[【\[]?(?:打印(?:本页)?|关闭(?:窗口|本页)?|返回顶部|收藏|纠错|保存|字号[:：]?\s*[大中小\s]*|"
    r"分享到[:：]?|扫一扫在手机打开当前页|【?[大中小]】?)[】\]]?[\s\u3000]*)+$"
)
# Labels of a metadata table or list on government pages ("标　　题：", "发文字号："), compared without spaces.
# fmt: off
METADATA_LABELS = frozenset({
    "标题", "名称", "文件名称", "发文机关", "发布机构", "发文单位", "制发机关", "发文字号", "文号", "成文日期",
    "发布日期", "发文日期", "印发日期", "公布日期", "施行日期", "实施日期", "生效日期", "失效日期", "索引号",
    "主题分类", "主题词", "体裁分类", "公文种类", "效力状态", "有效性", "时效性", "来源", "信息来源", "发布时间",
    "发布机关", "制定机关", "颁布机关", "发布单位", "效力级别", "法律效力位阶",
})
# fmt: on
# A label cell: a few Chinese characters (spaces allowed between them) and a colon, e.g. "发文字号：", "索 引 号:".
LABEL_CELL = re.compile(r"^([\u4e00-\u9fff][\u4e00-\u9fff\s\u3000]{0,10})[:：]?$")
# "label：value" pairs inside one line of text, e.g. "来源：北京市人民政府　发布时间：2021-11-26".
INLINE_FIELD = re.compile(
    r"([\u4e00-\u9fff][\u4e00-\u9fff\s\u3000]{0,10}?)[:：][\s\u3000]*(.*?)(?=[\s\u3000]{1,}\S{2,8}[:：]|$)"
)
# <meta name=...> tags that are about the browser, not the document.
# fmt: off
TECHNICAL_META = frozenset({
    "viewport", "robots", "renderer", "format-detection", "referrer", "generator", "force-rendering",
    "apple-mobile-web-app-capable", "msapplication-tap-highlight", "theme-color", "googlebot", "baiduspider",
    "applicable-device", "mobile-agent",
})
# fmt: on
# Separators between a page's title and the site's name in <title>: "上海市数据条例_法规规章_上海市",
# "…条例 - 北京市人民政府", "…｜中国政府网".
TITLE_SUFFIX = re.compile(r"(?<!\s)\s*(?:[_｜|]|\s[-－—–]+\s|——)\s*")
# A part of <title> that names the site or a section, not the document: "某市人民政府门户网站", "中国政府网",
# "法规规章", "首页".
SITE_NAME = re.compile(r"(?:网|网站|门户|首页|政府|人民政府|政务公开|法规规章|政策文件|信息公开)$")
# ASCII whitespace as HTML source layout: collapsed to one space, or removed when it holds a line break between
# two CJK characters (a browser does not show a line break of the source between Chinese characters either).
SOURCE_SPACE = re.compile(r"[ \t\r\n\f]+")
_CJK_CHAR = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
# Share of replacement characters past which a decoded page is taken for binary data.
MAX_REPLACEMENT_SHARE = 0.01
# Text a page needs, in Chinese characters, before a scored container is taken for its main content.
MIN_CONTENT_CJK = 20


@dataclass(frozen=True, slots=True)
class _Line:
    """One line of a page's content: its text and, for <h1>-<h6>, the heading level."""

    text: str
    level: int | None = None


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in its first 4 KB (meta charset, http-equiv or XML declaration), else None."""
    match = DECLARED_CHARSET.search(data[:4096])
    if not match:
        return None
    value = match.group(1) or match.group(2)
    return value.decode("ascii", "replace") if value else None


def _is_text_node(node: object) -> bool:
    """True for a text node of the document (not a comment, CDATA, doctype or processing instruction)."""
    return isinstance(node, NavigableString) and not isinstance(
        node, (Comment, CData, Declaration, Doctype, ProcessingInstruction)
    )


def _source_spaces(text: str) -> str:
    """Collapse HTML source whitespace: one space, or nothing for a line break between Chinese characters."""

    def replace(match: re.Match[str]) -> str:
        before = text[match.start() - 1] if match.start() else ""
        after = text[match.end()] if match.end() < len(text) else ""
        if "\n" in match.group() and _CJK_CHAR.match(before or " ") and _CJK_CHAR.match(after or " "):
            return ""
        return " "

    return SOURCE_SPACE.sub(replace, text)


def _names(tag: Tag) -> str:
    """A tag's id and class words, for matching page-chrome names."""
    value = tag.get("class")
    classes = [value] if isinstance(value, str) else list(value or [])
    return " ".join([str(tag.get("id") or ""), *map(str, classes)])


def _text_under(tag: Tag, enter: Callable[[Tag], bool]) -> str:
    """The text nodes under ``tag`` in document order, descending only into elements ``enter`` accepts."""
    parts: list[str] = []
    stack = [iter(tag.children)]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
        elif isinstance(child, Tag):
            if enter(child):
                stack.append(iter(child.children))
        elif _is_text_node(child):
            parts.append(str(child))
    return "".join(parts)


def _text(tag: Tag) -> str:
    """All document text under ``tag`` (never inside script, style ...), source whitespace collapsed."""
    return _source_spaces(_text_under(tag, lambda child: child.name not in SKIP_TAGS)).strip()


def _is_related_block(tag: Tag) -> bool:
    """True for a related-documents list, share bar or similar chrome inside the content."""
    if tag.name not in RELATED_CANDIDATES:
        return False
    if tag.name in {"nav", "footer", "aside"}:
        return True
    text = _text(tag)
    if RELATED_HEADING.match(text) and (RELATED_HEADING.fullmatch(text) or _link_density(tag) > 0.5):
        return True  # the heading alone, or the heading with its links ("相关文件应当报送…" is text)
    names = _names(tag)
    return bool(names.strip()) and CHROME_NAME.search(names) is not None and _link_density(tag) > 0.5


def _link_density(tag: Tag) -> float:
    """Share of a tag's text that is inside links."""
    total = len(squeeze(_text(tag)))
    if not total:
        return 0.0
    linked = sum(len(squeeze(_text(a))) for a in tag.find_all("a"))
    return min(1.0, linked / total)


# -------------------------------------------------------------------------------------------------------------
# Content lines


class _LineWriter:
    """Collects inline text into lines; a block element or <br> ends the current line."""

    def __init__(self) -> None:
        self.lines: list[_Line] = []
        self._parts: list[str] = []
        self._level: int | None = None

    def add(self, text: str) -> None:
        self._parts.append(text)

    def flush(self) -> None:
        text = clean_line(_source_spaces("".join(self._parts)))
        if text:
            self.lines.append(_Line(text, self._level))
        self._parts = []

    def walk(self, tag: Tag) -> None:
        after_related = False  # the previous block headed a related list: "<h3>相关文件</h3><ul>…</ul>"
        for child in tag.children:
            if isinstance(child, Tag):
                if _is_related_block(child):
                    after_related = True
                    continue
                if child.name in BLOCK_TAGS:
                    if after_related and _link_density(child) > 0.5:
                        continue
                    after_related = after_related and not _text(child)
                self._element(child)
            elif _is_text_node(child):
                if str(child).strip():
                    after_related = False
                self.add(str(child))

    def _element(self, tag: Tag) -> None:
        name = tag.name
        if name in SKIP_TAGS:
            return
        if name == "br":
            self.flush()
            return
        if name == "table":
            self.flush()
            self._table(tag)
            return
        if name in BLOCK_TAGS:
            self.flush()
            previous = self._level
            if name in HEADING_TAGS:
                self._level = HEADING_TAGS[name]
            self.walk(tag)
            self.flush()
            self._level = previous
            return
        self.walk(tag)

    def _table(self, table: Tag) -> None:
        """A data table as one line per row, cells joined by a tab; a one-column (layout) table as its content."""
        rows = [row for row in table.find_all("tr") if row.find_parent("table") is table]
        cells_per_row = [[cell for cell in row.find_all(["td", "th"]) if cell.find_parent("tr") is row] for row in rows]
        if not rows or max((len(cells) for cells in cells_per_row), default=0) <= 1:
            self.walk(table)
            self.flush()
            return
        for cells in cells_per_row:
            texts: list[str] = []
            for cell in cells:
                inner = _LineWriter()
                inner.walk(cell)
                inner.flush()
                text = " ".join(line.text for line in inner.lines)
                if text:
                    texts.append(text)
            if texts:
                self.lines.append(_Line("\t".join(texts)))


def content_lines(content: Tag) -> list[_Line]:
    """The lines of the content element in reading order, page controls dropped."""
    writer = _LineWriter()
    writer.walk(content)
    writer.flush()
    return [line for line in writer.lines if not PAGE_CHROME_LINE.match(line.text)]


# -------------------------------------------------------------------------------------------------------------
# Finding the content


def _own_text(tag: Tag) -> str:
    """The text a block element holds itself: its text and inline elements' text, not its block children's, not
    links' (a list of links is navigation, however Chinese)."""
    return _text_under(tag, lambda c: c.name not in BLOCK_TAGS and c.name not in SKIP_TAGS and c.name != "a")


def _cjk_count(text: str) -> int:
    return sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")


def find_content(soup: BeautifulSoup) -> Tag | None:
    """The element holding the document's body: the UCAP-CONTENT container, else the best-scoring container.

    Scoring follows the readability idea: each paragraph gives the Chinese characters it holds outside links to its
    container and half to the container's parent (text set directly in a container, split by <br>, counts for the
    container itself); a container's score is then cut by its link density and by a page-chrome class or id (nav,
    crumb, related, footer ...).
    """
    for tag in soup.find_all(id=True):
        if str(tag.get("id", "")).strip().lower() == CONTENT_ID and _cjk_count(_text(tag)) >= MIN_CONTENT_CJK:
            return tag  # an empty one (filled by a script) is passed over
    scores: dict[int, float] = {}
    tags: dict[int, Tag] = {}
    for owner in soup.find_all(True):
        if owner.name in SKIP_TAGS or owner.name not in BLOCK_TAGS or owner.name in {"html", "body"}:
            continue
        count = _cjk_count(_own_text(owner))
        if count < 5:
            continue
        # a paragraph credits its container; a container holding text itself (lines split by <br>) is one
        chain = [] if owner.name in PARAGRAPH_TAGS else [owner]
        chain += islice((parent for parent in owner.parents if isinstance(parent, Tag)), 2 - len(chain))
        for depth, ancestor in enumerate(chain):
            if ancestor.name in {"html", "[document]"}:
                break
            key = id(ancestor)
            tags[key] = ancestor
            scores[key] = scores.get(key, 0.0) + count / (1 + depth)
    best: Tag | None = None
    best_score = 0.0
    for key, score in scores.items():
        tag = tags[key]
        names = _names(tag)
        if names.strip() and CHROME_NAME.search(names):
            score *= 0.2
        score *= 1.0 - _link_density(tag)
        if score > best_score:
            best, best_score = tag, score
    if best is None or best_score < MIN_CONTENT_CJK:
        return None
    return best


# -------------------------------------------------------------------------------------------------------------
# Metadata


def _label(text: str) -> str | None:
    """The metadata label a cell or span holds ("标　　题：" -> "标题"), else None."""
    match = LABEL_CELL.match(text.strip())
    if not match:
        return None
    label = squeeze(match.group(1))
    return label if label in METADATA_LABELS else None


def meta_fields(soup: BeautifulSoup) -> list[tuple[str, str]]:
    """(name, content) of the page's named <meta> tags: ArticleTitle, PubDate, ContentSource, keywords, ..."""
    fields: list[tuple[str, str]] = []
    for meta in soup.find_all("meta"):
        name = str(meta.get("name") or meta.get("property") or "").strip()
        content = clean_line(str(meta.get("content") or ""))
        if name and content and name.lower() not in TECHNICAL_META:
            fields.append((name, content))
    return fields


def table_fields(soup: BeautifulSoup, content: Tag | None) -> list[tuple[str, str]]:
    """(label, value) of the page's metadata table and "label：value" lines outside the content."""
    fields: list[tuple[str, str]] = []
    inside = {id(tag) for tag in content.find_all(True)} | {id(content)} if content is not None else set()
    for row in soup.find_all("tr"):
        if id(row) in inside:
            continue
        cells = [clean_line(_text(cell)) for cell in row.find_all(["td", "th"]) if cell.find_parent("tr") is row]
        index = 0
        while index < len(cells):
            label = _label(cells[index])
            if label and index + 1 < len(cells) and _label(cells[index + 1]) is None:
                if cells[index + 1]:
                    fields.append((label, cells[index + 1]))
                index += 2
                continue
            inline = INLINE_FIELD.match(cells[index])
            if inline and squeeze(inline.group(1)) in METADATA_LABELS and inline.group(2).strip():
                fields.append((squeeze(inline.group(1)), inline.group(2).strip()))
            index += 1
    in_table = {label for label, _ in fields}
    in_tables = _inside_tables(soup)
    holders = _holding(soup, ("div", "p", "li", "table"))
    for tag in soup.find_all(["div", "p", "span", "li", "dd"]):
        if id(tag) in inside or id(tag) in in_tables or id(tag) in holders:
            continue
        text = clean_line(_text(tag))
        if not text or len(text) > 300:
            continue
        for match in INLINE_FIELD.finditer(text):
            label, value = squeeze(match.group(1)), clean_line(match.group(2))
            if label in METADATA_LABELS and value and label not in in_table and (label, value) not in fields:
                fields.append((label, value))
    return fields


def _inside_tables(soup: BeautifulSoup) -> set[int]:
    """Ids of the elements inside a table, each element visited once (a nested table's are already inside)."""
    inside: set[int] = set()
    for table in soup.find_all("table"):
        if id(table) not in inside:
            inside.update(id(tag) for tag in table.find_all(True))
    return inside


def _holding(soup: BeautifulSoup, names: tuple[str, ...]) -> set[int]:
    """Ids of the elements that hold an element named in ``names`` somewhere below them. Each element's ancestors
    are marked walking up until one already marked, so every element is marked once: linear in the page, where
    asking ``tag.find(names)`` of every tag is quadratic in a page's depth."""
    holders: set[int] = set()
    for found in soup.find_all(list(names)):
        for parent in found.parents:
            if id(parent) in holders:
                break
            holders.add(id(parent))
    return holders


def _title(fields: list[tuple[str, str]], soup: BeautifulSoup) -> str | None:
    """The page's title: metadata table 标题, <meta ArticleTitle>, the first <h1>, og:title, then <title>."""
    for key in ("标题", "文件名称", "名称", "ArticleTitle", "articletitle"):
        for label, value in fields:
            if label == key and value:
                return collapse_cjk_spaces(value)
    for h1 in soup.find_all("h1"):
        text = clean_line(_text(h1))
        if text:
            return collapse_cjk_spaces(text)
    for label, value in fields:
        if label.lower() in {"og:title", "title"} and value:
            return collapse_cjk_spaces(value)
    if soup.title is not None:
        text = clean_line(soup.title.get_text())
        parts = [part for part in TITLE_SUFFIX.split(text) if part.strip()]
        documents = [part for part in parts if not SITE_NAME.search(part)] or parts
        if documents:
            return collapse_cjk_spaces(documents[0])
    return None


# -------------------------------------------------------------------------------------------------------------
# Assembling


def _drop_leading_title(lines: list[_Line], title: str | None) -> list[_Line]:
    """The lines without the title the content opens with (on one line or split over up to four)."""
    if not title or not lines:
        return lines
    target = squeeze(title)
    joined = ""
    for count, line in enumerate(lines[:4], start=1):
        joined += squeeze(line.text)
        if joined == target:
            return lines[count:]
        if not target.startswith(joined):
            break
    return lines


def _blocks(lines: list[_Line]) -> Iterator[Block]:
    kinds = [kind for kind in (structural_kind(line.text) for line in lines) if kind]
    levels = heading_levels(kinds)
    for line in lines:
        kind = structural_kind(line.text)
        if kind:
            yield Block(text=line.text, kind="heading", level=levels[kind])
        elif line.level is not None:
            yield Block(text=line.text, kind="heading", level=line.level)
        else:
            yield Block(text=line.text)


def extract(data: bytes, path: str) -> ExtractedText:
    """Read a government web page: its main content as blocks, its metadata table and <meta> tags as fields.

    Raises CorruptFile for binary data, DecodeError when the encoding cannot be found, NoBody for a page with no
    body text.
    """
    if looks_binary(data):
        raise CorruptFile(f"{path}: binary data, not an HTML page (control bytes found); expected a saved web page")
    decoded = decode_bytes(data, path, declared_charset(data))
    if decoded.text.count("\ufffd") > max(8, len(decoded.text) * MAX_REPLACEMENT_SHARE):
        raise CorruptFile(f"{path}: mostly undecodable bytes, not an HTML page; expected a saved web page")
    warnings = [warning for warning in (describe_bad_bytes(path, decoded),) if warning]
    soup = BeautifulSoup(decoded.text, "lxml")
    content = find_content(soup)
    fields = table_fields(soup, content) + meta_fields(soup)
    title = _title(fields, soup)
    lines = content_lines(content) if content is not None else []
    lines = _drop_leading_title(lines, title)
    info, start = leading_header_lines([line.text for line in lines])
    lines = lines[start:]
    toc = toc_span([line.text for line in lines])
    if toc is not None:
        lines = lines[: toc[0]] + lines[toc[1] :]
    blocks = tuple(_blocks(lines))
    if not blocks:
        raise NoBody(
            f"{path}: the page has no body text (no content container with Chinese text, only navigation or an "
            "empty page); save the page of the document itself"
        )
    return ExtractedText(
        path=path,
        format=Format.HTML,
        title=title,
        info=tuple(info),
        blocks=blocks,
        fields=tuple(fields),
        warnings=tuple(warnings),
    )
