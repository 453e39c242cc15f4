"""The build: every output of a corpus, written safely into the output folder.

Files are first written into a staging folder inside the output folder; only
when every one of them succeeded are they moved into place. An output that
cannot be replaced (open in Excel on Windows, read-only) stops the build with
a message naming it before anything is replaced, so the previous outputs stay
as they were. Files in the output folder that matrix did not create are never
touched: a manifest records what the last build wrote.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import errno
import hashlib
import json
import multiprocessing as mp
import os
import shutil
import signal
import stat
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import InputError, OutputError, Problem, os_message
from .model import Corpus, format_date
from .outputs import LETTERS as LETTERS  # the output names, re-exported for the CLI and the web app
from .outputs import REMINDERS as REMINDERS
from .outputs import STATUS_WORKBOOK as STATUS_WORKBOOK
from .outputs import TABLE as TABLE
from .outputs import WORKBOOK as WORKBOOK
from .outputs import Piece, convert_documents, plan_pieces, unit
from .pivot import Matrix, build_matrix
from .stamp import today
from .text import safe_filename

if TYPE_CHECKING:
    from .tracking import Letter, Record, Status

CONSOLIDATED = "tong-hop"
MANIFEST = ".matrix-manifest.json"
STAGE_PREFIX = ".matrix-tmp-"


@dataclass(frozen=True)
class BuildOptions:
    expand_groups: bool = False
    paper: str = "A4"
    templates: Path | None = None
    pdf: bool = False
    jobs: int | None = None  # processes; None = one per CPU core
    # The build date: the consolidated view gives old bodies' tasks to their successors of that date, and the
    # Tình hình thực hiện outputs are computed as of it. None: no successor view, statuses as of today.
    as_of: dt.date | None = None


@dataclass
class BuildSummary:
    """What a build wrote, relative to the output folder."""

    out_dir: Path
    files: list[Path] = field(default_factory=list)
    workbooks: int = 0
    letters: int = 0
    tables: int = 0
    pdfs: int = 0
    pdf_skipped: str | None = None
    reminders: int = 0
    kept: list[tuple[Path, Path]] = field(default_factory=list)  # (edited by hand, kept; the new one instead)


@dataclass(frozen=True)
class BuildPlan:
    """What a build will write: one view of the matrix per directive, then the consolidated one."""

    matrix: Matrix
    views: list[tuple[str, Matrix]]
    options: BuildOptions
    scope: frozenset[str] | None = None  # top-level names of the output folder this build owns (None: all)
    statuses: tuple[Status, ...] = ()
    as_of: dt.date = field(default_factory=today)
    sent_letters: tuple[Letter, ...] = ()  # thư giao nhiệm vụ recorded in input/theo-doi/

    @property
    def letters(self) -> int:
        """How many letters the build writes (for a progress bar)."""
        from .word import letter_count

        return sum(letter_count(view) for _, view in self.views)


def plan_build(
    corpus: Corpus,
    options: BuildOptions = BuildOptions(),
    records: tuple[Record, ...] = (),
    letters: tuple[Letter, ...] = (),
    only: set[str] | None = None,
) -> BuildPlan:
    """Pivot ``corpus`` once and lay out the views the build writes.

    ``records`` and ``letters`` (from ``input/theo-doi/``) give the Tình hình thực hiện outputs, assessed on
    ``options.as_of``. ``only``: the directive ids to write (``matrix build FILES``); the consolidated
    outputs still cover all of ``corpus``, and the outputs of the other directives are kept as they are.
    """
    from .tracking import assess

    if any(d.id == CONSOLIDATED for d in corpus.directives):
        raise InputError(
            [
                Problem(
                    CONSOLIDATED,
                    0,
                    0,
                    f"mã văn bản '{CONSOLIDATED}' được dành cho thư mục kết quả tổng hợp",
                    "hãy đổi mã văn bản (và tên tệp) khác",
                )
            ]
        )
    matrix = build_matrix(corpus, options.expand_groups)
    views = [(safe_filename(d.id), matrix.subset([d.id])) for d in matrix.directives if only is None or d.id in only]
    views.append(
        (CONSOLIDATED, build_matrix(corpus, options.expand_groups, options.as_of) if options.as_of else matrix)
    )
    scope = None if only is None else frozenset({name for name, _ in views} | {"assignments.csv", "assignments.json"})
    as_of = options.as_of or today()
    return BuildPlan(matrix, views, options, scope, assess(matrix, records, as_of), as_of, letters)


def load_for_build(
    paths: Sequence[Path], registry: Path | None, warn: Callable[[str], None]
) -> tuple[Corpus, set[str] | None]:
    """The corpus a build writes, and the directive ids it updates (None: all); ``warn`` is told each warning.

    Given files (``matrix build input/a.yaml``), only their outputs are updated, but the
    consolidated outputs are made from every directive of their folders.
    """
    from .load import load_corpus

    chosen = load_corpus(paths, registry).require(warn)
    if not any(p.is_file() for p in paths):
        return chosen, None
    folders = sorted({p.parent if p.is_file() else p for p in paths})
    return load_corpus(folders, registry).require(), {d.id for d in chosen.directives}


def prepare(
    paths: Sequence[Path], registry: Path | None, options: BuildOptions, warn: Callable[[str], None]
) -> BuildPlan:
    """``matrix build PATHS``: load what the build writes and its records files (``theo-doi/``), and plan it."""
    from .tracking import input_folder, load_letters, load_records

    corpus, only = load_for_build(paths, registry, warn)
    folder = input_folder(paths)
    return plan_build(corpus, options, load_records(folder, corpus), load_letters(folder, corpus), only)


def build(
    plan: BuildPlan,
    out_dir: Path,
    progress: Callable[[int], None] | None = None,
    *,
    force: bool = False,
    notify: Callable[[str], None] | None = None,
) -> BuildSummary:
    """Write CSV/JSON exports, workbooks and letters of ``plan`` into ``out_dir``, published as one switch.

    The new outputs, plus every file of ``out_dir`` matrix must keep (the
    clerk's own files, files edited since matrix wrote them, outputs of
    directives this build does not cover), are laid out as a complete new
    tree beside ``out_dir``; the two trees are then swapped (one atomic
    exchange where the system has it, else two renames under a journal that
    the next run completes). A lock beside ``out_dir`` keeps two builds of
    one folder apart. ``force`` replaces outputs edited by hand.
    """
    real = out_dir.resolve() if out_dir.is_symlink() else out_dir
    try:
        real.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"không tạo được thư mục kết quả '{out_dir}': {os_message(exc)}") from exc
    if real.exists() and not real.is_dir():
        raise OutputError(f"'{out_dir}' đã có và là một tệp, không phải thư mục; hãy đổi tên tệp đó hoặc chọn -o khác.")
    summary = BuildSummary(out_dir)
    with publish_lock(real, notify), _terminate_as_interrupt():
        recover(real)
        try:
            stage = Path(tempfile.mkdtemp(prefix=f"{STAGE_PREFIX}{real.name}-", dir=real.parent))
        except OSError as exc:
            raise OutputError(f"không tạo được thư mục tạm cạnh '{out_dir}': {os_message(exc)}") from exc
        new = stage / "new"
        try:
            new.mkdir()
            for folder, _ in plan.views:
                (new / folder).mkdir()
            hashes: dict[str, str] = {}
            for name, count, written in _run(_Units(plan, new), progress):
                hashes.update(written)
                tally = unit(name).tally
                if tally is not None:
                    setattr(summary, tally, getattr(summary, tally) + count)
            if plan.options.pdf:  # the PDF step, over everything written
                summary.pdfs, summary.pdf_skipped = convert_documents(new)
            files = sorted(p.relative_to(new) for p in new.rglob("*") if p.is_file())
            summary.files, summary.kept = publish(
                new, out_dir, files, scope=plan.scope, force=force, real=real, hashes=hashes
            )
        except OSError as exc:
            where = getattr(exc, "filename", None) or out_dir
            if isinstance(where, str) and str(stage) in where:
                where = out_dir
            raise OutputError(f"không ghi được kết quả: {os_message(exc)} ({where})") from exc
        finally:
            remove_tree(stage)
    return summary


def build_report(plan: BuildPlan, summary: BuildSummary, output: Path) -> list[tuple[str, bool]]:
    """What ``matrix build`` tells the clerk after a build: (line, whether it goes to stderr), in order."""
    from .excel import MIN_SCALE, print_layout

    lines = [
        (
            f"Giữ nguyên {output / edited} vì đã được sửa sau lần tạo trước; bản mới ghi ở {output / written} "
            "(dùng --force để ghi đè).",
            True,
        )
        for edited, written in summary.kept
    ]
    lines.append(
        (
            f"Đã tạo {summary.workbooks} bảng Excel, {summary.letters} thư giao nhiệm vụ, "
            f"{summary.tables} bảng phân công, assignments.csv và assignments.json trong {output}/.",
            False,
        )
    )
    reminders = (
        f"{summary.reminders} thư đôn đốc trong {CONSOLIDATED}/{REMINDERS}/."
        if summary.reminders
        else "không có nhiệm vụ quá hạn, không có thư đôn đốc."
    )
    status = f"{CONSOLIDATED}/{STATUS_WORKBOOK}"
    lines.append((f"Tình hình thực hiện đến ngày {format_date(plan.as_of)}: {status}; {reminders}", False))
    for folder, view in plan.views:  # matrices too wide for the paper asked for (printed on A3, or small)
        paper, scale = print_layout(view, plan.options.paper)
        if paper != plan.options.paper or scale < MIN_SCALE:
            lines.append(
                (
                    f"Lưu ý: ma trận {folder}/{WORKBOOK} quá rộng cho khổ {plan.options.paper}: "
                    f"in khổ {paper} ở tỷ lệ khoảng {round(scale * 100)}%.",
                    True,
                )
            )
    if plan.options.pdf:
        if summary.pdf_skipped:
            lines.append((f"Không tạo PDF: {summary.pdf_skipped}", True))
        else:
            lines.append((f"Đã chuyển {summary.pdfs} tệp sang PDF.", False))
    return lines


@dataclass(frozen=True)
class _Units:
    """The output units' pieces of a plan (:mod:`matrix.outputs`), run here or in worker processes."""

    plan: BuildPlan
    stage: Path

    def units(self) -> list[Piece]:
        return plan_pieces(self.plan)

    def run(self, piece: Piece) -> tuple[str, int, dict[str, str]]:
        """Write one piece; return its unit's name, how many documents it wrote and their content hashes
        (computed here, so that worker processes share the hashing the manifest needs)."""
        paths = unit(piece.unit).write(self.plan, piece, self.stage)
        return piece.unit, len(paths), {str(p.relative_to(self.stage)): file_hash(p) for p in paths}


_LETTER_UNITS = ("letters", "extracts")  # what the progress bar counts (BuildPlan.letters)
_WORK: _Units | None = None  # what forked worker processes inherit


def _run_unit(piece: Piece) -> tuple[str, int, dict[str, str]]:
    assert _WORK is not None
    return _WORK.run(piece)


def _run(work: _Units, progress: Callable[[int], None] | None) -> Iterator[tuple[str, int, dict[str, str]]]:
    """Run every unit, in worker processes when the machine has several cores.

    Workers are forked, so they share the work without pickling it; where
    fork is unavailable (Windows) or one job is asked for, units run here.
    """
    global _WORK
    units = work.units()
    jobs = work.plan.options.jobs or os.cpu_count() or 1
    jobs = min(jobs, len(units))
    if jobs <= 1 or "fork" not in mp.get_all_start_methods():
        for unit in units:
            done = work.run(unit)
            if progress is not None and done[0] in _LETTER_UNITS:
                progress(done[1])
            yield done
        return
    _WORK = work
    try:
        with (
            ProcessPoolExecutor(max_workers=jobs, mp_context=mp.get_context("fork"), initializer=_worker_init) as pool,
            _terminate_as_interrupt(),
        ):
            futures = [pool.submit(_run_unit, unit) for unit in units]
            try:
                for future in as_completed(futures):
                    done = future.result()
                    if progress is not None and done[0] in _LETTER_UNITS:
                        progress(done[1])
                    yield done
            except BaseException:
                _quiet_cancelled_futures()
                for future in futures:
                    future.cancel()
                for process in list(getattr(pool, "_processes", {}).values()):
                    process.terminate()  # a stopped or failed build leaves no worker behind
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    finally:
        _WORK = None


def _quiet_cancelled_futures() -> None:
    """Keep CPython's executor race out of the clerk's terminal.

    When a build is stopped, its futures are cancelled and its workers ended; the executor's
    management thread may then try to set an exception on a cancelled future and die with
    ``InvalidStateError``, which ``threading`` prints as a traceback. That thread's failure
    changes nothing (the build is being abandoned), so only that error is silenced.
    """
    from concurrent.futures import InvalidStateError

    previous = threading.excepthook
    if getattr(previous, "_matrix_quiet", False):
        return

    def hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is not InvalidStateError:
            previous(args)

    hook._matrix_quiet = True  # type: ignore[attr-defined]
    threading.excepthook = hook


def _worker_init() -> None:
    """In each worker: the default SIGTERM, and (Linux) die with the parent even if it is killed with -9."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is handled by the parent, which ends the workers
    if sys.platform == "linux":
        try:
            pr_set_pdeathsig = 1
            ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
        except (OSError, AttributeError):  # pragma: no cover - no prctl
            pass
        if os.getppid() == 1:  # the parent died before prctl
            os._exit(1)


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM stops the build like Ctrl+C: workers are ended and the staging folder removed."""
    import threading

    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGTERM"):
        yield
        return

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def publish(
    new: Path,
    out_dir: Path,
    files: list[Path],
    *,
    scope: frozenset[str] | None = None,
    force: bool = False,
    real: Path | None = None,
    hashes: dict[str, str] | None = None,
) -> tuple[list[Path], list[tuple[Path, Path]]]:
    """Make the tree ``new`` (holding ``files``) the content of ``out_dir``, keeping what is not matrix's.

    Returns the published files (relative to ``out_dir``) and the pairs (a file
    edited by hand, kept; where the new one was written instead). ``scope``: the
    top-level names this build owns (None: all); outputs outside it are kept. ``hashes``: content
    hashes of new files already known (computed by the workers).
    """
    real = real or out_dir
    hashes = dict(hashes or {})
    previous = read_manifest(real)
    stats = _read_stats(real)
    edited = set(read_manifest(real, "edited"))  # matrix's outputs kept last time because edited by hand
    old = _walk(real) if real.is_dir() else {}
    produced = {str(rel): rel for rel in files}
    kept: list[tuple[Path, Path]] = []
    carried: dict[str, str] = {}  # rel -> kind ("file", "dir", "link") of old entries the new tree keeps
    manifest: dict[str, str] = {}
    blocked: list[Path] = []
    for rel, kind in old.items():
        if kind == "dir":
            continue
        recorded = previous.get(rel)
        # an older manifest's path (no hash) may be replaced by the same output, never removed
        ours = (
            kind == "file"
            and recorded is not None
            and (_unchanged(real / rel, recorded, stats.get(rel)) if recorded != _LEGACY else rel in produced)
        )
        in_scope = scope is None or Path(rel).parts[0] in scope
        if ours and not in_scope:
            carried[rel] = kind
            if recorded is not None and recorded != _LEGACY:
                manifest[rel] = recorded
        elif ours:
            if rel in produced and not _replaceable(out_dir / rel):
                blocked.append(Path(rel))
        elif rel in produced and force and (recorded is not None or rel in edited):
            if not _replaceable(out_dir / rel):
                blocked.append(Path(rel))
        else:
            carried[rel] = kind
    if blocked:
        names = ", ".join(str(out_dir / rel) for rel in blocked[:5])
        more = f" và {len(blocked) - 5} tệp khác" if len(blocked) > 5 else ""
        raise OutputError(
            f"không thể ghi đè {names}{more}: tệp đang mở (Excel/Word) hoặc chỉ đọc. "
            "Hãy đóng tệp rồi chạy lại; các kết quả cũ vẫn được giữ nguyên."
        )
    published: list[Path] = []
    still_edited: list[str] = []
    for path in files:
        if str(path) in carried:
            target = _beside(path, carried, produced)
            os.replace(new / path, new / target)
            if str(path) in hashes:
                hashes[str(target)] = hashes.pop(str(path))
            kept.append((path, target))
            if str(path) in previous or str(path) in edited:
                still_edited.append(str(path))
            path = target
        published.append(path)
    _check_shapes(new, out_dir, carried)
    for path in published:
        manifest[str(path)] = hashes.get(str(path)) or file_hash(new / path)
    for rel, kind in sorted(carried.items()):
        _carry(real / rel, new / rel, kind)
    parents = {str(p) for rel in old for p in Path(rel).parents}
    for rel in sorted(r for r, k in old.items() if k == "dir" and r not in parents):
        (new / rel).mkdir(parents=True, exist_ok=True)  # the clerk's empty folders stay too
    write_manifest(new, manifest, still_edited)
    swap(new, real)
    return sorted(published), kept


_LEGACY = ""  # a path in a manifest of an older matrix, which recorded no hash


def _walk(root: Path) -> dict[str, str]:
    """Every entry under ``root`` by relative path: "file", "dir", "link" or "other"; links never followed."""
    found: dict[str, str] = {}
    for folder, dirs, names in os.walk(root, followlinks=False):
        base = Path(folder)
        for name in (*dirs, *names):
            path = base / name
            rel = str(path.relative_to(root))
            if base == root and (name == MANIFEST or name.startswith(STAGE_PREFIX)):
                if name in dirs:
                    dirs.remove(name)
                continue
            mode = path.lstat().st_mode
            found[rel] = (
                "link"
                if stat.S_ISLNK(mode)
                else "dir"
                if stat.S_ISDIR(mode)
                else "file"
                if stat.S_ISREG(mode)
                else "other"
            )
    return found


def _beside(rel: Path, carried: dict[str, str], produced: dict[str, Path]) -> Path:
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


def _read_stats(out_dir: Path) -> dict[str, tuple[int, int]]:
    try:
        data = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
        stats = data.get("stat") if isinstance(data, dict) else None
        return {k: (int(v[0]), int(v[1])) for k, v in stats.items()} if isinstance(stats, dict) else {}
    except (OSError, ValueError, TypeError, IndexError, AttributeError):
        return {}


def _unchanged(path: Path, recorded: str, stat_: tuple[int, int] | None) -> bool:
    """True when ``path`` still holds what matrix wrote: same size and time as recorded, else the same hash."""
    info = path.lstat()
    if stat_ is not None and (info.st_size, info.st_mtime_ns) == stat_:
        return True
    return file_hash(path) == recorded


def file_hash(path: Path) -> str:
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
    path = out_dir / MANIFEST
    try:
        if not stat.S_ISREG(path.lstat().st_mode):
            return {}
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if key == "edited":
        listed = data.get("edited") if isinstance(data, dict) else None
        entries = {p: _LEGACY for p in listed if isinstance(p, str)} if isinstance(listed, list) else {}
    elif isinstance(data, list):
        entries = {p: _LEGACY for p in data if isinstance(p, str)}
    elif isinstance(data, dict) and isinstance(data.get("files"), dict):
        entries = {p: h for p, h in data["files"].items() if isinstance(p, str) and isinstance(h, str) and len(h) == 64}
    else:
        return {}
    return {
        p: h
        for p, h in entries.items()
        if p
        and not Path(p).is_absolute()
        and ".." not in Path(p).parts
        and "\\" not in p
        and Path(p).parts[0] != MANIFEST
    }


def write_manifest(folder: Path, files: dict[str, str], edited: list[str] = ()) -> None:  # type: ignore[assignment]
    """Write the manifest of the tree ``folder``: each file's hash, and its size and time (a quick check
    that it is unchanged; the hash decides when they differ)."""
    stats = {}
    for rel in files:
        info = (folder / rel).lstat()
        stats[rel] = [info.st_size, info.st_mtime_ns]
    data = {"version": 2, "files": dict(sorted(files.items())), "stat": stats, "edited": sorted(edited)}
    (folder / MANIFEST).write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


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


def swap(new: Path, real: Path) -> None:
    """Make ``new`` the tree at ``real``; the old tree ends at ``new`` (then removed by the caller's clean-up)."""
    if not real.exists():
        os.rename(new, real)
        return
    if _exchange(new, real):
        return
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
