"""LibreOffice past its timeout: the whole process group is killed, no soffice.bin is left running (issue 22)."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from matrix.writers.office import convert

from .helpers.render import soffice


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().split(") ", 1)[1][0] != "Z"  # a zombie is dead, only not reaped
    except OSError:
        return False


def test_a_timeout_kills_what_soffice_started(tmp_path):
    """A stand-in for soffice that starts a child (as soffice starts oosplash and soffice.bin) and hangs."""
    fake = tmp_path / "soffice"
    fake.write_text(f"#!/bin/sh\nsleep 300 &\necho $! > {tmp_path}/child\nsleep 300\n")
    fake.chmod(0o755)
    start = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired):
        convert(str(fake), "pdf", tmp_path, [tmp_path / "x.docx"], tmp_path / "profile", timeout=1)
    assert time.monotonic() - start < 15
    child = int((tmp_path / "child").read_text())
    deadline = time.monotonic() + 5
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child), "the child of soffice outlived the timeout"


@pytest.mark.render
def test_a_real_libreoffice_past_its_timeout_leaves_nothing_running(tmp_path):
    from docx import Document

    binary = soffice()
    doc = Document()
    doc.add_paragraph("Thử")
    doc.save(str(tmp_path / "thu.docx"))
    profile = tmp_path / "profile-of-this-test"
    with pytest.raises(subprocess.TimeoutExpired):
        convert(binary, "pdf", tmp_path, [tmp_path / "thu.docx"], profile, timeout=0.5)
    time.sleep(1)
    found = subprocess.run(["pgrep", "-f", profile.name], capture_output=True, text=True).stdout.split()
    assert [pid for pid in found if int(pid) != os.getpid()] == [], "LibreOffice still runs after its timeout"
    assert not list(Path(tmp_path).glob("thu.pdf"))
