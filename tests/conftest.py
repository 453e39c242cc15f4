"""Fixtures shared by the test modules; the code they use lives in :mod:`tests.helpers`."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

from matrix.core.model import Corpus

from .helpers import INPUT
from .helpers.corpus import seed_corpus as load_seed_corpus
from .helpers.corpus import small_corpus

# HYPOTHESIS_PROFILE=thorough: more examples everywhere (heavy properties use helpers.examples, full counts).
settings.register_profile("thorough", max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture
def corpus() -> Corpus:
    return small_corpus()


@pytest.fixture(scope="session")
def seed_corpus() -> Corpus:
    """The five seed directives, loaded and validated from tests/fixtures/input/ (a broken copy fails)."""
    return load_seed_corpus()


# The slowest modules first (measured with --durations): with pytest-xdist, each worker takes the next module
# when it is free, so the long ones start early and the workers finish together instead of one waiting on the
# rendered workbooks at the end. The order of the tests inside a module is kept.
SLOW_FIRST = (
    "test_render_excel.py",
    "test_safety_publish.py",
    "test_web.py",
    "test_draft_roundtrip.py",
    "test_draft_seeds.py",
    "test_excel.py",
    "test_safety_templates.py",
    "test_build.py",
    "test_registry_dates.py",
    "test_draft_layouts.py",
    "test_render_word.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: n for n, name in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/ from the seed outputs (then review the diff)",
    )


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    """A copy of the tests' seed input (tests/fixtures/input/) that a test may change (records, directives, registry)."""
    target = tmp_path / "input"
    shutil.copytree(INPUT, target)
    return target


@pytest.fixture()
def dirs(folder: Path) -> tuple[Path, Path]:
    """(input, output) folders for the web page: the seed input copy of :func:`folder` and an output beside it."""
    return folder, folder.parent / "output"
