"""`matrix export` and `matrix calendar`: the directives loaded, pivoted, and handed to their writers
(:mod:`matrix.writers.export`, :mod:`matrix.writers.ics`), which take the model and never read a file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from ..core.errors import problem
from ..core.model import Corpus
from ..core.pivot import build_matrix
from ..core.reply import Reply

EXIT_UNRESOLVED = 1  # names the registry lacks, not kept (--keep-unknown)


def export(
    paths: Sequence[Path],
    registry: Path | None,
    warn: Callable[[str], None],
    fmt: str = "json",
    output: Path | None = None,
    sep: str = ",",
    expand_groups: bool = False,
    names_on: dt.date | None = None,
    force: bool = False,
    keep_unknown: bool = False,
) -> Reply:
    """``matrix export``: the assignments as JSON or CSV, printed or written to ``output``; with ``names_on``,
    the tasks of bodies that no longer exist then under their successors.

    Every warning and every name the registry lacks goes to ``warn`` as soon as the files are read; with names
    left and not ``keep_unknown``, nothing is exported (exit 1).
    """
    from ..files.guard import check_overwrite
    from ..input.load import Unknown, load_corpus
    from ..writers.export import to_csv, to_json, write_export

    if output is not None:
        check_overwrite(output, force)
    result = load_corpus(paths, registry, Unknown.KEEP)
    for item in result.unresolved:
        warn(str(item))
    corpus = result.require(warn)
    reply = Reply()
    if result.unresolved and not keep_unknown:
        reply.say(
            f"Chưa xuất: còn {len(result.unresolved)} tên cơ quan chưa có trong danh mục (hoặc không còn vào ngày "
            "văn bản). Hãy thêm vào co-quan.yaml hoặc sửa tên; nếu vẫn muốn xuất với tên như đã viết, thêm --keep-unknown.",
            True,
        )
        reply.code = EXIT_UNRESOLVED
        return reply
    matrix = build_matrix(corpus, expand_groups, names_on)
    delimiter = "\t" if sep == "tab" else sep
    if output is not None:
        written = write_export(matrix, output, fmt, delimiter)
        reply.say(f"Đã ghi {output} ({written.upper()}).", True)
    else:
        reply.say(to_json(matrix) if fmt == "json" else to_csv(matrix, delimiter), end="")
    return reply


def calendar(
    paths: Sequence[Path],
    registry: Path | None,
    warn: Callable[[str], None],
    output: Path,
    expand_groups: bool = False,
    agency: str | None = None,
    until: dt.date | None = None,
    force: bool = False,
) -> Reply:
    """``matrix calendar``: the .ics of the due dates (of the agency typed, if any) up to ``until`` (default: the
    end of next year) written to ``output``; an existing file is kept unless ``force``."""
    from ..files.safeio import is_stream, write_file
    from ..input.lookup import agency_ids
    from .loading import load_model

    corpus = load_model(paths, registry, warn)
    wanted = agency_ids(corpus.registry, agency)
    if output.exists() and not is_stream(output) and not force:
        raise problem(f"tệp '{output}' đã có", "dùng --force để ghi đè, hoặc chọn tên khác bằng -o")
    write_file(output, calendar_data(corpus, expand_groups, wanted, until), "tệp lịch")
    reply = Reply()
    reply.say(f"Đã ghi lịch vào {output}.")
    return reply


def calendar_data(
    corpus: Corpus,
    expand_groups: bool = False,
    agency_ids: Iterable[str] | None = None,
    until: dt.date | None = None,
) -> bytes:
    """The .ics bytes of ``matrix calendar`` (and of the web's Theo dõi download): every due date (of the agencies
    ``agency_ids``, if given) up to ``until`` (default: the end of next year)."""
    from ..writers.ics import default_end, write_calendar

    return write_calendar(build_matrix(corpus, expand_groups), until or default_end(), agency_ids)
