"""Every write of a clerk's file is one locked, atomic transaction.

Tracking records, the registry, drafts, exports and calendars are all written
here, the same way:

- a lock (:mod:`filelock`, an empty ``.<name>.matrix-lock`` file left beside
  the target) is held around every read-modify-write (:func:`update_file`:
  records, the web's alias added to the registry), so two ``matrix report`` at
  once never lose a record; a whole new content (:func:`write_file`: an
  export, a calendar, a draft, ``registry init``) needs none, its rename is
  the transaction;
- the new content goes to a temporary file in the same folder, named
  ``.<name>.matrix-tmp-XXXX`` (a dot file with no ``.yaml`` ending: no loader
  ever reads it), written with ``os.write``, ``fsync``-ed, checked (the record
  read back) and renamed over the target in one step; the folder is
  ``fsync``-ed after;
- the new file keeps the permissions (and, where allowed, the owner) of the one
  it replaces; a new file gets the umask's, as ``open`` would give;
- the previous version is kept as ``<name>.bak`` when asked (clerk's inputs);
- the temporary is removed on every failure (a full disk leaves nothing
  behind), and every failure is an :class:`~matrix.core.errors.OutputError` in
  Vietnamese;
- a target that exists and is not a regular file is never replaced: a
  character device (``/dev/null``, ``/dev/stdout``) or a FIFO with a reader is
  written through as a stream; a FIFO without a reader, a socket, a block
  device or a folder is refused;
- a file moved aside (a withdrawn directive, :func:`move_file`) is moved in one
  step under its lock and never over another file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from ..core.errors import OutputError, os_message

TEMP_MARK = ".matrix-tmp-"
LOCK_SUFFIX = ".matrix-lock"
BACKUP_SUFFIX = ".bak"
LOCK_TIMEOUT = 60.0  # seconds: a report waits this long for another one to finish
_CHUNK = 1 << 20

__all__ = [
    "BACKUP_SUFFIX",
    "LOCK_SUFFIX",
    "TEMP_MARK",
    "backup_path",
    "is_stream",
    "locked",
    "move_file",
    "update_file",
    "write_all",
    "write_file",
]


def backup_path(path: Path) -> Path:
    """Where the previous version of ``path`` is kept: ``theo-doi/x.yaml`` -> ``theo-doi/x.yaml.bak``."""
    return path.with_name(path.name + BACKUP_SUFFIX)


def _lock_path(path: Path) -> Path:
    return path.with_name(f".{path.name}{LOCK_SUFFIX}")


def _fail(path: Path, exc: BaseException, what: str) -> OutputError:
    return OutputError(f"Không ghi được {what} '{path}': {os_message(exc)}.")


def _kind(path: Path) -> int | None:
    """The file type bits of what stands at ``path`` (links followed), None when nothing does."""
    try:
        return stat.S_IFMT(os.stat(path).st_mode)
    except FileNotFoundError:
        if os.path.islink(path):  # a dangling link: writing would create a file somewhere else
            raise OSError(errno.ENOENT, "dangling link", str(path)) from None
        return None


def is_stream(path: Path) -> bool:
    """Whether ``path`` is a character device or a FIFO: written through, never replaced (nor refused as
    "already there")."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)


@contextlib.contextmanager
def locked(path: Path, what: str = "tệp") -> Iterator[None]:
    """Hold the lock of ``path`` (waits up to :data:`LOCK_TIMEOUT` s for another writer)."""
    # Writable by whoever may write the file (the umask's mode, as for a new file): a lock file made by one clerk
    # must not stop another one sharing the folder.
    lock = FileLock(str(_lock_path(path)), timeout=LOCK_TIMEOUT, mode=0o666 & ~_umask())
    try:
        lock.acquire()
    except Timeout:
        raise OutputError(
            f"Không ghi được {what} '{path}': tệp đang được một lệnh matrix khác ghi quá lâu. Hãy thử lại sau."
        ) from None
    except OSError as exc:
        raise _fail(path, exc, what) from None
    try:
        yield
    finally:
        lock.release()


def write_all(fd: int, data: bytes) -> None:
    """Every byte of ``data`` through ``os.write`` (a short write is continued, a full disk raises)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view[:_CHUNK])
        if written <= 0:  # pragma: no cover - os.write raises rather than return 0 on a regular file
            raise OSError(errno.EIO, "short write")
        view = view[written:]


def _umask() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # no /proc: read it by setting it back at once
    os.umask(mask)
    return mask


def _stream(path: Path, data: bytes, what: str) -> None:
    """Write ``data`` through the device or FIFO at ``path``, never creating, truncating or replacing it."""
    flags = os.O_WRONLY | getattr(os, "O_NOCTTY", 0)
    fifo = stat.S_ISFIFO(os.stat(path).st_mode)
    try:
        fd = os.open(path, flags | (os.O_NONBLOCK if fifo else 0))
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise OutputError(
                f"Không ghi được {what} '{path}': đây là ống dẫn (FIFO) chưa có chương trình nào đọc."
            ) from None
        raise _fail(path, exc, what) from None
    try:
        if fifo:
            os.set_blocking(fd, True)
        write_all(fd, data)
    except OSError as exc:
        raise _fail(path, exc, what) from None
    finally:
        os.close(fd)


def _target(path: Path, what: str) -> tuple[Path, bool]:
    """The file to replace (a link's target) and whether it is a stream; refuses what cannot be written."""
    try:
        kind = _kind(path)
    except OSError as exc:
        raise _fail(path, exc, what) from None
    if kind is None or kind == stat.S_IFREG:
        return (Path(os.path.realpath(path)) if kind is not None else path), False
    if kind in (stat.S_IFCHR, stat.S_IFIFO):
        return path, True
    name = {stat.S_IFDIR: "thư mục", stat.S_IFSOCK: "ổ cắm (socket)", stat.S_IFBLK: "thiết bị ổ đĩa"}.get(kind, "")
    raise OutputError(
        f"Không ghi được {what} '{path}': đây là {name or 'tệp đặc biệt'}, không phải tệp thường; "
        "hãy chọn tên tệp khác."
    )


def _replace(
    path: Path,
    data: bytes,
    what: str,
    backup: bool,
    check: Callable[[Path], None] | None,
    make_parents: bool,
    durable: bool = True,
) -> None:
    folder = path.parent
    _make_folder(path, what, make_parents)
    try:
        try:
            old = os.stat(path)
        except FileNotFoundError:
            old = None
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}{TEMP_MARK}", dir=folder)
    except OSError as exc:
        raise _fail(path, exc, what) from None
    try:
        try:
            write_all(fd, data)
            if hasattr(os, "fchmod"):  # POSIX (Windows files have no such mode bits)
                os.fchmod(fd, stat.S_IMODE(old.st_mode) if old is not None else 0o666 & ~_umask())
            if old is not None and hasattr(os, "fchown"):
                with contextlib.suppress(OSError):  # only root may give a file away; others keep their own
                    os.fchown(fd, old.st_uid, old.st_gid)
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        if check is not None:
            check(Path(temporary))
        if backup and old is not None:
            _keep_backup(path)
        os.replace(temporary, path)
        if durable:
            _sync_folder(folder)
    except OSError as exc:
        raise _fail(path, exc, what) from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)


def _keep_backup(path: Path) -> None:
    """``path``'s current version as ``<name>.bak``, replaced in one step (a hard link, else a copy)."""
    bak = backup_path(path)
    fd, temporary = tempfile.mkstemp(prefix=f".{bak.name}{TEMP_MARK}", dir=path.parent)
    os.close(fd)
    try:
        try:
            os.unlink(temporary)
            os.link(path, temporary)
        except OSError:  # a file system without hard links
            shutil.copy2(path, temporary)
        os.replace(temporary, bak)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:  # pragma: no cover - Windows cannot open a folder
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems refuse to sync a folder
        pass
    finally:
        os.close(fd)


def _make_folder(path: Path, what: str, make_parents: bool) -> None:
    if make_parents:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _fail(path, exc, what) from None


def _encode(data: bytes | str) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data


def write_file(
    path: Path,
    data: bytes | str,
    what: str = "tệp",
    *,
    backup: bool = False,
    check: Callable[[Path], None] | None = None,
    make_parents: bool = False,
    durable: bool = True,
) -> None:
    """Write ``data`` (text as UTF-8) to ``path`` as one atomic transaction (no lock: nothing is read first).

    ``check`` reads the written temporary before it replaces ``path`` (it raises to refuse it); ``backup`` keeps
    the previous version as ``<name>.bak``; ``what`` names the file in messages ("sổ theo dõi"). ``durable``
    False: no fsync (a cache's file, which a crash may tear: its reader checks it). A device or FIFO
    is written through (no check, no backup). :class:`~matrix.core.errors.OutputError` on any failure, with nothing
    left behind.
    """
    target, stream = _target(Path(path), what)
    if stream:
        _stream(target, _encode(data), what)
        return
    # A whole new content, not read-modify-write: the rename alone is the transaction (no lock file is left).
    _replace(target, _encode(data), what, backup, check, make_parents, durable)


def update_file(
    path: Path,
    change: Callable[[bytes | None], bytes | str | None],
    what: str = "tệp",
    *,
    backup: bool = True,
    check: Callable[[Path], None] | None = None,
    make_parents: bool = False,
) -> bool:
    """Read-modify-write ``path`` under its lock: ``change`` gets the current content (None when there is no
    file) and returns the new one (None: leave the file as it is). True when the file was written.

    The lock is held from the read to the rename, so concurrent updates are applied one after the other.
    """
    target, stream = _target(Path(path), what)
    if stream:
        raise OutputError(f"Không ghi được {what} '{path}': đây là thiết bị hay ống dẫn, không phải tệp thường.")
    _make_folder(target, what, make_parents)
    with locked(target, what):
        try:
            current: bytes | None = target.read_bytes()
        except FileNotFoundError:
            current = None
        except OSError as exc:
            raise _fail(target, exc, what) from None
        new = change(current)
        if new is None:
            return False
        _replace(target, _encode(new), what, backup, check, make_parents)
        return True


def move_file(source: Path, target: Path, what: str = "tệp", *, make_parents: bool = False) -> None:
    """Move the regular file ``source`` to ``target`` under ``source``'s lock, never over anything at ``target``.

    A hard link then the unlink of ``source`` (a link refuses an existing name: no check-then-rename race); where
    the file system has no hard links, an exclusive copy, synced, then the unlink. Both folders are synced after.
    :class:`~matrix.core.errors.OutputError` when ``target`` exists or anything fails, ``source`` then kept.
    """
    source, target = Path(source), Path(target)
    taken = OutputError(
        f"Không chuyển được {what} '{source}' sang '{target}': đã có một tệp cùng tên ở đó; "
        "matrix không ghi đè, hãy đổi tên hoặc dời tệp đó đi trước."
    )
    _make_folder(target, what, make_parents)
    with locked(source, what):
        try:
            info = os.lstat(source)
        except OSError as exc:
            raise _fail(source, exc, what) from None
        if not stat.S_ISREG(info.st_mode):
            raise OutputError(f"Không chuyển được {what} '{source}': không phải tệp thường.")
        if os.path.lexists(target):
            raise taken
        try:
            try:
                os.link(source, target, follow_symlinks=False)
            except FileExistsError:
                raise taken from None
            except OSError as exc:
                if exc.errno not in (errno.EPERM, errno.EXDEV, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
                    raise
                _copy_new(source, target, taken)
            try:
                os.unlink(source)
            except OSError:
                with contextlib.suppress(OSError):
                    os.unlink(target)  # the move did not happen: one copy only, where it was
                raise
        except OSError as exc:
            raise _fail(target, exc, what) from None
        _sync_folder(target.parent)
        _sync_folder(source.parent)


def _copy_new(source: Path, target: Path, taken: OutputError) -> None:
    """``source`` copied to the new file ``target`` (created exclusively, synced); nothing left on failure."""
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IMODE(os.stat(source).st_mode))
    except FileExistsError:
        raise taken from None
    try:
        try:
            write_all(fd, source.read_bytes())
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(target)
        raise
