"""The one loading step of the commands that read the directives: every warning told as soon as the files are
read, an input error raised (exit 2) before anything is computed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from ..core.model import Corpus


def load_model(paths: Sequence[Path], registry: Path | None, warn: Callable[[str], None]) -> Corpus:
    """The corpus of ``paths`` (files or folders) with ``registry`` (default: the input folder's co-quan.yaml)."""
    from ..input.load import load_corpus  # looked up when called (tests replace it)

    return load_corpus(paths, registry).require(warn)
