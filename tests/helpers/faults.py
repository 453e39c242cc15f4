"""Faults for the tests of clerk's files: a full disk (a small tmpfs, or a patched ``os.write``), device nodes of
our own, the CLI in a real process (to run many at once, or kill it mid-write)."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from . import ROOT

FULL_DEVICE = (1, 7)  # the major, minor numbers of /dev/full
NULL_DEVICE = (1, 3)  # /dev/null


def device(path: Path, numbers: tuple[int, int]) -> Path:
    """A character device node at ``path`` (a copy of /dev/full or /dev/null in the test's own folder: a write that
    replaced it would only replace this copy, never the machine's /dev); skipped where nodes cannot be made."""
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(*numbers))
        fd = os.open(path, os.O_WRONLY)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(path)
        pytest.skip("cannot make or open a device node here (not root, or a nodev file system)")
    os.close(fd)
    return path


def is_device(path: Path) -> bool:
    return stat.S_ISCHR(os.lstat(path).st_mode)


def disk_full_under(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Every ``os.write`` to a file under ``folder`` fails as on a full disk (ENOSPC); other writes go through."""
    real = os.write
    prefix = str(folder.resolve())

    def write(fd: int, data: bytes) -> int:
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            target = ""
        if target.startswith(prefix):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(fd, data)

    monkeypatch.setattr(os, "write", write)


@contextlib.contextmanager
def full_tmpfs(mount_point: Path, size_kb: int = 128) -> Iterator[Path]:
    """A small tmpfs at ``mount_point``, filled up but for a few bytes; skipped where it cannot be mounted."""
    mount_point.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(mount_point)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        filler = mount_point / "filler"
        with contextlib.suppress(OSError), open(filler, "wb") as handle:
            while True:
                handle.write(b"\0" * 4096)
                handle.flush()
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)


def free(mount_point: Path) -> None:
    """Make room again on a :func:`full_tmpfs`."""
    (mount_point / "filler").unlink()


def matrix_process(*args: str, cwd: Path, before: str = "") -> subprocess.Popen[str]:
    """``matrix ARGS`` in a new Python process; ``before`` is Python run first (to plant a fault)."""
    code = f"{before}\nfrom matrix.cli import main\nmain()"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MATRIX_DEBUG": ""}
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_matrix(*args: str, cwd: Path, before: str = "", timeout: float = 120) -> tuple[int, str]:
    """(exit code, stdout + stderr) of :func:`matrix_process`."""
    process = matrix_process(*args, cwd=cwd, before=before)
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out + err


# Python run before the CLI: the process kills itself (SIGKILL, as kill -9) at the worst moments of a write to
# theo-doi/: just before the rename that replaces a records file, and halfway through writing the new content.
KILL_BEFORE_RENAME = (
    "import os, signal\n"
    "_replace = os.replace\n"
    "def _kill(src, dst, *a, **k):\n"
    "    if 'theo-doi' in str(dst) and not str(dst).endswith('.bak'):\n"
    "        os.kill(os.getpid(), signal.SIGKILL)\n"
    "    return _replace(src, dst, *a, **k)\n"
    "os.replace = _kill\n"
)
KILL_HALF_WRITTEN = (
    "import os, signal\n"
    "_write = os.write\n"
    "def _kill(fd, data):\n"
    "    try:\n"
    "        name = os.readlink(f'/proc/self/fd/{fd}')\n"
    "    except OSError:\n"
    "        name = ''\n"
    "    if 'theo-doi' in name and '.bak' not in name and 'matrix-lock' not in name:\n"
    "        _write(fd, bytes(data)[: len(data) // 2])\n"
    "        os.kill(os.getpid(), signal.SIGKILL)\n"
    "    return _write(fd, data)\n"
    "os.write = _kill\n"
)


def tracking_book(path: Path, input_dir: Path, rows: int, note: str | None = "đã gửi bản giấy") -> Path:
    """A workbook whose "Theo dõi" sheet (as ``matrix build`` writes it for ``input_dir``) is filled with ``rows``
    distinct reports (the form's rows repeated with numbers 1, 2, ...), every cell a string like a clerk's."""
    import datetime as dt

    from openpyxl import Workbook

    from matrix.core.pivot import build_matrix
    from matrix.input.load import load_corpus
    from matrix.writers.tracking_sheet import FIRST_INPUT, write_tracking_sheet

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    write_tracking_sheet(sheet, build_matrix(load_corpus([input_dir]).require()))
    form = [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)]
    sheet.delete_rows(2, sheet.max_row)
    for n in range(rows):
        values = list(form[n % len(form)])
        values[FIRST_INPUT - 1 : FIRST_INPUT + 3] = [dt.datetime(2025, 6, 28), f"{n + 1}/BC", "Đang thực hiện", note]
        sheet.append(values)
    book.save(path)
    return path
