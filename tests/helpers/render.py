"""Converting many documents to PDF at once for the render tests, and reading the pages back fast.

LibreOffice converts one file after another in a process: the documents are shared out between
``jobs`` processes that run at the same time, each with a private profile (two LibreOffice processes
cannot share one). Pages are read with poppler's ``pdftotext`` when it is installed (about twenty
times faster than pypdf on a workbook of 450 pages), else with pypdf.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from matrix.writers.office import convert_command, find_soffice


def soffice() -> str:
    """The LibreOffice command; a skip when it is missing, but a failure under CI."""
    found = find_soffice()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is required under CI")
        pytest.skip("LibreOffice (soffice) is not installed")
    return found


def share_out(paths: list[Path], jobs: int) -> list[list[Path]]:
    """``paths`` in at most ``jobs`` groups of about equal size in bytes (the largest first)."""
    groups: list[list[Path]] = [[] for _ in range(max(1, min(jobs, len(paths))))]
    sizes = [0] * len(groups)
    for path in sorted(paths, key=lambda p: p.stat().st_size, reverse=True):
        lightest = sizes.index(min(sizes))
        groups[lightest].append(path)
        sizes[lightest] += path.stat().st_size
    return [g for g in groups if g]


def convert_all(paths: list[Path], out_dir: Path, jobs: int = 2, timeout: float = 600) -> list[Path]:
    """Convert ``paths`` to PDF in ``out_dir`` with ``jobs`` LibreOffice processes at once; the PDFs."""
    binary = soffice()
    with tempfile.TemporaryDirectory(prefix="matrix-test-lo-") as profiles:
        running = []
        for n, group in enumerate(share_out(paths, jobs)):
            command = convert_command(binary, "pdf", out_dir, group, Path(profiles) / str(n))
            running.append(subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        for process in running:
            out, err = process.communicate(timeout=timeout)
            assert process.returncode == 0, out + err
    pdfs = [out_dir / f"{p.stem}.pdf" for p in paths]
    missing = [p.name for p in pdfs if not p.exists()]
    assert not missing, f"LibreOffice made no PDF for {missing}"
    return pdfs


def page_texts(pdf: Path) -> list[str]:
    """The text of each page of ``pdf``."""
    from pypdf import PdfReader

    count = len(PdfReader(pdf).pages)
    tool = shutil.which("pdftotext")
    if tool is None:
        return [page.extract_text() for page in PdfReader(pdf).pages]
    done = subprocess.run([tool, "-raw", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True)
    pages = done.stdout.split("\f")
    assert len(pages) == count + 1 and pages[-1].strip() == "", f"{pdf.name}: pdftotext gave {len(pages)} pages"
    return pages[:-1]
