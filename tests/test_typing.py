"""The package type-checks under the strict mypy settings of setup.cfg."""

import subprocess
import sys

from .helpers import ROOT


def test_mypy_strict_is_clean():
    done = subprocess.run([sys.executable, "-m", "mypy", "matrix"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
