"""Decoding: the bytes of a text or web file -> text, with the encoding used and the offsets of bytes that could
not be decoded.

A byte-order mark decides first, then the declared charset (the GB family all read as GB18030, its superset),
then UTF-8, then GB18030 read leniently (a stray byte is left out, not the rest of the line), and last
charset-normalizer's guess. Bytes no encoding can read raise :class:`kb.errors.DecodeError` naming the file.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from kb.errors import DecodeError


@dataclass(frozen=True, slots=True)
class Decoded:
    """Text decoded from bytes: the encoding used and the offsets of bytes that could not be decoded (replaced)."""

    text: str
    encoding: str
    bad_offsets: tuple[int, ...] = ()


# Names pages and files declare for the Chinese national encodings; GB18030 is a superset of all of them, and pages
# declared GB2312 routinely hold GBK-only characters (镕, 堃), so they are all read as GB18030.
_GB_ALIASES = frozenset({"gb2312", "gbk", "x-gbk", "gb_2312-80", "gb_2312", "cp936", "euc-cn", "euccn", "csgb2312"})
# Byte-order marks, longest first (UTF-32 LE starts with the UTF-16 LE mark).
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
# Control bytes that never occur in text (all C0 controls but tab, newline, form feed, carriage return, escape).
_CONTROL_BYTES = frozenset(set(range(0x00, 0x09)) | {0x0B} | set(range(0x0E, 0x1B)) | set(range(0x1C, 0x20)))
# Share of rare characters (neither GB2312 nor Big5) past which a GB18030 reading is doubted: real Chinese text
# holds almost none (0% in every fixture), Big5 or Shift-JIS bytes read as GB18030 hold about 40%.
MAX_RARE_SHARE = 0.1
# Bytes of already decoded text re-read before an undecodable byte, and bytes read after it, when the GB18030
# character boundaries are looked for again (see _resync).
_RESYNC_BEFORE, _RESYNC_AFTER = 8, 24
# Costs of a reading near a bad byte: a GB2312 character 0, another GBK character 1, anything else (CJK Ext-A, private
# use, a four-byte sequence) 3, a byte left out as undecodable 1.2. So a rare but real character such as 镕 (GBK) is
# kept (1 < 2 x 1.2), while 䜩 read from two stray bytes is not (3 > 2 x 1.2).
_COST_GBK, _COST_OTHER, _COST_BAD = 1.0, 3.0, 1.2


def canonical_encoding(name: str | None) -> str | None:
    """The codec to use for a declared charset name: GB2312/GBK -> gb18030; None if Python does not know it."""
    if not name:
        return None
    lowered = name.strip().strip("\"'").lower()
    if lowered in _GB_ALIASES or lowered.startswith("gb2312") or lowered == "gb18030":
        return "gb18030"
    try:
        return codecs.lookup(lowered).name
    except LookupError:
        return None


def bom_encoding(data: bytes) -> tuple[str, int] | None:
    """The encoding a byte-order mark names and the mark's length, or None without one."""
    for mark, encoding in _BOMS:
        if data.startswith(mark):
            return encoding, len(mark)
    return None


def looks_binary(data: bytes, sample: int = 8192) -> bool:
    """True when ``data`` (without a UTF-16/32 mark) holds control bytes text never has: a NUL, or more than 1%."""
    if bom_encoding(data) is not None and not data.startswith(b"\xef\xbb\xbf"):
        return False
    head = data[:sample]
    if not head:
        return False
    controls = sum(1 for byte in head if byte in _CONTROL_BYTES)
    return b"\x00" in head or controls > len(head) * 0.01


def _is_common(ch: str) -> bool:
    """True for ASCII and for characters of GB2312 (the common repertoire): what plain Chinese text is made of."""
    if ch.isascii():
        return True
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _gb_char(data: bytes, pos: int) -> tuple[str, int] | None:
    """The GB18030 character that starts at ``pos`` and its byte length, or None if none does."""
    for length in (1, 2, 4):
        chunk = data[pos : pos + length]
        if len(chunk) < length:
            return None
        try:
            return chunk.decode("gb18030"), length
        except UnicodeDecodeError:
            continue
    return None


def _char_cost(ch: str) -> float:
    if _is_common(ch):
        return 0.0
    return _COST_GBK if _encodable(ch, "gbk") else _COST_OTHER


def _resync(data: bytes, start: int, stop: int) -> tuple[str, list[int], int]:
    """The cheapest reading of ``data[start:]`` up to at least ``stop`` as characters and left-out bytes.

    A shortest-path search over byte positions: from each position, read one character (of 1, 2 or 4 bytes) at its
    cost, or leave one byte out at the cost of a bad byte. Returns the text (U+FFFD for each byte left out), the
    offsets left out, and the position reached.
    """
    stop = min(stop, len(data))
    best: dict[int, tuple[float, int, str | None]] = {start: (0.0, -1, None)}  # position -> (cost, previous, char)
    for pos in range(start, stop):
        if pos not in best:
            continue
        cost = best[pos][0]
        steps: list[tuple[int, float, str | None]] = [(pos + 1, _COST_BAD, None)]
        for length in (1, 2, 4):
            chunk = data[pos : pos + length]
            if len(chunk) == length:
                try:
                    char = chunk.decode("gb18030")
                except UnicodeDecodeError:
                    continue
                steps.append((pos + length, _char_cost(char), char))
        for end, step, read in steps:
            if end not in best or cost + step < best[end][0]:
                best[end] = (cost + step, pos, read)
    end = min((pos for pos in best if pos >= stop), key=lambda pos: (best[pos][0], pos))
    text: list[str] = []
    bad: list[int] = []
    pos = end
    while pos != start:
        _, previous, read = best[pos]
        if read is None:
            bad.append(previous)
        text.append("\ufffd" if read is None else read)
        pos = previous
    return "".join(reversed(text)), sorted(bad), end


def _decode_lenient(data: bytes, encoding: str, limit: int) -> Decoded | None:
    """Decode with each undecodable byte replaced by U+FFFD and its offset recorded; None past ``limit`` bad bytes.

    GB18030 has no self-synchronising byte pattern, so after a bad byte the decoder could pair the next bytes
    wrongly and garble the following clause (a bad byte before "第二条" turning it into other characters). Around
    each bad byte the stretch is read again as the cheapest mix of likely characters and left-out bytes.
    """
    parts: list[str] = []
    bad: list[int] = []
    pos = 0
    while pos < len(data):
        try:
            parts.append(data[pos:].decode(encoding))
            break
        except UnicodeDecodeError as exc:
            start = pos + exc.start
            if encoding == "gb18030":
                # the byte that broke the reading may come after the real bad byte (a stray lead byte pairs with
                # the next one), so the last few characters read are read again
                head = data[pos:start].decode(encoding)
                keep, back = len(head), 0
                while keep and back < _RESYNC_BEFORE:
                    keep -= 1
                    back += len(head[keep].encode(encoding))
                parts.append(head[:keep])
                text, left_out, pos = _resync(data, start - back, start + _RESYNC_AFTER)
                parts.append(text)
                bad.extend(left_out)
            else:
                parts.append(data[pos:start].decode(encoding))
                end = min(pos + max(exc.end, exc.start + 1), len(data))
                bad.extend(range(start, end))
                parts.append("\ufffd" * (end - start))
                pos = end
            if len(bad) > limit:
                return None
    return Decoded("".join(parts), encoding, tuple(bad))


def _bad_byte_limit(data: bytes) -> int:
    """How many undecodable bytes a text may hold and still count as in its encoding: "a few"."""
    return max(8, len(data) // 1000)


def rare_share(text: str, sample: int = 4000) -> float:
    """Share of the first ``sample`` non-ASCII characters that belong to neither GB2312 nor Big5 (the common
    simplified and traditional repertoires): near 0 for Chinese text, high for bytes decoded with the wrong codec."""
    chars = [ch for ch in text if not ch.isascii() and not ch.isspace()][:sample]
    if not chars:
        return 0.0
    return sum(1 for ch in chars if not (_is_common(ch) or _encodable(ch, "big5"))) / len(chars)


def _encodable(ch: str, encoding: str) -> bool:
    try:
        ch.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def _sniffed(data: bytes, gb_text: str) -> Decoded:
    """Bytes that decode as GB18030 into rare characters: charset-normalizer's guess (Big5, Shift-JIS ...) when it
    reads them as common text, else the GB18030 reading."""
    from charset_normalizer import from_bytes  # only for text that declares no encoding and is not UTF-8

    guess = from_bytes(data).best()
    if guess is not None and guess.encoding and not guess.encoding.startswith("utf_"):
        encoding = canonical_encoding(guess.encoding) or guess.encoding
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            text = ""
        if text and rare_share(text) < rare_share(gb_text):
            return Decoded(text, encoding)
    return Decoded(gb_text, "gb18030")


def decode_bytes(data: bytes, path: str, declared: str | None = None) -> Decoded:
    """Decode a text file or page: byte-order mark, then the declared charset, strict UTF-8, GB18030, a few bad bytes
    replaced, and last charset-normalizer's guess. Raises DecodeError when nothing fits."""
    bom = bom_encoding(data)
    if bom is not None:
        encoding, skip = bom
        body = data[skip:]
        try:
            return Decoded(body.decode(encoding), encoding)
        except UnicodeDecodeError:
            lenient = _decode_lenient(body, encoding, _bad_byte_limit(body))
            if lenient is not None:
                return Decoded(lenient.text, encoding, tuple(offset + skip for offset in lenient.bad_offsets))
    candidates: list[str] = []
    for name in (canonical_encoding(declared), "utf-8", "gb18030"):
        if name and name not in candidates:
            candidates.append(name)
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        if encoding == "gb18030" and declared is None and rare_share(text) > MAX_RARE_SHARE:
            return _sniffed(data, text)
        return Decoded(text, encoding)
    limit = _bad_byte_limit(data)
    best: Decoded | None = None
    for encoding in candidates:
        try:
            lenient = _decode_lenient(data, encoding, limit)
        except LookupError:
            continue
        if lenient is not None and (best is None or len(lenient.bad_offsets) < len(best.bad_offsets)):
            best = lenient
    if best is not None:
        return best
    from charset_normalizer import from_bytes  # only for text that declares no encoding and is not UTF-8

    guess = from_bytes(data).best()
    # UTF-16/32 without a byte-order mark is never how Chinese text files arrive; such a guess is noise
    if guess is not None and guess.encoding and guess.chaos < 0.2 and not guess.encoding.startswith("utf_"):
        encoding = canonical_encoding(guess.encoding) or guess.encoding
        try:
            return Decoded(data.decode(encoding), encoding)
        except (UnicodeDecodeError, LookupError):
            pass
    raise DecodeError(
        f"{path}: cannot decode the text: it is not UTF-8 or GB18030 (more than {limit} invalid bytes) and no other "
        "encoding fits; save it as UTF-8 and try again"
    )


def describe_bad_bytes(path: str, decoded: Decoded) -> str | None:
    """The warning for a text decoded with replaced bytes, naming their offsets; None when there were none."""
    offsets = decoded.bad_offsets
    if not offsets:
        return None
    runs: list[str] = []
    start = previous = offsets[0]
    for offset in (*offsets[1:], None):
        if offset is not None and offset == previous + 1:
            previous = offset
            continue
        runs.append(f"{start}" if start == previous else f"{start}-{previous}")
        if offset is not None:
            start = previous = offset
    shown = ", ".join(runs[:10]) + (" ..." if len(runs) > 10 else "")
    noun = "byte" if len(offsets) == 1 else "bytes"
    return (
        f"{path}: {len(offsets)} invalid {noun} at offset {shown} replaced with U+FFFD (left out at a line start) "
        f"(read as {decoded.encoding.upper()}); check the text around them"
    )
