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

from ..model import Registry
from ..text import slugify
from .compose import compose
from .document import DraftDoc
from .emit import write_yaml
from .evaluate import Scores, evaluate, load_draft
from .reader import DraftError, Source, clean_lines, read_source, split_lines

__all__ = ["Draft", "DraftError", "Scores", "draft_file", "draft_text", "evaluate", "load_draft",
           "summary", "write_draft"]


@dataclass(frozen=True)
class Draft:
    """A drafted directive: the YAML text and what the summary reports about it."""

    yaml: str
    tasks: int
    resolved: int
    unresolved: list[str]
    review: int
    id: str = ""
    assignments: int = 0
    doc: DraftDoc | None = field(default=None, compare=False, repr=False)


def draft_file(path: Path, registry: Registry, directive_id: str | None = None) -> Draft:
    """Draft the directive in ``path`` (.txt, .docx, .pdf); its id is ``directive_id``, else the file name's slug."""
    path = Path(path)
    return _draft(read_source(path), registry, directive_id or slugify(path.stem))


def draft_text(text: str, registry: Registry, directive_id: str = "ban-nhap") -> Draft:
    """Draft a directive given as text (as pasted or extracted from a PDF)."""
    source = Source(Path(f"{directive_id}.txt"), clean_lines(split_lines(text)))
    return _draft(source, registry, directive_id)


def _draft(source: Source, registry: Registry, directive_id: str) -> Draft:
    doc = compose(source, registry, directive_id)
    header = [f"Bản nháp do 'matrix draft' lập từ tệp {source.path.name}.",
              "Hãy đọc lại toàn bộ, nhất là những ghi chú bắt đầu bằng 'kiểm tra:' (mỗi chỗ cần quyết định một lần),",
              "rồi chạy 'matrix validate' với tệp này.",
              "Vai trò: chủ trì (cơ quan chủ trì), phối hợp (cơ quan phối hợp), thực hiện (mỗi cơ quan trong nhóm cùng làm)."]
    text, reviews = write_yaml(doc, header)
    entries = [e for task in doc.walk() for names in task.assign.values() for e in names]
    unresolved = sorted({e.written for e in entries if not e.resolved})
    return Draft(yaml=text, tasks=sum(1 for _ in doc.walk()), resolved=sum(1 for e in entries if e.resolved),
                 unresolved=unresolved, review=reviews, id=doc.id, assignments=len(entries), doc=doc)


def write_draft(draft: Draft, path: Path) -> None:
    """Write the draft's YAML (UTF-8, LF); :class:`~matrix.errors.OutputError` when the file cannot be written."""
    from ..errors import OutputError

    try:
        Path(path).write_text(draft.yaml, encoding="utf-8", newline="\n")
    except OSError as exc:
        raise OutputError(f"Không ghi được tệp '{path}': {exc.strerror or exc}") from None


def summary(draft: Draft) -> str:
    """The Vietnamese summary printed on stderr after drafting."""
    lines = [f"Đã lập bản nháp '{draft.id}': {draft.tasks} nhiệm vụ, {draft.assignments} lượt giao cho cơ quan "
             f"({draft.resolved} lượt khớp danh mục cơ quan)."]
    if draft.unresolved:
        lines.append(f"Chưa có trong danh mục ({len(draft.unresolved)}): {'; '.join(draft.unresolved)} "
                     "— hãy thêm vào co-quan.yaml hoặc sửa tên trong bản nháp.")
    if draft.review:
        lines.append(f"Cần kiểm tra {draft.review} chỗ đánh dấu '# kiểm tra:' trong bản nháp.")
    else:
        lines.append("Không có chỗ nào đánh dấu cần kiểm tra; vẫn nên đọc lại bản nháp.")
    return "\n".join(lines)
