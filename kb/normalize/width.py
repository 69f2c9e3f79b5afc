"""Display width: text -> the columns it takes in a monospaced layout (CJK and full-width characters count 2).

Kept apart from kb.normalize.clean, whose patterns cost a front end's start-up time, so the CLI's tables import it
alone; clean's line rejoining measures lines with it too.
"""

from __future__ import annotations

import unicodedata


def display_width(text: str) -> int:
    """Columns a line takes in a monospaced layout: CJK and full-width characters count 2, others 1."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
