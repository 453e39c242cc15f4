"""The package installs and finds its default templates however it is installed.

Each test installs the project (without dependencies, which the test environment
already has) into a throw-away location, then runs ``matrix build`` on the seeds
from another folder with only that location on the path.
"""

from __future__ import annotations

import configparser
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import INPUT, ROOT

SITE = f"lib/python{sys.version_info.major}.{sys.version_info.minor}/site-packages"


def _pip(*args: str, env: dict[str, str] | None = None) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--ignore-installed", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _build_seeds_from(site: Path, tmp_path: Path, env: dict[str, str] | None = None) -> None:
    """Run the installed copy (not the checkout) on the seeds, from a folder that is not the checkout."""
    work = tmp_path / "work"
    work.mkdir()
    env = dict(env or os.environ)
    env["PYTHONPATH"] = str(site)
    env.pop("PYTHONSAFEPATH", None)
    code = (
        "import matrix, sys; from pathlib import Path; "
        "assert not Path(matrix.__file__).is_relative_to(Path(sys.argv[1])), matrix.__file__; "
        "from matrix.cli import main; sys.argv = ['matrix', 'build', sys.argv[2], '-o', 'out']; main()"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(ROOT), str(INPUT)], cwd=work, capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stdout + done.stderr
    letters = list((work / "out").rglob("thu-giao-nhiem-vu/*.docx"))
    assert len(letters) > 20


def test_every_subpackage_is_listed_in_setup_cfg():
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    listed = set(config["options"]["packages"].split())
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "matrix").rglob("__init__.py")}
    assert on_disk | {"matrix.defaults"} == listed


def test_prefix_install_finds_default_templates(tmp_path, wheel):
    _pip("--prefix", str(tmp_path / "prefix"), str(wheel))
    _build_seeds_from(tmp_path / "prefix" / SITE, tmp_path)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project built once as a wheel (what `pip install .` builds and installs), for every install below."""
    wheels = tmp_path_factory.mktemp("wheels")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0 and "bdist_wheel" in done.stderr:  # pragma: no cover - very old pip/setuptools
        pytest.skip("this pip cannot build wheels")
    assert done.returncode == 0, done.stdout + done.stderr
    (built,) = wheels.glob("matrix-*.whl")
    return built


def test_wheel_install_finds_default_templates(tmp_path, wheel):
    _pip("--target", str(tmp_path / "target"), str(wheel))
    _build_seeds_from(tmp_path / "target", tmp_path)


def test_user_install_finds_default_templates(tmp_path, wheel):
    # pip refuses --user inside a virtual environment: install with the base interpreter's pip,
    # then run the installed copy with the test interpreter (which has the dependencies).
    base = Path(sys.base_prefix) / "bin" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    if not base.exists():  # pragma: no cover - Windows layout
        pytest.skip("no base interpreter at a POSIX path")
    env = dict(os.environ, PYTHONUSERBASE=str(tmp_path / "userbase"))
    env.pop("VIRTUAL_ENV", None)
    done = subprocess.run(
        [str(base), "-m", "pip", "install", "-q", "--no-deps", "--user", str(wheel)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    _build_seeds_from(tmp_path / "userbase" / SITE, tmp_path)
