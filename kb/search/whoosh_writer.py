"""Index writer: index entries -> one Whoosh segment (W3 codec), its postings grouped with array operations.

Whoosh's own writer spends some 30 µs of Python per posting (a pool of tuples sorted and re-read, a column lookup
per posting), which puts a corpus of 20 million characters at a quarter of an hour. This writer produces the same
on-disk format in bulk: the normalised texts of all entries become one array of code points; each unigram and
bigram, paired with its entry's number, is one integer key; one sort (``np.unique``) yields every term's entries
and frequencies, and ``reduceat`` the per-term statistics. Posting lists are written as a few large blocks, or
inlined in the term table when short; the term table is Whoosh's hash file, hashed with CRC32. The result is an
ordinary Whoosh segment: Whoosh's searcher and deletions work on it unchanged (tests/test_index.py checks).
"""

from __future__ import annotations

import pickle
import struct
import sys
import zlib
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, _lenfield
from whoosh.filedb.filetables import HashWriter, OrderedHashWriter
from whoosh.system import emptybytes
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.util.numlists import GrowableArray
from whoosh.util.varints import varint

from kb.search.analyzer import normalize
from kb.search.entries import DOCUMENT, Entry
from kb.search.postings import CHARS, ENTRY, FACET_COLUMNS, GRAMS, HEADS, KEYWORD_FIELDS, NORM

ENTRY_BITS = 18  # a segment holds fewer than 2**18 entries (kb/search/whoosh_index.py keeps them far smaller)
CODE_BITS = 21  # a Unicode code point fits in 21 bits; a bigram in 42, a (bigram, entry) key in 60
BLOCK_POSTINGS = 4096  # postings per block: large blocks mean few decode calls per common term
INLINE_POSTINGS = 8  # posting lists this short live in the term table itself
SMALL_POSTINGS = 256  # posting lists up to this long are encoded with plain Python lists (numpy costs more)
COMPRESS_FROM = 1024  # pickled block data shorter than this is stored uncompressed
COMPRESSION = 1  # zlib level for blocks: level 1 is three times faster than Whoosh's 3 for 2% more bytes
CRC32_HASH = 1  # Whoosh hash-file hash type 1 (CRC32): several times faster to compute than the default MD5
_PICKLE = pickle.HIGHEST_PROTOCOL
_BLOCK_LENGTH = struct.Struct("!i")  # W3 block header: byte length, negative for a term's last block
_EXTENT = struct.Struct("!qi")  # W3 term row tail for a posting list in the postings file: offset, length
_ROW_LENGTHS = struct.Struct("!ii")  # Whoosh hash-file row header: key length, value length
# W3 term row head, as numpy records (Whoosh packs it with struct "!BfIBBfII"): inlined flag, total weight, doc
# frequency, min and max length bytes, max weight, first and last document number.
_TERM_HEAD = np.dtype([("inlined", "u1"), ("weight", ">f4"), ("df", ">u4"), ("minlen", "u1"), ("maxlen", "u1"),
                       ("maxweight", ">f4"), ("minid", ">u4"), ("maxid", ">u4")])  # fmt: skip
# Whoosh hash-file slot: hash value and row position (struct "!Iq").
_SLOT = np.dtype([("hash", ">u4"), ("pos", ">i8")])


@dataclass(frozen=True, slots=True)
class _Grouped:
    """One field's postings in term order: ``terms[i]`` holds ``docs[bounds[i]:bounds[i+1]]`` (ascending)."""

    terms: list[str]
    bounds: np.ndarray
    docs: np.ndarray  # uint32
    freqs: np.ndarray  # float32


def write_segment(storage: Any, indexname: str, entries: Sequence[Entry]) -> Any:
    """Write ``entries`` as one new Whoosh segment (not compound) in ``storage``; return the segment object.

    The segment is not yet part of the index: the caller lists it in a new table of contents (whoosh_index.py).
    """
    if len(entries) >= 1 << ENTRY_BITS:
        raise ValueError(f"{len(entries)} entries in one segment; at most {(1 << ENTRY_BITS) - 1}")
    segment = W3Codec().new_segment(storage, indexname)
    norms = [normalize(entry.text) for entry in entries]
    chars, grams, lengths = _character_postings(norms)
    keywords: dict[str, list[tuple[str, int]]] = {name: [] for name in (*KEYWORD_FIELDS, "topic")}
    refvalues: dict[str, list[bytes]] = {name: [] for name in (*FACET_COLUMNS, HEADS)}
    records: list[bytes] = []
    for docnum, entry in enumerate(entries):
        values = entry.keywords()
        for name, value in values.items():
            keywords[name].append((value, docnum))
        for name in FACET_COLUMNS:
            refvalues[name].append(values[name].encode("utf-8") if name in values else emptybytes)
        for topic in entry.topics:
            keywords["topic"].append((topic, docnum))
        heads = entry.text.split("\n")[:2] if entry.kind == DOCUMENT else []
        refvalues[HEADS].append("\n".join(normalize(h) for h in heads).encode("utf-8"))
        records.append(pickle.dumps(entry.as_tuple(), _PICKLE))
    gram_lengths = np.maximum(lengths - 1, 0)
    _write_columns(storage, segment, refvalues, [n.encode("utf-8") for n in norms], records, lengths, gram_lengths)
    segment._fieldlengths = {GRAMS: int(gram_lengths.sum()), CHARS: int(lengths.sum())}

    fields = {GRAMS: grams, CHARS: chars}
    fields.update({name: _group_keywords(pairs) for name, pairs in keywords.items() if pairs})
    maxlength = {GRAMS: int(gram_lengths.max(initial=1)), CHARS: int(lengths.max(initial=1))}
    postfile = segment.create_file(storage, W3Codec.POSTS_EXT)
    table = _TermTable(segment.create_file(storage, W3Codec.TERMS_EXT))
    fieldmap: dict[str, int] = {}
    table.extras["fieldmap"] = fieldmap
    for name in sorted(fields):
        if fields[name].terms:
            fieldmap[name] = len(fieldmap)
            _write_field(table, postfile, fieldmap[name], fields[name], maxlength.get(name, 1))
    table.close()
    postfile.close()
    segment.set_doc_count(len(entries))
    return segment


def _character_postings(norms: Sequence[str]) -> tuple[_Grouped, _Grouped, np.ndarray]:
    """Unigram and bigram postings of the normalised texts, and each text's length in characters."""
    lengths = np.fromiter(map(len, norms), dtype=np.int64, count=len(norms))
    points = np.frombuffer("".join(norms).encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)
    owner = np.repeat(np.arange(len(norms), dtype=np.int64), lengths)
    chars = _group(points, owner, chr)
    same = owner[:-1] == owner[1:]  # a bigram never spans two entries
    pairs = ((points[:-1] << CODE_BITS) | points[1:])[same]
    mask = (1 << CODE_BITS) - 1
    grams = _group(pairs, owner[:-1][same], lambda code: chr(code >> CODE_BITS) + chr(code & mask))
    return chars, grams, lengths


def _group(codes: np.ndarray, owner: np.ndarray, decode: Callable[[int], str]) -> _Grouped:
    """Sort (term code, entry) keys once: distinct keys are postings, their counts term frequencies."""
    keys, counts = np.unique((codes << ENTRY_BITS) | owner, return_counts=True)
    terms = keys >> ENTRY_BITS
    firsts = np.flatnonzero(np.concatenate(([True], terms[1:] != terms[:-1]))) if len(keys) else np.zeros(0, int)
    bounds = np.concatenate((firsts, [len(keys)])).astype(np.int64)
    docs = (keys & ((1 << ENTRY_BITS) - 1)).astype(np.uint32)
    return _Grouped([decode(c) for c in terms[firsts].tolist()], bounds, docs, counts.astype(np.float32))


def _group_keywords(pairs: list[tuple[str, int]]) -> _Grouped:
    """Postings of a keyword field from (value, entry) pairs (entries come in ascending order)."""
    by_term: dict[str, list[int]] = {}
    for term, docnum in pairs:
        by_term.setdefault(term, []).append(docnum)
    terms = sorted(by_term)
    docs = [d for t in terms for d in by_term[t]]
    bounds = np.zeros(len(terms) + 1, dtype=np.int64)
    np.cumsum([len(by_term[t]) for t in terms], out=bounds[1:])
    return _Grouped(terms, bounds, np.asarray(docs, dtype=np.uint32), np.ones(len(docs), dtype=np.float32))


def _write_columns(storage: Any, segment: Any, refvalues: dict[str, list[bytes]], norms: list[bytes],
                   records: list[bytes], lengths: np.ndarray, gram_lengths: np.ndarray) -> None:  # fmt: skip
    """Per-entry columns, straight in Whoosh's column formats."""

    def column_file(name: str) -> Any:
        return storage.create_file(W3Codec.column_filename(segment, name))

    for name, values in refvalues.items():
        with column_file(name) as f:
            f.write(_refbytes_column(values))
    with column_file(NORM) as f:
        f.write(_varbytes_column(norms))
    with column_file(ENTRY) as f:
        f.write(_varbytes_column(records))
    table = np.frombuffer(_length_bytes(), dtype=np.uint8)
    for name, counts in ((GRAMS, gram_lengths), (CHARS, lengths)):
        with column_file(_lenfield(name)) as f:
            f.write(table[np.minimum(counts, len(table) - 1)].tobytes())
    with column_file("_stored") as f:  # Whoosh's stored-fields column, kept empty: kb reads the entry column
        f.write(_varbytes_column([emptybytes] * len(norms)))


@lru_cache(maxsize=1)
def _length_bytes() -> bytes:
    """Whoosh's one-byte length code for every length up to the largest it distinguishes."""
    return bytes(length_to_byte(n) for n in range(byte_to_length(255) + 1))


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
    """Whoosh's ordered hash file of term rows, hashed with CRC32 (the hash type is recorded in the file), filled
    many sorted rows at a time and with its hash tables built by a faster loop than Whoosh's (same bytes)."""

    def __init__(self, dbfile: Any) -> None:
        HashWriter.__init__(self, dbfile, hashtype=CRC32_HASH)
        self.index = GrowableArray("H")
        self.lastkey = emptybytes
        self._positions: list[int] = []

    def add_rows(self, rows: list[tuple[bytes, bytes]]) -> None:
        """``OrderedHashWriter.add`` for many sorted rows: each row's key and value, written in one go."""
        if not rows:
            return
        if rows[0][0] <= self.lastkey:
            raise ValueError(f"term table rows out of order: {self.lastkey!r}..{rows[0][0]!r}")
        pos = self.dbfile.tell()
        buckets = self.buckets
        parts = []
        for key, value in rows:
            h = zlib.crc32(key)
            self._positions.append(pos)
            buckets[h & 255].append((h, pos))
            part = _ROW_LENGTHS.pack(len(key), len(value)) + key + value
            parts.append(part)
            pos += len(part)
        self.lastkey = rows[-1][0]
        self.dbfile.write(b"".join(parts))

    def _write_hashes(self) -> None:
        top = max(self._positions, default=0)
        typecode = "H" if top < 2**16 else "i" if top < 2**31 else "I" if top < 2**32 else "q"
        self.index.array = array(typecode, self._positions)
        dbfile = self.dbfile
        for entries in self.buckets:
            self.directory.append((dbfile.tell(), 2 * len(entries)))
            slots = 2 * len(entries)
            hashes = [0] * slots
            positions = [0] * slots  # no row sits at 0 (the header does): 0 marks an empty slot
            for h, pos in entries:
                slot = (h >> 8) % slots
                while positions[slot]:
                    slot = (slot + 1) % slots
                hashes[slot] = h
                positions[slot] = pos
            table = np.empty(slots, dtype=_SLOT)
            table["hash"] = hashes
            table["pos"] = positions
            dbfile.write(table.tobytes())


def _write_field(table: _TermTable, postfile: Any, fieldid: int, grouped: _Grouped, maxlength: int) -> None:
    """One field's posting lists in term order; per-term statistics computed for all terms at once."""
    prefix = struct.pack("!H", fieldid)
    maxbyte = int(length_to_byte(maxlength))
    minbyte = int(length_to_byte(1))  # a safe bound (shorter never scores lower): block skipping stays correct
    starts, ends = grouped.bounds[:-1], grouped.bounds[1:]
    df = ends - starts
    head = np.zeros(len(grouped.terms), dtype=_TERM_HEAD)
    head["inlined"] = df <= INLINE_POSTINGS
    head["weight"] = np.add.reduceat(grouped.freqs, starts)
    head["df"] = df
    head["minlen"], head["maxlen"] = minbyte, maxbyte
    head["maxweight"] = np.maximum.reduceat(grouped.freqs, starts)
    head["minid"] = grouped.docs[starts]
    head["maxid"] = grouped.docs[ends - 1]
    heads = head.tobytes()
    size = _TERM_HEAD.itemsize
    docs, freqs = grouped.docs.tolist(), grouped.freqs.tolist()
    rows = []
    for i, (term, lo, hi) in enumerate(zip(grouped.terms, starts.tolist(), ends.tolist(), strict=True)):
        count = hi - lo
        if count <= INLINE_POSTINGS:
            tail = pickle.dumps((tuple(docs[lo:hi]), tuple(freqs[lo:hi]), (emptybytes,) * count), _PICKLE)
        else:
            start = postfile.tell()
            parts = [WHOOSH3_HEADER_MAGIC]
            for b_lo in range(lo, hi, BLOCK_POSTINGS):
                b_hi = min(b_lo + BLOCK_POSTINGS, hi)
                parts.append(_block(grouped, docs, freqs, b_lo, b_hi, minbyte, maxbyte, b_hi == hi))
            postfile.write(b"".join(parts))
            tail = _EXTENT.pack(start, postfile.tell() - start)
        rows.append((prefix + term.encode("utf-8", "surrogatepass"), heads[i * size : (i + 1) * size] + tail))
    table.add_rows(rows)


def _block(grouped: _Grouped, docs: list[int], freqs: list[float], lo: int, hi: int, minbyte: int, maxbyte: int,
           last: bool) -> bytes:  # fmt: skip
    """One W3 block: its length (negative if last), a pickled info tuple, then the pickled data tuple.

    Data is (id deltas, weights or None when all 1, None); arrays pickle as raw bytes and Whoosh's reader
    iterates them like the tuples it writes itself. Only large blocks are compressed: zlib's set-up costs more
    than it saves on a few dozen bytes.
    """
    if hi - lo <= SMALL_POSTINGS:
        ids, weights_list = docs[lo:hi], freqs[lo:hi]
        deltas = array("I", (ids[0],))
        deltas.extend(map(int.__sub__, ids[1:], ids[:-1]))
        maxweight = max(weights_list)
        weights = None if maxweight == 1.0 else array("f", weights_list)
        lastid = ids[-1]
    else:
        block_ids, block_freqs = grouped.docs[lo:hi], grouped.freqs[lo:hi]
        deltas = array("I")
        deltas.frombytes(np.diff(block_ids, prepend=np.uint32(0)).astype(np.uint32).tobytes())
        maxweight = float(block_freqs.max())
        weights = None
        if maxweight != 1.0:
            weights = array("f")
            weights.frombytes(block_freqs.astype(np.float32).tobytes())
        lastid = int(block_ids[-1])
    data = pickle.dumps((deltas, weights, None), _PICKLE)
    compression = COMPRESSION if len(data) >= COMPRESS_FROM else 0
    if compression:
        data = zlib.compress(data, compression)
    info = pickle.dumps((hi - lo, lastid, float(maxweight), compression, minbyte, maxbyte), 2)
    size = len(info) + len(data)
    return _BLOCK_LENGTH.pack(-size if last else size) + info + data
