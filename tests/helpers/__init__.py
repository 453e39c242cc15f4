"""Code shared by the test modules: paths of the fixtures, the CLI runner, the seed corpus.

The tests read their own copy of the seed encodings (``tests/fixtures/input/``), never the
shipped ``input/`` a clerk may edit; only ``test_shipped_input_is_clean`` looks at ``input/``.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
FIXTURES = TESTS / "fixtures"
INPUT = FIXTURES / "input"  # the tests' copy of the seed directives and the registry
REGISTRY = INPUT / "co-quan.yaml"
SHIPPED_INPUT = ROOT / "input"  # what a clerk gets (and may edit): not read by the tests
# A 2026 directive of the new Đồng Tháp for its communes, on the standard catalogue: with --expand-groups a matrix
# of over 200 agency columns (tests/test_render_excel.py: wide matrices print readably)
WIDE = FIXTURES / "wide"
SEEDS = FIXTURES / "seeds"  # the seed directives as raw text, for `matrix draft`
SEED_IDS = (
    "dongthap-ubnd-cv-antt-2025",
    "hungyen-tinhuy-ct-antt-2024",
    "tiengiang-ubnd-ct-antt-2025",
    "tinhuy-cv-kl13-phong-chong-toi-pham",
    "ubnd-ct-cao-diem-tet-giap-thin-2024",
)


def run_cli(*args: object) -> tuple[int, str]:
    """Run the `matrix` command through click's CliRunner: (exit code, output)."""
    from click.testing import CliRunner

    from matrix.cli import main

    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.output


def examples(n: int) -> int:
    """Hypothesis examples for a heavy property: ``n`` under ``HYPOTHESIS_PROFILE=thorough``, half of it otherwise.

    Keeps the whole suite under 3 minutes on two cores; run the thorough profile before a release.
    """
    return n if os.environ.get("HYPOTHESIS_PROFILE") == "thorough" else max(10, n // 2)
