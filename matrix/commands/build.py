"""`matrix build`: the output folder checked, the last build's outputs kept when nothing it reads changed,
else the plan made and built; the summary as a :class:`Reply` (exit 2 when directive files were left out for
their input errors: the others are built, a script must still notice the bad input)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from ..build.pipeline import BuildOptions as BuildOptions
from ..build.pipeline import BuildProgress
from ..core.errors import EXIT_INPUT
from ..core.reply import Reply


def build(
    paths: Sequence[Path],
    registry: Path | None,
    options: BuildOptions,
    output: Path,
    warn: Callable[[str], None],
    force: bool = False,
    watch: Callable[[BuildProgress], None] | None = None,
) -> Reply:
    """``matrix build``: every output of ``paths`` in ``output``; ``warn`` hears the warnings as they come,
    ``watch`` the progress of the documents written."""
    from ..build.pipeline import build as run_build
    from ..build.pipeline import build_report, build_unchanged, cache_folder, prepare
    from ..files.guard import check_output_folder

    check_output_folder(output, list(paths))
    summary = build_unchanged(paths, registry, options, output, notify=warn)
    plan = None
    if summary is not None:  # nothing it reads changed: the last build's outputs stand, its warnings are told
        for text in summary.warnings:
            warn(text)
    else:
        plan = prepare(paths, registry, options, warn, cache_folder(output))
        summary = run_build(plan, output, force=force, notify=warn, watch=watch)
    reply = Reply()
    for text, to_stderr in build_report(plan, summary, output):
        reply.say(text, to_stderr)
    if summary.left_count:
        reply.code = EXIT_INPUT
    return reply
