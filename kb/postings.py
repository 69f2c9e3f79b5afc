"""Postings: index entries -> a Whoosh segment (W3 codec) written in bulk; a segment's terms and columns -> numpy.

Whoosh's own writer spends some 30 µs of Python per posting (a pool of tuples sorted and re-read, a column lookup
per posting), which puts a corpus of 20 million characters at a quarter of an hour. This module writes the same
on-disk format directly: terms are counted per entry with C-level ``Counter``, grouped per term into arrays, and
each posting list is written as a few large blocks (or inlined in the term table when short). The segment is an
ordinary Whoosh segment: Whoosh's searcher, merges and deletions work on it unchanged.

Reading goes the other way for speed: :class:`SegmentData` turns a term's posting list into numpy arrays of
document numbers and term frequencies, and a column into a numpy array, so that the search in kb/index.py
counts facets and scores whole result sets with array operations.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import mmap
import os
import pickle
import struct
import sys
import zlib
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, repeat
from typing import Any

import numpy as np
from whoosh import columns, fields
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3TermInfo, _lenfield
from whoosh.filedb.filetables import HashWriter, OrderedHashWriter
from whoosh.formats import Format
from whoosh.reading import TermNotFound
from whoosh.system import emptybytes
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.util.numlists import GrowableArray
from whoosh.util.varints import varint

from kb.analysis import BIGRAM_ANALYZER, UNIGRAM_ANALYZER, bigrams, normalize

# Entry kinds: a clause (the unit search returns) or a document's own entry (title, 发文字号, issuers).
CLAUSE = "clause"
DOCUMENT = "doc"

GRAMS = "text"  # bigram field; its stored value is the entry's original text
CHARS = "chars"  # unigram field, for one-character queries
NORM = "norm"  # column: the normalised text (UTF-8), to verify that a candidate really contains a phrase
ENTRY = "entry"  # column: the pickled entry (all its fields), for hits, snippets and rebuilding segments
HEADS = "heads"  # column: a document entry's normalised title and short title, one per line (known-item search)
KEYWORD_FIELDS = ("kind", "doc_id", "version", "province", "city", "level", "doc_type", "status", "year",
                  "first_year", "date")  # fmt: skip
FACET_COLUMNS = ("kind", "version", "province", "city", "level", "doc_type", "status", "year", "first_year", "date")

BLOCK_POSTINGS = 4096  # postings per block: large blocks mean few decode calls per common term
INLINE_POSTINGS = 8  # posting lists this short live in the term table itself
SMALL_POSTINGS = 256  # posting lists up to this long are encoded with plain Python lists (numpy costs more)
COMPRESS_FROM = 1024  # pickled block data shorter than this is stored uncompressed
TERM_CACHE = 20_000  # term records a segment reader keeps (a query looks up a few dozen)
COMPRESSION = 1  # zlib level for blocks: level 1 is three times faster than Whoosh's 3 for 2% more bytes
_BLOCK_LENGTH = struct.Struct("!i")  # W3 block header: byte length, negative for a term's last block
_TERMINFO = W3TermInfo._struct  # W3 term row: flags, total weight, doc freq, min/max length byte, max weight, ids
_EXTENT = struct.Struct("!qi")  # W3 term row tail for a posting list in the postings file: offset, length
_ROW_LENGTHS = struct.Struct("!ii")  # Whoosh hash-file row header: key length, value length
_PICKLE = pickle.HIGHEST_PROTOCOL
CRC32_HASH = 1  # Whoosh hash-file hash type 1 (CRC32): several times faster to compute than the default MD5


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


@dataclass(frozen=True, slots=True)
class Entry:
    """One indexed unit: a clause with its document's fields, or a document's own entry."""

    kind: str  # CLAUSE or DOCUMENT
    doc_id: str
    version: str  # "<doc_id>@<sha256>": the document version the entry was made from
    clause_id: str | None
    text: str  # what is searched: the clause's text; for a document, its title, short title, 发文字号, issuers
    number: str | None = None
    title: str | None = None
    province: str | None = None
    city: str | None = None
    level: str | None = None
    doc_type: str | None = None
    status: str | None = None
    year: int | None = None
    first_year: int | None = None
    date: str | None = None  # ISO date of the version, for sorting by date
    topics: tuple[str, ...] = ()

    def as_tuple(self) -> tuple[Any, ...]:
        """The fields in declaration order (what the entry column stores)."""
        return tuple(getattr(self, name) for name in _ENTRY_FIELDS)

    @classmethod
    def from_tuple(cls, values: Sequence[Any]) -> Entry:
        """The inverse of :meth:`as_tuple`."""
        return cls(*values)

    def keywords(self) -> dict[str, str]:
        """The keyword fields' values as index terms (absent values left out)."""
        values = {"kind": self.kind, "doc_id": self.doc_id, "version": self.version, "province": self.province,
                  "city": self.city, "level": self.level, "doc_type": self.doc_type, "status": self.status,
                  "year": None if self.year is None else str(self.year), "date": self.date,
                  "first_year": None if self.first_year is None else str(self.first_year)}  # fmt: skip
        return {k: v for k, v in values.items() if v}


_ENTRY_FIELDS = tuple(f.name for f in dataclasses.fields(Entry))


class _Vocabulary(dict[str, int]):
    """Term -> term number, numbering new terms as they come (so ``map(vocab.__getitem__, terms)`` runs in C)."""

    def __missing__(self, term: str) -> int:
        number = self[term] = len(self)
        return number


class _FieldPostings:
    """One field's postings while a segment is built: flat arrays of (term number, document, frequency)."""

    __slots__ = ("docs", "freqs", "terms", "vocab")

    def __init__(self) -> None:
        self.vocab = _Vocabulary()
        self.terms = array("i")
        self.docs = array("I")
        self.freqs = array("f")

    def add_counts(self, docnum: int, counts: Counter[str]) -> None:
        self.terms.extend(map(self.vocab.__getitem__, counts))
        self.freqs.extend(counts.values())
        self.docs.extend(repeat(docnum, len(counts)))

    def add_term(self, docnum: int, term: str) -> None:
        self.terms.append(self.vocab[term])
        self.freqs.append(1.0)
        self.docs.append(docnum)

    def grouped(self) -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
        """(term, document numbers, frequencies) in term order; document numbers ascending within a term."""
        terms = np.frombuffer(self.terms, dtype=np.int32)
        order = np.argsort(terms, kind="stable")
        docs = np.frombuffer(self.docs, dtype=np.uint32)[order]
        freqs = np.frombuffer(self.freqs, dtype=np.float32)[order]
        bounds = np.zeros(len(self.vocab) + 1, dtype=np.int64)
        np.cumsum(np.bincount(terms, minlength=len(self.vocab)), out=bounds[1:])
        vocab = self.vocab
        for term in sorted(vocab):
            number = vocab[term]
            lo, hi = bounds[number], bounds[number + 1]
            yield term, docs[lo:hi], freqs[lo:hi]


def write_segment(storage: Any, indexname: str, entries: Sequence[Entry]) -> Any:
    """Write ``entries`` as one new Whoosh segment (not compound) in ``storage``; return the segment object.

    The segment is not yet part of the index: the caller lists it in a new TOC (see kb/index.py). Columns are
    written straight in Whoosh's column formats; postings go through :func:`_write_field`.
    """
    codec = W3Codec()
    segment = codec.new_segment(storage, indexname)
    postings = {name: _FieldPostings() for name in (GRAMS, CHARS, "topic", *KEYWORD_FIELDS)}
    gram_postings, char_postings = postings[GRAMS], postings[CHARS]
    keyword_postings = [(name, postings[name]) for name in KEYWORD_FIELDS]
    topic_postings = postings["topic"]
    gram_lengths, char_lengths = array("I"), array("I")
    norms: list[bytes] = []
    records: list[bytes] = []
    refvalues: dict[str, list[bytes]] = {name: [] for name in (*FACET_COLUMNS, HEADS)}
    for docnum, entry in enumerate(entries):
        norm = normalize(entry.text)
        gram_list = bigrams(norm)
        gram_postings.add_counts(docnum, Counter(gram_list))
        char_postings.add_counts(docnum, Counter(norm))
        gram_lengths.append(len(gram_list))
        char_lengths.append(len(norm))
        keywords = entry.keywords()
        for name, field_postings in keyword_postings:
            value = keywords.get(name)
            if value is not None:
                field_postings.add_term(docnum, value)
        for name in FACET_COLUMNS:
            value = keywords.get(name)
            refvalues[name].append(value.encode("utf-8") if value else emptybytes)
        for topic in entry.topics:
            topic_postings.add_term(docnum, topic)
        heads = entry.text.split("\n")[:2] if entry.kind == DOCUMENT else []
        refvalues[HEADS].append("\n".join(normalize(h) for h in heads).encode("utf-8"))
        norms.append(norm.encode("utf-8"))
        records.append(pickle.dumps(entry.as_tuple(), _PICKLE))
    count = len(entries)

    def column_file(name: str) -> Any:
        return storage.create_file(W3Codec.column_filename(segment, name))

    for name, values in refvalues.items():
        with column_file(name) as f:
            f.write(_refbytes_column(values))
    with column_file(NORM) as f:
        f.write(_varbytes_column(norms))
    with column_file(ENTRY) as f:
        f.write(_varbytes_column(records))
    for name, lengths in ((GRAMS, gram_lengths), (CHARS, char_lengths)):
        with column_file(_lenfield(name)) as f:
            f.write(bytes(_length_bytes()[min(n, len(_length_bytes()) - 1)] for n in lengths))
    with column_file("_stored") as f:  # Whoosh's stored-fields column, kept empty: kb reads the entry column
        f.write(_varbytes_column([emptybytes] * count))
    segment._fieldlengths = {GRAMS: int(sum(gram_lengths)), CHARS: int(sum(char_lengths))}

    termfile = segment.create_file(storage, W3Codec.TERMS_EXT)
    postfile = segment.create_file(storage, W3Codec.POSTS_EXT)
    table = _TermTable(termfile)
    fieldmap: dict[str, int] = {}
    table.extras["fieldmap"] = fieldmap
    maxlength = {GRAMS: max(gram_lengths, default=1), CHARS: max(char_lengths, default=1)}
    for name in sorted(postings):
        if postings[name].vocab:
            fieldmap[name] = len(fieldmap)
            _write_field(table, postfile, fieldmap[name], postings[name], maxlength.get(name, 1))
    table.close()
    postfile.close()
    segment.set_doc_count(count)
    return segment


@lru_cache(maxsize=1)
def _length_bytes() -> bytes:
    """Whoosh's one-byte length code for every length up to the largest it distinguishes."""
    top = byte_to_length(255)
    return bytes(length_to_byte(n) for n in range(top + 1))


def _refbytes_column(values: list[bytes]) -> bytes:
    """Whoosh's RefBytesColumn layout: a ref per document (B, or big-endian H), the unique values, the typecode."""
    uniques: dict[bytes, int] = {emptybytes: 0}
    refs = [uniques.setdefault(v, len(uniques)) for v in values]
    if len(uniques) > 65535:
        raise ValueError(f"a segment column holds {len(uniques)} distinct values; Whoosh allows 65535")
    if len(uniques) <= 256:
        typecode, head = "B", bytes(refs)
    else:
        wide = array("H", refs)
        if sys.byteorder == "little":
            wide.byteswap()
        typecode, head = "H", wide.tobytes()
    parts = [head, varint(len(uniques))]
    for value in uniques:  # dicts keep insertion order, which is ref order
        parts.append(varint(len(value)))
        parts.append(value)
    parts.append(typecode.encode("ascii"))
    return b"".join(parts)


def _varbytes_column(values: list[bytes]) -> bytes:
    """Whoosh's VarBytesColumn layout with stored offsets: data, lengths, offsets, typecodes, then "X"."""
    lengths = array("I", map(len, values))
    offsets = array("I", (0,))
    offsets.extend(accumulate(lengths))
    offsets.pop()
    if sys.byteorder == "little":
        lengths.byteswap()
        offsets.byteswap()
    return b"".join(values) + lengths.tobytes() + offsets.tobytes() + b"IIX"


class _TermTable(OrderedHashWriter):
    """Whoosh's ordered hash file of term rows, hashed with CRC32 (the hash type is recorded in the file)."""

    def __init__(self, dbfile: Any) -> None:
        HashWriter.__init__(self, dbfile, hashtype=CRC32_HASH)
        self.index = GrowableArray("H")
        self.lastkey = emptybytes


def _write_field(table: Any, postfile: Any, fieldid: int, postings: _FieldPostings, maxlength: int) -> None:
    """Write one field's posting lists in term order: term table rows in one write, blocks written in bulk."""
    prefix = struct.pack("!H", fieldid)
    maxbyte = _length_byte(maxlength)
    minbyte = _length_byte(1)  # a safe bound (shorter never scores lower): Whoosh's block skipping stays correct
    rows = []
    pack_head = _TERMINFO.pack
    for term, ids, freqs in postings.grouped():
        df = len(ids)
        if df <= SMALL_POSTINGS:
            idlist, freqlist = ids.tolist(), freqs.tolist()
            head = pack_head(df <= INLINE_POSTINGS, float(sum(freqlist)), df, minbyte, maxbyte, max(freqlist),
                             idlist[0], idlist[-1])  # fmt: skip
            if df <= INLINE_POSTINGS:
                tail = pickle.dumps((tuple(idlist), tuple(freqlist), (emptybytes,) * df), _PICKLE)
            else:
                start = postfile.tell()
                deltas = array("I", (idlist[0],))
                deltas.extend(map(int.__sub__, idlist[1:], idlist[:-1]))
                weights = None if max(freqlist) == 1.0 else array("f", freqlist)
                postfile.write(WHOOSH3_HEADER_MAGIC + _block(deltas, weights, idlist[-1], max(freqlist), minbyte,
                                                             maxbyte, last=True))  # fmt: skip
                tail = _EXTENT.pack(start, postfile.tell() - start)
        else:
            head = pack_head(False, float(freqs.sum()), df, minbyte, maxbyte, float(freqs.max()), int(ids[0]),
                             int(ids[-1]))  # fmt: skip
            start = postfile.tell()
            parts = [WHOOSH3_HEADER_MAGIC]
            for lo in range(0, df, BLOCK_POSTINGS):
                hi = min(lo + BLOCK_POSTINGS, df)
                block_ids, block_freqs = ids[lo:hi], freqs[lo:hi]
                deltas = array("I")
                deltas.frombytes(np.diff(block_ids, prepend=np.uint32(0)).astype(np.uint32).tobytes())
                maxweight = float(block_freqs.max())
                weights = None
                if maxweight != 1.0:
                    weights = array("f")
                    weights.frombytes(block_freqs.astype(np.float32).tobytes())
                parts.append(_block(deltas, weights, int(block_ids[-1]), maxweight, minbyte, maxbyte, hi == df))
            postfile.write(b"".join(parts))
            tail = _EXTENT.pack(start, postfile.tell() - start)
        rows.append((prefix + term.encode("utf-8"), head + tail))
    _add_rows(table, rows)


def _block(deltas: array[int], weights: array[float] | None, lastid: int, maxweight: float, minbyte: int,
           maxbyte: int, last: bool) -> bytes:  # fmt: skip
    """One W3 block: its length (negative if last), a pickled info tuple, then the pickled data tuple.

    Data is (id deltas, weights or None when all 1, None); arrays pickle as raw bytes and Whoosh's reader
    iterates them like the tuples it writes itself. Only large blocks are compressed: zlib's set-up costs more
    than it saves on a few dozen bytes.
    """
    data = pickle.dumps((deltas, weights, None), _PICKLE)
    compression = COMPRESSION if len(data) >= COMPRESS_FROM else 0
    if compression:
        data = zlib.compress(data, compression)
    info = pickle.dumps((len(deltas), lastid, maxweight, compression, minbyte, maxbyte), 2)
    size = len(info) + len(data)
    return _BLOCK_LENGTH.pack(-size if last else size) + info + data


def _add_rows(table: Any, rows: list[tuple[bytes, bytes]]) -> None:
    """``OrderedHashWriter.add`` for many sorted rows at once: same bytes, one write."""
    dbfile = table.dbfile
    pos = dbfile.tell()
    buckets = table.buckets
    positions = table.index
    parts = []
    for key, value in rows:
        h = zlib.crc32(key) & 0xFFFFFFFF
        positions.append(pos)
        buckets[h & 255].append((h, pos))
        part = _ROW_LENGTHS.pack(len(key), len(value)) + key + value
        parts.append(part)
        pos += len(part)
    if rows:
        if rows[0][0] <= table.lastkey:
            raise ValueError(f"term table rows out of order: {table.lastkey!r}..{rows[0][0]!r}")
        table.lastkey = rows[-1][0]
    dbfile.write(b"".join(parts))


def _length_byte(length: int) -> int:
    return int(length_to_byte(length))


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
        return (ends - starts).astype(np.float32)

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
        count, _, _, comp, _, _ = pickle.load(block)
        data = block.read()
        ids, weights, _ = pickle.loads(zlib.decompress(data) if comp else data)
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
