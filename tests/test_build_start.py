"""The start of a build (matrix.build.pipeline.prepare): what it does to be quick without changing what it gives."""

from __future__ import annotations

import gc

import pytest

import matrix.build.pipeline as pipeline
from matrix.build.pipeline import BuildOptions, prepare


@pytest.mark.parametrize("enabled", [True, False])
def test_the_cycle_collector_is_off_while_loading_and_planning_only(folder, tmp_path, monkeypatch, enabled):
    seen: list[tuple[str, bool]] = []
    for name in ("load_for_build", "plan_build"):
        real = getattr(pipeline, name)

        def spy(*args, real=real, name=name, **kwargs):
            seen.append((name, gc.isenabled()))
            return real(*args, **kwargs)

        monkeypatch.setattr(pipeline, name, spy)
    was = gc.isenabled()
    if not enabled:
        gc.disable()
    try:
        plan = prepare([folder], None, BuildOptions(jobs=1), lambda _: None, tmp_path / "cache")
        after = gc.isenabled()
    finally:
        if was:
            gc.enable()
    assert plan.statuses and seen == [("load_for_build", False), ("plan_build", False)]
    assert after is enabled  # given back as it was
