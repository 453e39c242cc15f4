"""What `matrix show`, `matrix agencies`, `matrix validate`, `matrix draft` and `matrix registry init` print, as
library functions each returning a :class:`Reply`: the CLI only parses options and prints.

Names typed on a command line are looked up here (any alias, with or without diacritics), with one
wording of the "did you mean" hint; a problem with the command line is an :class:`InputError` on
``<dòng lệnh>`` (exit 2), as every input error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import EXIT_INPUT, InputError, problem
from ..core.model import Agency, Corpus, Directive, Registry, format_date
from ..core.pivot import build_matrix
from ..core.reply import Reply
from ..core.text import shorten
from ..input.load import draft_registry
from ..input.lookup import find_agencies
from ..input.yamlio import CONTROL_CHARS
from ..tracking.records import input_folder, load_letters, load_records


@dataclass(frozen=True)
class Line:
    """One line of a listing; ``strong`` lines are printed in bold on a terminal."""

    text: str
    strong: bool = False


def validation(paths: Sequence[Path], registry: Path | None, strict: bool = False) -> Reply:
    """``matrix validate``: every problem of the registry, the directives and the records files, then a count."""
    from ..input.load import load_corpus  # looked up when called (tests replace it)

    reply = Reply()
    result = load_corpus(paths, registry)
    for item in result.problems:
        reply.say(str(item))
    errors, warnings = len(result.errors), len(result.warnings)
    if errors or (strict and warnings):
        reply.say(f"Có {errors} lỗi, {warnings} cảnh báo.")
        reply.code = EXIT_INPUT
        return reply
    corpus = result.require()
    folder = input_folder(paths)
    try:  # the records files (input/theo-doi/) are input too
        records, letters = load_records(folder, corpus), load_letters(folder, corpus)
    except InputError as exc:
        for item in exc.problems:
            reply.say(str(item))
        reply.say(f"Có {sum(p.is_error for p in exc.problems)} lỗi trong sổ theo dõi, {warnings} cảnh báo.")
        reply.code = EXIT_INPUT
        return reply
    tasks = sum(1 for d in corpus.directives for _ in d.walk())
    reply.say(
        f"Hợp lệ: {len(corpus.directives)} văn bản, {tasks} nhiệm vụ, "
        f"{len(corpus.registry.agencies)} cơ quan trong danh mục; {warnings} cảnh báo."
    )
    if records or letters:
        reply.say(f"Sổ theo dõi: {len(records)} báo cáo, {len(letters)} thư giao nhiệm vụ.")
    return reply


def _heading(directive: Directive, provinces: Mapping[str, str]) -> str:
    """ "Chỉ thị 05/CT-UBND — Về việc ... [chi-thi-05]"."""
    return f"\n  {directive.citation(provinces)} — {shorten(directive.title, 80)} [{directive.id}]"


def agency_tasks(corpus: Corpus, name: str, expand_groups: bool = False, as_of: dt.date | None = None) -> list[Line]:
    """Every task of the agencies called ``name``, directive by directive (``matrix show``).

    With ``as_of``, tasks of bodies that no longer exist then are shown under their successor.
    """
    name = CONTROL_CHARS.sub("", name)  # echoed back in messages: no terminal escape sequence
    matrix = build_matrix(corpus, expand_groups, as_of)
    lines: list[Line] = []
    targets = find_agencies(corpus.registry, name, as_of, among=matrix.columns)
    if len(targets) > 1:  # the body of each province on its own; those with no task left out
        targets = tuple(t for t in targets if matrix.entries_for(t.id)) or targets[:1]
    for target in targets:
        entries = matrix.entries_for(target.id)
        summary = ", ".join(f"{n} {role.value}" for role, n in matrix.counts(target.id).items() if n)
        whose = whose_body(corpus.registry, target)
        lines.append(
            Line(
                f"{target.name}{f' — {whose}' if whose else ''} ({target.id}): {len(entries)} nhiệm vụ"
                + (f" — {summary}" if summary else ""),
                True,
            )
        )
        current = None
        for entry in entries:
            task, directive = entry.row.task, entry.row.directive
            if directive.id != current:
                current = directive.id
                lines.append(Line(_heading(directive, corpus.registry.provinces)))
            via = f" (qua {entry.via.short})" if entry.via else ""
            if entry.was is not None:
                via += f" (văn bản ghi '{entry.written}')"
            lines.append(Line(f"    Mục {task.id:<8} {entry.role.value:<10}{via} {shorten(task.text, 90)}"))
            if task.deadline or task.report:
                lines.append(Line(f"{'':23}Thời hạn/báo cáo: {'; '.join(filter(None, (task.deadline, task.report)))}"))
        if not entries:
            lines.append(Line("  (không có nhiệm vụ nào)"))
    return lines


def show(
    paths: Sequence[Path],
    registry: Path | None,
    warn: Callable[[str], None],
    name: str,
    expand_groups: bool = False,
    names_on: dt.date | None = None,
) -> Reply:
    """``matrix show``: :func:`agency_tasks` of the corpus of ``paths``, each agency's heading in bold."""
    from .loading import load_model

    reply = Reply()
    for line in agency_tasks(load_model(paths, registry, warn), name, expand_groups, names_on):
        reply.say(line.text, strong=line.strong)
    return reply


def whose_body(registry: Registry, agency: Agency) -> str:
    """ "tỉnh Đồng Tháp", "tỉnh Tiền Giang (đến 30/06/2025)", "văn bản không ghi tỉnh" (see :meth:`Registry.whose`)."""
    return registry.whose(agency)


def province_id(registry: Registry, name: str, on: dt.date | None = None) -> str:
    """The registry's province written as ``name`` (id or name), in force on ``on``; an input error if unknown."""
    from ..input.catalogue import find_province

    pid = name if name in registry.provinces else find_province(name)
    if pid is None or pid not in registry.provinces:
        raise problem(
            f"tỉnh '{name}' không có trong danh mục",
            "ghi mã tỉnh (ví dụ 'dong-thap') hoặc tên tỉnh (ví dụ 'Đồng Tháp')",
        )
    return registry.province_on(pid, on) or pid


def _period(agency: Agency) -> str:
    if not (agency.valid_from or agency.valid_to):
        return ""
    return f"{format_date(agency.valid_from)}-{format_date(agency.valid_to)}"


def registry_table(registry: Registry, province: str | None = None, on: dt.date | None = None) -> list[str]:
    """The registry as a text table (``matrix agencies``): one line per body existing on ``on`` (common ones and
    those of ``province``), its other names under it, and the count."""
    pid = province_id(registry, province, on) if province else None
    rows = [("Mã", "Tên", "Khối", "Loại", "Tồn tại", "Kế thừa", "Động từ")]
    aliases: list[str] = [""]
    for agency in registry.valid_on(on, pid):
        rows.append(
            (
                agency.id,
                agency.name,
                registry.block_name(agency.block),
                "nhóm" if agency.is_group else "cơ quan",
                _period(agency),
                agency.successor or "",
                "đề nghị" if agency.requested else "giao",
            )
        )
        aliases.append("; ".join(a for a in dict.fromkeys(agency.aliases) if a != agency.name))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines: list[str] = []
    for row, names in zip(rows, aliases, strict=True):
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if names:
            lines.append(f"{'':4}tên gọi khác: {names}")
    lines.append(f"\n{len(rows) - 1} mục.")
    return lines


def agencies(
    input_dir: Path, registry: Path | None, province: str | None = None, names_on: dt.date | None = None
) -> Reply:
    """``matrix agencies``: :func:`registry_table` of the registry (``registry``, else the input folder's)."""
    from ..input.load import open_registry

    reply = Reply()
    for line in registry_table(open_registry([input_dir], registry), province, names_on):
        reply.say(line)
    return reply


def registry_init(province: str, output: Path, force: bool = False) -> Reply:
    """``matrix registry init``: the standard co-quan.yaml of ``province`` written to ``output``."""
    from ..input.catalogue import write_registry

    reply = Reply()
    reply.say(write_registry(province, output, force))
    return reply


def drafted(source: Path, registry: Path | None, output: Path | None = None, force: bool = False) -> Reply:
    """``matrix draft``: the YAML draft of ``source`` written to ``output`` (its id from the file name), else
    printed; the summary on stderr. An existing ``output`` is kept unless ``force``."""
    from ..core.text import slugify
    from ..draft import draft_file, summary, write_draft
    from ..files.guard import check_overwrite
    from ..files.safeio import is_stream
    from ..input.load import REGISTRY_FILE

    reply = Reply()
    if output is not None:
        check_overwrite(output, force)  # an input file (E37) is refused with its own message
        if output.exists() and not is_stream(output) and not force:
            reply.say(f"Tệp '{output}' đã có: không ghi đè. Chọn tên khác hoặc thêm --force để ghi đè.", True)
            reply.code = EXIT_INPUT
            return reply
    directive_id = slugify(output.stem) if output is not None else None
    names, standard = draft_registry(source, registry)
    if standard:
        reply.say(
            f"Không thấy {REGISTRY_FILE} cạnh tệp hay trong input/: tên cơ quan được đối chiếu với danh mục chuẩn "
            "của tỉnh ghi trong văn bản và các cơ quan Trung ương (dùng --registry để chỉ danh mục của mình).",
            True,
        )
    result = draft_file(source, names, directive_id)
    if output:
        write_draft(result, output)
    else:
        reply.say(result.yaml, end="")
    reply.say(summary(result), True)
    return reply
