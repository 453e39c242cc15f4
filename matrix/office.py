"""LibreOffice headless, the one way matrix (and its tests and benchmarks) run it.

Documents are converted by ``soffice --headless --convert-to``; each run gets a
private profile (``-env:UserInstallation``) so that it works beside a LibreOffice
the user has open and beside other conversions running at the same time.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

__all__ = ["convert", "convert_command", "find_soffice"]


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
    checks the files it expects, since soffice exits 0 even when a file could not be converted."""
    return subprocess.run(
        convert_command(binary, target, out_dir, files, profile),
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
