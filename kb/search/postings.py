"""Postings: the index's Whoosh schema and entries; a segment's posting lists and columns -> numpy arrays.

whoosh_writer.py writes segments; this module reads them fast: :class:`SegmentData` turns a term's posting list
into arrays of entry numbers and term frequencies, and a column into an array, so that kb/search/evaluate.py counts
facets and scores whole result sets with array operations instead of Whoosh's per-posting matchers.
"""

from __future__ import annotations

import contextlib
import io
import mmap
import os
import struct
import zlib
from array import array
from collections import Counter
from collections.abc import Iterable
from typing import Any

import numpy as np
from whoosh import columns, fields
from whoosh.codec.whoosh3 import W3Codec, W3TermInfo, _lenfield
from whoosh.formats import Format
from whoosh.reading import TermNotFound
from whoosh.system import emptybytes
from whoosh.util.numeric import byte_to_length

from kb.search import safe_pickle
from kb.search.whoosh_analysis import BIGRAM_ANALYZER, UNIGRAM_ANALYZER

GRAMS = "text"  # bigram field (the name Whoosh users would query)
CHARS = "chars"  # unigram field, for one-character queries
NORM = "norm"  # column: the normalised text (UTF-8), to verify that a candidate really contains a phrase
safe_pickle.install()  # every pickle Whoosh reads from the index builds data only, never runs code

ENTRY = "entry"  # column: the pickled entry (all its fields), for hits, snippets and rebuilding segments
HEADS = "heads"  # column: a document entry's normalised title and short title, one per line (known-item search)
KEYWORD_FIELDS = ("kind", "doc_id", "version", "province", "city", "level", "doc_type", "status", "year",
                  "first_year", "date")  # fmt: skip
FACET_COLUMNS = ("kind", "version", "province", "city", "level", "doc_type", "status", "year", "first_year", "date")

TERM_CACHE = 20_000  # term records a segment reader keeps (a query looks up a few dozen)
_BLOCK_LENGTH = struct.Struct("!i")  # W3 block header: byte length, negative for a term's last block


class Counts(Format):
    """Posting format storing only the term frequency, as the posting's weight (no per-posting value bytes)."""

    posting_size = 0

    def __init__(self, field_boost: float = 1.0) -> None:
        self.field_boost = field_boost
        self.options: dict[str, Any] = {}

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Iterable[tuple[str, int, float, bytes]]:
        counts = Counter(t.text for t in analyzer(value, **kwargs))
        return ((w, n, n * self.field_boost, emptybytes) for w, n in counts.items())

    def decode_frequency(self, valuestring: bytes) -> int:
        return 1

    def decode_weight(self, valuestring: bytes) -> float:
        return self.field_boost


def make_schema() -> fields.Schema:
    """The Whoosh schema of kb's index: gram fields, keyword fields (with per-document columns), data columns."""
    spec: dict[str, Any] = {
        GRAMS: fields.FieldType(Counts(), BIGRAM_ANALYZER, scorable=True),
        CHARS: fields.FieldType(Counts(), UNIGRAM_ANALYZER, scorable=True),
        NORM: fields.COLUMN(columns.VarBytesColumn()),
        ENTRY: fields.COLUMN(columns.VarBytesColumn()),
        HEADS: fields.COLUMN(columns.RefBytesColumn()),
        "topic": fields.KEYWORD(commas=True),
    }
    for name in KEYWORD_FIELDS:
        spec[name] = fields.ID(sortable=columns.RefBytesColumn() if name in FACET_COLUMNS else False)
    return fields.Schema(**spec)


# Reading


class SegmentData:
    """Fast access to one Whoosh segment reader's posting lists (as numpy arrays) and columns."""

    def __init__(self, segreader: Any) -> None:
        self.reader = segreader
        self.segment = segreader.segment()
        self.doc_count = segreader.doc_count_all()
        self._terms = segreader._terms
        self._perdoc = segreader._perdoc
        self._columns: dict[str, tuple[np.ndarray, list[str]]] = {}
        self._norm: tuple[Any, np.ndarray, np.ndarray] | None = None
        self._entries: Any = None
        self._lengths: dict[str, np.ndarray] = {}
        self._mapped: list[mmap.mmap] = []
        self._infos: dict[tuple[str, str], W3TermInfo | None] = {}

    def term_info(self, field: str, term: str) -> W3TermInfo | None:
        """Whoosh's record of ``term`` (document frequency, where its postings are), or None; cached."""
        key = (field, term)
        if key in self._infos:
            return self._infos[key]
        try:
            info = self._terms.term_info(field, term.encode("utf-8"))
        except TermNotFound:
            info = None
        if len(self._infos) >= TERM_CACHE:
            self._infos.clear()
        self._infos[key] = info
        return info

    def postings(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        """Document numbers (int64, ascending) and frequencies (float32) of ``term``, or None if absent."""
        info = self.term_info(field, term)
        if info is None:
            return None
        if info.is_inlined():
            ids, weights, _ = info.inlined_postings()
            return np.asarray(ids, dtype=np.int64), np.asarray(weights, dtype=np.float32)
        return _read_blocks(self._terms._postfile, info._offset)

    def doc_frequency(self, field: str, term: str) -> int:
        """How many entries of this segment contain ``term`` (deleted ones included)."""
        info = self.term_info(field, term)
        return 0 if info is None else int(info.doc_frequency())

    def column(self, field: str) -> tuple[np.ndarray, list[str]]:
        """A RefBytes column as (codes per document, the distinct values); code 0 is "no value"."""
        if field not in self._columns:
            self._columns[field] = _read_refbytes(self._perdoc, field, self.doc_count)
        return self._columns[field]

    def lengths(self, field: str) -> np.ndarray:
        """Each document's length in ``field`` (Whoosh's one-byte approximation), as float32."""
        if field not in self._lengths:
            table = np.array([byte_to_length(b) for b in range(256)], dtype=np.float32)
            colfile, offset, _ = self._perdoc._get_column_file(_lenfield(field))
            codes = np.frombuffer(colfile.get(offset, self.doc_count), dtype=np.uint8)
            self._lengths[field] = table[codes]
        return self._lengths[field]

    def norm_lengths(self) -> np.ndarray:
        """Each document's exact length: bytes of its normalised text (UTF-8), as float32."""
        _, starts, ends = self.norm_finder()
        lengths: np.ndarray = (ends - starts).astype(np.float32)
        return lengths

    def entry_bytes(self, docnum: int) -> bytes:
        """The pickled entry of document ``docnum``."""
        if self._entries is None:
            self._entries = self._perdoc.column_reader(ENTRY, columns.VarBytesColumn())
        return bytes(self._entries[docnum])

    def norm_finder(self) -> tuple[Any, np.ndarray, np.ndarray]:
        """(bytes-like buffer of the normalised texts, start offsets, end offsets) per document."""
        if self._norm is None:
            colfile, base, size = self._perdoc._get_column_file(NORM)
            reader = columns.VarBytesColumn().reader(colfile, base, size, self.doc_count)
            starts = np.asarray(reader._offsets, dtype=np.int64) + base
            ends = starts + np.asarray(reader._lengths, dtype=np.int64)
            self._norm = (self._buffer(NORM, colfile, base + size), starts, ends)
        return self._norm

    def _buffer(self, field: str, colfile: Any, size: int) -> Any:
        """The column file as a buffer: a read-only mmap of the file when the segment is not compound."""
        storage = self.reader._storage
        folder = getattr(storage, "folder", None)
        if folder is not None and not self.segment.is_compound():
            path = os.path.join(folder, W3Codec.column_filename(self.segment, field))
            with open(path, "rb") as f:
                mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
            self._mapped.append(mapped)
            return mapped
        return colfile.get(0, size)

    def close(self) -> None:
        """Close the reader's files and maps."""
        for mapped in self._mapped:
            with contextlib.suppress(BufferError):  # a view of it is still alive: the GC closes it
                mapped.close()
        self._mapped = []
        self.reader.close()


def _read_blocks(postfile: Any, offset: int) -> tuple[np.ndarray, np.ndarray]:
    """Decode all W3 blocks of a posting list starting at ``offset`` (after the 4-byte magic)."""
    id_parts: list[np.ndarray] = []
    weight_parts: list[np.ndarray] = []
    pos = offset + 4
    while True:
        (size,) = _BLOCK_LENGTH.unpack(postfile.get(pos, 4))
        last = size < 0
        size = abs(size)
        block = io.BytesIO(postfile.get(pos + 4, size))
        count, _, _, comp, _, _ = safe_pickle.load(block)
        data = block.read()
        ids, weights, _ = safe_pickle.loads(zlib.decompress(data) if comp else data)
        if isinstance(ids, array):
            deltas = np.frombuffer(ids, dtype=np.uint32 if ids.itemsize == 4 else np.uint64).astype(np.int64)
        else:
            deltas = np.asarray(ids, dtype=np.int64)
        id_parts.append(np.cumsum(deltas))
        if weights is None:
            weight_parts.append(np.ones(count, dtype=np.float32))
        elif isinstance(weights, float):
            weight_parts.append(np.full(count, weights, dtype=np.float32))
        elif isinstance(weights, array):
            weight_parts.append(np.frombuffer(weights, dtype=np.float32 if weights.itemsize == 4 else np.float64))
        else:
            weight_parts.append(np.asarray(weights, dtype=np.float32))
        pos += 4 + size
        if last:
            break
    if len(id_parts) == 1:
        return id_parts[0], weight_parts[0].astype(np.float32, copy=False)
    return np.concatenate(id_parts), np.concatenate(weight_parts).astype(np.float32, copy=False)


def _read_refbytes(perdoc: Any, field: str, doc_count: int) -> tuple[np.ndarray, list[str]]:
    """Codes per document and distinct values of a RefBytes column (Whoosh's format: refs, uniques, typecode)."""
    if not perdoc.has_column(field):
        return np.zeros(doc_count, dtype=np.int32), [""]
    colfile, base, size = perdoc._get_column_file(field)
    reader = columns.RefBytesColumn().reader(colfile, base, size, doc_count)
    typecode = reader._typecode
    width = 1 if typecode == "B" else 2
    codes = np.frombuffer(colfile.get(base, doc_count * width), dtype=np.uint8 if width == 1 else ">u2")
    uniques = [u.decode("utf-8") for u in reader._uniques]
    return codes.astype(np.int32), uniques
