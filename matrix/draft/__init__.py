"""`matrix draft`: a first YAML encoding of a directive, from its .txt, .docx or .pdf.

The draft follows docs/directive-format.md; every uncertain decision is
marked ``# kiểm tra: ...`` for the clerk. Entry points for the CLI::

    draft = draft_file(path, registry)   # -> Draft
    sys.stdout.write(draft.yaml)         # or write it to -o FILE
    print(summary(draft), file=sys.stderr)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..dump import REVIEW, Note, dump_directive
from ..load import is_unresolved
from ..model import Directive, Registry
from ..text import shorten, slugify
from .compose import compose
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


@dataclass(frozen=True)
class Draft:
    """A drafted directive: the YAML text, the model it writes and what the summary reports about it.

    ``directive`` is the draft as the model (names the registry lacks under placeholder agencies of
    ``registry``, see :class:`~matrix.load.Unresolved`); ``notes`` the review notes the YAML carries.
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
    directive, notes = composed.directive, composed.notes
    header = [
        f"Bản nháp do 'matrix draft' lập từ tệp {source.path.name}.",
        "Hãy đọc lại toàn bộ, nhất là những ghi chú bắt đầu bằng 'kiểm tra:' (mỗi chỗ cần quyết định một lần),",
        "rồi chạy 'matrix validate' với tệp này.",
        "Vai trò: chủ trì (cơ quan chủ trì), phối hợp (cơ quan phối hợp), thực hiện (mỗi cơ quan trong nhóm cùng làm).",
    ]
    text = dump_directive(directive, notes=notes, header=header)
    assignments = [a for task, _ in directive.walk() for a in task.assignments]
    kept = [a for a in assignments if is_unresolved(composed.registry.get(a.agency))]
    unused = list(composed.unused)
    return Draft(
        yaml=text,
        tasks=sum(1 for _ in directive.walk()),
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
    )


def _coverage(source: Source, unused: list[str]) -> float:
    total = sum(len(line.split()) for line in source.lines if line.strip())
    lost = sum(len(line.split()) for line in unused)
    return 1.0 - lost / total if total else 1.0


def write_draft(draft: Draft, path: Path) -> None:
    """Write the draft's YAML (UTF-8, LF); :class:`~matrix.errors.OutputError` when the file cannot be written."""
    from ..errors import OutputError, os_message

    try:
        Path(path).write_text(draft.yaml, encoding="utf-8", newline="\n")
    except OSError as exc:
        raise OutputError(f"Không ghi được tệp '{path}': {os_message(exc)}") from None


def _percent(share: float) -> str:
    """ "98%", never "100%" while something is left out."""
    value = int(share * 100)
    return f"{min(value, 99)}%"


def summary(draft: Draft) -> str:
    """The Vietnamese summary printed on stderr after drafting."""
    lines = [
        f"Đã lập bản nháp '{draft.id}': {draft.tasks} nhiệm vụ, {draft.assignments} lượt giao cho cơ quan "
        f"({draft.resolved} lượt khớp danh mục cơ quan)."
    ]
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
        lines.append("Đã dùng toàn bộ văn bản (100%): mọi đoạn đều có trong bản nháp.")
    if draft.review:
        lines.append(f"Cần kiểm tra {draft.review} chỗ đánh dấu '# {REVIEW.strip()}' trong bản nháp.")
    else:
        lines.append("Không có chỗ nào đánh dấu cần kiểm tra; vẫn nên đọc lại bản nháp.")
    return "\n".join(lines)
