"""Errors: KbError and one subclass per failure a user can meet; messages name the file or value and what to do."""

from __future__ import annotations


class KbError(Exception):
    """Base of every error kb raises on purpose; its message is shown to the user as is."""


class UnsupportedFormat(KbError):
    """The file's suffix is not one kb reads."""


class EmptyFile(KbError):
    """The file has no bytes, or no text once read."""


class CorruptFile(KbError):
    """The file is truncated or damaged, or its content is not of the format its name says."""


class EncryptedFile(KbError):
    """The PDF needs a password."""


class NoTextLayer(KbError):
    """The PDF is a scan with no text layer, and OCR is off or unavailable."""


class DecodeError(KbError):
    """The text's encoding could not be determined."""


class NoBody(KbError):
    """The file was read but holds no body text (e.g. a web page with navigation only)."""


class NotFound(KbError):
    """No document or clause matches the given ID or title."""


class Ambiguous(KbError):
    """An ID or title matches several documents; the message lists the candidates."""

    def __init__(self, message: str, candidates: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.candidates = candidates


class QuerySyntaxError(KbError):
    """A search query could not be parsed."""


class StoreError(KbError):
    """The knowledge base's store is missing, locked, or of an unknown schema version."""


class IndexMissing(KbError):
    """The search index has not been built yet; run `kb ingest`."""


class MetadataFileError(KbError):
    """A --metadata sidecar file is malformed."""


class MissingDependency(KbError):
    """An optional tool or package a feature needs is not installed (e.g. Tesseract for --ocr, a CJK font)."""


class TopicLexiconError(KbError):
    """A topic lexicon file is not the expected YAML shape."""


class GraphMissing(KbError):
    """The knowledge base has no graph yet; `kb ingest` builds it."""


class GraphFormatError(KbError):
    """An export format kb does not write."""


class AliasFileError(KbError):
    """An alias file is not the expected YAML shape (aliases: mapping, laws: list)."""


class HomeBusy(KbError):
    """Another kb process is writing to the knowledge base and the caller asked not to wait (--no-wait)."""


class FileTooCostly(KbError):
    """A file took more time or memory than the per-file limits allow (--timeout, --max-memory); it is skipped."""


class QueryTooComplex(KbError):
    """A search query nests too deep or has too many terms to run in bounded time."""


class UnsafeXml(KbError):
    """An XML part of a document declares entities or a DTD, which kb never resolves."""
