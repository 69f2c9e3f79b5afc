"""PDF OCR: a scanned pdfplumber page -> text lines read by the Tesseract binary from a 300 dpi rendering."""

from __future__ import annotations

import csv
import io
import statistics
import subprocess
from collections import defaultdict
from typing import Any

from kb.errors import MissingDependency
from kb.extract.pdf_layout import Line, is_cjk

# The Debian packages that provide the Tesseract binary and its simplified-Chinese model.
TESSERACT_PACKAGES = "tesseract-ocr tesseract-ocr-chi-sim"
# Tesseract's language models used: simplified Chinese, with English for Latin letters and digits.
OCR_LANGUAGES = "chi_sim+eng"
# Resolution pages are rendered at for OCR (dots per inch); 300 is what Tesseract is trained for.
OCR_RESOLUTION = 300
# Seconds one page may take before Tesseract is given up on.
OCR_TIMEOUT = 300
# Words Tesseract is less sure of than this (0-100) are dropped: specks, stamps and rules read as letters.
MIN_CONFIDENCE = 10.0


def check_tesseract(binary: str, path: str) -> None:
    """Raise MissingDependency unless ``binary`` runs and has the simplified-Chinese model."""
    hint = f"install Tesseract (Debian: apt-get install {TESSERACT_PACKAGES})"
    try:
        done = subprocess.run([binary, "--list-langs"], capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        raise MissingDependency(
            f"{path}: OCR needs the Tesseract program '{binary}', which cannot be run ({exc}); {hint}"
        ) from exc
    languages = set((done.stdout + done.stderr).split())
    if done.returncode != 0 or "chi_sim" not in languages:
        raise MissingDependency(f"{path}: Tesseract '{binary}' has no simplified-Chinese model (chi_sim); {hint}")


def _tsv_rows(tsv: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE)
    return [row for row in reader if row.get("level") == "5" and (row.get("text") or "").strip()]


def _join_words(words: list[str]) -> str:
    """Words of one OCR line joined: Tesseract splits Chinese into single characters, which take no spaces."""
    text = ""
    for word in words:
        if text and not (is_cjk(text[-1]) or is_cjk(word[0])):
            text += " "
        text += word
    return text


def ocr_page(page: Any, number: int, binary: str, path: str) -> list[Line]:
    """Render a pdfplumber page at OCR_RESOLUTION and read its lines with Tesseract, in PDF coordinates."""
    image = page.to_image(resolution=OCR_RESOLUTION).original
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    del image
    command = [binary, "stdin", "stdout", "-l", OCR_LANGUAGES, "--psm", "3", "tsv"]
    try:
        done = subprocess.run(command, input=buffer.getvalue(), capture_output=True, timeout=OCR_TIMEOUT, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        raise MissingDependency(f"{path}: Tesseract '{binary}' failed on page {number} ({exc})") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", errors="replace").strip().splitlines()
        raise MissingDependency(
            f"{path}: Tesseract '{binary}' failed on page {number}: {message[-1] if message else ''}"
        )
    scale = 72.0 / OCR_RESOLUTION
    grouped: dict[tuple[str, str, str], list[dict[str, str]]] = defaultdict(list)
    for row in _tsv_rows(done.stdout.decode("utf-8", errors="replace")):
        if float(row.get("conf") or 0) >= MIN_CONFIDENCE:
            grouped[(row["block_num"], row["par_num"], row["line_num"])].append(row)
    lines = []
    for words in grouped.values():
        words.sort(key=lambda w: int(w["left"]))
        x0 = min(int(w["left"]) for w in words) * scale
        x1 = max(int(w["left"]) + int(w["width"]) for w in words) * scale
        top = min(int(w["top"]) for w in words) * scale
        bottom = max(int(w["top"]) + int(w["height"]) for w in words) * scale
        size = statistics.median(int(w["height"]) for w in words) * scale
        text = _join_words([w["text"].strip() for w in words])
        lines.append(
            Line(
                text=text,
                page=number,
                x0=x0,
                x1=x1,
                top=top,
                bottom=bottom,
                size=round(max(size, 1.0), 1),
                heavy=False,
                red=False,
                font="ocr",
                column=0,
                columns=1,
            )
        )
    lines.sort(key=lambda ln: (ln.top, ln.x0))
    return lines
