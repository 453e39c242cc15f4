"""Nothing a clerk owns is ever lost (issue 14): publishing as one switch, a lock, a manifest that is checked."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import matrix.build.pipeline
import matrix.build.publish
from matrix.build.publish import MANIFEST, file_hash

from .helpers.processes import alive, children
from .helpers.safety import ONE, TWO, english_words, make_project, run, snapshot

OUT = "output"


@pytest.fixture
def project(tmp_path, monkeypatch):
    make_project(tmp_path, ONE, TWO)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def complete(out: Path, user: dict[str, bytes] | None = None) -> bool:
    """``out`` is exactly one build: every file its manifest lists, with the recorded content, plus ``user``'s files."""
    data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    files = data["files"]
    ok = all(file_hash(out / rel) == digest for rel, digest in files.items())
    present = {rel for rel in snapshot(out) if rel != MANIFEST}
    return ok and present == set(files) | set(user or {})


def no_staging(project: Path) -> bool:
    return not list(project.glob(".matrix-tmp-*")) and not list((project / OUT).glob(".matrix-tmp-*"))


def change_input(project: Path) -> None:
    path = project / "input" / f"{ONE}.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Văn phòng UBND tỉnh", "Sở Nội vụ"), encoding="utf-8")


# --------------------------------------------------------------------------- names


def test_E33_agency_ids_giving_one_letter_file_are_refused(project):
    registry = project / "input" / "co-quan.yaml"
    text = registry.read_text(encoding="utf-8")
    # Two bodies of the registry file itself (the shipped one brings the standard catalogue: its bodies have no line).
    start = text.index("agencies:\n") + len("agencies:\n")
    extra = (
        "  - id: cong-an-thu-\n    name: Công an thử mới\n    short: CA mới\n    block: noi-chinh\n"
        "  - id: cong-an-thu\n    name: Công an thử\n    short: CA thử\n    block: noi-chinh\n"
    )
    registry.write_text(text[:start] + extra + text[start:], encoding="utf-8")
    result = run("validate")
    assert result.exit_code == 2, result.output
    line = text[:start].count("\n") + 1
    assert "mã cơ quan 'cong-an-thu' và 'cong-an-thu-'" in result.output and f"co-quan.yaml:{line})" in result.output, (
        result.output
    )
    assert run("build").exit_code == 2 and not (project / OUT).exists()


@pytest.mark.parametrize("first, second", [("ct-mot", "ct-mot-"), ("a-b", "a--b")])
def test_E33_directive_ids_giving_one_folder_are_refused(project, first, second):
    source = (project / "input" / f"{TWO}.yaml").read_text(encoding="utf-8")
    for ident in (first, second):
        (project / "input" / f"{ident}.yaml").write_text(source.replace(f"id: {TWO}", f"id: {ident}"), encoding="utf-8")
    result = run("build")
    assert result.exit_code == 2, result.output
    line = source.split("\n").index(f"id: {TWO}") + 1
    pair = {f"input/{first}.yaml:{line}", f"input/{second}.yaml:{line}"}
    assert "cho cùng một tên thư mục kết quả" in result.output and all(p in result.output for p in pair), result.output
    assert f"'{first}'" in result.output and f"'{second}'" in result.output
    # the file the error is reported in is left out; the others, its twin among them, are built
    assert f"Bỏ qua văn bản '{first}'" in result.output and "1 văn bản bị bỏ qua" in result.output
    assert {ONE, TWO, "tong-hop"} < {p.name for p in (project / OUT).iterdir()}


def test_E33_a_directive_called_tong_hop_is_refused_by_validate(project):
    source = (project / "input" / f"{TWO}.yaml").read_text(encoding="utf-8")
    (project / "input" / f"{TWO}.yaml").write_text(source.replace(f"id: {TWO}", "id: tong-hop"), encoding="utf-8")
    result = run("validate")
    assert result.exit_code == 2 and "dành cho kết quả tổng hợp" in result.output, result.output


# --------------------------------------------------------------------------- what is kept


def test_E34_an_output_edited_by_hand_is_kept_and_the_new_one_written_beside(project):
    assert run("build", "-j", "1").exit_code == 0
    letter = project / OUT / ONE / "thu-giao-nhiem-vu" / "tien-giang-cong-an-tinh.docx"
    letter.write_bytes(b"ban da sua tay")
    change_input(project)
    result = run("build", "-j", "1")
    assert result.exit_code == 0, result.output
    assert letter.read_bytes() == b"ban da sua tay"
    beside = letter.with_name("tien-giang-cong-an-tinh (mới).docx")
    assert beside.is_file() and beside.read_bytes().startswith(b"PK")
    assert (
        "Giữ nguyên" in result.output
        and "tien-giang-cong-an-tinh (mới).docx" in result.output
        and "--force" in result.output
    )
    assert run("build", "-j", "1").exit_code == 0  # again: still kept, the (mới) copy is matrix's and replaced
    assert (
        letter.read_bytes() == b"ban da sua tay"
        and not letter.with_name("tien-giang-cong-an-tinh (mới 2).docx").exists()
    )
    assert run("build", "-j", "1", "--force").exit_code == 0
    assert letter.read_bytes().startswith(b"PK") and not beside.exists()


def test_build_of_one_file_keeps_the_other_directives_and_consolidates_all(project):
    assert run("build", "-j", "1").exit_code == 0
    other = snapshot(project / OUT / TWO)
    change_input(project)
    result = run("build", "-j", "1", f"input/{ONE}.yaml")
    assert result.exit_code == 0, result.output
    assert snapshot(project / OUT / TWO) == other
    data = json.loads((project / OUT / "assignments.json").read_text(encoding="utf-8"))
    assert {d["id"] for d in data["directives"]} == {ONE, TWO}
    assert complete(project / OUT)
    one = (project / OUT / ONE / "ma-tran.xlsx").read_bytes()
    assert run("build", "-j", "1").exit_code == 0 and (project / OUT / ONE / "ma-tran.xlsx").is_file() and one


def test_the_manifest_never_deletes_a_file_matrix_did_not_write(project, tmp_path_factory):
    assert run("build", "-j", "1").exit_code == 0
    out = project / OUT
    (out / "ghi-chu.txt").write_text("của tôi", encoding="utf-8")
    outside = tmp_path_factory.mktemp("ngoai")
    (outside / "bi-mat.txt").write_text("bên ngoài", encoding="utf-8")
    (out / "lien-ket").symlink_to(outside, target_is_directory=True)
    data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    data["files"]["ghi-chu.txt"] = "0" * 64
    data["files"]["lien-ket/bi-mat.txt"] = file_hash(outside / "bi-mat.txt")
    data["files"]["../ngoai.txt"] = "0" * 64
    (out / MANIFEST).write_text(json.dumps(data), encoding="utf-8")
    (project / "ngoai.txt").write_text("x", encoding="utf-8")
    assert run("build", "-j", "1").exit_code == 0
    assert (out / "ghi-chu.txt").read_text(encoding="utf-8") == "của tôi"
    assert (outside / "bi-mat.txt").read_text(encoding="utf-8") == "bên ngoài"
    assert (out / "lien-ket").is_symlink() and (project / "ngoai.txt").exists()
    # an older manifest (a bare list) is not trusted for deleting either
    (out / MANIFEST).write_text(json.dumps(["ghi-chu.txt"]), encoding="utf-8")
    assert run("build", "-j", "1").exit_code == 0 and (out / "ghi-chu.txt").exists()


def test_stale_staging_folders_are_cleaned(project):
    assert run("build", "-j", "1").exit_code == 0
    (project / ".matrix-tmp-output-dead").mkdir()
    (project / ".matrix-tmp-output-dead" / "x.docx").write_bytes(b"x" * 1000)
    (project / OUT / ".matrix-tmp-old").mkdir()
    assert run("build", "-j", "1").exit_code == 0
    assert no_staging(project)


def test_a_clerks_file_where_a_folder_goes_stops_the_build_before_any_change(project):
    assert run("build", "-j", "1").exit_code == 0
    before = snapshot(project / OUT)
    (project / "input" / f"{TWO}.yaml").rename(project / "input" / "tam.bak")
    assert run("build", "-j", "1").exit_code == 0
    (project / OUT / TWO).write_text("tệp của tôi", encoding="utf-8")
    (project / "input" / "tam.bak").rename(project / "input" / f"{TWO}.yaml")
    before = snapshot(project / OUT)
    result = run("build", "-j", "1")
    assert result.exit_code == 1 and f"{OUT}/{TWO}" in result.output and not english_words(result.output), result.output
    assert snapshot(project / OUT) == before and no_staging(project)


def test_a_symlink_where_a_folder_goes_is_never_written_through(project, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("o-khac")
    (project / OUT).mkdir()
    (project / OUT / ONE).symlink_to(elsewhere, target_is_directory=True)
    result = run("build", "-j", "1")
    assert result.exit_code == 1 and not list(elsewhere.iterdir()), result.output
    assert (project / OUT / ONE).is_symlink()


# --------------------------------------------------------------------------- fault injection


def _fail(exc):
    def fail(*args, **kwargs):
        raise exc

    return fail


STEPS = ["_carry", "write_manifest", "file_hash", "swap", "_exchange", "_check_shapes", "_walk"]


@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("exc", [OSError(errno.ENOSPC, "No space left on device"), RuntimeError("boom")])
def test_a_failure_at_any_step_of_publishing_leaves_the_old_build(project, monkeypatch, step, exc):
    assert run("build", "-j", "1").exit_code == 0
    (project / OUT / "ghi-chu.txt").write_text("của tôi", encoding="utf-8")
    before = snapshot(project / OUT)
    change_input(project)
    # the workers hash what they write (matrix.build.pipeline); the other steps are the publishing's own
    monkeypatch.setattr(matrix.build.pipeline if step == "file_hash" else matrix.build.publish, step, _fail(exc))
    result = run("build", "-j", "1")
    assert result.exit_code in (1, 3)
    if isinstance(exc, OSError):
        assert result.exit_code == 1 and "ổ đĩa đã đầy" in result.output, result.output
    assert ".matrix-tmp" not in result.output  # the message names the output folder, not a staging file
    assert snapshot(project / OUT) == before and no_staging(project)


def test_disk_full_while_writing_the_manifest_keeps_the_old_build(project, monkeypatch):
    assert run("build", "-j", "2").exit_code == 0
    before = snapshot(project / OUT)
    change_input(project)
    for name in ("write_text", "write_bytes"):  # however the manifest is written
        real = getattr(Path, name)

        def write(self, *args, _real=real, **kwargs):
            if self.name == MANIFEST:
                raise OSError(errno.ENOSPC, "No space left on device")
            return _real(self, *args, **kwargs)

        monkeypatch.setattr(Path, name, write)
    result = run("build", "-j", "2")
    assert result.exit_code == 1 and "Traceback" not in result.output and "ổ đĩa đã đầy" in result.output
    assert snapshot(project / OUT) == before


KILLER = """
import os, signal, sys
import matrix.build.pipeline, matrix.build.publish
step = sys.argv[1]
b = matrix.build.pipeline if step == "publish" else matrix.build.publish
real = getattr(b, step)
def killed(*args, **kwargs):
    if step == "remove_tree" and "new" not in str(args[0]):
        os.kill(os.getpid(), signal.SIGKILL)
    if step != "remove_tree":
        os.kill(os.getpid(), signal.SIGKILL)
    return real(*args, **kwargs)
setattr(b, step, killed)
from matrix.cli import main
main(["build", "-j", "1"])
"""


def _cli(project: Path, *args: str, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(Path(matrix.build.pipeline.__file__).parent.parent)}
    return subprocess.Popen(
        [sys.executable, *args], cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs
    )


@pytest.mark.parametrize("step", ["publish", "_carry", "write_manifest", "swap", "remove_tree"])
def test_kill_9_at_any_step_leaves_the_old_or_the_new_build(project, step):
    assert run("build", "-j", "1").exit_code == 0
    (project / OUT / "ghi-chu.txt").write_text("của tôi", encoding="utf-8")
    before = snapshot(project / OUT)
    change_input(project)
    process = _cli(project, "-c", KILLER, step)
    process.communicate(timeout=120)
    assert process.returncode == -signal.SIGKILL
    after = snapshot(project / OUT)
    assert after == before or (after != before and complete(project / OUT, {"ghi-chu.txt": b""}))
    assert run("build", "-j", "1").exit_code == 0  # the next run cleans up and publishes
    assert no_staging(project) and complete(project / OUT, {"ghi-chu.txt": b""})


def test_kill_9_at_random_moments_never_mixes_builds(project):
    assert run("build", "-j", "1").exit_code == 0
    for delay in (0.3, 0.8, 1.3, 1.8, 2.5):
        before = snapshot(project / OUT)
        change_input(project)
        process = _cli(project, "-m", "matrix", "build", "-j", "2")
        time.sleep(delay)
        process.kill()
        process.communicate(timeout=60)
        after = snapshot(project / OUT)
        assert after == before or complete(project / OUT)
    time.sleep(0.5)  # workers die with their parent


JOURNAL_KILLER = """
import os, signal, sys
import matrix.build.publish as b
b._exchange = lambda a, c: False  # as on Windows: no atomic exchange, two renames under a journal
real = os.rename
calls = []
def rename(a, c):
    calls.append(a)
    if len(calls) == int(sys.argv[1]):
        os.kill(os.getpid(), signal.SIGKILL)
    return real(a, c)
b.os.rename = rename
from matrix.cli import main
main(["build", "-j", "1"])
"""


@pytest.mark.parametrize("at", [1, 2])
def test_without_an_atomic_exchange_the_journal_completes_the_switch(project, at):
    assert run("build", "-j", "1").exit_code == 0
    (project / OUT / "ghi-chu.txt").write_text("của tôi", encoding="utf-8")
    before = snapshot(project / OUT)
    change_input(project)
    process = _cli(project, "-c", JOURNAL_KILLER, str(at))
    process.communicate(timeout=120)
    assert process.returncode == -signal.SIGKILL
    matrix.build.publish.recover(project / OUT)  # what the next run does first, under the lock
    after = snapshot(project / OUT)
    assert after == before or complete(project / OUT, {"ghi-chu.txt": b""})
    assert (at == 1) == (after == before)  # killed before the switch: old; between its two renames: new
    assert no_staging(project) and not list(project.glob(".*.matrix-journal"))


def test_two_builds_started_together_never_mix(project):
    assert run("build", "-j", "1").exit_code == 0
    change_input(project)
    first = _cli(project, "-m", "matrix", "build", "-j", "1")
    second = _cli(project, "-m", "matrix", "build", "-j", "1", "--paper", "A3")
    outs = [p.communicate(timeout=180) for p in (first, second)]
    assert first.returncode == 0 and second.returncode == 0, outs
    assert complete(project / OUT) and no_staging(project)


def test_a_build_waits_for_the_one_holding_the_lock_and_says_so(project):
    import threading

    assert run("build", "-j", "1").exit_code == 0
    before = snapshot(project / OUT)
    held = threading.Event()
    untouched: list[bool] = []

    def hold():
        with matrix.build.publish.publish_lock(project / OUT):
            held.set()
            time.sleep(3)
            untouched.append(snapshot(project / OUT) == before)  # nothing published while the lock is held

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(10)
    change_input(project)
    start = time.monotonic()
    result = run("build", "-j", "1")
    holder.join()
    assert result.exit_code == 0 and "Đang chờ một lần chạy matrix khác" in result.output, result.output
    assert time.monotonic() - start >= 2.5 and complete(project / OUT) and untouched == [True]


def test_a_failed_build_leaves_no_pool_thread_behind(project, monkeypatch):
    """A build that fails in a worker ends the pool's management thread before it returns: CPython's exit hook
    wakes a thread still ending through a pipe that thread closes (a race fixed in 3.12), which printed a
    traceback after "Đã dừng" when a clerk stopped a build."""
    import concurrent.futures.process

    import matrix.build.outputs

    def broken(*args, **kwargs):
        raise RuntimeError("hỏng")

    monkeypatch.setattr(matrix.build.outputs.Letters, "write", broken)
    result = run("build", "-j", "2")
    assert result.exit_code != 0
    managers = [t for t in threading.enumerate() if isinstance(t, concurrent.futures.process._ExecutorManagerThread)]
    assert managers == []


def test_sigterm_ends_the_workers(project):
    process = _cli(project, "-m", "matrix", "build", "-j", "2")
    workers: set[int] = set()
    deadline = time.time() + 20
    while time.time() < deadline and not workers:
        workers = children(process.pid)
        time.sleep(0.05)
    assert workers, "the build started no worker"
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode != 0 and "Traceback" not in err.decode()
    time.sleep(0.5)
    left = [pid for pid in workers if alive(pid)]
    assert left == [] and no_staging(project)


@pytest.mark.parametrize("depth", [1, 2])
def test_a_file_reached_through_a_linked_folder_is_never_reused(project, tmp_path_factory, depth):
    """A recorded file whose folder (or that folder's parent) was replaced by a link to a copy is rendered
    again, never taken through the link; the other files of the build still are reused."""
    import shutil

    from matrix.build.publish import read_manifest, read_stats, read_units, reusable

    assert run("build", "-j", "1").exit_code == 0
    out = project / OUT
    deep = next(rel for rel in read_manifest(out) if rel.count("/") == 2)  # view/letters/letter.docx
    folder = "/".join(deep.split("/")[:depth])
    copy = tmp_path_factory.mktemp("copy") / "here"
    shutil.copytree(out / folder, copy)
    shutil.rmtree(out / folder)
    (out / folder).symlink_to(copy, target_is_directory=True)
    files, stats, units = read_manifest(out), read_stats(out), read_units(out)
    assert not reusable(out, [deep], files, stats)
    others = [rels for rels in units.values() if not any(rel.startswith(folder + "/") for rel in rels)]
    assert others and all(reusable(out, rels, files, stats) for rels in others)


@pytest.mark.parametrize("damaged", [["x", "y"], [1], "12", None, [True, 0]])
def test_a_file_whose_recorded_size_and_time_are_damaged_is_hashed(project, damaged):
    """The manifest's size and time of a file are a shortcut only when they are a pair of numbers: else the file
    is hashed (here: edited, same size and time, so only the hash tells), and the other files keep the shortcut."""
    from matrix.build.publish import _PARSED, read_manifest, read_stats, read_units, reusable

    assert run("build", "-j", "1").exit_code == 0
    out = project / OUT
    units = read_units(out)
    rels = next(rels for rels in units.values() if len(rels) == 1 and rels[0].endswith(".docx"))
    path = out / rels[0]
    info = path.stat()
    data = path.read_bytes()
    path.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    manifest["stat"][rels[0]] = damaged
    (out / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    _PARSED.clear()
    files, stats = read_manifest(out), read_stats(out)
    assert not reusable(out, rels, files, stats)
    assert all(reusable(out, other, files, stats) for other in units.values() if other != rels)


# --------------------------------------------------------------------------- the old tree removed without waiting


def test_a_large_old_tree_is_removed_by_a_process_of_its_own_and_by_the_next_build_if_cut_short(project, monkeypatch):
    """The clerk does not wait for the old tree's removal: it leaves the staging folder under a staging name
    (never the output folder) for a process started for it; if that process never ran, the next build removes it."""
    monkeypatch.setattr(matrix.build.publish, "BACKGROUND_REMOVAL", 0)
    started: list[list[str]] = []

    class NeverRun:  # the removal cut short before it began
        def __init__(self, args, **kwargs):
            started.append(args)

        def poll(self):
            return 0

    monkeypatch.setattr(matrix.build.publish.subprocess, "Popen", NeverRun)
    monkeypatch.setattr(matrix.build.publish, "_REMOVERS", [])
    assert run("build", "-j", "1").exit_code == 0
    assert not started and no_staging(project)  # a first build has no old tree
    out = project / OUT
    before = snapshot(out)
    change_input(project)
    assert run("build", "-j", "1").exit_code == 0
    assert complete(out) and snapshot(out) != before
    (aside,) = project.glob(".matrix-tmp-*")
    assert aside.name.startswith(f".matrix-tmp-{OUT}-") and aside.name.endswith("-old")
    assert snapshot(aside) == before  # the old tree whole, out of the output folder
    assert len(started) == 1 and started[0][-1] == str(aside)
    monkeypatch.setattr(matrix.build.publish, "BACKGROUND_REMOVAL", 10**9)
    assert run("build", "-j", "1").exit_code == 0
    assert no_staging(project) and complete(out)


def test_the_process_removing_the_old_tree_removes_it(project, monkeypatch):
    monkeypatch.setattr(matrix.build.publish, "BACKGROUND_REMOVAL", 0)
    monkeypatch.setattr(matrix.build.publish, "_REMOVERS", [])
    assert run("build", "-j", "1").exit_code == 0
    change_input(project)
    assert run("build", "-j", "1").exit_code == 0
    assert complete(project / OUT)
    (process,) = matrix.build.publish._REMOVERS
    assert process.wait(60) == 0
    assert no_staging(project)


# --------------------------------------------------------------------------- one look at each reused file


def _document(docx: bytes) -> bytes:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(docx)) as package:
        return package.read("word/document.xml")


def _reused_letter(out: Path) -> str:
    """A letter of the directive :func:`change_input` leaves alone: reused by the next build."""
    files = json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"]
    return next(rel for rel in sorted(files) if rel.startswith(TWO + "/") and rel.endswith(".docx"))


@pytest.mark.parametrize("how", ["in place", "saved anew"])
def test_a_reused_file_edited_while_the_build_renders_is_kept_and_the_new_one_is_matrix_s(project, monkeypatch, how):
    """The published files are looked at once, after the rendering, just before the switch: a reused letter the
    clerk edits once it is linked into the new tree (in place: the link is the same file; or saved anew, as Word
    does) is kept as edited, and the letter written beside it holds matrix's letter, never the clerk's text."""
    assert run("build", "-j", "1").exit_code == 0
    out = project / OUT
    letter = _reused_letter(out)
    before = (out / letter).read_bytes()
    real = matrix.build.pipeline._print_layouts

    edits: list[str] = []

    def edit_then(*args, **kwargs):  # run while the workers render, after the reused files are linked
        path = out / letter
        if edits:
            pass
        elif how == "in place":
            with open(path, "r+b") as handle:
                handle.seek(0, os.SEEK_END)
                handle.write(b"clerk")
        else:
            (out / "~$tam.docx").write_bytes(before + b"clerk")
            os.replace(out / "~$tam.docx", path)
        edits.append(how)
        return real(*args, **kwargs)

    monkeypatch.setattr(matrix.build.pipeline, "_print_layouts", edit_then)
    change_input(project)
    result = run("build", "-j", "1")
    assert result.exit_code == 0 and "Giữ nguyên" in result.output, result.output
    assert (out / letter).read_bytes() == before + b"clerk"
    beside = (out / letter).with_name(f"{Path(letter).stem} (mới).docx")
    # its key did not change: the same letter as the last build's (written anew: only its zip times may differ)
    assert _document(beside.read_bytes()) == _document(before) and not beside.read_bytes().endswith(b"clerk")
    assert run("build", "-j", "1").exit_code == 0 and (out / letter).read_bytes() == before + b"clerk"


def test_a_reused_file_gone_or_reached_through_a_link_is_rendered_never_taken_through_it(project, tmp_path_factory):
    """A recorded file deleted since the last build is rendered again; one whose folder became a link to a copy
    is neither linked nor copied through the link (the link where a folder goes stops the build, as always)."""
    import shutil

    assert run("build", "-j", "1").exit_code == 0
    out = project / OUT
    letter = _reused_letter(out)
    before = (out / letter).read_bytes()
    (out / letter).unlink()
    change_input(project)
    assert run("build", "-j", "1").exit_code == 0
    assert _document((out / letter).read_bytes()) == _document(before)
    folder = out / Path(letter).parent
    copy = tmp_path_factory.mktemp("copy") / "here"
    shutil.copytree(folder, copy)
    shutil.rmtree(folder)
    folder.symlink_to(copy, target_is_directory=True)
    kept = snapshot(copy)
    change_input(project)
    (project / "input" / f"{ONE}.yaml").write_text(
        (project / "input" / f"{ONE}.yaml").read_text(encoding="utf-8") + "\n# lại\n", encoding="utf-8"
    )
    result = run("build", "-j", "1")
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert snapshot(copy) == kept and folder.is_symlink()


def test_a_manifest_changed_by_hand_after_it_was_read_is_read_again(project):
    """A build reads its manifest once while it stays the same file (same inode, size and times); cut short in
    place, with its time put back, it is read again, and being no manifest, trusted for nothing."""
    from matrix.build.publish import read_manifest, read_plan, read_units

    assert run("build", "-j", "1").exit_code == 0
    out = project / OUT
    assert read_units(out) and read_manifest(out) and read_plan(out) is not None
    path = out / MANIFEST
    info = path.stat()
    data = path.read_bytes()
    with open(path, "r+b") as handle:  # the same file, the same size: only its bytes change
        handle.write(data[: len(data) // 2].replace(b"{", b" ", 1))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert path.stat().st_size == info.st_size and path.stat().st_mtime_ns == info.st_mtime_ns
    assert read_units(out) == {} and read_manifest(out) == {} and read_plan(out) is None
