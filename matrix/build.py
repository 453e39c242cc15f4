"""The build: every output of a corpus, written safely into the output folder.

Files are first written into a staging folder inside the output folder; only
when every one of them succeeded are they moved into place. An output that
cannot be replaced (open in Excel on Windows, read-only) stops the build with
a message naming it before anything is replaced, so the previous outputs stay
as they were. Files in the output folder that matrix did not create are never
touched: a manifest records what the last build wrote.
"""
from __future__ import annotations

import datetime as dt
import json
import multiprocessing as mp
import os
import shutil
import tempfile
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from .errors import InputError, OutputError, Problem
from .export import to_csv, to_json
from .model import Corpus
from .pivot import Matrix, build_matrix
from .text import safe_filename

if TYPE_CHECKING:
    from .tracking import Letter, Record, Status

CONSOLIDATED = "tong-hop"
MANIFEST = ".matrix-manifest.json"
WORKBOOK = "ma-tran.xlsx"
LETTERS = "thu-giao-nhiem-vu"
TABLE = "bang-phan-cong.docx"
STATUS_WORKBOOK = "tinh-hinh-thuc-hien.xlsx"  # in tong-hop/
REMINDERS = "don-doc"  # in tong-hop/


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


@dataclass(frozen=True)
class BuildPlan:
    """What a build will write: one view of the matrix per directive, then the consolidated one."""

    matrix: Matrix
    views: list[tuple[str, Matrix]]
    options: BuildOptions
    statuses: tuple["Status", ...] = ()
    as_of: dt.date = field(default_factory=dt.date.today)
    sent_letters: tuple["Letter", ...] = ()  # thư giao nhiệm vụ recorded in input/theo-doi/

    @property
    def letters(self) -> int:
        """How many letters the build writes (for a progress bar)."""
        from .word import letter_count

        return sum(letter_count(view) for _, view in self.views)


def plan_build(corpus: Corpus, options: BuildOptions = BuildOptions(), records: tuple["Record", ...] = (),
               letters: tuple["Letter", ...] = ()) -> BuildPlan:
    """Pivot ``corpus`` once and lay out the views the build writes.

    ``records`` and ``letters`` (from ``input/theo-doi/``) give the Tình hình thực hiện outputs, assessed on
    ``options.as_of``.
    """
    from .tracking import assess

    if any(d.id == CONSOLIDATED for d in corpus.directives):
        raise InputError([Problem(CONSOLIDATED, 0, 0, f"mã văn bản '{CONSOLIDATED}' được dành cho thư mục kết quả tổng hợp",
                                  "hãy đổi mã văn bản (và tên tệp) khác")])
    matrix = build_matrix(corpus, options.expand_groups)
    views = [(safe_filename(d.id), matrix.subset([d.id])) for d in matrix.directives]
    views.append((CONSOLIDATED, build_matrix(corpus, options.expand_groups, options.as_of) if options.as_of else matrix))
    as_of = options.as_of or dt.date.today()
    return BuildPlan(matrix, views, options, assess(matrix, records, as_of), as_of, letters)


def build(plan: BuildPlan, out_dir: Path, progress: Callable[[int], None] | None = None) -> BuildSummary:
    """Write CSV/JSON exports, workbooks and letters of ``plan`` into ``out_dir``."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=".matrix-tmp-", dir=out_dir))
    except OSError as exc:
        raise OutputError(f"không tạo được thư mục kết quả '{out_dir}': {exc.strerror or exc}") from exc
    summary = BuildSummary(out_dir)
    try:
        (stage / "assignments.csv").write_text(to_csv(plan.matrix), encoding="utf-8-sig")
        (stage / "assignments.json").write_text(to_json(plan.matrix), encoding="utf-8")
        for folder, _ in plan.views:
            (stage / folder).mkdir()
        for kind, count in _run(_Units(plan, stage), progress):
            if kind == "workbook":
                summary.workbooks += 1
            elif kind == "letters":
                summary.letters += count
            elif kind == "reminders":
                summary.reminders += count
            elif kind == "table":
                summary.tables += 1
        if plan.options.pdf:
            _convert(stage, summary)
        summary.files = sorted(p.relative_to(stage) for p in stage.rglob("*") if p.is_file())
        publish(stage, out_dir, summary.files)
    except OSError as exc:
        raise OutputError(f"không ghi được kết quả: {exc.strerror or exc} ({getattr(exc, 'filename', '') or out_dir})") from exc
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return summary


LETTERS_PER_UNIT = 40


@dataclass(frozen=True)
class _Units:
    """The writing work of a plan, cut into units that processes can share."""

    plan: BuildPlan
    stage: Path

    def units(self) -> list[tuple[str, int, tuple[str, ...]]]:
        """(kind, view index, agency ids): the consolidated view, the largest, comes first."""
        out: list[tuple[str, int, tuple[str, ...]]] = []
        for index in reversed(range(len(self.plan.views))):
            columns = [a.id for a in self.plan.views[index][1].columns]
            out.append(("workbook", index, ()))
            for start in range(0, len(columns), LETTERS_PER_UNIT):
                out.append(("letters", index, tuple(columns[start:start + LETTERS_PER_UNIT])))
            out.append(("table", index, ()))
        consolidated = len(self.plan.views) - 1
        out.append(("status", consolidated, ()))
        late = list(dict.fromkeys(s.entry.agency.id for s in self.plan.statuses if s.overdue_since is not None))
        for start in range(0, len(late), LETTERS_PER_UNIT):
            out.append(("reminders", consolidated, tuple(late[start:start + LETTERS_PER_UNIT])))
        return out

    def run(self, unit: tuple[str, int, tuple[str, ...]]) -> tuple[str, int]:
        """Write one unit; return its kind and how many documents it wrote."""
        from . import excel, word

        kind, index, agencies = unit
        folder, view = self.plan.views[index]
        target = self.stage / folder
        templates = self.plan.options.templates
        if kind == "workbook":
            excel.write_workbook(view, target / WORKBOOK, title=_title(view), paper=self.plan.options.paper)
            return kind, 1
        if kind == "letters":
            if len(view.directives) > 1:  # extracts per agency, letters only per issuer (word.write_consolidated)
                return kind, len(word.write_consolidated(view, target, templates=templates, agencies=agencies))
            return kind, len(word.write_letters(view, target / LETTERS, templates=templates, agencies=agencies))
        if kind == "status":
            from .status_excel import write_status_workbook

            write_status_workbook(view, self.plan.statuses, self.plan.as_of, target / STATUS_WORKBOOK,
                                  paper=self.plan.options.paper, letters=self.plan.sent_letters)
            return kind, 1
        if kind == "reminders":
            from .reminders import write_reminders

            return kind, len(write_reminders(view, self.plan.statuses, self.plan.as_of, target / REMINDERS, templates=templates,
                                             letters=self.plan.sent_letters, agencies=agencies))
        word.write_assignment_table(view, target / TABLE, templates=templates)
        return kind, 1


_WORK: _Units | None = None  # what forked worker processes inherit


def _run_unit(unit: tuple[str, int, tuple[str, ...]]) -> tuple[str, int]:
    assert _WORK is not None
    return _WORK.run(unit)


def _run(work: _Units, progress: Callable[[int], None] | None) -> Iterator[tuple[str, int]]:
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
            if progress is not None and done[0] == "letters":
                progress(done[1])
            yield done
        return
    _WORK = work
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=mp.get_context("fork")) as pool:
            futures = [pool.submit(_run_unit, unit) for unit in units]
            try:
                for future in as_completed(futures):
                    done = future.result()
                    if progress is not None and done[0] == "letters":
                        progress(done[1])
                    yield done
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
    finally:
        _WORK = None


def _title(view: Matrix) -> str:
    if len(view.directives) == 1:
        d = view.directives[0]
        return " ".join(filter(None, (d.kind.capitalize(), d.reference))) + f": {d.title}"
    return f"Tổng hợp phân công nhiệm vụ ({len(view.directives)} văn bản)"


def _convert(stage: Path, summary: BuildSummary) -> None:
    from .word import PdfUnavailable, convert_to_pdf

    documents = sorted(p for p in stage.rglob("*") if p.suffix in (".docx", ".xlsx"))
    try:
        summary.pdfs = len(convert_to_pdf(documents))
    except PdfUnavailable as exc:
        summary.pdf_skipped = str(exc)


def publish(stage: Path, out_dir: Path, files: list[Path]) -> None:
    """Move staged ``files`` into ``out_dir``; remove outputs of the last build that are gone.

    Every target is checked first: if one cannot be replaced, nothing is.
    """
    blocked = [rel for rel in files if not _replaceable(out_dir / rel)]
    if blocked:
        names = ", ".join(str(out_dir / rel) for rel in blocked[:5])
        more = f" và {len(blocked) - 5} tệp khác" if len(blocked) > 5 else ""
        raise OutputError(f"không thể ghi đè {names}{more}: tệp đang mở (Excel/Word) hoặc chỉ đọc. "
                          "Hãy đóng tệp rồi chạy lại; các kết quả cũ vẫn được giữ nguyên.")
    previous = _read_manifest(out_dir)
    for rel in files:
        target = out_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(stage / rel, target)
    current = {str(rel) for rel in files}
    for name in sorted(previous - current):
        stale = out_dir / name
        if stale.is_file():
            stale.unlink()
        _prune_empty(stale.parent, out_dir)
    (out_dir / MANIFEST).write_text(json.dumps(sorted(current), ensure_ascii=False, indent=1), encoding="utf-8")


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


def _read_manifest(out_dir: Path) -> set[str]:
    try:
        data = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    return {str(p) for p in data if isinstance(p, str) and ".." not in Path(p).parts and not Path(p).is_absolute()}


def _prune_empty(folder: Path, root: Path) -> None:
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
