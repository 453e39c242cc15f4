"""The suite's own layout: a package whose modules share code through tests.helpers, reading their own seeds."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from .helpers import INPUT, SEED_IDS, SHIPPED_INPUT, TESTS

MODULES = sorted(p for p in TESTS.rglob("*.py") if ".venv" not in p.parts)
# The tests that look at what a clerk gets: the shipped seeds validate, the shipped registry documents its keys.
READ_SHIPPED_INPUT = {"test_validate.py", "test_schema.py", "test_layout.py"}
USERS = [p for p in MODULES if p != TESTS / "helpers" / "__init__.py"]  # all but where SHIPPED_INPUT is declared


def imported_modules(path: Path) -> list[str]:
    """Every module ``path`` imports, relative imports written with their leading dots."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            found += [base] if node.module else [base + alias.name for alias in node.names]
    return found


def test_the_tests_are_a_package():
    assert (TESTS / "__init__.py").is_file() and (TESTS / "helpers" / "__init__.py").is_file()


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(TESTS).as_posix())
def test_no_module_imports_a_test_module_or_the_conftest(path):
    """Shared code lives in tests.helpers; a test module is never imported by another one."""
    wrong = [
        name for name in imported_modules(path) if re.search(r"(^|\.)(conftest|test_\w+)$", name) or name == "tests"
    ]
    assert wrong == [], f"{path.name} imports {wrong}: move what is shared to tests/helpers/"


@pytest.mark.parametrize("path", USERS, ids=lambda p: p.relative_to(TESTS).as_posix())
def test_tests_read_their_own_copy_of_the_seeds(path):
    """input/ is the clerk's folder: the tests use tests/fixtures/input/, but for the checks of the shipped files."""
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"ROOT\s*/\s*[\"']input[\"']", text), f"{path.name} reads the shipped input/"
    if path.name not in READ_SHIPPED_INPUT:
        assert "SHIPPED_INPUT" not in text, f"{path.name} reads the shipped input/"


def test_the_copy_of_the_seeds_is_complete():
    assert INPUT != SHIPPED_INPUT
    assert sorted(p.name for p in INPUT.glob("*.yaml")) == sorted(["co-quan.yaml", *(f"{i}.yaml" for i in SEED_IDS)])


def test_a_broken_seed_corpus_fails_instead_of_skipping(monkeypatch, tmp_path):
    """The seed loader raises on a copy that does not load; nothing is skipped."""
    import shutil

    from matrix.core.errors import InputError

    from .helpers import corpus

    broken = tmp_path / "input"
    shutil.copytree(INPUT, broken)
    (broken / f"{SEED_IDS[0]}.yaml").write_text("id: [\n", encoding="utf-8")
    monkeypatch.setattr(corpus, "INPUT", broken)
    corpus.seed_corpus.cache_clear()
    try:
        with pytest.raises(InputError):
            corpus.seed_corpus()
    finally:
        corpus.seed_corpus.cache_clear()


# The parts of matrix/, in the order the README's developer section lists them: a part imports only the parts
# before it (and itself); cli.py and web/ stand on all of them.
PARTS = ["core", "files", "input", "tracking", "writers", "draft", "build", "commands"]
PACKAGE = TESTS.parent / "matrix"


def _part_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "matrix" and parts[1] in PARTS else None


def _absolute_imports(path: Path) -> list[str]:
    """Every module ``path`` imports (also inside functions), relative names resolved against its package."""
    package = ".".join(path.relative_to(TESTS.parent).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found += [module] if node.module else [f"{module}.{alias.name}" for alias in node.names]
    return found


def test_the_top_of_the_package_holds_the_parts():
    assert sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").is_file()) == sorted(
        [*PARTS, "web"]
    )
    assert sorted(p.name for p in PACKAGE.glob("*.py")) == ["__init__.py", "__main__.py", "cli.py", "clickvi.py"]
    for part in PARTS:
        assert ast.get_docstring(ast.parse((PACKAGE / part / "__init__.py").read_text(encoding="utf-8"))), part


@pytest.mark.parametrize("part", PARTS)
def test_a_part_imports_only_the_parts_below_it(part):
    allowed = set(PARTS[: PARTS.index(part) + 1])
    wrong = {
        f"{path.relative_to(PACKAGE).as_posix()} imports {name}"
        for path in sorted((PACKAGE / part).rglob("*.py"))
        for name in _absolute_imports(path)
        if (name == "matrix.cli" or name.startswith("matrix.web")) or (_part_of(name) or part) not in allowed
    }
    assert not wrong, sorted(wrong)


def test_the_readme_developer_section_names_real_files_and_every_part():
    readme = (TESTS.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Dành cho người phát triển") :]
    named = set(re.findall(r"`(matrix/[\w/]+\.py)`", section))
    assert named, "the developer section names no module"
    assert sorted(p for p in named if not (TESTS.parent / p).is_file()) == []
    listed = re.findall(r"^  - `(\w+)/`:", section, re.M)
    assert listed == PARTS


def test_the_accepted_date_formats_are_declared_once():
    """Every reader of a typed day (options, forms, files, sheets) goes through core.stamp.read_day and its
    DATE_FORMATS: no other module parses a day by its own formats."""
    parsing = re.compile(r"strptime\(|fromisoformat\(|DateTime\(formats|for fmt in|(?<!strftime)\(\"%[dY][-/.]%")
    own = {
        path.relative_to(PACKAGE).as_posix()
        for path in sorted(PACKAGE.rglob("*.py"))
        if parsing.search(path.read_text(encoding="utf-8"))
    }
    # the catalogue reads matrix's own data files (ISO dates written by the developers), not a clerk's
    assert own == {"core/stamp.py", "input/catalogue.py"}


def test_no_writer_loads_files():
    """A writer takes the model: loading (matrix.input.load, YAML) belongs to the command layer."""
    wrong = {
        f"{path.relative_to(PACKAGE).as_posix()} imports {name}"
        for path in sorted((PACKAGE / "writers").rglob("*.py"))
        for name in _absolute_imports(path)
        if name == "yaml" or name.startswith(("yaml.", "matrix.input.load"))
    }
    assert not wrong, sorted(wrong)


def _cli_commands() -> dict[str, list[tuple[str, str]]]:
    """Every function of matrix/cli.py that click runs as a command: (module, name) of each thing it imports."""
    tree = ast.parse((PACKAGE / "cli.py").read_text(encoding="utf-8"))
    out: dict[str, list[tuple[str, str]]] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and any(
            isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr == "command"
            for d in node.decorator_list
        ):
            out[node.name] = [
                ("." * sub.level + (sub.module or ""), alias.name)
                for sub in ast.walk(node)
                if isinstance(sub, ast.ImportFrom)
                for alias in sub.names
            ]
    return out


def test_every_cli_command_calls_the_command_layer_which_returns_a_reply():
    """The CLI only parses options, calls one function of matrix/commands/ and prints the Reply it returns (serve
    starts the web server instead)."""
    import importlib
    import inspect

    from matrix.core.reply import Reply

    commands = _cli_commands()
    assert len(commands) >= 12, sorted(commands)
    for command, imported in commands.items():
        if command == "serve":
            continue
        own = [(module, name) for module, name in imported if module.startswith(".commands.")]
        assert own and own == imported, f"{command} imports {imported}: only matrix/commands/ is for the CLI"
        functions = [
            getattr(importlib.import_module("matrix" + module), name)
            for module, name in own
            if inspect.isfunction(getattr(importlib.import_module("matrix" + module), name))
        ]
        assert len(functions) == 1, (command, functions)
        returned = inspect.signature(functions[0]).return_annotation
        assert returned in ("Reply", Reply), f"{command}: {functions[0].__qualname__} returns {returned}"
