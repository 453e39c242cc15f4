"""The fingerprint of everything a build reads, taken before anything is loaded.

A build with nothing changed should not load 300 directive files, pivot them and key 14,000 documents
only to find every document already in the output folder. :func:`input_stamp` reduces what the build
reads to one SHA-256 without reading it as YAML: the bytes of every directive file, of the registry,
of the tracking records (``theo-doi/``), of the templates on the search path and of the standard
catalogue's data files, the options, the day the build takes as today, ``SOURCE_DATE_EPOCH``, matrix's
version and the version of ``vietnam-provinces``, and the size and time of matrix's own modules (a developer's edit without a version bump).
The build records the stamp in its manifest with the keys of its documents
(:func:`matrix.build.pipeline.build`); the next build with the same stamp takes those keys instead of
computing them (:func:`matrix.build.pipeline.build_unchanged`).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from .. import __version__
from ..core.stamp import today
from ..input.load import directive_files, find_registry
from ..input.yamlio import Report
from ..tracking.records import TRACKING_DIR, input_folder
from ..writers.templates import search_path
from .outputs import BuildOptions

_PACKAGE = Path(__file__).resolve().parent.parent  # matrix/


def input_stamp(paths: Sequence[Path], registry: Path | None, options: BuildOptions) -> str | None:
    """The SHA-256 of every input of ``matrix build PATHS`` with ``options``; None when a quick answer is not
    safe (a path that cannot be listed, no registry file, the PDF step, which depends on LibreOffice)."""
    if options.pdf:
        return None
    report = Report()
    files = directive_files(paths, report)
    found = registry or find_registry(paths)
    if report.problems or found is None or not files:
        return None
    digest = hashlib.sha256()

    def add(*parts: object) -> None:
        digest.update(repr(parts).encode("utf-8", "surrogatepass"))
        digest.update(b"\0")

    add(
        __version__,
        os.environ.get("SOURCE_DATE_EPOCH", "").strip(),
        today(),
        replace(options, jobs=None),
        _version("vietnam-provinces"),
    )
    add([str(p.resolve()) for p in paths], [p.is_file() for p in paths])
    try:
        for path in [found, *files]:
            add(str(path.resolve()), hashlib.sha256(path.read_bytes()).hexdigest())
        tracking = input_folder(paths) / TRACKING_DIR
        for path in sorted(tracking.glob("*.yaml")) if tracking.is_dir() else ():
            add(str(path), hashlib.sha256(path.read_bytes()).hexdigest())
        for folder in (*search_path(options.templates), _PACKAGE / "data"):
            for path in sorted(folder.iterdir()) if folder.is_dir() else ():
                if path.is_file():
                    add(str(path), hashlib.sha256(path.read_bytes()).hexdigest())
        for path in sorted(_PACKAGE.rglob("*.py")):
            info = path.stat()
            add(str(path), info.st_size, info.st_mtime_ns)
    except OSError:
        return None
    return digest.hexdigest()


def _version(package: str) -> str:
    """The installed version of ``package`` (the communes of the standard catalogue come from it)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return ""
