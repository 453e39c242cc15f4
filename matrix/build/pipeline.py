"""The build: every output of a corpus, written safely into the output folder, reusing what did not change.

:func:`plan_build` pivots the corpus once and lays out the views; :func:`build` lists every document the
output units plan (:mod:`matrix.build.outputs`), each with a content key (:mod:`matrix.build.keys`). A document whose
key the previous build recorded, and whose published file is still the one matrix wrote (same SHA-256),
is reused (a hard link of the published file); the others are rendered, in worker processes when the
machine has several cores. The new tree is then published as one switch (:mod:`matrix.build.publish`); when
every document is reused and nothing else changed, the output folder is left as it is.
"""

from __future__ import annotations

import contextlib
import errno
import multiprocessing as mp
import os
import re
import signal
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import InputError, OutputError, Problem, os_message
from ..core.model import Corpus, format_date
from ..core.pivot import build_matrix
from ..core.stamp import today
from ..core.text import safe_filename
from ..files.children import forked_child
from .outputs import LETTERS as LETTERS  # the output names, re-exported for the CLI and the web app
from .outputs import REMINDERS as REMINDERS
from .outputs import STATUS_WORKBOOK as STATUS_WORKBOOK
from .outputs import TABLE as TABLE
from .outputs import UNITS, Item, LeftOut, Piece, Workbooks, early_pieces, plan_items, plan_pieces, unit
from .outputs import WORKBOOK as WORKBOOK
from .outputs import BuildOptions as BuildOptions
from .outputs import BuildPlan as BuildPlan
from .publish import (
    MANIFEST,
    Tree,
    file_hash,
    files_under,
    in_scope,
    publish,
    publish_lock,
    read_manifest,
    read_plan,
    read_stats,
    read_units,
    record_plan,
    recover,
    reusable,
    staging,
)

if TYPE_CHECKING:
    from ..input.cache import DirectiveCache
    from ..tracking.records import Letter, Record

CONSOLIDATED = "tong-hop"
DIRECTIVES = "directives"  # the loaded directives' folder in the cache folder (matrix.input.cache)
UNIT_NAMES = frozenset(u.name for u in UNITS)


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
    reused: int = 0  # files taken unchanged from the previous build
    left_out: tuple[LeftOut, ...] = ()  # directive files not built for their input errors
    notes: Notes | None = None  # what the report says of the plan (recorded in the manifest)
    warnings: tuple[str, ...] = ()  # the loader's warnings (told again by a build with nothing changed)
    left_count: int = 0  # directive files left out (also when told from the recorded notes)
    rendered: int = 0  # documents rendered (the others reused)


@dataclass(frozen=True)
class BuildProgress:
    """Where a build stands: documents done (rendered or reused) of ``total``, and the last file written."""

    done: int
    total: int
    current: str


def plan_build(
    corpus: Corpus,
    options: BuildOptions = BuildOptions(),  # noqa: B008 - frozen, so one shared default is safe
    records: tuple[Record, ...] = (),
    letters: tuple[Letter, ...] = (),
    only: set[str] | None = None,
    left_out: tuple[LeftOut, ...] = (),
) -> BuildPlan:
    """Pivot ``corpus`` once and lay out the views the build writes.

    ``records`` and ``letters`` (from ``input/theo-doi/``) give the Tình hình thực hiện outputs, assessed on
    ``options.status_date``. ``only``: the directive ids to write (``matrix build FILES``); the consolidated
    outputs still cover all of ``corpus``, and the outputs of the other directives are kept as they are.
    ``left_out``: the directive files left out for their input errors; their last outputs are kept as they are.
    """
    from ..tracking.records import assess

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
        (
            CONSOLIDATED,
            build_matrix(corpus, options.expand_groups, options.names_date) if options.names_date else matrix,
        )
    )
    scope = None if only is None else frozenset({name for name, _ in views} | {"assignments.csv", "assignments.json"})
    built = {safe_filename(d.id) for d in corpus.directives} | {CONSOLIDATED}
    spared = frozenset(safe_filename(left.directive_id) for left in left_out) - built
    as_of = options.status_date or today()
    return BuildPlan(
        matrix, views, options, scope, assess(matrix, records, as_of), as_of, letters, tuple(left_out), spared
    )


_ID_LINE = re.compile(r"^id:[ \t]*[\"']?([^\"'#\s]+)", re.MULTILINE)


def _declared_id(path: Path) -> str:
    """The directive id a file declares (its top-level ``id:``), read without the loader; else its name."""
    try:
        found = _ID_LINE.search(path.read_text(encoding="utf-8-sig", errors="replace")[:20000])
    except OSError:
        found = None
    return found.group(1) if found else path.stem


def cache_folder(out_dir: Path) -> Path:
    """Where the builds into ``out_dir`` keep what they may reuse next time (the consolidated workbook's blocks
    of rows, the loaded directives): ``.matrix-cache-<output>`` beside the output folder (its real place)."""
    real = out_dir.resolve() if out_dir.is_symlink() else out_dir
    return real.parent / f".matrix-cache-{real.name}"


def load_valid(
    paths: Sequence[Path],
    registry: Path | None,
    warn: Callable[[str], None] | None = None,
    cache: DirectiveCache | None = None,
) -> tuple[Corpus, tuple[LeftOut, ...]]:
    """The corpus of the directive files under ``paths`` that have no input error, and the files left out.

    A file whose problems include an error is left out with them and the others are loaded again (until none
    has an error: a duplicate id is only an error once the first file is read). Problems of no directive file
    (the registry, a missing folder) and a folder whose every file has errors still raise :class:`InputError`:
    nothing can be built then. ``warn`` is told each warning of the files built. ``cache``: the directives
    loaded by earlier builds (:mod:`matrix.input.cache`).
    """
    from ..input.load import find_registry, load_corpus

    registry = registry or find_registry(paths)
    result = load_corpus(paths, registry, cache=cache)
    left: list[LeftOut] = []
    files = list(result.files)
    while result.corpus is None:
        by_name = {str(f): f for f in files}
        bad = {p.path for p in result.errors}
        if not bad or not bad <= set(by_name) or bad == set(by_name):
            raise InputError([p for out in left for p in out.problems] + result.problems)
        left += [
            LeftOut(by_name[name], _declared_id(by_name[name]), tuple(p for p in result.problems if p.path == name))
            for name in sorted(bad)
        ]
        files = [f for f in files if str(f) not in bad]
        result = load_corpus(files, registry, cache=cache)
    return result.require(warn), tuple(left)


def load_for_build(
    paths: Sequence[Path], registry: Path | None, warn: Callable[[str], None], cache: DirectiveCache | None = None
) -> tuple[Corpus, set[str] | None, tuple[LeftOut, ...]]:
    """The corpus a build writes, the directive ids it updates (None: all), and the files left out for their
    input errors (:func:`load_valid`); ``warn`` is told each warning; ``cache``: the directives loaded before.

    Given files (``matrix build input/a.yaml``), only their outputs are updated, but the
    consolidated outputs are made from every directive of their folders.
    """
    chosen, left = load_valid(paths, registry, warn, cache)
    if not any(p.is_file() for p in paths):
        return chosen, None, left
    folders = sorted({p.parent if p.is_file() else p for p in paths})
    corpus, others = load_valid(folders, registry, cache=cache)
    seen = {out.path for out in left}
    return corpus, {d.id for d in chosen.directives}, left + tuple(out for out in others if out.path not in seen)


def prepare(
    paths: Sequence[Path],
    registry: Path | None,
    options: BuildOptions,
    warn: Callable[[str], None],
    cache: Path | None = None,
) -> BuildPlan:
    """``matrix build PATHS``: load what the build writes (leaving out the directive files with input errors)
    and the tracking records as they are on disk now (``theo-doi/``), and plan it. ``cache``: the output's
    :func:`cache_folder`, where the directives loaded are kept for the next build (None: none kept)."""
    from ..input.cache import DirectiveCache
    from ..tracking.records import input_folder, load_tracking
    from .inputs import input_stamp

    stamp = input_stamp(paths, registry, options)  # before loading: an input changed meanwhile changes it
    told: list[str] = []

    def tell(text: str) -> None:
        told.append(text)
        warn(text)

    directives = DirectiveCache(cache / DIRECTIVES if cache is not None else None, options.jobs)
    with _collector_paused():
        corpus, only, left = load_for_build(paths, registry, tell, directives)
        directives.tidy()
        folder = input_folder(paths)
        skipped = {out.directive_id for out in left}
        records, letters = load_tracking(folder, corpus, skipped)
        plan = plan_build(corpus, options, records, letters, only, left)
    fresh = cache is None or directives.misses > 0  # a directive file read anew: the consolidated outputs change
    return replace(plan, stamp=stamp, warnings=tuple(told), fresh=fresh)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """The cycle collector off while a build loads and plans: nearly everything made then is kept (the model, the
    pivot, the statuses), so each pass over the oldest generation walked a growing heap for nothing (a third of
    the CPU of loading and planning a province from the cache); the little garbage left in cycles is collected
    after, as usual."""
    import gc

    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@dataclass(frozen=True)
class Notes:
    """What the report of a build says that comes from its plan, not from what was written: kept in the
    manifest, so that a build with nothing changed reports the same without loading anything."""

    left_out: tuple[str, ...]  # the problems of each left-out file, and what became of it (stderr)
    left_count: int
    wide: tuple[str, ...]  # matrices too wide for the paper (stderr)
    as_of: str  # the status date, as printed
    pdf: bool

    @classmethod
    def of(cls, plan: BuildPlan, layouts: Mapping[int, tuple[str, float]] | None = None) -> Notes:
        """The notes of ``plan``; ``layouts``: the paper and scale of some views' matrix sheets, by view index,
        known already (:func:`_print_layouts`; the others are worked out here)."""
        from ..writers.excel import MIN_SCALE, print_layout

        wide = []
        for index, (folder, view) in enumerate(plan.views):  # matrices too wide for the paper asked for
            known = layouts.get(index) if layouts else None
            paper, scale = known or print_layout(view, plan.options.paper)
            if paper != plan.options.paper or scale < MIN_SCALE:
                wide.append(
                    f"Lưu ý: ma trận {folder}/{WORKBOOK} quá rộng cho khổ {plan.options.paper}: "
                    f"in khổ {paper} ở tỷ lệ khoảng {round(scale * 100)}%."
                )
        left = tuple(text for text, _ in left_out_report(plan.left_out))
        return cls(left, len(plan.left_out), tuple(wide), format_date(plan.as_of), plan.options.pdf)

    def recorded(
        self,
        stamp: str,
        items: Sequence[Item],
        scope: frozenset[str] | None,
        spared: frozenset[str],
        warnings: Sequence[str],
        layouts: Mapping[str, tuple[int, str, float]] | None = None,
    ) -> dict[str, Any]:
        """The manifest's ``plan`` entry: the stamp, every document's unit and key, these notes, and the print
        layout of each workbook's matrix sheet by the workbook's key (:func:`_print_layouts`)."""
        return {
            "stamp": stamp,
            "items": [[item.unit, item.key] for item in items],
            "scope": sorted(scope) if scope is not None else None,
            "spared": sorted(spared),
            "warnings": list(warnings),
            "layouts": {key: [paper, scale] for key, (_, paper, scale) in sorted((layouts or {}).items())},
            "notes": {
                "left_out": list(self.left_out),
                "left_count": self.left_count,
                "wide": list(self.wide),
                "as_of": self.as_of,
                "pdf": self.pdf,
            },
        }


def build(
    plan: BuildPlan,
    out_dir: Path,
    progress: Callable[[int], None] | None = None,
    *,
    force: bool = False,
    notify: Callable[[str], None] | None = None,
    watch: Callable[[BuildProgress], None] | None = None,
) -> BuildSummary:
    """Write CSV/JSON exports, workbooks and letters of ``plan`` into ``out_dir``, published as one switch.

    The new outputs, plus every file of ``out_dir`` matrix must keep (the
    clerk's own files, files edited since matrix wrote them, outputs of
    directives this build does not cover), are laid out as a complete new
    tree beside ``out_dir`` and swapped in (:func:`matrix.build.publish.publish`);
    a lock beside ``out_dir`` keeps two builds of one folder apart. ``force``
    replaces outputs edited by hand. Documents whose content key is in the
    previous build's manifest are reused instead of rendered.
    ``progress(n)``: n more letters written (the web page's bar counts letters);
    ``watch``: called after each piece of work with a :class:`BuildProgress`.
    """
    real = out_dir.resolve() if out_dir.is_symlink() else out_dir
    try:
        real.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"không tạo được thư mục kết quả '{out_dir}': {os_message(exc)}") from exc
    if real.exists() and not real.is_dir():
        raise OutputError(f"'{out_dir}' đã có và là một tệp, không phải thư mục; hãy đổi tên tệp đó hoặc chọn -o khác.")
    with publish_lock(real, notify), _terminate_as_interrupt(), _still_heap():
        recover(real)
        # the consolidated workbook's kept rows: a folder beside the output. Set before anything is worked out
        # from the plan, whose lazily made parts (the reminders...) a copy of it would make again.
        plan = replace(plan, blocks=cache_folder(real))
        previous = read_plan(real)
        with staging(real, out_dir) as stage, _Workers(_Units(plan, stage), plan.options.jobs) as workers:
            if plan.fresh or not read_units(real):  # the consolidated pieces, rendered while the keys are worked out
                workers.start_early(early_pieces(plan))
            return _build(plan, out_dir, real, stage, workers, previous, progress, watch, force)
    raise AssertionError("unreachable")  # pragma: no cover - the with above returns or raises


def _build(
    plan: BuildPlan,
    out_dir: Path,
    real: Path,
    stage: Path,
    workers: _Workers,
    previous: dict[str, Any] | None,
    progress: Callable[[int], None] | None,
    watch: Callable[[BuildProgress], None] | None,
    force: bool,
) -> BuildSummary:
    """:func:`build` once the lock is held and the staging folder made: key, reuse, render, publish."""
    views: dict[str, Any] = {}  # each directive view's input digest and keys, for the next build (plan_items)
    known = previous.get("views") if previous is not None else None
    items = plan_items(plan, known=known if isinstance(known, dict) else None, record=views)
    summary = BuildSummary(out_dir, left_out=plan.left_out, warnings=plan.warnings, left_count=len(plan.left_out))
    recorded: dict[str, Any] | None = {} if plan.stamp else None

    def note() -> None:
        """The report's notes and the manifest's plan entry, with the print layouts (the workbooks that changed
        are laid out: a fifth of a second for the consolidated one's, taken while the workers render)."""
        layouts = _print_layouts(plan, items, previous)
        summary.notes = notes = Notes.of(plan, {index: (paper, scale) for index, paper, scale in layouts.values()})
        if recorded is not None and plan.stamp:
            recorded.update(
                notes.recorded(plan.stamp, items, plan.scope, plan.spared, plan.warnings, layouts), views=views
            )

    tracker = _Tracker(summary, len(items), progress, watch)
    found = _recorded(real, items)  # their files are looked at once, just before publishing (_lay_out)
    if _nothing_to_do(real, plan.scope, plan.spared, items, found):
        found = _checked(real, found)  # here they are looked at now: nothing is published if all are unchanged
    if _nothing_to_do(real, plan.scope, plan.spared, items, found):
        note()
        for item in items:
            tracker.reused(item, found[item.key])
        summary.files = sorted(Path(rel) for item in items for rel in found[item.key])
        if recorded is not None:
            record_plan(real, recorded)  # the same outputs from other bytes (a date, a comment): say so
        return summary
    try:
        summary.files, summary.kept = _lay_out(
            plan, items, found, workers, tracker, out_dir, real, force, recorded, meanwhile=note
        )
    except OSError as exc:
        where = getattr(exc, "filename", None) or out_dir
        if isinstance(where, str) and str(stage) in where:
            where = out_dir
        raise OutputError(f"không ghi được kết quả: {os_message(exc)} ({where})") from exc
    return summary


def _print_layouts(
    plan: BuildPlan, items: Sequence[Item], previous: Mapping[str, Any] | None
) -> dict[str, tuple[int, str, float]]:
    """Each view's matrix sheet as it prints (paper, scale: the report warns of the wide ones), by its workbook's
    key, with the view's index. Taken from the previous build's plan entry (:func:`read_plan`) where the key is
    the same: the key covers all the layout reads (the view, the paper, matrix's version); else worked out
    (:func:`matrix.writers.excel.print_layout`, which lays out the whole sheet: a build of 300 views spent
    seconds on it)."""
    from ..writers.excel import print_layout

    known = previous.get("layouts") if previous is not None else None
    known = known if isinstance(known, dict) else {}
    layouts: dict[str, tuple[int, str, float]] = {}
    for item in items:
        if item.unit != Workbooks.name:
            continue
        found = known.get(item.key)
        if isinstance(found, list) and len(found) == 2 and isinstance(found[0], str) and isinstance(found[1], float):
            layouts[item.key] = (item.view, found[0], found[1])
        else:
            layouts[item.key] = (item.view, *print_layout(plan.views[item.view][1], plan.options.paper))
    return layouts


def build_unchanged(
    paths: Sequence[Path],
    registry: Path | None,
    options: BuildOptions,
    out_dir: Path,
    *,
    notify: Callable[[str], None] | None = None,
) -> BuildSummary | None:
    """``matrix build`` when nothing it reads changed since the last build into ``out_dir`` and that build's
    outputs are all in place: the summary (with the recorded notes and warnings), nothing loaded or written.
    None when anything differs (an input, an option, the day, a file in ``out_dir``): then build as usual.
    """
    from .inputs import input_stamp

    real = out_dir.resolve() if out_dir.is_symlink() else out_dir
    if not real.is_dir():
        return None
    stamp = input_stamp(paths, registry, options)
    if stamp is None:
        return None
    with publish_lock(real, notify), _terminate_as_interrupt():
        recover(real)
        recorded = read_plan(real)
        if recorded is None or recorded.get("stamp") != stamp:
            return None
        try:
            items = [Item(str(name), 0, None, str(key)) for name, key in recorded["items"]]
            scope = frozenset(recorded["scope"]) if recorded["scope"] is not None else None
            spared = frozenset(recorded["spared"])
            raw = recorded["notes"]
            notes = Notes(
                tuple(raw["left_out"]), int(raw["left_count"]), tuple(raw["wide"]), str(raw["as_of"]), bool(raw["pdf"])
            )
            warnings = tuple(str(w) for w in recorded["warnings"])
            if any(unit_name not in UNIT_NAMES for unit_name, _ in recorded["items"]):
                return None
        except (KeyError, TypeError, ValueError):
            return None
        found = _reusable(real, items)
        if not _nothing_to_do(real, scope, spared, items, found):
            return None
        summary = BuildSummary(out_dir, notes=notes, warnings=warnings, left_count=notes.left_count)
        tracker = _Tracker(summary, len(items), None, None)
        for item in items:
            tracker.reused(item, found[item.key])
        summary.files = sorted(Path(rel) for item in items for rel in found[item.key])
        return summary


def _lay_out(
    plan: BuildPlan,
    items: list[Item],
    found: dict[str, list[str]],
    workers: _Workers,
    tracker: _Tracker,
    out_dir: Path,
    real: Path,
    force: bool,
    entry: dict[str, Any] | None = None,
    meanwhile: Callable[[], None] = lambda: None,
) -> tuple[list[Path], list[tuple[Path, Path]]]:
    """Lay out the new tree in the staging folder's ``new`` (reused files linked, the others rendered), then
    publish it; ``meanwhile`` is run while the workers render (it may fill ``entry``, published after).

    ``found``: the items whose files the manifest tells are matrix's, unchanged, as recorded. Each of those files is
    looked at once, after the rendering and just before publishing (the look that keeps a clerk's edit made during
    the build, :func:`matrix.build.publish.publish`): the items of a file edited (or gone) since the last build are
    rendered then, their links of the published files removed first, and the others looked at again."""
    new = workers.work.stage / NEW
    _make_folders(new, plan)
    found = dict(found)
    hashes: dict[str, str] = {}
    units: dict[str, list[str]] = {}
    missed: set[str] = set()  # the items of a file that could not be linked (gone meanwhile): rendered

    def link_reused() -> None:  # 14,000 files: each linked by its name in its folder, opened once
        recorded = read_manifest(real)
        with Tree(real) as source, Tree(new) as target:
            for item in items:
                rels = found.get(item.key)
                if rels is None:
                    continue
                for rel in rels:
                    if not _link(source, target, rel):
                        missed.add(item.key)
                    hashes[rel] = recorded[rel]
                units[item.key] = rels
                tracker.reused(item, rels)

    todo = [item for item in items if item.key not in found]
    written: list[Path] = []

    def take(pieces: Iterator[tuple[Piece, _Done]], late: bool = False) -> None:
        for piece, results in pieces:
            for agency, files in results:
                item = by_place[(piece.unit, piece.view, agency)]
                hashes.update(files)
                units[item.key] = list(files)
                written.extend(new / rel for rel in files)
                tracker.rendered(item, list(files), late)

    def linked_and_more() -> None:
        link_reused()
        meanwhile()

    by_place = {(item.unit, item.view, item.agency): item for item in todo}
    # the reused files are linked while the workers render the others (the parent would wait for them idle)
    take(workers.run(plan_pieces(todo, plan), linked_and_more))
    looked: dict[str, os.stat_result] = {}
    while changed := _changed(real, items, found, missed, looked):
        for item in changed:
            for rel in found.pop(item.key):
                hashes.pop(rel, None)
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(new / rel)  # a link of the clerk's file: never written into
            units.pop(item.key, None)
        missed.clear()
        by_place = {(item.unit, item.view, item.agency): item for item in changed}
        take(workers.run(plan_pieces(changed, plan)), late=True)
    if plan.options.pdf:  # the PDF step, over the documents written now (reused ones come with their PDFs)
        pdfs, tracker.summary.pdf_skipped = _convert(written, new, units)
        tracker.summary.pdfs += pdfs
    # the files laid out: those linked and rendered (the PDF step adds its own: the tree is walked then)
    laid = files_under(new) if plan.options.pdf else list(hashes)
    reused = frozenset(rel for rels in found.values() for rel in rels)
    return publish(
        new,
        out_dir,
        laid,
        scope=plan.scope,
        force=force,
        real=real,
        hashes=hashes,
        units=units,
        reused=reused,
        spared=plan.spared,
        plan=entry,
        looked=looked,
    )


def _convert(written: list[Path], new: Path, units: dict[str, list[str]]) -> tuple[int, str | None]:
    """The PDF step: each written .docx and .xlsx converted beside itself; each PDF joins its document's piece."""
    from ..writers.office import PdfUnavailable, convert_to_pdf

    documents = sorted(p for p in written if p.suffix in (".docx", ".xlsx"))
    try:
        pdfs = convert_to_pdf(documents)
    except PdfUnavailable as exc:
        return 0, str(exc)
    made = {str(p.relative_to(new).with_suffix("")) for p in pdfs}
    for rels in units.values():
        rels += [str(Path(rel).with_suffix(".pdf")) for rel in list(rels) if str(Path(rel).with_suffix("")) in made]
    return len(pdfs), None


def _link(source: Tree, target: Tree, rel: str) -> bool:
    """A reused output in the new tree: a hard link of the published file (a copy across devices). False when
    neither can be made (the file gone, or reached through a link): its item is rendered (:func:`_changed`)."""
    try:
        source.link(rel, target)
    except OSError as exc:
        import shutil

        if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK):  # gone, or a link on its way: not copied
            return False
        try:
            os.makedirs(os.path.dirname(target.path(rel)), exist_ok=True)
            shutil.copy2(source.path(rel), target.path(rel), follow_symlinks=False)
        except OSError:
            return False
    return True


def _recorded(real: Path, items: Sequence[Item]) -> dict[str, list[str]]:
    """The items whose key the previous build recorded, with the files it wrote for each (key -> files); whether
    those files are still as matrix wrote them is not looked at here (:func:`_checked`, :func:`_changed`)."""
    units = read_units(real)
    return {item.key: units[item.key] for item in items if item.key in units}


def _checked(real: Path, found: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """Those of ``found`` whose published files are all still what matrix wrote (:func:`reusable`)."""
    files, stats = read_manifest(real), read_stats(real)
    with Tree(real) as tree:
        return {key: rels for key, rels in found.items() if reusable(real, rels, files, stats, tree)}


def _reusable(real: Path, items: Sequence[Item]) -> dict[str, list[str]]:
    """The items whose key the previous build recorded and whose published files are unchanged: key -> files."""
    return _checked(real, _recorded(real, items))


def _changed(
    real: Path,
    items: Sequence[Item],
    found: Mapping[str, list[str]],
    missed: set[str],
    looked: dict[str, os.stat_result],
) -> list[Item]:
    """The items of ``found`` whose published files are no longer what matrix wrote, or could not be linked
    (``missed``); ``looked`` is given the look at each file of the others (publishing takes it: one look a file)."""
    files, stats = read_manifest(real), read_stats(real)
    looked.clear()
    changed = []
    with Tree(real) as tree:
        for item in items:
            rels = found.get(item.key)
            if rels is not None and (item.key in missed or not reusable(real, rels, files, stats, tree, looked)):
                changed.append(item)
    return changed


def _nothing_to_do(
    real: Path,
    scope: frozenset[str] | None,
    spared: frozenset[str],
    items: Sequence[Item],
    found: dict[str, list[str]],
) -> bool:
    """Every document reused, and the output folder holds exactly the previous build's outputs (none to
    remove, none kept aside because edited by hand): publishing would change nothing."""
    if not items or any(item.key not in found for item in items):
        return False
    if read_manifest(real, "edited"):
        return False
    ours = {rel for item in items for rel in found[item.key]}
    previous = read_manifest(real)
    if scope is not None or spared:
        previous = {rel: h for rel, h in previous.items() if in_scope(rel, scope, spared)}
    return set(previous) == ours and (real / MANIFEST).is_file()


class _Tracker:
    """Counts what a build wrote into its summary, and tells the progress callbacks."""

    def __init__(
        self,
        summary: BuildSummary,
        total: int,
        progress: Callable[[int], None] | None,
        watch: Callable[[BuildProgress], None] | None,
    ) -> None:
        self.summary, self.total, self.progress, self.watch = summary, total, progress, watch
        self.done = 0

    def reused(self, item: Item, files: Sequence[str]) -> None:
        self.summary.reused += len(files)
        self._count(item, files)

    def rendered(self, item: Item, files: Sequence[str], late: bool = False) -> None:
        """``late``: an item counted as reused whose published file turned out edited (:func:`_lay_out`)."""
        self.summary.rendered += 1
        if late:
            self.summary.reused -= len(files)
            self.summary.pdfs -= sum(rel.endswith(".pdf") for rel in files)  # the PDF step counts them again
            return
        self._count(item, files)

    def _count(self, item: Item, files: Sequence[str]) -> None:
        documents = [rel for rel in files if not rel.endswith(".pdf")]
        self.summary.pdfs += len(files) - len(documents)  # a reused document's PDF (new ones: the PDF step)
        tally = unit(item.unit).tally
        if tally is not None:
            setattr(self.summary, tally, getattr(self.summary, tally) + len(documents))
            if self.progress is not None and tally == "letters":
                self.progress(len(documents))
        self.done += 1
        if self.watch is not None:
            self.watch(BuildProgress(self.done, self.total, files[0] if files else ""))


def build_report(plan: BuildPlan | None, summary: BuildSummary, output: Path) -> list[tuple[str, bool]]:
    """What ``matrix build`` tells the clerk after a build: (line, whether it goes to stderr), in order.

    ``plan`` None: a build with nothing changed (:func:`build_unchanged`), told from the notes it recorded."""
    notes = summary.notes or (Notes.of(plan) if plan is not None else None)
    assert notes is not None, "a build's summary carries its notes, or the plan is given"
    lines = [(text, True) for text in notes.left_out]
    lines += [
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
    if summary.reused:
        lines.append((f"Trong đó {summary.reused} tệp không đổi được dùng lại từ lần tạo trước.", False))
    reminders = (
        f"{summary.reminders} thư đôn đốc trong {CONSOLIDATED}/{REMINDERS}/."
        if summary.reminders
        else "không có nhiệm vụ quá hạn, không có thư đôn đốc."
    )
    status = f"{CONSOLIDATED}/{STATUS_WORKBOOK}"
    lines.append((f"Tình hình thực hiện đến ngày {notes.as_of}: {status}; {reminders}", False))
    lines += [(text, True) for text in notes.wide]
    if notes.left_count:
        lines.append(
            (
                f"{notes.left_count} văn bản bị bỏ qua vì có lỗi (kể trên), các văn bản khác đã được tạo; "
                "hãy sửa lỗi rồi chạy lại matrix build.",
                True,
            )
        )
    if notes.pdf:
        if summary.pdf_skipped:
            lines.append((f"Không tạo PDF: {summary.pdf_skipped}", True))
        else:
            lines.append((f"Đã chuyển {summary.pdfs} tệp sang PDF.", False))
    return lines


def left_out_report(left_out: Sequence[LeftOut]) -> list[tuple[str, bool]]:
    """Each directive file left out of a build: its problems, then what became of it (lines for stderr)."""
    lines: list[tuple[str, bool]] = []
    for out in left_out:
        lines += [(str(problem), True) for problem in out.problems]
        errors = sum(p.is_error for p in out.problems)
        lines.append(
            (
                f"Bỏ qua văn bản '{out.directive_id}' ({out.path}): có {errors} lỗi nên không được tạo lần này; "
                "kết quả cũ của văn bản này (nếu có) được giữ nguyên và không có trong kết quả tổng hợp.",
                True,
            )
        )
    return lines


NEW, EARLY = "new", "early"  # in the staging folder: the new tree, and the pieces rendered before the keys


def _make_folders(tree: Path, plan: BuildPlan) -> None:
    """The folder ``tree`` and each view's folder in it (the units write into them)."""
    tree.mkdir()
    for folder, _ in plan.views:
        (tree / folder).mkdir()


@dataclass(frozen=True)
class _Units:
    """The output units' pieces of a plan (:mod:`matrix.build.outputs`), run here or in worker processes, each
    into a tree of the staging folder ``stage`` (:data:`NEW`, or :data:`EARLY` for a piece started before the
    keys are known)."""

    plan: BuildPlan
    stage: Path

    def run(self, piece: Piece, tree: str = NEW) -> list[tuple[str | None, dict[str, str]]]:
        """Write one piece, an item at a time; return each item's agency and its files' content hashes
        (computed here, so that worker processes share the hashing the manifest needs), relative to the tree."""
        from ..writers.templates import forget_written, written_hash

        done = []
        root = self.stage / tree
        forget_written()
        for agency in piece.agencies or (None,):
            paths = unit(piece.unit).write(self.plan, piece.view, agency, root)
            # a document's hash taken as it was written (the letters), else read back
            done.append((agency, {str(p.relative_to(root)): written_hash(p) or file_hash(p) for p in paths}))
        return done


_WORK: _Units | None = None  # what forked worker processes inherit

_Done = list[tuple[str | None, dict[str, str]]]  # what a piece wrote: each item's agency, its files' hashes


def _run_unit(piece: Piece, tree: str = NEW) -> _Done:
    assert _WORK is not None
    return _WORK.run(piece, tree)


class _Workers:
    """The worker processes of one build: forked when the first piece is handed to them (they inherit the plan
    as it is then, without pickling it), one per core or ``jobs``; where fork is unavailable (Windows) or one job
    is asked for, pieces run here, in :meth:`run`.

    :meth:`start_early` hands them pieces before the keys are worked out (the consolidated view's, when a
    directive changed), rendered into the staging folder's :data:`EARLY` tree; :meth:`run` then takes each one
    the keys say must be rendered (moved into :data:`NEW` once done) and leaves the others (reused: by the key
    invariant the same bytes) unread. Used as a context: on the way out the workers are ended (a failure, a stop)
    or waited for."""

    def __init__(self, work: _Units, jobs: int | None) -> None:
        self.work = work
        self.jobs = jobs or os.cpu_count() or 1
        self.forks = self.jobs > 1 and "fork" in mp.get_all_start_methods()
        self.pool: ProcessPoolExecutor | None = None
        self.early: dict[Piece, Future[_Done]] = {}

    def __enter__(self) -> _Workers:
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        global _WORK
        pool, self.pool = self.pool, None
        if pool is None:
            return
        try:
            if kind is None:
                pool.shutdown(wait=True, cancel_futures=True)  # an early piece left unread: let it end
                return
            _quiet_cancelled_futures()
            for process in list(getattr(pool, "_processes", {}).values()):
                process.terminate()  # a stopped or failed build leaves no worker behind
            # CPython's exit hook wakes the pool's management thread through a pipe that the thread closes as it
            # ends: a thread still ending at exit made the hook write to a closed pipe and print a traceback after
            # the stop message (a race fixed in Python 3.12). Its workers ended, the thread ends at once: wait.
            manager = getattr(pool, "_executor_manager_thread", None)  # shutdown forgets it
            pool.shutdown(wait=False, cancel_futures=True)
            if manager is not None:
                manager.join(timeout=10)
        finally:
            _WORK = None

    def _submit(self, piece: Piece, tree: str) -> Future[_Done]:
        global _WORK
        if self.pool is None:
            _WORK = self.work
            _import_writers()  # before the fork: each worker would import them again
            self.pool = ProcessPoolExecutor(
                max_workers=self.jobs, mp_context=mp.get_context("fork"), initializer=forked_child
            )
        return self.pool.submit(_run_unit, piece, tree)

    def start_early(self, pieces: Sequence[Piece]) -> None:
        """Start rendering ``pieces`` before the keys are known (in worker processes only: here they would wait)."""
        if not self.forks or not pieces:
            return
        _make_folders(self.work.stage / EARLY, self.work.plan)
        for piece in pieces:
            self.early[piece] = self._submit(piece, EARLY)

    def run(self, pieces: list[Piece], meanwhile: Callable[[], None] = lambda: None) -> Iterator[tuple[Piece, _Done]]:
        """Run every piece (taking an early one's result), in worker processes when there are several cores and
        pieces (or early ones). ``meanwhile`` is run here before the first piece is yielded: while the workers
        render, when there are any."""
        early = {piece: self.early.pop(piece) for piece in pieces if piece in self.early}
        for unread in self.early.values():  # reused after all: not started yet, never started
            unread.cancel()
        rest = [piece for piece in pieces if piece not in early]
        if not early and (not self.forks or len(rest) <= 1):
            meanwhile()
            for piece in rest:
                yield piece, self.work.run(piece)
            return
        with _terminate_as_interrupt():
            futures = {future: (piece, EARLY) for piece, future in early.items()}
            futures.update({self._submit(piece, NEW): (piece, NEW) for piece in rest})
            meanwhile()
            for future in as_completed(futures):
                piece, tree = futures[future]
                done = future.result()
                if tree == EARLY:
                    self._take(done)
                yield piece, done

    def _take(self, done: _Done) -> None:
        """Move the files of an early piece into the new tree (its folders are there: :func:`_make_folders`)."""
        early, new = self.work.stage / EARLY, self.work.stage / NEW
        for _, files in done:
            for rel in files:
                os.makedirs((new / rel).parent, exist_ok=True)
                os.replace(early / rel, new / rel)


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


def _import_writers() -> None:
    """Import the writers the pieces run (openpyxl, docxtpl, jinja2 with them) in this process, so that the
    worker processes forked next inherit them: each would spend 0.15 s of CPU importing them (the parent imports
    the workbook writer anyway, for the print layouts)."""
    from ..writers import excel, reminders, status_excel, word  # noqa: F401


@contextlib.contextmanager
def _still_heap() -> Iterator[None]:
    """The objects alive when a build starts (the loaded model, the pivot, the plan: millions) left out of the
    cycle collector's passes while it runs (:func:`gc.freeze`): else each pass over the oldest generation walks
    them all (a third of the time of keying 14,000 documents), in this process and in the forked workers,
    where walking them also copies their memory pages. Given back to the collector after the build."""
    import gc

    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


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
