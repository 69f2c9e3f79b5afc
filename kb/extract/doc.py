"""Legacy Word extraction: a .doc (Word 97-2003) or .wps (WPS Office) file's bytes -> ExtractedText, via a converter.

The binary formats are read by a real converter from the OS packages, never by guessing at the bytes: antiword
(``apt-get install antiword``) for .doc, else LibreOffice headless (``soffice --headless --convert-to docx``,
package libreoffice-writer-nogui), which also reads .wps. antiword's text goes through the plain-text extractor and
LibreOffice's .docx through the Word extractor, so a .doc gets the same title, header lines, metadata and
segmentation as the same text in any other format. A file no installed converter can read is a per-file error.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import tempfile
from pathlib import Path

from kb.errors import CorruptFile, MissingDependency
from kb.models import ExtractedText, Format

# The first bytes of an OLE compound file, the container of .doc and of older .wps files.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The name of the stream that holds a Word 97-2003 document, as the OLE directory spells it (UTF-16).
WORD_STREAM = "WordDocument".encode("utf-16-le")
# Seconds a converter may take on one file before it is taken as hung.
CONVERT_TIMEOUT = 120


def extract(data: bytes, path: str) -> ExtractedText:
    """Convert a .doc or .wps file and read the result; MissingDependency when no converter is installed."""
    suffix = Path(path).suffix.lower()
    fmt = Format.WPS if suffix == ".wps" else Format.DOC
    if suffix == ".doc" and not data.startswith(OLE_MAGIC):
        raise CorruptFile(f"{path}: not a Word 97-2003 document (no OLE header); check the file or its suffix")
    with tempfile.TemporaryDirectory(prefix="kb-doc-") as tmp:
        source = Path(tmp) / f"input{suffix}"
        source.write_bytes(data)
        # A .wps saved by WPS Office 2005 or later is a Word 97-2003 file under another suffix (an OLE container
        # with a WordDocument stream): antiword reads it; older WPS formats need LibreOffice.
        word_binary = data.startswith(OLE_MAGIC) and (suffix == ".doc" or WORD_STREAM in data)
        if word_binary and shutil.which("antiword"):
            result = _antiword(source, path)
        elif _soffice() is not None:
            result = _libreoffice(source, path, Path(tmp))
        else:
            needs = "antiword or LibreOffice (soffice)" if word_binary else "LibreOffice (soffice)"
            raise MissingDependency(
                f"{path}: reading {suffix} needs {needs}; install it (apt-get install antiword"
                " libreoffice-writer-nogui) or save the file as .docx"
            )
    return dataclasses.replace(result, path=path, format=fmt)


def _antiword(source: Path, path: str) -> ExtractedText:
    from kb.extract import text

    # -w 0: one line per paragraph (no re-wrapping); -m UTF-8.txt: UTF-8 output
    out = _run(["antiword", "-w", "0", "-m", "UTF-8.txt", str(source)], path)
    return text.extract(out, path)


def _libreoffice(source: Path, path: str, tmp: Path) -> ExtractedText:
    from kb.extract import docx

    soffice = _soffice()
    assert soffice is not None
    profile = (tmp / "profile").as_uri()  # a private profile, so that parallel workers do not share a lock
    command = [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "docx", "--outdir", str(tmp)]
    _run([*command, str(source)], path)
    converted = tmp / f"{source.stem}.docx"
    if not converted.exists():
        raise CorruptFile(f"{path}: LibreOffice could not convert it to .docx; the file may be damaged")
    return docx.extract(converted.read_bytes(), path)


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _run(command: list[str], path: str) -> bytes:
    try:
        done = subprocess.run(command, capture_output=True, timeout=CONVERT_TIMEOUT, check=False)
    except subprocess.TimeoutExpired as exc:
        raise CorruptFile(f"{path}: {command[0]} took over {CONVERT_TIMEOUT} s; the file may be damaged") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", errors="replace").strip().splitlines()[-1:] or ["no message"]
        raise CorruptFile(f"{path}: {Path(command[0]).name} could not read it ({message[0]}); the file may be damaged")
    return done.stdout
