"""The gold rule: articles as a source itself marks them, for measuring kb against answer keys.

A paragraph that starts with 第X条 (optionally 之X) opens an article; the paragraphs after it, up to the next article
or heading, are its text (DATA.md). Texts are compared with all whitespace removed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# A paragraph's opening article number, e.g. 第二十一条 / 第21条 / 第二十一条之一, then a space or the end.
ARTICLE = re.compile(r"^(第[零〇一二三四五六七八九十百千两\d]+条(?:之[一二三四五六七八九十]+)?)(?:[\s\u3000]|$)")
# Whitespace of every width, removed before comparing texts.
WHITESPACE = re.compile(r"\s+")


def squeeze(text: str) -> str:
    """``text`` without any whitespace."""
    return WHITESPACE.sub("", text)


def rule_articles(blocks: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """(number, squeezed text) of each article cut from (kind, text) blocks by the gold rule."""
    out: list[tuple[str, list[str]]] = []
    current: tuple[str, list[str]] | None = None
    for kind, text in blocks:
        match = ARTICLE.match(text.strip())
        if kind == "heading":
            current = None
        elif match:
            current = (match.group(1), [text])
            out.append(current)
        elif current is not None:
            current[1].append(text)
    return [(number, squeeze("\n".join(parts))) for number, parts in out]
