"""Discovery: the files and folders a user names -> the regular files to ingest, and a message for every other entry.

Documents and the folders holding them are untrusted. The folders the user named are the boundary: a symlink
pointing outside them is not followed unless asked (``follow_links``), and never into a loop; named pipes,
devices and sockets are never opened; a name that is not valid UTF-8, a dangling link, an unreadable file or
folder is reported by name, and the walk goes on.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kb.errors import UnsupportedFormat
from kb.extract import REGISTRY, format_of, special_kind
from kb.models import Failure

# Folder entries that document the folder itself rather than being policy texts.
SKIPPED_NAMES = frozenset({"readme.md", "readme.txt", "license", "license.md", "changelog.md"})


@dataclass(frozen=True, slots=True)
class Discovered:
    """The files an ingest looks at, the folders it owns (for deletions) and what it passed over."""

    files: tuple[Path, ...]
    roots: tuple[Path, ...]
    skipped: int
    failures: tuple[Failure, ...]
    keys: Mapping[Path, str] = field(default_factory=dict)  # file -> its source_key (where its id comes from)
    lists: tuple[Path, ...] = ()  # CSV and XLSX lists of documents, one document per row

    def key(self, file: Path) -> str:
        """The file's source key (kb.pipeline.source_key)."""
        from kb.pipeline import source_key

        return self.keys.get(file) or source_key(file)


def shown(path: str | os.PathLike[str]) -> str:
    """A path as text that can be printed and stored: bytes that are not UTF-8 shown as \\xNN."""
    raw = os.fsencode(path)
    return raw.decode("utf-8", errors="backslashreplace")


def _valid_name(path: Path) -> bool:
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class _Walk:
    """One discovery: files found, failures, and the folders already walked (by device and inode)."""

    def __init__(self, roots: list[Path], follow_links: bool) -> None:
        self.roots = roots
        self.follow_links = follow_links
        self.files: dict[Path, str] = {}
        self.lists: dict[Path, None] = {}
        self.root: Path | None = None  # the folder named that is being walked, for source keys
        self.failures: list[Failure] = []
        self.skipped = 0
        self.seen_dirs: set[tuple[int, int]] = set()

    def fail(self, path: Path | str, kind: str, problem: str) -> None:
        name = shown(path)
        self.failures.append(Failure(name, kind, f"{name}: {problem}"))

    def inside(self, target: Path) -> bool:
        return any(target == root or target.is_relative_to(root) for root in self.roots)

    def folder(self, path: Path) -> None:
        try:
            info = os.stat(path)
        except OSError as exc:
            self.fail(path, "Unreadable", f"folder cannot be read ({exc.strerror or exc}); skipped")
            return
        key = (info.st_dev, info.st_ino)
        if key in self.seen_dirs:
            return  # reached again through a link: walked once, and never in a loop
        self.seen_dirs.add(key)
        try:
            with os.scandir(path) as listing:
                entries = sorted(listing, key=lambda e: os.fsencode(e.name))
        except OSError as exc:
            self.fail(path, "Unreadable", f"folder cannot be read ({exc.strerror or exc}); its files were skipped")
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            self.entry(Path(entry.path), entry)

    def entry(self, path: Path, entry: os.DirEntry[str]) -> None:
        if not _valid_name(path):
            self.fail(path, "BadName", "the name is not valid UTF-8; rename the file to ingest it")
            return
        try:
            is_link = entry.is_symlink()
            mode = entry.stat(follow_symlinks=False).st_mode
        except OSError as exc:
            self.fail(path, "Unreadable", f"cannot be read ({exc.strerror or exc}); skipped")
            return
        if is_link:
            self.link(path)
            return
        self.by_kind(path, mode, "")

    def link(self, path: Path) -> None:
        try:
            target = path.resolve(strict=True)
            mode = os.stat(target).st_mode
        except RuntimeError:  # Path.resolve's "symlink loop" on older Pythons
            self.fail(path, "LinkLoop", "a symbolic link that loops; skipped")
            return
        except OSError as exc:
            if exc.errno == 40:  # ELOOP
                self.fail(path, "LinkLoop", "a symbolic link that loops; skipped")
            else:
                self.fail(path, "DanglingLink", "a symbolic link to nothing (its target is missing); skipped")
            return
        if not self.follow_links and not self.inside(target):
            if stat.S_ISDIR(mode) or Path(path.name).suffix.lower() in REGISTRY:
                self.fail(path, "OutsideLink", f"a link to {shown(target)}, outside the folders given; skipped "
                          "(--follow-links reads it)")  # fmt: skip
            else:
                self.skipped += 1
            return
        self.by_kind(path, mode, "a link to ")

    def by_kind(self, path: Path, mode: int, via: str) -> None:
        """A folder is walked, a regular file read; anything else with a document's suffix is reported, never
        opened (``via``: how the path reached it, e.g. "a link to ")."""
        if stat.S_ISDIR(mode):
            self.folder(path)
        elif stat.S_ISREG(mode):
            self.file(path, mode)
        elif Path(path.name).suffix.lower() in REGISTRY:
            self.fail(path, "SpecialFile", f"{via}{special_kind(mode)}, not a regular file; skipped, never opened")
        else:
            self.skipped += 1

    def file(self, path: Path, mode: int) -> None:
        from kb.extract.lists import LIST_SUFFIXES, header_of, is_list_header
        from kb.pipeline import source_key

        name = path.name
        if name.lower() in SKIPPED_NAMES:
            return
        suffix = Path(name).suffix.lower()
        if suffix not in REGISTRY and suffix not in LIST_SUFFIXES:
            self.skipped += 1
            return
        if not os.access(path, os.R_OK):
            self.fail(path, "Unreadable", "permission denied; skipped (make it readable to ingest it)")
            return
        if suffix in REGISTRY:
            self.files.setdefault(path, source_key(path, self.root))
        elif is_list_header(header_of(path)):
            self.lists[path] = None  # a sidecar (with a path column) is passed over
        else:
            self.skipped += 1


def discover(paths: Iterable[str | Path], *, follow_links: bool = False) -> Discovered:
    """Expand files and folders (recursively) into the supported regular files to ingest, sorted, absolute.

    A file named directly is ingested even through a link (the user chose it); inside a folder, links are
    followed only to places within the folders named, unless ``follow_links``.
    """
    given = [Path(raw) for raw in paths]
    roots: list[Path] = []
    for raw in given:
        try:
            if raw.is_dir():
                roots.append(raw.resolve())
        except OSError:
            pass
    walk = _Walk(roots, follow_links)
    for raw in given:
        if not _valid_name(raw):
            walk.fail(raw, "BadName", "the name is not valid UTF-8; rename it to ingest it")
            continue
        try:
            path = raw.resolve(strict=True)
            mode = os.stat(path).st_mode
        except FileNotFoundError:
            walk.fail(raw, "NotFound", "no such file or folder")
            continue
        except (OSError, RuntimeError) as exc:
            problem = "a symbolic link that loops" if isinstance(exc, RuntimeError) or getattr(exc, "errno", 0) == 40 \
                else f"cannot be read ({getattr(exc, 'strerror', None) or exc})"  # fmt: skip
            walk.fail(raw, "Unreadable", f"{problem}; skipped")
            continue
        if stat.S_ISDIR(mode):
            walk.root = path
            walk.folder(path)
            walk.root = None
        elif stat.S_ISREG(mode) and path.suffix.lower() in _list_suffixes():
            walk.lists[path] = None  # read_list says what is wrong with a file that is no list
        elif stat.S_ISREG(mode):
            try:
                format_of(path)
            except UnsupportedFormat as exc:
                walk.failures.append(Failure(str(raw), "UnsupportedFormat", str(exc)))
                continue
            from kb.pipeline import source_key

            walk.files.setdefault(path, source_key(path))
        else:
            walk.fail(raw, "SpecialFile", f"{special_kind(mode)}, not a regular file; skipped, never opened")
    return Discovered(tuple(sorted(walk.files)), tuple(roots), walk.skipped, tuple(walk.failures), walk.files,
                      tuple(sorted(walk.lists)))  # fmt: skip


def _list_suffixes() -> tuple[str, ...]:
    from kb.extract.lists import LIST_SUFFIXES

    return tuple(LIST_SUFFIXES)


__all__ = ["SKIPPED_NAMES", "Discovered", "discover", "shown"]
