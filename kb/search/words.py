"""Words: a question's text -> its words, by the most probable path through jieba's dictionary (built once).

A question typed as a sentence (公司不给交社保怎么办) is split into dictionary words (公司 不 给 交 社保 怎么办)
the way jieba's accurate mode without HMM does: of all ways to cut a run of Chinese characters into dictionary
words (a character alone is always allowed), the one whose product of word frequencies is largest. Loading jieba's
dictionary into a Python dict costs a CLI process seconds on a busy machine, so kb keeps it as an SQLite table
(every word with its frequency, and every prefix of a word with frequency 0 so the walk knows when to stop), built
once from jieba's ``dict.txt`` into a cache directory and then read a few dozen rows per question.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import math
import os
import re
import sqlite3
import threading
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from kb.errors import KbError

# The environment variable naming the directory for kb's caches (default: $XDG_CACHE_HOME/kb or ~/.cache/kb).
CACHE_ENV = "KB_CACHE_DIR"
DICTIONARY_PACKAGE = "jieba"
DICTIONARY_FILE = "dict.txt"
# A run of characters the dictionary walk segments (Han characters); everything else is split by NON_HAN_TOKEN.
HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# Outside Han runs: a run of letters/digits is one token (GDPR, 2021); other characters are dropped.
NON_HAN_TOKEN = re.compile(r"[A-Za-z0-9]+")
LONGEST_WORD = 16  # fragments longer than this are not looked up (jieba's dictionary has none)


class WordTable:
    """jieba's dictionary in SQLite: ``freq(fragment)`` is a word's frequency, 0 for a prefix, None otherwise."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        connection = self._connection()
        row = connection.execute("SELECT value FROM meta WHERE key = 'total'").fetchone()
        self.total = float(row[0])
        self.log_total = math.log(self.total)

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            self._local.connection = connection
        return connection

    def lookup(self, fragments: list[str]) -> dict[str, int]:
        """Frequencies (0 for prefixes) of those ``fragments`` the dictionary knows."""
        if not fragments:
            return {}
        found: dict[str, int] = {}
        connection = self._connection()
        for start in range(0, len(fragments), 500):
            chunk = fragments[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for word, freq in connection.execute(f"SELECT word, freq FROM words WHERE word IN ({marks})", chunk):
                found[word] = int(freq)
        return found

    def segment(self, run: str) -> list[str]:
        """The most probable cut of a run of Han characters into dictionary words."""
        n = len(run)
        fragments = [run[i:j] for i in range(n) for j in range(i + 1, min(n, i + LONGEST_WORD) + 1)]
        freq = self.lookup(fragments)
        # best[i] = (log probability of the best cut of run[i:], end of its first word)
        best: list[tuple[float, int]] = [(0.0, 0)] * (n + 1)
        for i in range(n - 1, -1, -1):
            choice = (math.log(freq.get(run[i], 0) or 1) - self.log_total + best[i + 1][0], i + 1)
            j = i + 2
            while j <= min(n, i + LONGEST_WORD) and run[i:j] in freq:
                count = freq[run[i:j]]
                if count:
                    score = math.log(count) - self.log_total + best[j][0]
                    if score > choice[0]:
                        choice = (score, j)
                j += 1
            best[i] = choice
        words, i = [], 0
        while i < n:
            end = best[i][1]
            words.append(run[i:end])
            i = end
        return words


def cut(text: str) -> list[str]:
    """The words of ``text``: Han runs segmented by the dictionary, letter/digit runs whole, the rest dropped."""
    table = word_table()
    words: list[str] = []
    position = 0
    for match in HAN_RUN.finditer(text):
        words.extend(NON_HAN_TOKEN.findall(text[position : match.start()]))
        words.extend(table.segment(match.group()))
        position = match.end()
    words.extend(NON_HAN_TOKEN.findall(text[position:]))
    return words


def cache_dir() -> Path:
    """Where kb keeps derived files that can be rebuilt at any time (the word table)."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kb"


def dictionary_path() -> Path:
    """jieba's dictionary file, found without importing jieba (its import alone costs a CLI a quarter second)."""
    spec = importlib.util.find_spec(DICTIONARY_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise KbError("the jieba package is not installed; run `pip install jieba` (kb segments questions with its "
                      "dictionary)")  # fmt: skip
    path = Path(next(iter(spec.submodule_search_locations))) / DICTIONARY_FILE
    if not path.is_file():
        raise KbError(f"{path}: jieba's dictionary is missing; reinstall jieba (`pip install --force-reinstall jieba`)")
    return path


@lru_cache(maxsize=1)
def word_table() -> WordTable:
    """The word table for the installed jieba dictionary, built on first use (about two seconds) and cached."""
    source = dictionary_path()
    stat = source.stat()
    key = hashlib.sha1(f"{source}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:12]
    target = cache_dir() / f"words-{key}.sqlite"
    if not target.is_file():
        build_word_table(source, target)
    return WordTable(target)


def build_word_table(source: Path, target: Path) -> None:
    """Write the SQLite word table of a jieba-format dictionary (``word freq [tag]`` per line) to ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    freq: dict[str, int] = {}
    total = 0
    for line in _dictionary_lines(source):
        parts = line.split()
        if len(parts) < 2 or not parts[1].isdigit():
            continue
        word, count = parts[0], int(parts[1])
        freq[word] = count
        total += count
        for end in range(1, len(word)):
            freq.setdefault(word[:end], 0)
    with contextlib.closing(sqlite3.connect(temp)) as connection:
        connection.execute("CREATE TABLE words (word TEXT PRIMARY KEY, freq INTEGER NOT NULL) WITHOUT ROWID")
        connection.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        connection.executemany("INSERT INTO words VALUES (?, ?)", freq.items())
        connection.execute("INSERT INTO meta VALUES ('total', ?)", (str(total),))
        connection.commit()
    os.replace(temp, target)


def _dictionary_lines(source: Path) -> Iterator[str]:
    with source.open(encoding="utf-8") as handle:
        yield from handle
