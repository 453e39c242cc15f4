"""The directive files a load must read anew, spread over processes (matrix.input.load._read_spread): helper
processes keep their share's entries in the loaded-directive cache while this one reads its own; the load says
and gives exactly what one process does, falls back to one process where it must, and leaves no helper behind."""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import matrix.input.load as load
from matrix.input.cache import DirectiveCache, content, identity
from matrix.input.load import load_corpus

from .helpers.processes import alive, children

ONE = "tiengiang-ubnd-ct-antt-2025"
TWO = "dongthap-ubnd-cv-antt-2025"


def warned(folder: Path) -> Path:
    """``folder`` with warnings in two of its files (an id other than the file's name, a directive undated)."""
    one = folder / f"{ONE}.yaml"
    one.rename(folder / "khac-ten.yaml")
    two = folder / f"{TWO}.yaml"
    lines = [line for line in two.read_text(encoding="utf-8").splitlines() if not line.startswith("date:")]
    two.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def read_here(monkeypatch) -> list[str]:
    """The names of the files this process reads (helpers' reads are not seen: their list is their own copy)."""
    names: list[str] = []
    real = load._read_anew

    def spy(file, *args):
        names.append(file.name)
        return real(file, *args)

    monkeypatch.setattr(load, "_read_anew", spy)
    return names


def said(result) -> list[str]:
    return [str(p) for p in result.problems]


def test_a_spread_load_says_and_gives_what_one_process_does(folder, tmp_path, monkeypatch):
    warned(folder)
    plain = load_corpus([folder])
    assert any(p.severity == "cảnh báo" for p in plain.problems) and plain.corpus is not None
    monkeypatch.setattr(load, "SPREAD_FILES", 1)
    here = read_here(monkeypatch)
    cache = DirectiveCache(tmp_path / "cache", jobs=3)
    result = load_corpus([folder], cache=cache)
    files = len(result.files)
    assert 0 < len(here) < files - 1  # two helpers read a share each
    assert said(result) == said(plain)  # the same warnings, in the same order
    assert result.corpus is not None and result.corpus.directives == plain.corpus.directives
    assert all(identity(d) == content(d) for d in result.corpus.directives)  # each known by its entry
    assert (cache.hits, cache.misses) == (0, files)  # read anew, whoever read it
    assert len(list((tmp_path / "cache").glob("*.json"))) == files
    again = DirectiveCache(tmp_path / "cache", jobs=3)
    here.clear()
    assert said(load_corpus([folder], cache=again)) == said(plain)
    assert (again.hits, again.misses, here) == (files, 0, [])  # the helpers' entries hold


@pytest.mark.parametrize("why", ["one job", "no fork", "few files", "no cache folder", "daemonic"])
def test_one_process_reads_everything_when_spreading_cannot_pay(folder, tmp_path, monkeypatch, why):
    warned(folder)
    plain = load_corpus([folder])
    monkeypatch.setattr(load, "SPREAD_FILES", 3 if why == "few files" else 1)
    if why == "no fork":
        monkeypatch.setattr(mp, "get_all_start_methods", lambda: ["spawn"])
    if why == "daemonic":  # a pool's worker: may not start processes
        monkeypatch.setattr(mp.current_process(), "_config", {**mp.current_process()._config, "daemon": True})
    started: list[object] = []
    monkeypatch.setattr(mp.context.Process, "start", lambda self: started.append(self))
    here = read_here(monkeypatch)
    cache = DirectiveCache(None if why == "no cache folder" else tmp_path / "cache", 1 if why == "one job" else 4)
    result = load_corpus([folder], cache=cache)
    assert said(result) == said(plain) and result.corpus.directives == plain.corpus.directives
    assert started == [] and sorted(here) == sorted(f.name for f in result.files)


def test_a_helper_that_dies_leaves_its_share_to_the_load(folder, tmp_path, monkeypatch):
    warned(folder)
    plain = load_corpus([folder])
    monkeypatch.setattr(load, "SPREAD_FILES", 1)
    monkeypatch.setattr(load, "_keep_share", lambda *args: os._exit(3))
    here = read_here(monkeypatch)
    cache = DirectiveCache(tmp_path / "cache", jobs=2)
    result = load_corpus([folder], cache=cache)
    assert said(result) == said(plain) and result.corpus.directives == plain.corpus.directives
    assert sorted(here) == sorted(f.name for f in result.files) and cache.misses == len(result.files)


# The build whose load the tests stop. Ctrl+C is handled as in a terminal even when the tests run with SIGINT
# ignored: a job started in the background by a non-interactive shell ignores it, its children inherit that, and
# Python then installs no handler (CI run that way saw the build go on to its end and exit 0). Each file read
# takes 10 s, and this process's first read leaves a file "loading" beside the input: once it is there (and the
# helpers, forked before it, are seen), the signal lands in the load however slow the machine.
SLOW_BUILD = """
import os, signal, sys, time
signal.signal(signal.SIGINT, signal.default_int_handler)
import matrix.input.load as load
load.SPREAD_FILES = 1
real = load._read_anew
MAIN = os.getpid()
def slow(*args):
    if os.getpid() == MAIN:
        open("loading", "w").close()
    time.sleep(10)
    return real(*args)
load._read_anew = slow
from matrix.cli import main
main(["build", "input", "-o", "out", "-j", "3"])
"""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the processes in /proc")
@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT])
def test_a_stopped_load_leaves_no_helper_behind(folder, how):
    env = {**os.environ, "PYTHONPATH": str(Path(load.__file__).parent.parent.parent)}
    process = subprocess.Popen(
        [sys.executable, "-c", SLOW_BUILD],
        cwd=folder.parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    helpers: set[int] = set()
    loading = folder.parent / "loading"
    deadline = time.time() + 30
    while time.time() < deadline and (len(helpers) < 2 or not loading.exists()):
        helpers = children(process.pid)
        time.sleep(0.02)
    assert len(helpers) == 2 and loading.exists(), "the load started no helper"
    process.send_signal(how)
    _, err = process.communicate(timeout=60)
    assert process.returncode != 0 and "Traceback" not in err.decode()
    if how == signal.SIGINT:
        assert process.returncode == 130 and "Đã dừng theo yêu cầu." in err.decode()
    stop = time.time() + 5
    while time.time() < stop and any(alive(pid) for pid in helpers):
        time.sleep(0.05)
    assert [pid for pid in helpers if alive(pid)] == []
