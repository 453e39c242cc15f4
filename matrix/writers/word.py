"""Word outputs: one letter per addressee, and the assignment table for meetings.

Both are rendered from .docx templates (see :mod:`matrix.writers.templates` and
docs/templates.md). This module only gathers data from the matrix; every word
a clerk reads on the page lives in the templates.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ..core.doctypes import is_type_code
from ..core.model import ROLES, Agency, Directive, IssuerKind, Role, Signer, issuer_with_province, regional_name
from ..core.pivot import Entry, Matrix, Row, location, ordinal
from ..core.stamp import build_date
from ..core.text import inline_name, match_key, roman, safe_filename
from ..input.catalogue import province_names
from .chunks import printed_fields
from .templates import TemplateLibrary, WordTemplateError

# Public, including the seam other documents (reminders) build on: the template data of each part.
__all__ = [
    "EXTRACT_TEMPLATE",
    "LETTER_TEMPLATES",
    "TABLE_TEMPLATE",
    "WordTemplateError",
    "agency_data",
    "build_date",
    "date_data",
    "date_place",
    "directive_data",
    "extract_context",
    "issuer_data",
    "issuer_groups",
    "letter_context",
    "letter_count",
    "row_data",
    "signer_data",
    "subtask_lines",
    "subtask_marker",
    "table_context",
    "task_data",
    "write_assignment_table",
    "write_consolidated",
    "write_extracts",
    "write_letters",
]

LETTER_TEMPLATES = {IssuerKind.STATE: "thu-nha-nuoc.docx", IssuerKind.PARTY: "thu-dang.docx"}
TABLE_TEMPLATE = "bang-phan-cong.docx"
EXTRACT_TEMPLATE = "tong-hop-nhiem-vu.docx"
# Folders of the consolidated outputs (under tong-hop/): one extract per agency; letters per issuer.
EXTRACTS_FOLDER = "tong-hop-nhiem-vu"
LETTERS_FOLDER = "thu-giao-nhiem-vu"

_BULLET_MARKS = "-–—+•*"
_SKIPPED_COPIES = (match_key("Như trên"), match_key("Lưu"))
_ABOUT_PREFIX = re.compile(r"^\s*(về việc|về|v/v)\s+", re.IGNORECASE)


# --------------------------------------------------------------------------- public API


def letter_count(matrix: Matrix) -> int:
    """How many documents :func:`write_letters` (one directive) or :func:`write_consolidated` (several) writes."""
    if len(matrix.directives) <= 1:
        return len(matrix.columns)
    combined = sum(len(group.columns) for _, group in issuer_groups(matrix))
    return len(matrix.columns) + combined


def write_letters(
    matrix: Matrix,
    out_dir: Path,
    *,
    templates: Path | None = None,
    progress: Callable[[int], None] | None = None,
    agencies: Iterable[str] | None = None,
    date: dt.datetime | None = None,
) -> list[Path]:
    """Write one letter per column of ``matrix`` to ``out_dir/<agency-id>.docx``.

    Every directive of ``matrix`` must come from one issuer (a letter belongs to
    one issuer): with one directive the letter cites it; with several, each
    letter gathers the addressee's tasks from all of them. ``progress(1)`` is
    called after each letter. ``templates`` is a folder searched before the
    repository's ``templates/``. ``agencies`` restricts the letters to those
    column ids (a build shares one view's letters among processes). ``date``
    is stamped in the documents' properties (default :func:`build_date`).
    """
    if not _shared(matrix).one_issuer:
        raise ValueError("a letter belongs to one issuer: use write_consolidated for directives of several issuers")
    if not matrix.columns:
        out_dir.mkdir(parents=True, exist_ok=True)
        return []
    lead = matrix.directives[0]
    template = TemplateLibrary(templates).get(LETTER_TEMPLATES[lead.issuer.kind])
    return _write_each(matrix, out_dir, template, letter_context, progress, agencies, date)


def write_extracts(
    matrix: Matrix,
    out_dir: Path,
    *,
    templates: Path | None = None,
    progress: Callable[[int], None] | None = None,
    agencies: Iterable[str] | None = None,
    date: dt.datetime | None = None,
) -> list[Path]:
    """Write one "Tổng hợp nhiệm vụ" per column: the agency's tasks under each directive, no issuer, no signature."""
    if not matrix.columns:
        out_dir.mkdir(parents=True, exist_ok=True)
        return []
    template = TemplateLibrary(templates).get(EXTRACT_TEMPLATE)
    return _write_each(matrix, out_dir, template, extract_context, progress, agencies, date)


def write_consolidated(
    matrix: Matrix,
    out_dir: Path,
    *,
    templates: Path | None = None,
    progress: Callable[[int], None] | None = None,
    agencies: Iterable[str] | None = None,
    date: dt.datetime | None = None,
) -> list[Path]:
    """The consolidated documents of a matrix of several directives, under ``out_dir``.

    ``tong-hop-nhiem-vu/<agency>.docx``: each agency's extract of every directive;
    ``thu-giao-nhiem-vu/<issuer>/<agency>.docx``: where several directives share one
    issuer, a combined letter from that issuer only (see :func:`issuer_groups`).
    """
    wanted = None if agencies is None else tuple(agencies)
    options = dict(templates=templates, progress=progress, agencies=wanted, date=date)
    paths = write_extracts(matrix, out_dir / EXTRACTS_FOLDER, **options)  # type: ignore[arg-type]
    for folder, group in issuer_groups(matrix):
        paths += write_letters(group, out_dir / LETTERS_FOLDER / folder, **options)  # type: ignore[arg-type]
    return paths


def write_assignment_table(
    matrix: Matrix,
    path: Path,
    *,
    templates: Path | None = None,
    date: dt.datetime | None = None,
    kept: Path | None = None,
) -> None:
    """Write the assignment table (one row per task, landscape) to ``path``.

    ``kept``: a folder where each directive's section of the table is kept for the next writing, when the
    template is proven to render its sections independently (:func:`matrix.writers.sections.render_sectioned`);
    the table is the same bytes either way."""
    path.parent.mkdir(parents=True, exist_ok=True)
    template = TemplateLibrary(templates).get(TABLE_TEMPLATE)
    created = date or build_date()
    context, sections = _table_parts(matrix)
    if kept is not None:
        from ..core import model, pivot, text
        from .chunks import ChunkStore
        from .sections import render_sectioned

        store = ChunkStore(kept)
        # the rows' data read the task tree, locations and inheritance (core.model, core.pivot) and text helpers
        code = [__file__, model.__file__, pivot.__file__, text.__file__]
        done = render_sectioned(template, context, sections, path, store, created=created, code=code)
        store.finish()  # when not done, no piece was used: none is kept
        if done:
            return
    template.render({**context, "sections": [section.data() for section in sections]}, path, created=created)


def _write_each(
    matrix: Matrix,
    out_dir: Path,
    template: Any,
    context: Callable[[Matrix, Agency], dict[str, Any]],
    progress: Callable[[int], None] | None,
    agencies: Iterable[str] | None,
    date: dt.datetime | None,
) -> list[Path]:
    stamp = date or build_date()
    paths: list[Path] = []
    for agency in matrix.columns if agencies is None else _shared(matrix).columns_of(agencies):
        path = out_dir / f"{safe_filename(agency.id)}.docx"
        template.render(context(matrix, agency), path, created=stamp)
        paths.append(path)
        if progress is not None:
            progress(1)
    if not paths:  # the folder is made by the first document written into it
        out_dir.mkdir(parents=True, exist_ok=True)
    return paths


class _Shared:
    """What every letter of one matrix shares, made once: a build writes each letter by a call of its own.

    The data of a directive (:func:`directive_data`), the issuer and the signer do not depend on the addressee;
    the data of a task are made once per process (:func:`_row_data`), shared by every matrix that holds the row.
    The dicts and lists are shared by the contexts of every letter: templates only read them (the sandbox is
    immutable).
    """

    def __init__(self, matrix: Matrix) -> None:
        self.matrix = matrix  # kept alive, so the ids below stay those of its rows
        self._one_issuer: bool | None = None
        self._directives: dict[str, dict[str, Any]] = {}
        self._issuer: dict[str, Any] | None = None
        self._signer: dict[str, Any] | None = None
        self._positions: dict[str, int] | None = None

    def columns_of(self, agencies: Iterable[str]) -> list[Agency]:
        """The columns of the matrix whose ids are in ``agencies``, in the matrix's order (a build asks for one
        agency's letter at a time: its column is found by its id, not by a look at every column)."""
        if self._positions is None:
            self._positions = {agency.id: n for n, agency in enumerate(self.matrix.columns)}
        positions = self._positions
        if len(positions) != len(self.matrix.columns):  # an id twice: every column that has it, as before
            wanted = set(agencies)
            return [agency for agency in self.matrix.columns if agency.id in wanted]
        chosen = sorted({positions[a] for a in agencies if a in positions})
        return [self.matrix.columns[n] for n in chosen]

    @property
    def one_issuer(self) -> bool:
        """Whether every directive of the matrix comes from one issuer (a letter belongs to one)."""
        if self._one_issuer is None:
            self._one_issuer = len({issuer_key(d, self.matrix) for d in self.matrix.directives}) <= 1
        return self._one_issuer

    def row(self, row: Row) -> _RowData:
        """What letters say about ``row``, whoever they are for (:class:`_RowData`)."""
        return _row_data(self.matrix, row)

    def task(self, row: Row) -> dict[str, Any]:
        """:func:`task_data` of ``row`` (the letters, the extracts and the assignment table share it)."""
        return _row_data(self.matrix, row).task

    def directive(self, directive: Directive) -> dict[str, Any]:
        found = self._directives.get(directive.id)
        if found is None:
            found = self._directives[directive.id] = directive_data(directive)
        return found

    def issuer(self) -> dict[str, Any]:
        """The sender of a letter of the matrix (its first directive's issuer, with the province filled in)."""
        if self._issuer is None:
            self._issuer = issuer_data(self.matrix.directives[0], self.matrix)
        return self._issuer

    def signer(self) -> dict[str, Any]:
        if self._signer is None:
            self._signer = signer_data(_common_signer(self.matrix.directives))
        return self._signer


class _RowData:
    """What the letters of every addressee say about one task, made once per process for a row: a build's views
    are cut from one pivot (:meth:`Matrix.subset`), so a task's row is the same object in its directive's
    letters, the consolidated extracts, the letters of its issuer and the assignment tables, with the same
    entries. ``own`` (the row's entries in the matrix it was made for) tells the row of another pivot apart."""

    __slots__ = ("_paragraphs", "_request", "named", "own", "related", "row", "subtasks", "task")

    def __init__(self, matrix: Matrix, row: Row) -> None:
        self.row = row
        self.own = matrix.entries_in(row)
        self.task = task_data(row)
        self._paragraphs: list[str] | None = None
        self._request: bool | None = None
        self.subtasks: list[dict[str, Any]] | None = None
        self.related: tuple[Entry, ...] | None = None
        self.named: list[tuple[str, str, str]] | None = None  # (agency id, role key, name), first mention only

    def letter_parts(self, matrix: Matrix) -> _RowData:
        """Itself, with what a letter adds to the task data made (once)."""
        if self.named is None:
            row = self.row
            self.subtask_lines()
            self.related = (*matrix.context(row), *(e for sub in row.descendants() for e in matrix.entries_in(sub)))
            seen: set[str] = set()
            named = []
            for entry in self.related:
                if entry.agency.id not in seen:
                    seen.add(entry.agency.id)
                    named.append((entry.agency.id, _ROLE_KEYS[entry.role], entry.agency.name))
            self.named = named
        return self

    def subtask_lines(self) -> list[dict[str, Any]]:
        """:func:`subtask_lines` of the row, made once."""
        if self.subtasks is None:
            self.subtasks = subtask_lines(self.row)
        return self.subtasks

    def role_names(self, exclude: str) -> dict[str, list[str]]:
        """:func:`_role_names` of :func:`_names_by_role` of the related entries, ``exclude`` left out."""
        names: dict[str, list[str]] = {"leads": [], "partners": [], "doers": []}
        for agency_id, key, name in self.named or ():
            if agency_id != exclude:
                names[key].append(name)
        return names

    @property
    def paragraphs(self) -> list[str]:
        """The task's paragraphs without a heading line that only names its addressees (:func:`without_heading`)."""
        if self._paragraphs is None:
            self._paragraphs = without_heading(self.row, self.task["paragraphs"])
        return self._paragraphs

    @property
    def request(self) -> bool:
        """Whether the text (or the item above it) opens with "Đề nghị" (:func:`_is_request`)."""
        if self._request is None:
            self._request = any(_REQUEST.match(node.task.text) for node in self.row.node.chain())
        return self._request


_ROW_DATA: dict[int, _RowData] = {}
_ROW_DATA_SIZE = 100_000  # rows kept (then it starts again): the 6,000-task province has 6,156
_ROW_DATA_LOCK = threading.Lock()  # the web builds in a thread


def row_data(matrix: Matrix, row: Row) -> _RowData:
    """What every letter says about ``row`` of ``matrix`` (:class:`_RowData`), made once per process."""
    return _row_data(matrix, row)


def _row_data(matrix: Matrix, row: Row) -> _RowData:
    found = _ROW_DATA.get(id(row))
    if found is None or found.row is not row or found.own is not matrix.entries_in(row):
        with _ROW_DATA_LOCK:
            if len(_ROW_DATA) >= _ROW_DATA_SIZE:
                _ROW_DATA.clear()
            found = _ROW_DATA[id(row)] = _RowData(matrix, row)
    return found


# The last few matrices' (a build writes the letters of one view in a row; a consolidated view's extract and the
# letters of its issuers' groups alternate, agency by agency).
_SHARED: dict[int, _Shared] = {}
_SHARED_MATRICES = 8


_SHARED_LOCK = threading.Lock()  # the web builds in a thread


def _shared(matrix: Matrix) -> _Shared:
    with _SHARED_LOCK:
        found = _SHARED.get(id(matrix))
        if found is None or found.matrix is not matrix:
            if len(_SHARED) >= _SHARED_MATRICES:
                del _SHARED[next(iter(_SHARED))]  # the oldest
            found = _SHARED[id(matrix)] = _Shared(matrix)
        return found


def issuer_key(directive: Directive, matrix: Matrix) -> tuple[str, ...]:
    """Who issued ``directive``: its kind, name and header as printed (with the province filled in)."""
    header = issuer_header(directive, matrix)
    return (directive.issuer.kind.value, match_key(directive.issuer.name), *(match_key(line) for line in header))


_GROUPS: dict[
    int, tuple[Matrix, list[tuple[str, Matrix]]]
] = {}  # the last matrix's groups (a build asks once per unit)


def issuer_groups(matrix: Matrix) -> list[tuple[str, Matrix]]:
    """(folder name, sub-matrix) for each issuer with several directives in ``matrix``, in document order."""
    cached = _GROUPS.get(id(matrix))
    if cached is not None and cached[0] is matrix:
        return cached[1]
    found = _issuer_groups(matrix)
    _GROUPS.clear()
    _GROUPS[id(matrix)] = (matrix, found)
    return found


def _issuer_groups(matrix: Matrix) -> list[tuple[str, Matrix]]:
    groups: dict[tuple[str, ...], list[Directive]] = {}
    for directive in matrix.directives:
        groups.setdefault(issuer_key(directive, matrix), []).append(directive)
    found: list[tuple[str, Matrix]] = []
    used: set[str] = set()
    for directives in groups.values():
        if len(directives) < 2:
            continue
        folder = safe_filename(" ".join(issuer_header(directives[0], matrix))) or "co-quan-ban-hanh"
        while folder in used:
            folder += "-2"
        used.add(folder)
        found.append((folder, matrix.subset(d.id for d in directives)))
    return found


# --------------------------------------------------------------------------- structure


def lead_directive(directives: tuple[Directive, ...]) -> Directive:
    """The directive whose issuer heads the letters and the table.

    With issuers of one kind, the first directive; with State and Party issuers
    mixed, the first State one (the People's Committee coordinates execution).
    """
    if not directives:
        raise ValueError("matrix has no directive")
    kinds = {d.issuer.kind for d in directives}
    if len(kinds) == 1:
        return directives[0]
    return next(d for d in directives if d.issuer.kind is IssuerKind.STATE)


# --------------------------------------------------------------------------- plain data for templates


def paragraphs(text: str) -> list[str]:
    """The paragraphs of a task's text (separated by newlines), blank ones dropped.

    A source's closing mark "./." ends the source, not the quoted paragraph: it becomes ".".
    """
    found = [p.strip() for p in text.split("\n") if p.strip()]
    return [p[:-2].rstrip() if p.endswith("./.") else p for p in found]


def _clause(text: str | None) -> str:
    """A phrase the template ends with its own punctuation."""
    return (text or "").strip().rstrip(" .;,")


def date_data(date: dt.date | None) -> dict[str, str] | None:
    """Day, month and year as printed (Nghị định 30: 0 before days < 10 and months 1-2)."""
    if date is None:
        return None
    month = f"{date.month:02d}" if date.month < 3 else str(date.month)
    return {
        "day": f"{date.day:02d}",
        "month": month,
        "year": str(date.year),
        "short": f"{date.day:02d}/{date.month:02d}/{date.year}",
    }


def _about(title: str) -> str:
    """The title as it reads after "về": "Về bảo đảm ANTT" -> "bảo đảm ANTT"."""
    rest = _ABOUT_PREFIX.sub("", title.strip(), count=1).rstrip(" .")
    if len(rest) > 1 and rest[1].islower():
        rest = rest[0].lower() + rest[1:]
    return rest


def _abbreviation(directive: Directive) -> str:
    """The issuing body's code in the directive's symbol ("CT-UBND" -> "UBND", "CT/TU" -> "TU")."""
    symbol = (directive.symbol or "").strip()
    if directive.issuer.kind is IssuerKind.PARTY:
        return symbol.rsplit("/", 1)[1] if "/" in symbol else ""
    parts = [p for p in re.split(r"[-/]", symbol) if p and not is_type_code(p)]
    return parts[0] if parts else ""


def directive_data(directive: Directive) -> dict[str, Any]:
    """What templates may say about a directive (kind, number, date, issuer, subject)."""
    return {
        "id": directive.id,
        "kind": directive.kind,
        "reference": directive.reference,
        "number": directive.number or "",
        "symbol": directive.symbol or "",
        "date": date_data(directive.date),
        "title": directive.title,
        "about": _about(directive.title),
        # the issuer as a citation names it, with its province ("của Chủ tịch Ủy ban nhân dân tỉnh Tiền Giang")
        "issuer": inline_name(issuer_with_province(directive, province_names())),
        "place": directive.place or "",
    }


# Where the header names no province ("ỦY BAN NHÂN DÂN TỈNH", "TỈNH ỦY"), the clerk fills it in.
PROVINCE_PLACEHOLDER = "……………"
_UNNAMED_LOCALITY = re.compile(r"^(.*\b)?(TỈNH|THÀNH PHỐ)( (ỦY|UỶ))?$")
_COMMITTEE_AND_LOCALITY = re.compile(
    r"^((?:ỦY|UỶ) BAN NHÂN DÂN|HỘI ĐỒNG NHÂN DÂN) ((?:TỈNH|THÀNH PHỐ|HUYỆN|QUẬN|THỊ XÃ|XÃ|PHƯỜNG)\b.*)$"
)
_LOCALITY_START = re.compile(r"^(TỈNH|THÀNH PHỐ|HUYỆN|QUẬN|THỊ XÃ|XÃ|PHƯỜNG) (?!(ỦY|UỶ)\b)")


def issuer_header(directive: Directive, matrix: Matrix) -> list[str]:
    """The issuer's header lines as printed: the province filled in (or a placeholder), a committee's name on two lines.

    "ỦY BAN NHÂN DÂN TỈNH" becomes "ỦY BAN NHÂN DÂN" / "TỈNH ĐỒNG THÁP" (or "TỈNH ……………" when the
    province is unknown); "TỈNH ỦY" becomes "TỈNH ỦY HƯNG YÊN".
    """
    issuer = directive.issuer
    lines = [line.strip() for line in issuer.header if line.strip()] or [issuer.name.upper()]
    province = matrix.registry.provinces.get(directive.province or "", "").upper() or PROVINCE_PLACEHOLDER
    out: list[str] = []
    for line in lines:
        upper = line.upper()
        if _UNNAMED_LOCALITY.match(upper):
            line = f"{line} {province}"
        split = _COMMITTEE_AND_LOCALITY.match(line.upper())
        if split and issuer.kind is IssuerKind.STATE:
            out += [line[: len(split.group(1))], line[len(split.group(1)) + 1 :]]
        else:
            out.append(line)
    return out


def _body_start(header: list[str]) -> int:
    """Where the issuing body's own name starts in its header: lines above it name the superior body.

    A line that continues a name with its locality ("TỈNH ĐỒNG THÁP" under "ỦY BAN NHÂN DÂN") is part
    of the same name, so both lines are the body's (Nghị định 30: the issuing body's name is bold).
    """
    start = len(header) - 1
    while start > 0 and _LOCALITY_START.match(header[start].upper()):
        start -= 1
    return start


def issuer_data(directive: Directive, matrix: Matrix | None = None) -> dict[str, Any]:
    """The body that sends the letter: its header lines and names."""
    issuer = directive.issuer
    if matrix is None:
        header = list(issuer.header) or [issuer.name]
    else:
        header = issuer_header(directive, matrix)
    body = _body_start(header)
    return {
        "name": issuer.name,
        "short": issuer.short or "",
        "inline": inline_name(issuer.short or issuer.name),
        "kind": issuer.kind.value,
        "is_party": issuer.kind is IssuerKind.PARTY,
        "header": header,
        "header_above": header[:-1],
        "header_last": header[-1],
        "header_superior": header[:body],
        "header_body": header[body:],
        "abbreviation": _abbreviation(directive),
    }


def date_place(matrix: Matrix, directive: Directive) -> str:
    """The place of the date line: the directive's, else its province's name."""
    if directive.place:
        return directive.place
    return matrix.registry.provinces.get(directive.province or "", "")


def signer_data(signer: Signer) -> dict[str, Any]:
    return {"authority": list(signer.authority), "title": signer.title or "", "name": signer.name or ""}


def _distribution(directive: Directive, agency: Agency | None = None) -> list[str]:
    """Copies ("Nơi nhận") besides "Như trên" and "Lưu", without the addressee itself."""
    own = {match_key(n) for n in agency.names()} if agency is not None else set()
    items: list[str] = []
    for raw in directive.distribution:
        item = raw.strip().lstrip(_BULLET_MARKS + " ").rstrip(" ;.,")
        key = match_key(item)
        if item and key not in own and not key.startswith(_SKIPPED_COPIES):
            items.append(item)
    return items


def subtask_marker(row: Row) -> str:
    """How a sub-task is numbered when printed inside its parent ("3.1.", "a)", "-")."""
    text = row.task.text.lstrip()
    node = row.node
    if node.kind == "bullet":
        return "" if text[:1] in _BULLET_MARKS else node.label
    if node.kind == "closing" or text.startswith(node.id):
        return ""
    return node.label if node.id.isalpha() else f"{node.label}."


def _where(row: Row) -> str:
    """Where a task stands, as a letter cites it ("ý thứ nhất mục 2"); among several closing paragraphs, which one
    ("đoạn thứ hai phần cuối", not "đoạn cuối" for each)."""
    closing = next((n for n in row.node.chain() if n.kind == "closing"), None)
    if closing is None or sum(r.kind == "closing" for r in row.directive.tree.roots) < 2:
        return location(row, ordinals=True)
    where = location(row, ordinals=True)
    return where.replace("đoạn cuối", f"đoạn thứ {ordinal(closing.position)} phần cuối")


def task_data(row: Row) -> dict[str, Any]:
    """What templates may say about one task, whoever it is for."""
    task, node = row.task, row.node
    return {
        "id": task.id,
        "number": task.id,
        "printed": node.label,
        "marker": subtask_marker(row),
        "location": location(row),
        "where": _where(row),
        "kind": node.kind,
        "parent": node.parent.id if node.parent is not None else "",
        "position": node.position,
        "ordinal": ordinal(node.position) if node.position else "",
        "depth": row.depth,
        "title": task.title or "",
        "text": task.text,
        "paragraphs": paragraphs(task.text),
        "deadline": _clause(task.deadline),
        "report": _clause(task.report),
        "targets": [_clause(t) for t in task.targets],
        "notes": [n.strip() for n in task.notes if n.strip()],
    }


def subtask_lines(row: Row) -> list[dict[str, Any]]:
    """The paragraphs of every sub-task of ``row``: an assignment covers its bullets."""
    items: list[dict[str, Any]] = []
    for sub in row.descendants():
        marker = subtask_marker(sub)
        for i, text in enumerate(paragraphs(sub.task.text)):
            items.append(
                {"marker": marker if i == 0 else "", "text": text, "depth": sub.depth - row.depth, "id": sub.task.id}
            )
    return items


def _names_by_role(entries: Iterable[Entry], exclude: str | None = None) -> dict[Role, list[str]]:
    """Agency names per role, first mention wins, ``exclude`` left out."""
    seen: set[str] = set()
    names: dict[Role, list[str]] = {role: [] for role in ROLES}
    for entry in entries:
        if entry.agency.id in seen or entry.agency.id == exclude:
            continue
        seen.add(entry.agency.id)
        names[entry.role].append(entry.agency.name)
    return names


def _role_names(names: dict[Role, list[str]]) -> dict[str, list[str]]:
    return {"leads": names[Role.LEAD], "partners": names[Role.PARTNER], "doers": names[Role.DOER]}


_ROLE_KEYS = {Role.LEAD: "leads", Role.PARTNER: "partners", Role.DOER: "doers"}  # the template's names of the roles


# --------------------------------------------------------------------------- letters


def _own_entries(matrix: Matrix, agency: Agency) -> dict[str, list[Entry]]:
    """The agency's entries per directive, without those a parent entry already covers."""
    by_directive: dict[str, list[Entry]] = defaultdict(list)
    for entry in matrix.entries_for(agency.id):
        covered = any(matrix.cell(parent, agency.id) for parent in entry.row.ancestors())
        if not covered:
            by_directive[entry.row.directive.id].append(entry)
    return by_directive


# Letters of the Vietnamese alphabet used for points: a), b), c), d), đ), e), g)...
POINT_LETTERS = "abcdđeghiklmnopqrstuvxy"


def point_letter(position: int) -> str:
    """The letter of the ``position``-th point (1 -> "a"); past "y", "a1", "b1"..."""
    count = len(POINT_LETTERS)
    letter = POINT_LETTERS[(position - 1) % count]
    return letter if position <= count else f"{letter}{(position - 1) // count}"


_REQUEST = re.compile(r"^\s*đề nghị\b", re.IGNORECASE)
_HEADING_SPLIT = re.compile(r",\s*|\s+và\s+")


def _is_request(entry: Entry, data: _RowData | None = None) -> bool:
    """Whether the issuer requests (đề nghị) rather than assigns this task: the body is one it cannot command, or the
    text (or the item above it) opens with "Đề nghị" (``data``: the row's, when the caller has it)."""
    if entry.agency.requested_by(entry.row.directive.issuer.kind):
        return True
    if data is not None:
        return data.request
    return any(_REQUEST.match(node.task.text) for node in entry.row.node.chain())


def without_heading(row: Row, texts: list[str]) -> list[str]:
    """The task's paragraphs without a first line that only names its addressees ("Công an tỉnh:", "Đề nghị Viện
    kiểm sát nhân dân tỉnh, Tòa án nhân dân tỉnh:"): the letter already says whom it is for."""
    if not texts or not texts[0].rstrip().endswith(":"):
        return texts
    head = _REQUEST.sub("", texts[0].rstrip().rstrip(":")).strip()
    written = {match_key(a.written) for node in row.node.chain() for a in node.task.assignments}
    parts = [p for p in _HEADING_SPLIT.split(head) if p]
    return texts[1:] if parts and all(match_key(p) in written for p in parts) else texts


def _letter_task(data: _RowData, entry: Entry, position: int) -> dict[str, Any]:
    """One task as the letter to ``entry.agency`` shows it, with who else is involved (``data``: the row's, with
    its letter parts)."""
    agency = entry.agency
    written = entry.written
    return {
        **data.task,
        "paragraphs": data.paragraphs,
        **data.role_names(agency.id),
        "index": position,
        "letter": point_letter(position),
        "role": entry.role.value,
        "written": written,
        "named_as": written if match_key(written) != match_key(agency.name) else "",
        "via": entry.via.name if entry.via is not None else "",
        "subtasks": data.subtasks,
    }


def _letter_section(matrix: Matrix, directive: Directive, entries: list[Entry]) -> dict[str, Any]:
    """One directive's part of a letter: the agency's tasks grouped by role, chủ trì first."""
    rows = [_row_data(matrix, e.row).letter_parts(matrix) for e in entries]
    requests = [_is_request(e, data) for e, data in zip(entries, rows, strict=True)]
    groups: list[dict[str, Any]] = []
    for request in (False, True):  # what the issuer assigns, then, in their own sections, what it requests
        for role in ROLES:
            chosen = [
                (data, e)
                for e, data, asked in zip(entries, rows, requests, strict=True)
                if e.role is role and asked is request
            ]
            if chosen:
                tasks = [_letter_task(data, e, i) for i, (data, e) in enumerate(chosen, 1)]
                groups.append({"role": role.value, "index": len(groups) + 1, "tasks": tasks, "request": request})
    return {"directive": _shared(matrix).directive(directive), "groups": groups, "task_count": len(entries)}


# Party organs that stand for an agency in a Party directive ("Đảng ủy Công an tỉnh"): a Party letter
# is addressed to them, as the directive writes.
_PARTY_ORGANS = tuple(
    match_key(p) for p in ("Đảng ủy", "Đảng đoàn", "Ban cán sự đảng", "Ban Thường vụ", "Cấp ủy", "Chi bộ")
)


def agency_data(agency: Agency, entries: Iterable[Entry]) -> dict[str, Any]:
    """The addressee; ``written`` is how the texts name it: a Party organ first ("Đảng ủy Công an tỉnh"), else the fullest name."""
    names = [e.written for e in entries if e.via is None]
    organs = [n for n in names if match_key(n).startswith(_PARTY_ORGANS)]
    written = organs[0] if organs else max([agency.name, *names], key=len)
    # a regional body keeps its number as the text writes it: "Chi cục Hải quan khu vực XVI"
    name = next((n for n in names if regional_name(agency, n)), agency.name)
    return {
        "id": agency.id,
        "name": name,
        "short": agency.short,
        "written": written,
        "inline": _inline(name),
        "written_inline": _inline(written),
        "requested": agency.requested,
        "is_group": agency.is_group,
    }


def _inline(name: str) -> str:
    """A name as it reads inside a sentence: a group's leading "Các" is lower-cased."""
    return "c" + name[1:] if name.startswith("Các ") else name


def _sections(matrix: Matrix, agency: Agency) -> list[dict[str, Any]]:
    """The agency's tasks, one section per directive that has some."""
    own = _own_entries(matrix, agency)
    sections = [_section(matrix, agency, d, own[d.id]) for d in matrix.directives if own.get(d.id)]
    for number, section in enumerate(sections, 1):
        section["index"] = number
        section["roman"] = _roman(number)
    return sections


# One agency's sections, by directive: its consolidated extract and the letters of its issuers (written one after
# the other, from the consolidated view and views cut from it) quote the same directives' tasks to it alike.
_SECTIONS: dict[str, tuple[Directive, tuple[Entry, ...], dict[str, Any]]] = {}
_SECTIONS_OF: list[str] = []  # the agency they are for
_SECTIONS_LOCK = threading.Lock()


def _section(matrix: Matrix, agency: Agency, directive: Directive, entries: list[Entry]) -> dict[str, Any]:
    """:func:`_letter_section`, made once for an agency's entries of a directive; a new dict each time (the caller
    numbers it)."""
    with _SECTIONS_LOCK:
        if agency.id not in _SECTIONS_OF:  # the one agency they are for
            _SECTIONS.clear()
            _SECTIONS_OF[:] = [agency.id]
        found = _SECTIONS.get(directive.id)
    if (
        found is None
        or found[0] is not directive
        or len(found[1]) != len(entries)
        or any(a is not b for a, b in zip(found[1], entries, strict=True))
    ):
        found = (directive, tuple(entries), _letter_section(matrix, directive, entries))
        with _SECTIONS_LOCK:
            if agency.id in _SECTIONS_OF:
                _SECTIONS[directive.id] = found
    return dict(found[2])


_ROMAN = [roman(number) for number in range(1, 101)]


def _roman(number: int) -> str:
    return _ROMAN[number - 1] if 0 < number <= len(_ROMAN) else roman(number)


def _common_signer(directives: Iterable[Directive]) -> Signer:
    """The signer of every directive when they all name the same one; else the authority lines of their issuer."""
    listed = tuple(directives)
    signers = {d.signer for d in listed}
    return letter_signer(listed[0], signers.pop() if len(signers) == 1 else Signer())


_COMMITTEE = re.compile(r"(ủy|uỷ) ban nhân dân|ubnd", re.IGNORECASE)
_PARTY_COMMITTEE = re.compile(r"(tỉnh|thành) (ủy|uỷ)|ban thường vụ", re.IGNORECASE)


def letter_signer(directive: Directive, signer: Signer | None = None) -> Signer:
    """Who signs a letter of ``directive``'s issuer, as Nghị định 30/2020 (Phụ lục I, II.8) and Hướng dẫn 36 write it.

    The directive's own authority lines when it gives them. Otherwise the issuer fixes them: a People's
    Committee's letter is signed "TM. ỦY BAN NHÂN DÂN", then "KT. CHỦ TỊCH" / "PHÓ CHỦ TỊCH" (or "CHỦ TỊCH"
    when the directive names the chairman as signer); a Party committee's "T/M BAN THƯỜNG VỤ" then its
    signer's title ("PHÓ BÍ THƯ" when none). The clerk keeps or strikes the lines; the name stays to fill in.
    """
    signer = directive.signer if signer is None else signer
    if signer.authority:
        return signer
    name = directive.issuer.name
    title = (signer.title or "").upper()
    if directive.issuer.kind is IssuerKind.PARTY and _PARTY_COMMITTEE.search(name):
        return Signer(("T/M BAN THƯỜNG VỤ",), title or "PHÓ BÍ THƯ", signer.name)
    if directive.issuer.kind is IssuerKind.STATE and _COMMITTEE.search(name):
        if title == "CHỦ TỊCH":
            return Signer(("TM. ỦY BAN NHÂN DÂN",), "CHỦ TỊCH", signer.name)
        return Signer(("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"), title or "PHÓ CHỦ TỊCH", signer.name)
    return signer


def letter_context(matrix: Matrix, agency: Agency) -> dict[str, Any]:
    """Everything a letter template may use for one addressee (see docs/templates.md).

    The directives of ``matrix`` come from one issuer, who sends the letter.
    """
    lead = matrix.directives[0]
    shared = _shared(matrix)
    sections = _sections(matrix, agency)
    return {
        "agency": agency_data(agency, matrix.entries_for(agency.id)),
        "consolidated": len(matrix.directives) > 1,
        "issuer": shared.issuer(),
        "directive": shared.directive(lead),
        "directives": [s["directive"] for s in sections],
        "sections": sections,
        "task_count": sum(s["task_count"] for s in sections),
        "place": date_place(matrix, lead),
        "signer": shared.signer(),
        "distribution": _distribution(lead, agency),
    }


def extract_context(matrix: Matrix, agency: Agency) -> dict[str, Any]:
    """What the "Tổng hợp nhiệm vụ" template may use for one agency: its tasks under each directive."""
    sections = _sections(matrix, agency)
    return {
        "agency": agency_data(agency, matrix.entries_for(agency.id)),
        "directives": [s["directive"] for s in sections],
        "sections": sections,
        "task_count": sum(s["task_count"] for s in sections),
    }


# --------------------------------------------------------------------------- table


def _table_row(matrix: Matrix, row: Row, position: int) -> dict[str, Any]:
    """One task as a row of the assignment table: who leads, who helps (inherited included); ``stt`` the number
    the directive prints ("3", "3.1", "a)", "-"), "Đoạn cuối" for a closing paragraph."""
    stt = row.node.label or "Đoạn cuối"
    data = _shared(matrix).task(row)  # the letters' task data, made once per task of the matrix
    return {**data, **_role_names(_names_by_role(matrix.context(row))), "index": position, "stt": stt}


def table_context(matrix: Matrix) -> dict[str, Any]:
    """Everything the assignment table template may use (see docs/templates.md)."""
    context, sections = _table_parts(matrix)
    return {**context, "sections": [section.data() for section in sections]}


class _TableSection:
    """One directive's section of the assignment table: its number, directive, rows and the running number of
    its first row; its data (:meth:`data`) made when asked for."""

    def __init__(self, matrix: Matrix, number: int, directive: dict[str, Any], rows: list[Row], start: int) -> None:
        self.matrix, self.number, self.directive, self.rows, self.start = matrix, number, directive, rows, start

    def data(self) -> dict[str, Any]:
        rows = [_table_row(self.matrix, row, self.start + n) for n, row in enumerate(self.rows, 1)]
        return {"directive": self.directive, "index": self.number, "roman": roman(self.number), "rows": rows}

    def inputs(self) -> tuple[Any, ...] | None:
        """What :meth:`data` reads, as plain values, when it can be told without making the data (the rows are
        the whole task tree of the directive, as a pivot makes them); else None. The number and the first row's
        running number, the directive's data, and per row: its place (key, label, kind, rank, depth, parent: a
        task's location and marker are made of its chain's), its task's printed fields and the entries stated
        at it (agency ids and names, roles: the inherited ones are its ancestors', which are rows too)."""
        if not self.rows or len(self.rows) != len(self.rows[0].directive.tree):
            return None if self.rows else (self.number, self.start, self.directive)
        entries = self.matrix.entries_in
        return (
            self.number,
            self.start,
            self.directive,
            [
                (
                    row.key,
                    row.node.label,
                    row.node.kind,
                    row.node.position,
                    row.node.depth,
                    row.node.parent.id if row.node.parent is not None else None,
                    *printed_fields(row.task),
                    [(e.agency.id, e.agency.name, e.role.value) for e in entries(row)],
                )
                for row in self.rows
            ],
        )


def _table_parts(matrix: Matrix) -> tuple[dict[str, Any], list[_TableSection]]:
    """The assignment table's data but its sections, and its sections (made when asked for)."""
    lead = lead_directive(matrix.directives)
    sections: list[_TableSection] = []
    position = 0
    by_directive: dict[str, list[Row]] = defaultdict(list)  # matrix.rows_of for each directive, in one pass
    for row in matrix.rows:
        by_directive[row.directive.id].append(row)
    for number, directive in enumerate(matrix.directives, 1):
        rows = by_directive.get(directive.id, [])
        sections.append(_TableSection(matrix, number, directive_data(directive), rows, position))
        position += len(rows)
    context = {
        "consolidated": len(matrix.directives) > 1,
        "issuer": issuer_data(lead, matrix),
        "directive": directive_data(lead),
        "directives": [s.directive for s in sections],
        "row_count": position,
        "place": date_place(matrix, lead),
        "signer": signer_data(letter_signer(lead)),
        "distribution": _distribution(lead),
    }
    return context, sections
