"""Every regular expression kb compiles at module level, on adversarial input: 10x the input may cost at most ~40x
the time (a linear pattern costs ~10x, a pattern that retries a run of characters from every start ~100x).

The inputs are made from each pattern's own characters (its literals and a member of each class it uses), one
character repeated, two alternating and all of them in turn, so that a new pattern is tried on what it is most
likely to backtrack over without a test written for it. A ratio, never a wall-clock bound: a pattern is flagged
only when its cost grows past the ratio and the larger input takes more than a few milliseconds, measured at
best of three.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import time
from collections.abc import Iterator

import pytest

import kb

SMALL, LARGE = 1_000, 10_000
MAX_RATIO = 40.0
FLOOR_SECONDS = 0.004  # below this at LARGE characters a pattern is fast whatever its ratio
META = set(".^$*+?{}[]\\|()-,=<>!:")
CLASS_MEMBERS = {"d": "1", "s": " \t", "w": "a", "n": "\n", "t": "\t"}
EXTRA = " \t\n1一第条（(、"
# Front ends and the entry point hold no document-facing patterns (and importing kb.__main__ runs the CLI).
SKIPPED_PREFIXES = ("kb.web", "kb.cli", "kb.__main__")


def module_patterns() -> Iterator[tuple[str, re.Pattern[str]]]:
    for info in pkgutil.walk_packages(kb.__path__, "kb."):
        if info.name.startswith(SKIPPED_PREFIXES):
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern) and isinstance(value.pattern, str):
                yield f"{info.name}.{name}", value


PATTERNS = dict(module_patterns())


def alphabet(pattern: re.Pattern[str]) -> list[str]:
    """The characters of the pattern's literals and a member of each escape class, then a few common ones."""
    source, chars, i = pattern.pattern, [], 0
    while i < len(source):
        if source[i] == "\\" and i + 1 < len(source):
            code = source[i + 1]
            chars.extend(CLASS_MEMBERS.get(code, "" if code in "bBAZ" else code))
            i += 2
            continue
        if source[i] not in META:
            chars.append(source[i])
        i += 1
    return list(dict.fromkeys([*chars, *EXTRA]))


def inputs(pattern: re.Pattern[str], size: int) -> dict[str, str]:
    letters = alphabet(pattern)
    cycle = "".join(letters)
    made = {"all in turn": (cycle * (size // len(cycle) + 1))[:size]}
    made.update({f"{c!r} repeated": c * size for c in letters[:8]})
    made.update({f"{a!r}x5 {b!r}": ((a * 5 + b) * (size // 6 + 1))[:size]
                 for a in letters[:4] for b in letters[:4] if a != b})  # fmt: skip
    return made


def cost(pattern: re.Pattern[str], text: str, repeats: int = 1) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        pattern.search(text)
        for _ in pattern.finditer(text):
            pass
        best = min(best, time.perf_counter() - started)
    return best


def test_the_scan_finds_the_patterns() -> None:
    assert len(PATTERNS) > 150
    for name in ("kb.segment.patterns.ARTICLE", "kb.citations.lookup.CLAUSE_SUFFIX", "kb.search.query.ARABIC_ORDINAL"):
        assert name in PATTERNS


def test_the_scan_flags_a_pattern_that_retries_from_every_start() -> None:
    """The measure itself: the leading-whitespace form kb once had flags; its anchored fix passes."""
    assert _flagged(re.compile(r"\s*(?:文件|公报|令)$"))
    assert not _flagged(re.compile(r"(?<!\s)\s*(?:文件|公报|令)$"))


def _flagged(pattern: re.Pattern[str]) -> str | None:
    small, large = inputs(pattern, SMALL), inputs(pattern, LARGE)
    for kind, text in large.items():
        if cost(pattern, text) <= FLOOR_SECONDS:
            continue
        big, little = cost(pattern, text, repeats=3), cost(pattern, small[kind], repeats=3)
        if big > FLOOR_SECONDS and big > MAX_RATIO * max(little, 1e-5):
            return f"{kind}: {little * 1000:.2f} ms at {SMALL} characters, {big * 1000:.1f} ms at {LARGE}"
    return None


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_pattern_cost_grows_linearly(name: str) -> None:
    flagged = _flagged(PATTERNS[name])
    assert flagged is None, f"{name} ({PATTERNS[name].pattern!r}) is super-linear on {flagged}"
