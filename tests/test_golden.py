"""Golden files: the full text of every seed letter and table, and the cells of every seed workbook.

Any change of wording or layout shows up as a diff under tests/golden/ to
review. After an intended change, regenerate them and review the diff::

    python -m pytest tests/test_golden.py --update-golden
    git diff tests/golden/
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers.golden_text import snapshot

GOLDEN = Path(__file__).resolve().parent / "golden"
# The build's clock (SOURCE_DATE_EPOCH): 2025-07-15 03:04:05 UTC, stamped in the documents' properties and the
# day the status workbook and reminders count to (after the first half-year report is due: one reminder).
BUILD_EPOCH = "1752548645"


@pytest.fixture(scope="module")
def seed_outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    from matrix.build.pipeline import BuildOptions, build, plan_build
    from matrix.input.load import load_corpus

    from .helpers import INPUT

    out = tmp_path_factory.mktemp("golden")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", BUILD_EPOCH)
        build(plan_build(load_corpus([INPUT]).corpus, BuildOptions(jobs=1)), out)
    return snapshot(out)


def test_seed_outputs_match_the_golden_files(seed_outputs: dict[str, str], request: pytest.FixtureRequest) -> None:
    if request.config.getoption("--update-golden"):
        for old in GOLDEN.rglob("*.txt"):
            old.unlink()
        for name, text in seed_outputs.items():
            target = GOLDEN / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        pytest.skip("golden files rewritten: review them with git diff tests/golden/")
    stored = {p.relative_to(GOLDEN).as_posix(): p.read_text(encoding="utf-8") for p in GOLDEN.rglob("*.txt")}
    assert sorted(seed_outputs) == sorted(stored), (
        "outputs added or removed (python -m pytest tests/test_golden.py --update-golden)"
    )
    changed = [name for name in stored if stored[name] != seed_outputs[name]]
    for name in changed[:1]:
        assert seed_outputs[name] == stored[name], (
            f"{name} differs from tests/golden/{name} (review, then --update-golden)"
        )
    assert not changed


def test_golden_outputs_are_deterministic(seed_outputs: dict[str, str]) -> None:
    """The same seeds and build date give the same files (no date of today, no order left to chance)."""
    letters = [name for name in seed_outputs if "/thu-giao-nhiem-vu/" in name]
    assert letters and all(seed_outputs[name].startswith("# created 2025-07-15 03:04:05") for name in letters)
