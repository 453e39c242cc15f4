"""Render a :class:`~matrix.core.model.Directive` as the plain text of a real Vietnamese directive.

The inverse of ``matrix draft`` for tests: the model's texts are written as
they are (the addressee phrases are part of each task's ``text``), and the
renderer adds only what a document adds around them: the two-column header
(issuing body and national or Party motto, number and date line), the kind
heading and title (or "V/v" line and "Kính gửi" for a công văn), the
preamble, the items with their markers, the closing paragraphs, "Nơi nhận"
and the signature.

Markers follow from the task ids (docs/directive-format.md): "3" -> "3. ",
"3.1" -> "3.1. ", "a" -> "a) ", "<parent>-<n>" -> "- " (or "+ " under a dash
bullet); "cuối-<n>" is an unnumbered closing paragraph. A task's ``text``
may hold several paragraphs separated by "\\n": the first carries the marker,
the others are written as plain lines.

What varies between offices without changing what the document says (header
columns side by side or one after the other, the bullet sign, "(Đã ký)", a
"CỦA ..." line under the kind heading) is chosen by a :class:`Layout`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from matrix.core.model import Directive, IssuerKind, Task

GAP = " " * 10
STATE_MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
PARTY_MOTTO = ("ĐẢNG CỘNG SẢN VIỆT NAM",)
_CLOSING_ID = re.compile(r"^cuối-\d+$")
_BULLET_ID = re.compile(r"^(?P<parent>.+)-\d+$")
_DOTTED_ID = re.compile(r"^\d+(?:\.\d+)+$")
_LETTER_ID = re.compile(r"^[a-zđ]$")


@dataclass(frozen=True)
class Layout:
    """How the document is typed: what varies between offices and does not change what it says.

    ``columns``: header and tail columns side by side on one line (PDF text, Word tables) or one after
    the other; ``dash``: the bullet sign ("-" or "–"); ``signed``: "(Đã ký)" above the signer's name;
    ``issuer_line``: "CỦA BAN THƯỜNG VỤ TỈNH ỦY" under the kind heading (Party directives);
    ``number_colon``: "Số: 12/CT-UBND" or "Số 12/CT-UBND" (State); ``zero_pad``: "ngày 05 tháng 02" or
    "ngày 5 tháng 2"; ``title_lines``: the title (or V/v subject) broken over up to that many lines, each
    further line starting with a lower-case word; ``double_spaced``: a blank line (and a trailing space)
    after every line of the body, as text copied from some PDFs; ``page_every``: a page number line
    ("- 2 -") after every that many lines of the body (0: none).
    """

    columns: bool = False
    dash: str = "-"
    signed: bool = True
    issuer_line: bool = False
    number_colon: bool = True
    zero_pad: bool = True
    title_lines: int = 1
    double_spaced: bool = False
    page_every: int = 0


def is_closing(task: Task) -> bool:
    """A closing paragraph that assigns work ("Giao Công an tỉnh chủ trì ..."): no marker."""
    return bool(_CLOSING_ID.match(task.id))


def marker(task: Task, parent: Task | None, parent_marker: str | None, dash: str = "-") -> str:
    """The marker written before a task's first paragraph, from its id."""
    if parent is None:
        if is_closing(task):
            return ""
        if task.id.isdigit():
            return f"{task.id}. "
        raise ValueError(f"top-level id '{task.id}' has no marker")
    bullet = _BULLET_ID.match(task.id)
    if bullet and bullet.group("parent") == parent.id:
        return "+ " if parent_marker in (f"{dash} ", "+ ") else f"{dash} "
    if _DOTTED_ID.match(task.id) and task.id.rsplit(".", 1)[0] == parent.id:
        return f"{task.id}. "
    if _LETTER_ID.match(task.id):
        return f"{task.id}) "
    raise ValueError(f"sub-task id '{task.id}' under '{parent.id}' has no marker")


def _two_columns(left: list[str], right: list[str], columns: bool) -> list[str]:
    if not columns:
        return [*left, *right]
    width = max((len(line) for line in left), default=0)
    out = []
    for i in range(max(len(left), len(right))):
        a = left[i] if i < len(left) else ""
        b = right[i] if i < len(right) else ""
        out.append((a.ljust(width) + GAP + b).rstrip() if b else a)
    return out


def date_line(directive: Directive, layout: Layout = Layout()) -> str | None:
    if directive.date is None:
        return None
    d = directive.date
    day, month = (f"{d.day:02d}", f"{d.month:02d}") if layout.zero_pad else (str(d.day), str(d.month))
    return f"{directive.place or 'Tỉnh'}, ngày {day} tháng {month} năm {d.year}"


def number_line(directive: Directive, layout: Layout = Layout()) -> str | None:
    if not (directive.number and directive.symbol):
        return None
    if directive.issuer.kind is IssuerKind.PARTY:
        return f"Số {directive.number}-{directive.symbol}"
    return f"Số{':' if layout.number_colon else ''} {directive.number}/{directive.symbol}"


def broken(text: str, lines: int) -> list[str]:
    """``text`` over up to ``lines`` lines of similar length, breaking only before lower-case words."""
    words = text.split(" ")
    out: list[str] = []
    while len(out) < lines - 1 and len(words) > 1:
        size = len(" ".join(words)) / (lines - len(out))
        cuts = [i for i in range(1, len(words)) if words[i][:1].islower()]
        if not cuts:
            break
        cut = min(cuts, key=lambda i: abs(len(" ".join(words[:i])) - size))
        out.append(" ".join(words[:cut]))
        words = words[cut:]
    return [*out, " ".join(words)]


def header_lines(directive: Directive, layout: Layout) -> list[str]:
    """Issuing body and motto, number and date, and the title (kind heading, or V/v for a công văn)."""
    party = directive.issuer.kind is IssuerKind.PARTY
    left = list(directive.issuer.header) + (["*"] if party else [])
    right = list(PARTY_MOTTO if party else STATE_MOTTO)
    columns = layout.columns
    lines = _two_columns(left, right, columns)
    number, date = number_line(directive, layout), date_line(directive, layout)
    letter = directive.kind == "công văn"
    lower_left = [number] if number else []
    if letter:
        subject = directive.title
        if subject.startswith("Về việc "):
            subject = subject[len("Về việc ") :]
        lower_left += broken(f"V/v {subject}", layout.title_lines)
    lines += _two_columns(lower_left, [date] if date else [], columns)
    if letter:
        lines.append("")
        lines += recipients_lines(directive)
    else:
        lines += ["", directive.kind.upper()]
        if layout.issuer_line:
            lines.append("CỦA " + directive.issuer.name.upper())
        lines += broken(directive.title, layout.title_lines)
    return lines


def recipients_lines(directive: Directive) -> list[str]:
    """ "Kính gửi:" and one dashed entry a line, ";" between entries and "." after the last."""
    if not directive.recipients:
        return []
    entries = list(directive.recipients)
    if len(entries) == 1:
        return [f"Kính gửi: {entries[0]}.", ""]
    return ["Kính gửi:", *(f"- {e}{'.' if i == len(entries) - 1 else ';'}" for i, e in enumerate(entries)), ""]


def task_lines(task: Task, parent: Task | None = None, parent_marker: str | None = None, dash: str = "-") -> list[str]:
    """The paragraphs of a task (marker on the first) and of its sub-tasks, depth first."""
    mark = marker(task, parent, parent_marker, dash)
    paragraphs = task.text.split("\n")
    lines = [mark + paragraphs[0], *paragraphs[1:]]
    for sub in task.tasks:
        lines += task_lines(sub, task, mark, dash)
    return lines


def body_lines(directive: Directive, layout: Layout = Layout()) -> list[str]:
    """Preamble, items, closing paragraphs; the last paragraph of the body ends with "./."."""
    lines: list[str] = []
    if directive.preamble:
        lines += directive.preamble.split("\n")
    for task in directive.tasks:
        if not is_closing(task):
            lines += task_lines(task, dash=layout.dash)
    for task in directive.tasks:
        if is_closing(task):
            lines += task_lines(task)
    lines += list(directive.closing)
    if lines and not lines[-1].endswith("./."):
        raise ValueError("the last paragraph of the body must end with './.'")
    return lines


def tail_lines(directive: Directive, layout: Layout) -> list[str]:
    """ "Nơi nhận" (left column) beside the signature (right column)."""
    left = (
        [
            "Nơi nhận:",
            *(
                f"- {d}{'.' if i == len(directive.distribution) - 1 else ';'}"
                for i, d in enumerate(directive.distribution)
            ),
        ]
        if directive.distribution
        else []
    )
    signer = directive.signer
    right = [
        *signer.authority,
        *([signer.title] if signer.title else []),
        *(["(Đã ký)", ""] if signer.name and layout.signed else [""] if signer.name else []),
        *([signer.name] if signer.name else []),
    ]
    if layout.columns:
        return _two_columns(left, right, True)
    return [*left, "", *right]


def _typeset(lines: list[str], layout: Layout) -> list[str]:
    """Body lines with page numbers and double spacing as the layout asks."""
    out: list[str] = []
    page = 1
    for i, line in enumerate(lines, 1):
        out += [line + " ", " "] if layout.double_spaced else [line]
        if layout.page_every and i % layout.page_every == 0 and i < len(lines):
            page += 1
            out.append(f"- {page} -")
    return out


def render_lines(directive: Directive, layout: Layout = Layout()) -> list[str]:
    body = _typeset(body_lines(directive, layout), layout)
    return [*header_lines(directive, layout), "", *body, "", *tail_lines(directive, layout)]


def render_text(directive: Directive, layout: Layout = Layout()) -> str:
    """The directive as plain text, one paragraph a line."""
    return "\n".join(render_lines(directive, layout)) + "\n"


def write_txt(directive: Directive, path: Path, layout: Layout = Layout()) -> Path:
    Path(path).write_text(render_text(directive, layout), encoding="utf-8")
    return Path(path)


def write_docx(directive: Directive, path: Path, layout: Layout = Layout()) -> Path:
    """The directive as a Word document: one paragraph a line (blank lines left out)."""
    import docx  # python-docx

    document = docx.Document()
    for line in render_lines(directive, layout):
        if line.strip():
            document.add_paragraph(line)
    document.save(str(path))
    return Path(path)


__all__ = ["Layout", "is_closing", "marker", "render_lines", "render_text", "write_docx", "write_txt"]
