"""Every call the web application makes into the matrix library, in one place.

The pages never load, pivot, draft, build or track by themselves: they call
the functions below, which call the same library functions as ``matrix/cli.py``
does for the matching command. When the library changes (registry as of a
date, drafter, layouts, publishing), this is the module to adapt.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..build.pipeline import (
    CONSOLIDATED,
    LETTERS,
    REMINDERS,
    STATUS_WORKBOOK,
    TABLE,
    WORKBOOK,
    BuildOptions,
    BuildProgress,
    BuildSummary,
    build,
    build_unchanged,
    cache_folder,
    prepare,
)
from ..commands.status import file_report
from ..commands.withdraw import restore, withdraw, withdrawn
from ..core.errors import InputError, Problem, WithProblems
from ..core.model import Agency, Corpus, Directive, Registry
from ..core.pivot import Entry, Matrix, build_matrix
from ..core.text import ascii_key, safe_filename, shorten, slugify
from ..draft import Draft, draft_file, draft_text, write_draft
from ..draft.dropped import Dropped, dropped_names
from ..draft.reader import read_source
from ..input.dump import scalar
from ..input.load import (
    REGISTRY_FILE,
    Unknown,
    directive_files,
    is_unresolved,
    load_corpus,
    open_registry,
    parse_date,
    suggest_names,
)
from ..input.yamlio import Report
from ..tracking.records import Record, Status, assess, load_records

__all__ = [
    "ROLE_COLOURS",
    "Catalogue",
    "DirectiveFile",
    "DraftView",
    "agency_entries",
    "calendar",
    "draft_paste",
    "draft_upload",
    "drafted_paste",
    "drafted_upload",
    "file_problems",
    "find_agencies",
    "is_unresolved",
    "labels",
    "letter_file",
    "load_catalogue",
    "record_report",
    "run_build",
    "save_draft",
    "statuses",
    "table_file",
    "view_draft",
    "workbook_file",
]


def _role_colours() -> dict[str, str]:
    from ..writers.excel import (
        ROLE_FILLS,  # the workbook's fills: the web grid shows the same marks in the same colours
    )

    return {role.mark: f"#{rgb}" for role, rgb in ROLE_FILLS.items()}


ROLE_COLOURS = _role_colours()


# --------------------------------------------------------------------------- loading


@dataclass
class DirectiveFile(WithProblems):
    """One directive file of the input folder, valid or not, with its problems."""

    path: Path
    directive: Directive | None  # None when the file could not be read at all
    problems: list[Problem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def id(self) -> str:
        return self.directive.id if self.directive else self.path.stem


@dataclass
class Catalogue:
    """The input folder as the pages see it: every file, and the corpus of the valid ones."""

    input_dir: Path
    registry: Registry | None
    files: list[DirectiveFile]
    corpus: Corpus | None
    problems: list[Problem]  # registry problems, and problems of no directive file

    def file(self, directive_id: str) -> DirectiveFile | None:
        for item in self.files:
            if item.id == directive_id:
                return item
        return None


def load_catalogue(input_dir: Path) -> Catalogue:
    """Load ``input_dir`` as ``matrix validate`` does; then the valid files alone, for the pages.

    ``matrix build`` refuses a folder with one bad file; the pages still show
    the others, and each bad file with its problems.
    """
    registry_path = input_dir / REGISTRY_FILE  # never the ./input/ fallback of find_registry
    full = load_corpus([input_dir], registry_path)
    by_path: dict[str, list[Problem]] = {}
    for problem in full.problems:
        by_path.setdefault(problem.path, []).append(problem)
    files = directive_files([input_dir], Report())
    general = [p for p in full.problems if p.path not in {str(f) for f in files}]
    try:
        registry = open_registry([input_dir], registry_path)
    except InputError:
        return Catalogue(
            input_dir, None, [DirectiveFile(f, None, by_path.get(str(f), [])) for f in files], None, general
        )
    corpus: Corpus | None = full.corpus
    if corpus is None:
        good = [f for f in files if not any(p.is_error for p in by_path.get(str(f), []))]
        corpus = load_corpus(good, registry_path).corpus if good else None
    known = {d.id: d for d in corpus.directives} if corpus else {}
    out = []
    for path in files:
        problems = by_path.get(str(path), [])
        directive = None
        if not any(p.is_error for p in problems):
            directive = known.get(path.stem)
        if directive is None:
            kept = load_corpus([path], registry_path, Unknown.KEEP)  # a draft with unknown names still shows
            directive = kept.corpus.directives[0] if kept.corpus and kept.corpus.directives else None
        out.append(DirectiveFile(path, directive, problems))
    return Catalogue(input_dir, registry, out, corpus, general)


def file_problems(path: Path) -> list[Problem]:
    """The problems of one directive file, as ``matrix validate FILE`` gives them."""
    return load_corpus([path], path.parent / REGISTRY_FILE).problems


def single_corpus(path: Path, input_dir: Path) -> Corpus | None:
    """One directive file read as a draft (unknown names kept), for its page."""
    return load_corpus([path], input_dir / REGISTRY_FILE, Unknown.KEEP).corpus


def find_agencies(
    registry: Registry, query: str, day: dt.date | None = None, limit: int = 20
) -> tuple[list[Agency], list[str]]:
    """Agencies called ``query`` (any alias, with or without diacritics), else whose names contain it.

    Returns (agencies, suggestions): at most ``limit`` agencies (:func:`search_agencies` tells how many matched);
    suggestions are close names when nothing matches.
    """
    found = search_agencies(registry, query, day)
    return found.agencies[:limit], found.suggestions


def _words_key(text: str) -> str:
    """``text`` without diacritics, case or punctuation: "Sở, ban, ngành" and "so ban nganh" are alike."""
    return " ".join(_NOT_WORD.sub(" ", ascii_key(text)).split())


_NOT_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class AgencySearch:
    """Every agency a search found (none dropped), and close names when it found none."""

    agencies: list[Agency]
    suggestions: list[str]


def search_agencies(
    registry: Registry, query: str, day: dt.date | None = None, among: Iterable[Agency] | None = None
) -> AgencySearch:
    """Agencies called ``query`` (any alias, with or without diacritics, as 'matrix show' reads a name), else
    whose names contain its words in order, punctuation aside ("so ban nganh" finds "Các sở, ban, ngành tỉnh");
    only those existing on ``day`` (every one when None) and among ``among`` when given."""
    query = query.strip()
    if not query:
        return AgencySearch([], [])
    pool = list(registry.agencies if among is None else among)
    allowed = {a.id for a in pool}
    found = [a for a in registry.typed(query) if a.id in allowed]
    if not found:
        key = _words_key(query)
        found = [a for a in pool if key and any(key in _words_key(n) for n in a.names())]
    found = [a for a in found if a.valid_on(day) and not is_unresolved(a)]  # the model's own dating
    return AgencySearch(found, [] if found else suggest_names(registry, query))


PAGE_SIZE = 50


@dataclass(frozen=True)
class AgencyPage:
    """One page of the Cơ quan list: the rows shown, how many matched in all, and the filters' choices."""

    rows: list[Agency]
    total: int
    page: int
    pages: int
    first: int  # the number of the first row shown, from 1
    suggestions: list[str]
    provinces: list[tuple[str, str]]  # (id, name); "" for the bodies of no one province
    blocks: list[tuple[str, str]]


def agency_page(
    registry: Registry,
    query: str = "",
    province: str | None = None,
    block: str | None = None,
    on: dt.date | None = None,
    page: int = 1,
    size: int = PAGE_SIZE,
) -> AgencyPage:
    """The registry filtered by province ("" for bodies of no province), khối and existence on ``on``, searched for
    ``query``, cut into pages of ``size`` (``page`` from 1, kept within the pages there are)."""
    pool = [a for a in registry.agencies if not is_unresolved(a)]
    if province is not None:
        pool = [a for a in pool if (a.province or "") == province]
    if block:
        pool = [a for a in pool if a.block == block]
    if on is not None:
        pool = [a for a in pool if a.valid_on(on)]
    suggestions: list[str] = []
    if query.strip():
        found = search_agencies(registry, query, on, pool)
        pool, suggestions = found.agencies, found.suggestions
    pages = max(1, -(-len(pool) // size))
    page = min(max(page, 1), pages)
    present = {a.province or "" for a in registry.agencies if not is_unresolved(a)}
    provinces = sorted(
        ((p, registry.provinces.get(p, p) if p else "Chung (không riêng tỉnh nào)") for p in present),
        key=lambda item: (item[0] == "", ascii_key(item[1])),
    )
    blocks = [(b.id, b.name) for b in registry.blocks]
    start = (page - 1) * size
    return AgencyPage(pool[start : start + size], len(pool), page, pages, start + 1, suggestions, provinces, blocks)


def agency_entries(corpus: Corpus, agency: Agency) -> tuple[Entry, ...]:
    """The agency's tasks across directives: its own, and those given to a group it belongs to."""
    return build_matrix(corpus, expand_groups=not agency.is_group).entries_for(agency.id)


def follow_up_files(output_dir: Path, registry: Registry | None) -> list[tuple[str, Path]]:
    """The Tình hình thực hiện workbook and the đôn đốc letters of the last build, with Vietnamese labels."""
    folder = output_dir / CONSOLIDATED
    out: list[tuple[str, Path]] = []
    if (folder / STATUS_WORKBOOK).is_file():
        out.append(("Bảng tình hình thực hiện (lần tạo kết quả gần nhất)", folder / STATUS_WORKBOOK))
    names = {safe_filename(a.id): a.name for a in registry.agencies} if registry is not None else {}
    for path in sorted((folder / REMINDERS).glob("*.docx")) if (folder / REMINDERS).is_dir() else ():
        agency = names.get(path.stem) or next(
            (n for k, n in names.items() if path.stem.startswith(k + "--")), path.stem
        )
        out.append((f"Thư đôn đốc: {agency}", path))
    return out


def labels(corpus: Corpus | None) -> dict[str, str]:
    """A short, unique label per directive, the one the workbook's "Văn bản" columns use."""
    from ..writers.excel import directive_labels

    return directive_labels(build_matrix(corpus)) if corpus is not None else {}


def pivot(corpus: Corpus, expand_groups: bool = False) -> Matrix:
    return build_matrix(corpus, expand_groups)


# --------------------------------------------------------------------------- outputs on disk


def workbook_file(output_dir: Path, directive_id: str | None) -> Path:
    return output_dir / (safe_filename(directive_id) if directive_id else CONSOLIDATED) / WORKBOOK


def table_file(output_dir: Path, directive_id: str | None) -> Path:
    return output_dir / (safe_filename(directive_id) if directive_id else CONSOLIDATED) / TABLE


def letter_file(output_dir: Path, directive_id: str | None, agency_id: str) -> Path:
    folder = safe_filename(directive_id) if directive_id else CONSOLIDATED
    return output_dir / folder / LETTERS / f"{safe_filename(agency_id)}.docx"


def letters_dir(output_dir: Path, directive_id: str) -> Path:
    return output_dir / safe_filename(directive_id) / LETTERS


def run_build(
    input_dir: Path,
    output_dir: Path,
    progress: Callable[[int], None],
    total: Callable[[int], None],
    pdf: bool = False,
    current: Callable[[str], None] | None = None,
) -> BuildSummary:
    """``matrix build [--pdf]`` on ``input_dir`` (one process: the server's threads must not fork).

    Nothing done when nothing it reads changed (:func:`~matrix.build.pipeline.build_unchanged`, as the command);
    else planned by the command's own :func:`~matrix.build.pipeline.prepare`: the directive files with input errors
    are left out (listed in the summary's ``left_out``), and the tracking records are read from disk now.
    The progress is the command line's (:class:`~matrix.build.pipeline.BuildProgress`): ``total(n)`` the
    documents to make (written or reused), ``progress(n)`` n more done, ``current(path)`` the last one.
    """
    options = BuildOptions(pdf=pdf, jobs=1)
    # nothing read changed since the last build: its outputs stand, as for `matrix build` (but the page lists the
    # left-out files with their problems, which only a plan has: with some, it plans)
    unchanged = build_unchanged([input_dir], input_dir / REGISTRY_FILE, options, output_dir)
    if unchanged is not None and not unchanged.left_count:
        total(len(unchanged.files))
        progress(len(unchanged.files))
        return unchanged
    plan = prepare([input_dir], input_dir / REGISTRY_FILE, options, lambda _: None, cache_folder(output_dir))
    done = [0]

    def watch(step: BuildProgress) -> None:
        total(step.total)
        progress(step.done - done[0])
        done[0] = step.done
        if current is not None:
            current(step.current)

    return build(plan, output_dir, watch=watch)


# --------------------------------------------------------------------------- withdrawing, ending


@dataclass(frozen=True)
class WithdrawnFile:
    """A withdrawn directive as the list shows it (its directive None when the file does not read)."""

    id: str
    path: Path
    directive: Directive | None
    records: bool


def withdrawn_files(input_dir: Path) -> list[WithdrawnFile]:
    """The directives withdrawn to ``input/da-rut/``, each read as a draft is (unknown names kept) for its label."""
    out = []
    for item in withdrawn(input_dir):
        corpus = load_corpus([item.path], input_dir / REGISTRY_FILE, Unknown.KEEP).corpus
        directive = corpus.directives[0] if corpus and corpus.directives else None
        out.append(WithdrawnFile(item.id, item.path, directive, item.records is not None))
    return out


def withdraw_directive(input_dir: Path, directive_id: str) -> str:
    """Move a directive (and its records) to ``input/da-rut/``: see :mod:`matrix.commands.withdraw`."""
    return withdraw(input_dir, directive_id)


def restore_directive(input_dir: Path, directive_id: str) -> str:
    return restore(input_dir, directive_id)


def end_directive(catalogue: Catalogue, directive_id: str, day: dt.date) -> str:
    """``matrix end``: the directive marked ended on ``day`` (its ``ended:`` line), through the command's own code."""
    from ..tracking.records import end_directive as end

    corpus = catalogue.corpus
    if corpus is None or directive_id not in {d.id for d in corpus.directives}:
        raise _problem(
            "chỉ đánh dấu kết thúc được văn bản hợp lệ: văn bản này còn lỗi hoặc không còn trong thư mục đầu vào",
            "sửa lỗi của văn bản trước",
        )
    try:
        return end(corpus, catalogue.input_dir, directive_id, day)
    except InputError as exc:  # the command's "<dòng lệnh>" is no place on a page
        raise InputError([replace(p, path="") if p.path.startswith("<") else p for p in exc.problems]) from None


# --------------------------------------------------------------------------- tracking


def statuses(catalogue: Catalogue, as_of: dt.date) -> tuple[Status, ...]:
    """``matrix status`` as of a date: every tracked assignment of the valid directives."""
    if catalogue.corpus is None:
        return ()
    return assess(build_matrix(catalogue.corpus), load_records(catalogue.input_dir, catalogue.corpus), as_of)


def record_report(
    catalogue: Catalogue,
    agency_id: str,
    directive_id: str,
    task: str | None,
    day: dt.date,
    number: str | None,
    done: bool,
    note: str | None,
) -> Path:
    """``matrix report``: check the directive, the task and that the agency is given it, then append through
    :func:`file_report`. Every refusal says in words what was chosen (names and printed labels, never ids)."""
    from ..core.pivot import Row, location

    corpus = catalogue.corpus
    again = "tải lại trang rồi chọn lại"
    if corpus is None or directive_id not in {d.id for d in corpus.directives}:
        raise _problem(
            "văn bản đã chọn không còn trong danh sách văn bản hợp lệ (có thể vừa bị rút hoặc có lỗi)", again
        )
    if agency_id not in corpus.registry:
        raise _problem("cơ quan đã chọn không có trong danh mục", again)
    directive = corpus.directive(directive_id)
    cited = directive.citation(corpus.registry.provinces)
    chosen = corpus.registry.get(agency_id)
    node = next((n for n in directive.tree if n.id == task), None)
    if task is not None and node is None:
        raise _problem(f"{cited} không có nhiệm vụ đã chọn", again)
    # the body the name means in the directive's province and on its date (as the records file reads it back)
    agency = corpus.registry.lookup(chosen.name, directive.province, directive.on).agency or chosen
    tracked = [
        s
        for s in assess(build_matrix(corpus), (), day)
        if s.entry.row.directive.id == directive_id
        and {agency.id, chosen.id} & {s.entry.agency.id, *([s.entry.was.id] if s.entry.was else [])}
    ]
    if not tracked:
        raise _problem(
            f"{chosen.name} không được giao nhiệm vụ nào cần theo dõi trong {cited}",
            "chọn đúng cơ quan, hoặc bấm nút 'Ghi báo cáo' ở dòng nhiệm vụ trong bảng bên dưới",
        )
    if node is not None and not any(any(n.id == node.id for n in s.entry.row.node.chain()) for s in tracked):
        given = ", ".join(dict.fromkeys(location(s.entry.row) for s in tracked))
        raise _problem(
            f"{chosen.name} không được giao {location(Row(directive, node))} của {cited}",
            f"nhiệm vụ của cơ quan này trong văn bản: {shorten(given, 200)}",
        )
    record = Record(directive_id, agency.id, agency.name, day, task, number, done, note)
    return file_report(corpus, catalogue.input_dir, record, _problem)


def calendar(catalogue: Catalogue, agency_ids: Iterable[str] | None = None) -> bytes:
    """``matrix calendar``: the .ics of every due date to the end of next year, by the command's own
    :func:`~matrix.commands.export.calendar_data`."""
    from ..commands.export import calendar_data

    if catalogue.corpus is None:
        raise _problem("chưa có văn bản hợp lệ nào để lập lịch")
    return calendar_data(catalogue.corpus, agency_ids=agency_ids)


def _problem(message: str, hint: str | None = None) -> InputError:
    return InputError([Problem("", 0, 0, message, hint)])  # a form's field: no file to name


def read_day(raw: str, label: str) -> tuple[dt.date | None, str | None]:
    """A date typed in a form, read by the loader's own date parser (:func:`matrix.input.load.parse_date`:
    dd/mm/yyyy or YYYY-MM-DD, 1900-2100); (None, None) when nothing was typed, (None, why) when it is no date."""
    import yaml

    raw = raw.strip()
    if not raw:
        return None, None
    report = Report()
    node = yaml.ScalarNode("tag:yaml.org,2002:str", raw, yaml.Mark("", 0, 0, 0, "", 0))
    day = parse_date(node, "", report, label)
    if day is None:
        problem = report.problems[0] if report.problems else None
        why = problem.message if problem is not None else f"{label}: ngày '{raw}' không đọc được"
        return None, f"{why} (ghi ngày/tháng/năm, ví dụ 15/12/2025)"
    return day, None


@dataclass(frozen=True)
class TaskChoice:
    """A task as the report form lists it: the value sent back, and how the document prints it."""

    value: str  # "<directive id>|<task id>", "<directive id>|" for all of the agency's tasks
    label: str


def task_value(directive_id: str, task_id: str | None) -> str:
    return f"{directive_id}|{task_id or ''}"


def task_choices(corpus: Corpus | None) -> list[tuple[Directive, list[TaskChoice]]]:
    """Per directive, its tasks as the form lists them: "Mục 3, điểm a — text", never an id to type."""
    from ..core.pivot import Row, location

    out: list[tuple[Directive, list[TaskChoice]]] = []
    for directive in corpus.directives if corpus else ():
        choices = [TaskChoice(task_value(directive.id, None), "Mọi nhiệm vụ của cơ quan trong văn bản này")]
        for node in directive.tree:
            where = location(Row(directive, node))
            text = " ".join(node.task.text.split())
            choices.append(TaskChoice(task_value(directive.id, node.id), f"{where[:1].upper()}{where[1:]} — {text}"))
        out.append((directive, choices))
    return out


def split_task_value(value: str) -> tuple[str, str | None]:
    directive_id, _, task_id = value.partition("|")
    return directive_id, task_id or None


# --------------------------------------------------------------------------- drafting


def draft_upload(path: Path, input_dir: Path) -> tuple[Draft, list[str]]:
    """``matrix draft`` on an uploaded file: the draft and the source's lines."""
    registry = open_registry([input_dir], input_dir / REGISTRY_FILE)
    return draft_file(path, registry), read_source(path).lines


def draft_paste(text: str, directive_id: str, input_dir: Path) -> Draft:
    return draft_text(text, open_registry([input_dir], input_dir / REGISTRY_FILE), directive_id)


# The two below run in the page's worker process (matrix.web.worker): plain data in, plain data out.


def drafted_upload(path: Path, input_dir: Path) -> tuple[str, list[str]]:
    """:func:`draft_upload` as the worker returns it: the draft's YAML and the source's lines."""
    draft, lines = draft_upload(path, input_dir)
    return draft.yaml, lines


def drafted_paste(text: str, directive_id: str, input_dir: Path) -> str:
    """:func:`draft_paste` as the worker returns it: the draft's YAML."""
    return draft_paste(text, directive_id, input_dir).yaml


@dataclass
class DraftView:
    """A draft as the page shows it: its directive read with unknown names kept, its problems, its flagged names
    (``unresolved``: assigned under a name the registry lacks; ``dropped``: named in a task but assigned to no one)."""

    directive: Directive | None
    problems: list[Problem]
    unresolved: list[str]
    dropped: list[Dropped] = field(default_factory=list)

    @property
    def flagged(self) -> list[str]:
        """Every name the page marks in the source and the tasks."""
        return [*self.unresolved, *(d.name for d in self.dropped if d.name not in self.unresolved)]


def view_draft(yaml_text: str, directive_id: str, input_dir: Path) -> DraftView:
    """Read draft YAML as ``matrix export`` reads a draft (unknown names kept and flagged)."""
    with tempfile.TemporaryDirectory(prefix="matrix-web-") as tmp:
        path = Path(tmp) / f"{slugify(directive_id)}.yaml"
        path.write_text(yaml_text, encoding="utf-8")
        result = load_corpus([path], input_dir / REGISTRY_FILE, Unknown.KEEP)
        name = f"{slugify(directive_id)}.yaml"
        problems = [replace(p, path=name) if p.path == str(path) else p for p in result.problems]
    directive = result.corpus.directives[0] if result.corpus and result.corpus.directives else None
    unresolved: list[str] = []
    dropped: list[Dropped] = []
    if directive is not None and result.corpus is not None:
        for task, _ in directive.walk():
            for assignment in task.assignments:
                agency = result.corpus.registry.get(assignment.agency)
                if is_unresolved(agency) and assignment.written not in unresolved:
                    unresolved.append(assignment.written)
        dropped = dropped_names(directive, result.corpus.registry)
    return DraftView(directive, problems, unresolved, dropped)


def save_draft(yaml_text: str, path: Path) -> list[Problem]:
    """Write the draft as ``matrix draft -o`` does, then validate it as ``matrix validate FILE`` does."""
    write_draft(Draft(yaml=yaml_text, tasks=0, resolved=0, unresolved=[], review=0), path)
    return load_corpus([path], path.parent / REGISTRY_FILE).problems


def yaml_scalar(value: str) -> str:
    """A name as the drafter writes it in YAML."""
    return scalar(value)
