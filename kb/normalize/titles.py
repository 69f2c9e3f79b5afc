"""Titles: a document's title as written -> the title kb shows and the short title it matches on."""

from __future__ import annotations

import re

# The country name national laws are titled with: 中华人民共和国数据安全法 -> 数据安全法.
COUNTRY = "中华人民共和国"

# A web page's <title> suffix after the document's own title: "促进个体工商户发展条例_法规规章_中国政府网".
PAGE_TITLE_SUFFIX = re.compile(r"[_|｜].*$")
# Version notes at the end of a title, dropped from the short title: （2018年修正）, (2015修订), （2020年修正文本）;
# not the year that names a numbered amendment, 宪法修正案（2004年）.
VERSION_NOTE = re.compile(r"(?<!修正案)(?<!\s)\s*[（(]\s*\d{4}\s*年?\s*(?:修正|修订|修改)?(?:文本|版)?\s*[)）]\s*$")


def clean_title(title: str | None) -> str | None:
    """A title as one line, less a web page's site suffix ("…条例_法规规章_中国政府网")."""
    if not title:
        return None
    title = PAGE_TITLE_SUFFIX.sub("", title.strip()) if "_" in title or "｜" in title else title.strip()
    title = re.sub(r"\s*\n\s*", "", title)
    return title or None


def short_title(title: str | None) -> str | None:
    """A title less the 中华人民共和国 prefix and version notes: 中华人民共和国数据安全法（2021年） -> 数据安全法."""
    if not title:
        return None
    short = VERSION_NOTE.sub("", title).removeprefix(COUNTRY).strip()
    return short or None
