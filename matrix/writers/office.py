"""LibreOffice headless, the one way matrix (and its tests and benchmarks) run it, and the PDF step.

Documents are converted by ``soffice --headless --convert-to``; each run gets a
private profile (``-env:UserInstallation``) so that it works beside a LibreOffice
the user has open and beside other conversions running at the same time.
:func:`convert_to_pdf` is the build's PDF step (``matrix build --pdf``).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from ..core.errors import MatrixError, OutputError

__all__ = ["PdfConversionError", "PdfUnavailable", "convert", "convert_command", "convert_to_pdf", "find_soffice"]


def find_soffice() -> str | None:
    """The LibreOffice command, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_command(binary: str, target: str, out_dir: Path, files: Sequence[Path], profile: Path) -> list[str]:
    """The command converting ``files`` to ``target`` ("pdf", "docx") into ``out_dir``, with the profile ``profile``."""
    return [
        binary,
        f"-env:UserInstallation={Path(profile).resolve().as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        target,
        "--outdir",
        str(out_dir),
        *(str(f) for f in files),
    ]


def convert(
    binary: str, target: str, out_dir: Path, files: Sequence[Path], profile: Path, timeout: float
) -> subprocess.CompletedProcess[str]:
    """Run :func:`convert_command` and wait (``subprocess.TimeoutExpired`` after ``timeout`` seconds); the caller
    checks the files it expects, since soffice exits 0 even when a file could not be converted.

    LibreOffice runs in a process group of its own (``soffice`` starts ``oosplash``, which starts
    ``soffice.bin``): on a timeout, or when the caller is interrupted, the whole group is killed, so no
    ``soffice.bin`` is left running.
    """
    command = convert_command(binary, target, out_dir, files, profile)
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    ) as process:
        try:
            out, err = process.communicate(timeout=timeout)
        except BaseException:  # the timeout, Ctrl+C, a worker stopped: nothing of LibreOffice outlives the call
            _kill_group(process)
            raise
    return subprocess.CompletedProcess(command, process.returncode, out, err)


def _kill_group(process: subprocess.Popen[str]) -> None:
    """SIGKILL to every process of ``process``'s group (its own session), then reap ``process``."""
    try:
        if hasattr(os, "killpg"):
            os.killpg(process.pid, signal.SIGKILL)  # the group is the process's own: not reaped yet, still its
        else:  # pragma: no cover - Windows: no process groups here, the process alone
            process.kill()
    except (ProcessLookupError, PermissionError):
        pass
    try:
        process.communicate(timeout=10)
    except (subprocess.TimeoutExpired, ValueError, OSError):  # pragma: no cover - a process that will not die
        pass


class PdfUnavailable(MatrixError):
    """LibreOffice (``soffice``) is not installed: no PDF, the .docx files are kept."""


class PdfConversionError(OutputError):
    """LibreOffice ran but did not produce every PDF."""


def convert_to_pdf(paths: Sequence[Path], *, batch_size: int = 100) -> list[Path]:
    """Convert documents (.docx, .xlsx) to PDF beside them with LibreOffice headless; return the PDFs.

    Many files go to one ``soffice`` call (starting it is the slow part); a
    private profile lets it run while the user's LibreOffice is open.
    """
    if not paths:
        return []
    soffice = find_soffice()
    if soffice is None:
        raise PdfUnavailable(
            "Không tìm thấy LibreOffice (lệnh soffice): chưa tạo được PDF, các tệp .docx vẫn được giữ."
        )
    started = time.time() - 1
    by_folder: dict[Path, list[Path]] = defaultdict(list)
    for path in dict.fromkeys(p.resolve() for p in paths):
        by_folder[path.parent].append(path)
    with tempfile.TemporaryDirectory(prefix="matrix-lo-") as profile:
        for folder, files in by_folder.items():
            for start in range(0, len(files), batch_size):
                _run_soffice(soffice, Path(profile), folder, files[start : start + batch_size])
    pdfs = [p.with_suffix(".pdf") for p in paths]
    missing = [p for p in pdfs if not p.exists() or p.stat().st_mtime < started]
    if missing:
        raise PdfConversionError(f"LibreOffice không tạo được PDF cho: {', '.join(p.name for p in missing)}.")
    return pdfs


def _run_soffice(soffice: str, profile: Path, out_dir: Path, files: list[Path]) -> None:
    try:
        convert(soffice, "pdf", out_dir, files, profile, timeout=120 + 10 * len(files))
    except subprocess.TimeoutExpired as exc:
        raise PdfConversionError(f"LibreOffice chạy quá lâu khi tạo PDF trong {out_dir}.") from exc
