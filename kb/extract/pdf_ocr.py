"""PDF OCR: a scanned pdfplumber page -> text lines read by the Tesseract binary from a 300 dpi rendering."""

from __future__ import annotations

import csv
import io
import re
import statistics
import subprocess
from collections import defaultdict
from typing import Any

from kb.errors import MissingDependency
from kb.extract.pdf_layout import Line, is_cjk

# The Debian packages that provide the Tesseract binary and its simplified-Chinese model.
TESSERACT_PACKAGES = "tesseract-ocr tesseract-ocr-chi-sim"
# Tesseract's language model: simplified Chinese (it reads digits and Latin letters too; adding "eng" makes it
# read some Chinese lines as English gibberish).
OCR_LANGUAGE = "chi_sim"
# Resolution pages are rendered at for OCR (dots per inch); 300 is what Tesseract is trained for.
OCR_RESOLUTION = 300
# Seconds one page may take before Tesseract is given up on.
OCR_TIMEOUT = 300
# Lines Tesseract is on average less sure of than this (0-100) are dropped: specks, stamps and rules read as text.
# Single words are kept whatever their confidence, so that a sentence never loses a character.
MIN_LINE_CONFIDENCE = 30.0
# Strokes Tesseract reads from page edges and rules, never text of a document: "|" in "通过|)".
RULE_MARK = re.compile(r"[|¦‖]+")
# A gap between two OCR words wider than this many type sizes is a space ("第一章   总则"); narrower gaps are
# noise, since Tesseract's boxes of single characters are often too wide or too narrow.
OCR_SPACE_GAP = 1.5
# Tesseract reads the wide space after an article or chapter number as a closing quote: "第六条”中央…" ->
# "第六条 中央…". An opening quote there is text ("第三条“数据”是指…") and stays.
NUMBER_QUOTE = re.compile(r"^(第[零〇一二三四五六七八九十百千两\d]+[编章节条])\s*[”\"]\s*")
# Lines whose type size is within this share of the page's usual size are taken to be set in the usual size.
OCR_SIZE_JITTER = 0.12


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


def _tsv_lines(tsv: str) -> list[tuple[dict[str, str], list[dict[str, str]]]]:
    """Tesseract's TSV as (line box, words of the line) pairs, in its reading order."""
    reader = csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE)
    boxes: dict[tuple[str, str, str], dict[str, str]] = {}
    words: dict[tuple[str, str, str], list[dict[str, str]]] = defaultdict(list)
    for row in reader:
        key = (row.get("block_num", ""), row.get("par_num", ""), row.get("line_num", ""))
        if row.get("level") == "4":
            boxes[key] = row
        elif row.get("level") == "5":
            row["text"] = RULE_MARK.sub("", row.get("text") or "").strip()
            if row["text"]:
                words[key].append(row)
    return [(boxes[key], line) for key, line in words.items() if key in boxes]


def _join_words(words: list[dict[str, str]], size: float) -> str:
    """Words of one OCR line joined (Tesseract cuts Chinese into single characters, which take no spaces): a space
    only between Latin words, or where the gap between two words is wide enough to hold a character."""
    text = ""
    right = None
    for word in words:
        left = int(word["left"])
        wide = right is not None and left - right > OCR_SPACE_GAP * size
        if text and (wide or not (is_cjk(text[-1]) or is_cjk(word["text"][0]))):
            text += " "
        text += word["text"]
        right = left + int(word["width"])
    return text


def ocr_page(page: Any, number: int, binary: str, path: str) -> list[Line]:
    """Render a pdfplumber page at OCR_RESOLUTION and read its lines with Tesseract, in PDF coordinates."""
    image = page.to_image(resolution=OCR_RESOLUTION).original
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    del image
    command = [binary, "stdin", "stdout", "-l", OCR_LANGUAGE, "--psm", "3", "tsv"]
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
    kept = [
        (box, words)
        for box, words in _tsv_lines(done.stdout.decode("utf-8", errors="replace"))
        if statistics.mean(float(w.get("conf") or 0) for w in words) >= MIN_LINE_CONFIDENCE
    ]
    # a line box is as high as the line's characters, which for Chinese is the type size
    sizes = [int(box["height"]) * scale for box, _ in kept]
    usual = statistics.median(sizes) if sizes else 0.0
    lines = []
    for (box, words), size in zip(kept, sizes, strict=True):
        words.sort(key=lambda w: int(w["left"]))
        if abs(size - usual) <= OCR_SIZE_JITTER * usual:
            size = usual
        left, top = int(box["left"]), int(box["top"])
        lines.append(
            Line(
                text=NUMBER_QUOTE.sub(r"\1 ", _join_words(words, size / scale)),
                page=number,
                x0=left * scale,
                x1=(left + int(box["width"])) * scale,
                top=top * scale,
                bottom=(top + int(box["height"])) * scale,
                size=float(max(round(size), 1)),
                heavy=False,
                red=False,
                font="ocr",
                column=0,
                columns=1,
            )
        )
    lines.sort(key=lambda ln: (ln.top, ln.x0))
    return lines
