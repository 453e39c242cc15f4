"""`matrix draft`: a first YAML encoding of a directive, from its .txt, .docx or .pdf.

The draft follows docs/directive-format.md; every uncertain decision is
marked ``# kiểm tra: ...`` for the clerk. Entry points for the CLI::

    draft = draft_file(path, registry)   # -> Draft
    sys.stdout.write(draft.yaml)         # or write it to -o FILE
    print(summary(draft), file=sys.stderr)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from dataclasses import replace as dc_replace
from pathlib import Path

from ..core.model import Directive, Registry, Task
from ..core.text import shorten, slugify
from ..input.dump import REVIEW, Note, dump_directive
from ..input.load import is_unresolved
from .compose import compose
from .dropped import Dropped, dropped_names
from .evaluate import Scores, evaluate, load_draft
from .reader import DraftError, Source, check_length, clean_lines, read_source, split_lines

__all__ = [
    "Draft",
    "DraftError",
    "Note",
    "Scores",
    "draft_file",
    "draft_text",
    "evaluate",
    "load_draft",
    "summary",
    "write_draft",
]

# The first line of a draft's header: the document it was drafted from (read back by :func:`drafted_from`).
DRAFTED_FROM = "Bản nháp do 'matrix draft' lập từ tệp {}."
_DRAFTED_FROM = re.compile(
    r"^# " + re.escape(DRAFTED_FROM).replace(re.escape("{}"), "(?P<name>.+?)") + r"\s*$", re.MULTILINE
)


def drafted_from(text: str) -> str | None:
    """The name of the document a draft's header says it was drafted from (None: no such header)."""
    found = _DRAFTED_FROM.search(text[:2000])
    return found.group("name") if found else None


@dataclass(frozen=True)
class Draft:
    """A drafted directive: the YAML text, the model it writes and what the summary reports about it.

    ``directive`` is the draft as the model (names the registry lacks under placeholder agencies of
    ``registry``, see :class:`~matrix.input.load.Unresolved`); ``notes`` the review notes the YAML carries.
    """

    yaml: str
    tasks: int
    resolved: int
    unresolved: list[str]
    review: int
    id: str = ""
    assignments: int = 0
    directive: Directive | None = field(default=None, compare=False, repr=False)
    notes: tuple[Note, ...] = field(default=(), compare=False, repr=False)
    registry: Registry | None = field(default=None, compare=False, repr=False)
    unused: list[str] = field(default_factory=list)  # source lines no field of the draft holds
    coverage: float = 1.0  # share of the source's words (by characters) that the draft holds
    unassigned: int = 0  # tasks with nobody assigned, stated or inherited
    outside: tuple[str, ...] = ()  # numbered paragraphs left in the preamble or the closing (not tasks)
    dropped: tuple[Dropped, ...] = ()  # names a task's text gives the task to that no assignment holds


def draft_file(path: Path, registry: Registry, directive_id: str | None = None) -> Draft:
    """Draft the directive in ``path`` (.txt, .docx, .pdf); its id is ``directive_id``, else the file name's slug."""
    path = Path(path)
    return _draft(read_source(path), registry, directive_id or slugify(path.stem))


def draft_text(text: str, registry: Registry, directive_id: str = "ban-nhap") -> Draft:
    """Draft a directive given as text (as pasted or extracted from a PDF)."""
    source = Source(Path(f"{directive_id}.txt"), clean_lines(split_lines(text)))
    return _draft(source, registry, directive_id)


def _draft(source: Source, registry: Registry, directive_id: str) -> Draft:
    check_length(sum(len(line) + 1 for line in source.lines), source.path.name)
    composed = compose(source, registry, directive_id)
    tasks, lifted = _sound_tasks(composed.directive.tasks)
    directive = dc_replace(composed.directive, tasks=tasks) if lifted else composed.directive
    present = {node.id for node in directive.tree}
    notes = (
        tuple(
            n if n.task is None or n.task in present else dc_replace(n, task=None, key="tasks") for n in composed.notes
        )
        + tuple(lifted)
        + _numbered_outside(directive)
    )
    header = [
        DRAFTED_FROM.format(source.path.name),
        "Hãy đọc lại toàn bộ, nhất là những ghi chú bắt đầu bằng 'kiểm tra:' (mỗi chỗ cần quyết định một lần),",
        "rồi chạy 'matrix validate' với tệp này.",
        "Vai trò: chủ trì (cơ quan chủ trì), phối hợp (cơ quan phối hợp), thực hiện (mỗi cơ quan trong nhóm cùng làm).",
    ]
    text = dump_directive(directive, notes=notes, header=header)
    _check(text, directive.id, composed.names or composed.registry)
    assignments = [a for task, _ in directive.walk() for a in task.assignments]
    kept = [a for a in assignments if is_unresolved(composed.registry.get(a.agency))]
    unused = list(composed.unused)
    nodes = list(directive.tree)
    return Draft(
        yaml=text,
        tasks=len(nodes),
        # a heading whose sub-items are all assigned is not "nobody's"
        unassigned=sum(1 for n in nodes if not n.in_force and not any(d.in_force for d in n.descendants())),
        resolved=len(assignments) - len(kept),
        unresolved=sorted({a.written for a in kept}),
        review=sum(note.review for note in notes),
        id=directive.id,
        assignments=len(assignments),
        directive=directive,
        notes=notes,
        registry=composed.registry,
        unused=unused,
        coverage=_coverage(source, unused),
        outside=_numbered_lines(directive),
        dropped=tuple(dropped_names(directive, composed.registry)),
    )


def _sound_tasks(tasks: tuple[Task, ...]) -> tuple[tuple[Task, ...], list[Note]]:
    """Tasks the loader accepts: an item with no text of its own (a bare "Điều 2." line) is not written as an
    empty task: its sub-items take its place, or, with none, it is left out; each case is a note to check."""
    out: list[Task] = []
    notes: list[Note] = []
    for task in tasks:
        children, more = _sound_tasks(task.tasks)
        notes.extend(more)
        if task.text.strip():
            out.append(dc_replace(task, tasks=children) if more or children != task.tasks else task)
        elif children:
            out.extend(children)
            notes.append(
                Note(
                    f"mục '{task.id}' không có nội dung riêng trong văn bản nguồn: các mục con của nó được đưa lên "
                    "thay cho nó; kiểm tra lại cấu trúc mục",
                    task=children[0].id,
                )
            )
        else:
            notes.append(
                Note(
                    f"văn bản nguồn có mục '{task.id}' nhưng không có nội dung: mục này không được ghi thành nhiệm vụ, "
                    "hãy xem lại văn bản gốc",
                    key="tasks",
                )
            )
    return tuple(out), notes


_NUMBERED = re.compile(r"^\s*(?:[IVXLC]+\.|\d+(?:\.\d+)*\.?\)?|[a-zđ]\)|\(\d+\)|\([ivx]+\))\s+\S")


def _numbered_lines(directive: Directive) -> tuple[str, ...]:
    """The paragraphs of the preamble and the closing that start like numbered items (1., a), (2), II.)."""
    texts = [*(directive.preamble or "").split("\n"), *directive.closing]
    return tuple(line for line in texts if _NUMBERED.match(line) and len(line.split()) >= 4)


def _numbered_outside(directive: Directive) -> tuple[Note, ...]:
    """A note when numbered paragraphs went to the preamble or the closing: they may be demands."""
    outside = _numbered_lines(directive)
    if len(outside) < 3:
        return ()
    shown = "; ".join(f"«{shorten(line, 50)}»" for line in outside[:3])
    return (
        Note(
            f"{len(outside)} đoạn đánh số được ghi vào phần mở đầu hoặc phần kết, không thành nhiệm vụ ({shown}): "
            "nếu đó là yêu cầu giao cho cơ quan, hãy chuyển thành mục trong 'tasks'",
            key="preamble" if directive.preamble else "closing",
        ),
    )


def _check(text: str, directive_id: str, registry: Registry) -> None:
    """The draft is read back as ``matrix validate`` reads it (unknown names kept): a draft the loader refuses
    is never written; this is matrix's own failure, said with every problem."""
    import tempfile

    from ..input.load import REGISTRY_FILE, Unknown, load_corpus

    if not directive_id or f"{directive_id}.yaml" == REGISTRY_FILE:  # an id no input file can have: checked as another
        directive_id, text = "ban-nhap", re.sub(r"^id: .*$", 'id: "ban-nhap"', text, count=1, flags=re.MULTILINE)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{directive_id}.yaml"
        path.write_text(text, encoding="utf-8")
        problems = [p for p in load_corpus([path], unknown=Unknown.KEEP, registry=registry).problems if p.is_error]
    if problems:
        listed = "; ".join(f"dòng {p.line}: {p.message}" for p in problems[:5])
        raise DraftError(
            f"bản nháp lập ra chưa hợp lệ nên không được ghi ({listed}). Đây là lỗi của matrix: hãy báo lại "
            "kèm văn bản nguồn."
        )


def _coverage(source: Source, unused: list[str]) -> float:
    total = sum(len(line.split()) for line in source.lines if line.strip())
    lost = sum(len(line.split()) for line in unused)
    return 1.0 - lost / total if total else 1.0


def write_draft(draft: Draft, path: Path) -> None:
    """Write the draft's YAML (UTF-8, LF) in one locked, atomic write, the file it replaces kept as ``.bak``;
    :class:`~matrix.core.errors.OutputError` when the file cannot be written."""
    from ..files.safeio import write_file

    write_file(Path(path), draft.yaml, "tệp", backup=True)


def _percent(share: float) -> str:
    """ "98%", never "100%" while something is left out."""
    value = int(share * 100)
    return f"{min(value, 99)}%"


def summary(draft: Draft) -> str:
    """The Vietnamese summary printed on stderr after drafting."""
    assigned = draft.tasks - draft.unassigned
    lines = [
        f"Đã lập bản nháp '{draft.id}': {draft.tasks} nhiệm vụ, {assigned} có cơ quan được giao, "
        f"{draft.unassigned} chưa có ai; {draft.assignments} lượt giao cho cơ quan "
        f"({draft.resolved} lượt khớp danh mục cơ quan)."
    ]
    if not draft.assignments:
        lines.append(
            "Chưa giao được nhiệm vụ nào cho cơ quan nào: bản nháp chỉ có cấu trúc mục, hãy ghi 'assign' cho "
            "từng nhiệm vụ."
        )
    if len(draft.outside) >= 3:
        lines.append(
            f"Lưu ý: {len(draft.outside)} đoạn đánh số nằm ở phần mở đầu hoặc phần kết, không thành nhiệm vụ "
            f"(«{shorten(draft.outside[0], 60)}»...): nếu đó là yêu cầu giao cho cơ quan, hãy chuyển thành nhiệm vụ."
        )
    if draft.dropped:
        shown = "; ".join(f"{d.name} ({d.task})" for d in draft.dropped)
        lines.append(
            f"Văn bản giao việc cho {len(draft.dropped)} tên mà bản nháp chưa phân công: {shown} "
            "— hãy thêm cơ quan đó vào nhiệm vụ (và vào co-quan.yaml nếu danh mục chưa có)."
        )
    if draft.unresolved:
        lines.append(
            f"Chưa có trong danh mục ({len(draft.unresolved)}): {'; '.join(draft.unresolved)} "
            "— hãy thêm vào co-quan.yaml hoặc sửa tên trong bản nháp."
        )
    if draft.unused:
        shown = "; ".join(f"«{shorten(line, 70)}»" for line in draft.unused[:5])
        more = f"; và {len(draft.unused) - 5} đoạn khác" if len(draft.unused) > 5 else ""
        lines.append(f"Đã dùng {_percent(draft.coverage)} văn bản; {len(draft.unused)} đoạn không dùng: {shown}{more}.")
    else:
        lines.append("Mọi đoạn của văn bản đều có trong bản nháp (nội dung nhiệm vụ, mở đầu, kết hoặc ghi chú).")
    if draft.review:
        lines.append(f"Cần kiểm tra {draft.review} chỗ đánh dấu '# {REVIEW.strip()}' trong bản nháp.")
    else:
        lines.append("Không có chỗ nào đánh dấu cần kiểm tra; vẫn nên đọc lại bản nháp.")
    return "\n".join(lines)
