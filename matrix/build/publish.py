"""Publishing a build: the staging folder, the atomic swap, the journal, the lock and the manifest.

A build writes its outputs into a staging folder beside the output folder; :func:`publish` then lays
out the complete new tree there (the new outputs, plus hard links of every file matrix must keep: the
clerk's own files, files edited since matrix wrote them, outputs a partial build does not cover) and
swaps the two trees in one step (``renameat2(RENAME_EXCHANGE)`` on Linux, else two renames under a
journal that the next run completes). A lock beside the output folder keeps two builds of one folder
apart. The manifest (``.matrix-manifest.json``) records what matrix wrote: each file's SHA-256 (with
its size and time as a quick check), the outputs kept because edited by hand, and the content keys of
the output pieces (:mod:`matrix.build.outputs`) with the files each one wrote, which the next build reuses.
Nothing here knows what the outputs are.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..core.errors import OutputError, os_message

MANIFEST = ".matrix-manifest.json"
STAGE_PREFIX = ".matrix-tmp-"


@contextlib.contextmanager
def staging(real: Path, out_dir: Path) -> Iterator[Path]:
    """A fresh staging folder beside the output folder ``real`` (``out_dir`` as the clerk named it, for
    messages), removed on the way out whatever happens; the build writes its new tree in ``<stage>/new``."""
    try:
        stage = Path(tempfile.mkdtemp(prefix=f"{STAGE_PREFIX}{real.name}-", dir=real.parent))
    except OSError as exc:
        raise OutputError(f"không tạo được thư mục tạm cạnh '{out_dir}': {os_message(exc)}") from exc
    try:
        yield stage
    finally:
        remove_tree(stage)


def publish(
    new: Path,
    out_dir: Path,
    files: Sequence[Path | str],
    *,
    scope: frozenset[str] | None = None,
    force: bool = False,
    real: Path | None = None,
    hashes: dict[str, str] | None = None,
    units: Mapping[str, Sequence[str]] | None = None,
    reused: frozenset[str] = frozenset(),
    spared: frozenset[str] = frozenset(),
    plan: Mapping[str, Any] | None = None,
    looked: Mapping[str, os.stat_result] | None = None,
) -> tuple[list[Path], list[tuple[Path, Path]]]:
    """Make the tree ``new`` (holding ``files``) the content of ``out_dir``, keeping what is not matrix's.

    Returns the published files (relative to ``out_dir``) and the pairs (a file
    edited by hand, kept; where the new one was written instead). ``scope``: the
    top-level names this build owns (None: all); outputs outside it are kept. ``hashes``: content
    hashes of new files already known (computed by the workers). ``units``: the content key of each
    output piece and the files it wrote, recorded for the next build (a piece whose file could not take
    its place is left out, so it is rendered again); the previous build's pieces outside ``scope`` stay
    recorded while their files are kept unchanged. ``reused``: files of ``new`` that are hard links of the
    published ones (not rewritten, so not checked for being open). ``spared``: top-level names outside the
    build whatever ``scope`` says (the folders of directives left out for their input errors). ``plan``: the
    build's input stamp and document keys, recorded for the next build (:func:`read_plan`). ``looked``: the
    ``lstat`` of some published files, taken by the caller just before (each file is looked at once).
    """
    real = real or out_dir
    hashes = dict(hashes or {})
    previous = read_manifest(real)
    previous_units = read_units(real)
    stats = read_stats(real)
    edited = set(read_manifest(real, "edited"))  # matrix's outputs kept last time because edited by hand
    old = _walk(real) if real.is_dir() else {}
    root = os.fspath(real)
    names = _in_order(os.fspath(rel) for rel in files)
    produced = set(names)
    kept: list[tuple[Path, Path]] = []
    carried: dict[str, str] = {}  # rel -> kind ("file", "dir", "link") of old entries the new tree keeps
    manifest: dict[str, str] = {}
    blocked: list[Path] = []
    linked: dict[str, list[int]] = {}  # the size and time of the reused files: those of the links to them
    given = looked or {}
    with Tree(root) as tree:
        looked = {
            rel: given.get(rel) or tree.lstat(rel)
            for rel, kind in old.items()
            if kind == "file" and previous.get(rel) not in (None, _LEGACY)
        }
    for rel, kind in old.items():
        if kind == "dir":
            continue
        recorded = previous.get(rel)
        # an older manifest's path (no hash) may be replaced by the same output, never removed
        ours = kind == "file" and recorded is not None and rel in produced
        if kind == "file" and recorded is not None and recorded != _LEGACY:
            info = looked[rel]
            ours = _unchanged(os.path.join(root, rel), recorded, stats.get(rel), info)
            if ours and rel in reused:  # its link in the new tree is the same file
                linked[rel] = [info.st_size, info.st_mtime_ns]
        covered = in_scope(rel, scope, spared)
        if ours and not covered:
            carried[rel] = kind
            if recorded is not None and recorded != _LEGACY:
                manifest[rel] = recorded
        elif ours:
            if rel in produced and rel not in reused and not _replaceable(out_dir / rel):
                blocked.append(Path(rel))
        elif rel in produced and force and (recorded is not None or rel in edited):
            if not _replaceable(out_dir / rel):
                blocked.append(Path(rel))
        else:
            carried[rel] = kind
    if blocked:
        shown = ", ".join(str(out_dir / rel) for rel in blocked[:5])
        more = f" và {len(blocked) - 5} tệp khác" if len(blocked) > 5 else ""
        raise OutputError(
            f"không thể ghi đè {shown}{more}: tệp đang mở (Excel/Word) hoặc chỉ đọc. "
            "Hãy đóng tệp rồi chạy lại; các kết quả cũ vẫn được giữ nguyên."
        )
    published: list[str] = []
    still_edited: list[str] = []
    for name in names:
        if name in carried:
            target = str(_beside(Path(name), carried, produced))
            os.replace(new / name, new / target)
            if name in hashes:
                hashes[target] = hashes.pop(name)
            kept.append((Path(name), Path(target)))
            if name in previous or name in edited:
                still_edited.append(name)
            name = target
        published.append(name)
    _check_shapes(new, out_dir, carried)
    for name in published:
        manifest[name] = hashes.get(name) or file_hash(new / name)
    for rel, kind in sorted(carried.items()):
        _carry(real / rel, new / rel, kind)
    parents = {rel.rpartition(os.sep)[0] for rel in old}  # the folders that hold anything
    for rel in sorted(r for r, k in old.items() if k == "dir" and r not in parents):
        (new / rel).mkdir(parents=True, exist_ok=True)  # the clerk's empty folders stay too
    moved = {str(path) for path, _ in kept}
    listed = manifest.keys() - moved
    pieces = {key: list(rels) for key, rels in (units or {}).items() if rels and listed >= set(rels)}
    if scope is not None or spared:  # pieces of the outputs this build does not cover, kept as they were
        for key, rels in previous_units.items():
            outside = not any(in_scope(rel, scope, spared) for rel in rels)
            if key not in pieces and outside and all(manifest.get(rel) == previous.get(rel) for rel in rels):
                pieces[key] = rels
    write_manifest(new, manifest, still_edited, pieces, plan, linked)
    swapped = swap(new, real)
    if swapped is not None and len(old) >= BACKGROUND_REMOVAL:
        discard(swapped)
    return [Path(name) for name in (_in_order(published) if kept else published)], kept


def _in_order(names: Iterable[str]) -> list[str]:
    """The relative paths ``names`` in the order of their :class:`Path` (by their parts), sorted as strings (sorting
    14,000 paths as :class:`Path` objects takes 50 ms)."""
    if os.name == "posix":  # a PosixPath compares its parts as they are
        return sorted(names, key=lambda name: name.split("/"))
    return [str(path) for path in sorted(Path(name) for name in names)]


#: An old tree of at least this many entries is removed by a process of its own after the switch (14,000 unlinks
#: take a fifth of a second the clerk would wait for); a smaller one with the staging folder, at once.
BACKGROUND_REMOVAL = 2000


def discard(tree: Path) -> None:
    """Remove the old tree ``tree`` (inside a staging folder, swapped out of the output folder) without waiting:
    it is renamed aside beside the staging folder, under a staging name (so the next build's :func:`recover`
    removes what an interrupted removal leaves), and removed by a process started for it, which outlives this
    one. Where no process can be started it is removed here."""
    aside = tree.parent.with_name(f"{tree.parent.name}-old")
    try:
        os.rename(tree, aside)
    except OSError:
        return  # left in the staging folder, removed with it
    remover = (
        "import pathlib, sys; from matrix.build.publish import remove_tree; remove_tree(pathlib.Path(sys.argv[1]))"
    )
    home = os.fspath(Path(__file__).resolve().parents[2])  # where this matrix is imported from
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [home, os.environ.get("PYTHONPATH")]))}
    _REMOVERS[:] = [process for process in _REMOVERS if process.poll() is None]  # the finished ones reaped
    try:
        process = subprocess.Popen(
            [sys.executable, "-c", remover, os.path.abspath(aside)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            close_fds=True,
            start_new_session=True,
            env=env,
        )
    except (OSError, ValueError, subprocess.SubprocessError):
        remove_tree(aside)
        return
    _REMOVERS.append(process)


_REMOVERS: list[subprocess.Popen[bytes]] = []  # the removals started by this process (reaped by the next one)


def in_scope(rel: str, scope: frozenset[str] | None, spared: frozenset[str] = frozenset()) -> bool:
    """Whether the output ``rel`` belongs to this build (see :func:`publish`)."""
    if scope is None and not spared:  # a whole build: every output is (and 14,000 paths are not parsed)
        return True
    top = Path(rel).parts[0]
    return (scope is None or top in scope) and top not in spared


_LEGACY = ""  # a path in a manifest of an older matrix, which recorded no hash


def _walk(root: Path) -> dict[str, str]:
    """Every entry under ``root`` by relative path: "file", "dir", "link" or "other"; links never followed.

    In the order of ``os.walk`` (a folder's subfolders, then its other entries, then each subfolder's), but
    with ``os.scandir``'s entries: their kind comes with the listing, without a ``stat`` each (an output folder
    holds 14,000 files)."""
    found: dict[str, str] = {}

    def visit(folder: str, prefix: str) -> None:
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError:  # as os.walk: a folder that cannot be listed is passed over
            return
        dirs: list[os.DirEntry[str]] = []
        others: list[os.DirEntry[str]] = []
        for entry in entries:
            if not prefix and (entry.name == MANIFEST or entry.name.startswith(STAGE_PREFIX)):
                continue
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            (dirs if is_dir else others).append(entry)
        below = []
        for entry in (*dirs, *others):
            rel = prefix + entry.name
            if entry.is_symlink():
                found[rel] = "link"
            elif entry.is_dir(follow_symlinks=False):
                found[rel] = "dir"
                below.append((entry.path, rel + os.sep))
            elif entry.is_file(follow_symlinks=False):
                found[rel] = "file"
            else:
                found[rel] = "other"
        for path, rel in below:
            visit(path, rel)

    visit(os.fspath(root), "")
    return found


def files_under(root: Path) -> list[Path]:
    """The regular files under ``root`` (a staging tree), relative to it, sorted; links not followed."""
    return sorted(Path(rel) for rel, kind in _walk(root).items() if kind == "file")


def _beside(rel: Path, carried: dict[str, str], produced: set[str]) -> Path:
    """Where a new output goes when the clerk's file holds its place: "thu (mới).docx", "thu (mới 2).docx"..."""
    for n in range(1, 1000):
        label = "mới" if n == 1 else f"mới {n}"
        candidate = rel.with_name(f"{rel.stem} ({label}){rel.suffix}")
        if str(candidate) not in carried and str(candidate) not in produced:
            return candidate
    raise OutputError(f"quá nhiều bản '(mới)' của {rel}; hãy dọn thư mục kết quả.")


def _check_shapes(new: Path, out_dir: Path, carried: dict[str, str]) -> None:
    """A kept entry must not stand where the new tree has a folder, nor inside a new file's place."""
    for rel, kind in carried.items():
        target = new / rel
        parents = [p for p in Path(rel).parents if p != Path(".")]
        clash = target.is_dir() and kind != "dir"
        clash = clash or any((new / p).is_file() and not (new / p).is_symlink() for p in parents)
        if clash:
            raise OutputError(
                f"'{out_dir / rel}' không phải do matrix tạo nhưng nằm đúng chỗ matrix cần một thư mục "
                "kết quả; hãy đổi tên hoặc chuyển nó đi rồi chạy lại (kết quả cũ vẫn giữ nguyên)."
            )


def _carry(source: Path, target: Path, kind: str) -> None:
    """Put an entry of the old tree into the new one: a hard link (a copy across devices), a link as a link."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if kind == "link":
        os.symlink(os.readlink(source), target)
    elif kind == "file":
        try:
            os.link(source, target, follow_symlinks=False)
        except OSError:
            shutil.copy2(source, target, follow_symlinks=False)
    elif kind == "other":  # a FIFO or device the clerk put there: moved with the swap only if we can link it
        try:
            os.link(source, target, follow_symlinks=False)
        except OSError as exc:
            raise OutputError(
                f"không giữ được '{source}' (tệp đặc biệt) khi cập nhật kết quả; hãy chuyển nó đi."
            ) from exc


_PARSED: dict[str, Any] = {}  # the last manifest read ("": its identity and data), and what was taken from it


def _taken(out_dir: Path, what: str, take: Callable[[Any], Any]) -> Any:
    """``take(data)`` of the manifest of ``out_dir`` (None when unreadable), computed once per manifest: a build
    reads the manifest several times (the quick answer, reuse, publishing), each time the same file. The file is
    read and parsed again when its identity changed: its path, device, inode, size, time and status change time
    (matrix writes each manifest as a new file; an edit by hand changes the times, and the bytes are parsed only
    when the identity is taken, so what is used is always what the file held then)."""
    path = out_dir / MANIFEST
    try:
        info = path.lstat()
        identity: tuple[Any, ...] | None = (
            (os.fspath(path), info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
            if stat.S_ISREG(info.st_mode)
            else None
        )
    except OSError:
        identity = None
    last = _PARSED.get("")
    if last is None or last[0] != identity or identity is None:
        _PARSED.clear()
        try:
            raw = path.read_bytes() if identity is not None else b""
            after = path.lstat() if identity is not None else None
        except OSError:
            raw, after = b"", None
        if after is not None and identity != (
            os.fspath(path),
            after.st_dev,
            after.st_ino,
            after.st_size,
            after.st_mtime_ns,
            after.st_ctime_ns,
        ):
            identity = None  # changed while read: used once, never remembered
        try:
            data = json.loads(raw.decode("utf-8")) if raw else None
        except ValueError:
            data = None
        _PARSED[""] = (identity, data)
    if what not in _PARSED:
        _PARSED[what] = take(_PARSED[""][1])
    return _PARSED[what]


def read_stats(out_dir: Path) -> dict[str, Any]:
    """Each file's size and time as the manifest recorded them, as read (:func:`_unchanged` takes only a pair
    of numbers: anything else, and its file is hashed)."""
    return dict(_taken(out_dir, "stat", _stats))


def _stats(data: Any) -> dict[str, Any]:
    stats = data.get("stat") if isinstance(data, dict) else None
    return stats if isinstance(stats, dict) else {}


def _unchanged(path: Path | str, recorded: str, stat_: Any, info: os.stat_result | None = None) -> bool:
    """True when ``path`` still holds what matrix wrote: same size and time as recorded (``stat_``: the pair
    read from the manifest), else the same hash. ``info``: its ``lstat``, when the caller has it already."""
    info = info or os.lstat(path)
    return _same_stat(stat_, info) or file_hash(path) == recorded


def _same_stat(stat_: Any, info: os.stat_result) -> bool:
    """Whether the manifest's ``stat_`` is a pair of numbers, the size and time of ``info``."""
    return (
        type(stat_) in (list, tuple)
        and len(stat_) == 2
        and stat_[0] == info.st_size
        and stat_[1] == info.st_mtime_ns
        and type(stat_[0]) is int
    )


def file_hash(path: Path | str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_manifest(out_dir: Path, key: str = "files") -> dict[str, str]:
    """What the last build wrote: relative path -> content hash (``_LEGACY`` for an older manifest's paths).

    Only plain relative paths inside ``out_dir`` are taken; anything else in the file is ignored.
    ``key="edited"``: the outputs it kept because they had been edited by hand.
    """
    return dict(_taken(out_dir, key, lambda data: _entries(data, key)))


def _entries(data: Any, key: str) -> dict[str, str]:
    if key == "edited":
        listed = data.get("edited") if isinstance(data, dict) else None
        entries = {p: _LEGACY for p in listed if isinstance(p, str)} if isinstance(listed, list) else {}
    elif isinstance(data, list):
        entries = {p: _LEGACY for p in data if isinstance(p, str)}
    elif isinstance(data, dict) and isinstance(data.get("files"), dict):
        entries = {p: h for p, h in data["files"].items() if isinstance(p, str) and isinstance(h, str) and len(h) == 64}
    else:
        return {}
    return {p: h for p, h in entries.items() if _inside(p)}


_PLAIN_PATH = re.compile(r"[^/\\:]+(?:/[^/\\:]+)*")  # names joined by "/": no root, drive, backslash, "//"


def _inside(p: str) -> bool:
    """Whether the manifest's path ``p`` names a file inside the output folder (never the manifest itself)."""
    if _PLAIN_PATH.fullmatch(p):  # the usual case, decided on the string (a build checks 14,000 of them)
        parts = p.split("/")
        return ".." not in parts and "." not in parts and parts[0] != MANIFEST
    return (
        bool(p)
        and not Path(p).is_absolute()
        and ".." not in Path(p).parts
        and "\\" not in p
        and Path(p).parts[0] != MANIFEST
    )


def read_units(out_dir: Path) -> dict[str, list[str]]:
    """The previous build's output pieces: content key -> the files (relative paths) the piece wrote.

    Only keys whose every path is also one of the manifest's files are taken (:func:`read_manifest`
    checks those paths), so nothing the manifest would not trust is reused.
    """
    files = read_manifest(out_dir)
    return {key: list(rels) for key, rels in _taken(out_dir, "units", lambda data: _units(data, files)).items()}


def _units(data: Any, files: dict[str, str]) -> dict[str, list[str]]:
    units = data.get("units") if isinstance(data, dict) else None
    if not isinstance(units, dict):
        return {}
    known = files.keys()
    found = {}
    for key, rels in units.items():
        try:  # every path one of the manifest's files (so a string: its keys are), as a set compare
            taken = isinstance(key, str) and isinstance(rels, list) and bool(rels) and known >= set(rels)
        except TypeError:  # a path that cannot be in a set (a list): not a path
            taken = False
        if taken:
            found[key] = rels
    return found


def reusable(
    out_dir: Path,
    rels: Sequence[str],
    files: Mapping[str, str],
    stats: Mapping[str, Any],
    tree: Tree | None = None,
    looked: dict[str, os.stat_result] | None = None,
) -> bool:
    """Whether every file ``rels`` of the published tree still holds what matrix wrote (``files``: the
    manifest's hashes; ``stats``: its sizes and times, a quick check before the hash): a regular file,
    reached without links, never edited since. ``tree``: the published tree's folders, opened once for
    many calls (:class:`Tree`); else opened for this one. ``looked`` is given the ``lstat`` of each file found
    unchanged."""
    if tree is None:
        with Tree(out_dir) as own:
            return reusable(out_dir, rels, files, stats, own, looked)
    for rel in rels:
        recorded = files.get(rel)
        if not recorded:
            return False
        try:
            info = tree.lstat(rel)
            if not stat.S_ISREG(info.st_mode):
                return False
            if not _unchanged(tree.path(rel), recorded, stats.get(rel), info):
                return False
        except OSError:
            return False
        if looked is not None:
            looked[rel] = info
    return True


#: Whether folders can be opened and files looked at and linked relative to them (Linux, macOS; not Windows).
_AT = (
    hasattr(os, "O_DIRECTORY")
    and hasattr(os, "O_NOFOLLOW")
    and os.stat in os.supports_dir_fd
    and os.link in os.supports_dir_fd
    and os.mkdir in os.supports_dir_fd
    and os.open in os.supports_dir_fd
)
_FOLDER = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)


class Tree:
    """The folders of one tree (an output folder, a staging tree), each opened once, so that a look at or a link
    of one of its 14,000 files names the file alone, not its whole path again (half the cost of an ``lstat``
    here). A folder is opened from its parent without following links: a file reached through a linked folder is
    never looked at. Files are named by relative "/"-joined paths (as the manifest has them). Used as a context:
    the folders are closed on the way out. Where the system cannot open folders (Windows), whole paths are used,
    each folder checked once with an ``lstat``."""

    LIMIT = 128  # folders kept open at once (all closed past it: an output folder is read folder by folder)

    def __init__(self, root: Path | str) -> None:
        self.root = os.fspath(root)
        self._open: dict[str, int] = {}
        self._plain: dict[str, bool] = {}  # without _AT: the folders found plain

    def __enter__(self) -> Tree:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        opened, self._open = self._open, {}
        for fd in opened.values():
            with contextlib.suppress(OSError):
                os.close(fd)

    def path(self, rel: str) -> str:
        """The whole path of ``rel``."""
        return os.path.join(self.root, *rel.split("/"))

    def folder(self, folder: str) -> int:
        """The descriptor of the "/"-joined ``folder`` ("" the root); OSError when it is not a plain folder."""
        fd = self._open.get(folder)
        if fd is None:
            if len(self._open) >= self.LIMIT:
                self.close()
            if folder:
                parent, _, name = folder.rpartition("/")
                fd = os.open(name, _FOLDER, dir_fd=self.folder(parent))
            else:
                fd = os.open(self.root, _FOLDER & ~getattr(os, "O_NOFOLLOW", 0))  # the root as the caller named it
            self._open[folder] = fd
        return fd

    def lstat(self, rel: str) -> os.stat_result:
        """The ``lstat`` of the file ``rel``; OSError when a folder on its way is not a plain folder."""
        folder, _, name = rel.rpartition("/")
        if _AT:
            return os.stat(name, dir_fd=self.folder(folder), follow_symlinks=False)
        if folder and not self._plain_folders(folder):
            raise FileNotFoundError(errno.ENOENT, "not a plain folder", self.path(folder))
        return os.lstat(self.path(rel))

    def _plain_folders(self, folder: str) -> bool:
        found = self._plain.get(folder)
        if found is None:
            parent = folder.rpartition("/")[0]
            found = (not parent or self._plain_folders(parent)) and stat.S_ISDIR(os.lstat(self.path(folder)).st_mode)
            self._plain[folder] = found
        return found

    def link(self, rel: str, into: Tree) -> None:
        """Put a hard link of the file ``rel`` at the same place in the tree ``into``, its folders made as needed
        (a worker may make one meanwhile)."""
        folder, _, name = rel.rpartition("/")
        if not _AT:
            os.makedirs(os.path.dirname(into.path(rel)), exist_ok=True)
            os.link(self.path(rel), into.path(rel), follow_symlinks=False)
            return
        try:
            target = into.folder(folder)
        except FileNotFoundError:
            target = into.make(folder)
        os.link(name, name, src_dir_fd=self.folder(folder), dst_dir_fd=target, follow_symlinks=False)

    def make(self, folder: str) -> int:
        """Make the "/"-joined ``folder`` (and those above it) if missing; its descriptor."""
        parent, _, name = folder.rpartition("/")
        try:
            above = self.folder(parent)
        except FileNotFoundError:
            above = self.make(parent)
        with contextlib.suppress(FileExistsError):
            os.mkdir(name, dir_fd=above)
        return self.folder(folder)


def write_manifest(
    folder: Path,
    files: dict[str, str],
    edited: Sequence[str] = (),
    units: Mapping[str, Sequence[str]] | None = None,
    plan: Mapping[str, Any] | None = None,
    known: Mapping[str, list[int]] | None = None,
) -> None:
    """Write the manifest of the tree ``folder``: each file's hash, and its size and time (a quick check
    that it is unchanged; the hash decides when they differ); the outputs kept because edited by hand; the
    content key of each output piece with its files (:func:`read_units`); the build's ``plan`` entry
    (:func:`read_plan`). ``known``: the size and time of some files, read already (the reused ones, links to
    the published files: 14,000 lstat calls a rebuild would make again)."""
    stats = {}
    root = os.fspath(folder)
    known = known or {}
    for rel in files:
        found = known.get(rel)
        if found is None:
            info = os.lstat(os.path.join(root, rel))
            found = [info.st_size, info.st_mtime_ns]
        stats[rel] = found
    data = {
        "version": 2,
        "files": dict(sorted(files.items())),
        "stat": stats,
        "edited": sorted(edited),
        "units": {key: list(rels) for key, rels in sorted((units or {}).items())},
    }
    if plan is not None:
        data["plan"] = dict(plan)
    (folder / MANIFEST).write_bytes(_encoded(data))


def _encoded(data: Any) -> bytes:
    """The manifest's bytes: one line, no indentation (json's C encoder: indenting takes its Python one, a second
    for 14,000 files), other than ASCII escaped (the encoder's quicker path, and the bytes need no encoding)."""
    return json.dumps(data, separators=(",", ":")).encode("ascii")


def read_plan(out_dir: Path) -> dict[str, Any] | None:
    """The ``plan`` entry of the manifest of ``out_dir``: the input stamp of the build that wrote it
    (:mod:`matrix.build.inputs`), its documents' units and keys, its report's notes; None when absent."""
    found = _taken(out_dir, "plan", lambda data: data.get("plan") if isinstance(data, dict) else None)
    return dict(found) if isinstance(found, dict) else None


def record_plan(out_dir: Path, plan: Mapping[str, Any]) -> None:
    """Put ``plan`` in the manifest of ``out_dir`` in place (a build that found every output as it is, from
    inputs that differ in bytes only), written beside and renamed; nothing else of the manifest changes."""
    path = out_dir / MANIFEST
    try:
        data = json.loads(path.read_bytes().decode("utf-8")) if stat.S_ISREG(path.lstat().st_mode) else None
    except (OSError, ValueError):
        return
    if not isinstance(data, dict) or data.get("plan") == plan:
        return
    data["plan"] = dict(plan)
    temporary = out_dir / f"{STAGE_PREFIX}manifest"
    try:
        temporary.write_bytes(_encoded(data))
        os.replace(temporary, path)
    except OSError:  # a manifest that cannot be updated only costs the next build its quick answer
        with contextlib.suppress(OSError):
            temporary.unlink()


# --------------------------------------------------------------------------- switching trees


def _journal(real: Path) -> Path:
    return real.parent / f".{real.name}.matrix-journal"


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2(RENAME_EXCHANGE)``); False where unsupported."""
    if sys.platform != "linux":
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    if result == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def swap(new: Path, real: Path) -> Path | None:
    """Make ``new`` the tree at ``real``; return where the old tree ends (``new``, or ``old`` beside it without
    an atomic exchange; None when there was none), inside the staging folder: removed by the caller's clean-up."""
    if not real.exists():
        os.rename(new, real)
        return None
    if _exchange(new, real):
        return new
    journal = _journal(real)
    trash = new.with_name("old")
    journal.write_text(json.dumps({"new": str(new.resolve()), "old": str(trash.resolve())}), encoding="utf-8")
    os.rename(real, trash)
    try:
        os.rename(new, real)
    except OSError:
        os.rename(trash, real)
        journal.unlink()
        raise
    journal.unlink()
    return trash


def recover(real: Path) -> None:
    """Finish or undo a switch a killed build left half done, then remove stale staging folders."""
    journal = _journal(real)
    if journal.exists():
        sources: tuple[Path, ...] = ()
        try:
            data = json.loads(journal.read_text(encoding="utf-8"))
            sources = (Path(data["new"]), Path(data["old"]))
        except (OSError, ValueError, KeyError, TypeError):
            pass
        if not real.exists():
            home = real.resolve().parent
            for source in sources:  # complete the switch if the new tree is whole, else roll back
                if (
                    source.is_dir()
                    and source.parent.name.startswith(STAGE_PREFIX)
                    and source.resolve().parent.parent == home
                ):
                    os.rename(source, real)
                    break
        journal.unlink(missing_ok=True)
    for folder in (real.parent, real):
        try:
            stale = [
                p
                for p in folder.iterdir()
                if p.name.startswith(STAGE_PREFIX + (real.name + "-" if folder == real.parent else ""))
            ]
        except OSError:
            continue
        for path in stale:
            if path.is_dir() and not path.is_symlink():
                remove_tree(path)


def remove_tree(path: Path) -> None:
    """Delete a staging tree, read-only folders included; never follows links."""

    def retry(function: Any, name: str, _: Any) -> None:
        try:
            os.chmod(os.path.dirname(name), 0o700)
            os.chmod(name, 0o700, follow_symlinks=False) if not os.path.islink(name) else None
            function(name)
        except OSError:
            pass

    if path.exists() or path.is_symlink():
        shutil.rmtree(path, onerror=retry)


@contextlib.contextmanager
def publish_lock(real: Path, notify: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the lock of output folder ``real`` (a file beside it); wait, saying so, while another build holds it."""
    path = real.parent / f".{real.name}.matrix-lock"
    try:
        handle = open(path, "a+b")  # noqa: SIM115 - closed by the with below; opened apart to word its error
    except OSError as exc:
        raise OutputError(f"không tạo được tệp khóa '{path}': {os_message(exc)}") from exc
    with handle:  # closing releases the lock
        if not _try_lock(handle):
            if notify is not None:
                notify(f"Đang chờ một lần chạy matrix khác ghi xong vào '{real.name}'...")
            while not _try_lock(handle):
                time.sleep(0.2)
        yield


def _try_lock(handle: Any) -> bool:
    try:
        if os.name == "nt":  # pragma: no cover - Windows
            import msvcrt

            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _replaceable(target: Path) -> bool:
    if not target.exists():
        return True
    if target.is_dir():
        return False
    try:
        with open(target, "r+b"):
            pass
    except OSError:
        return False
    return True
