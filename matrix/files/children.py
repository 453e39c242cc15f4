"""The first thing every process matrix forks does (the build's workers, the load's helpers): leave Ctrl+C to
its parent, which ends it; take SIGTERM's default; and (Linux) die with its parent even if that one is killed
with -9, so that no stopped command leaves a process behind."""

from __future__ import annotations

import ctypes
import os
import signal
import sys

__all__ = ["forked_child"]

_PR_SET_PDEATHSIG = 1


def forked_child() -> None:
    """Set up this forked process as a child that lives and dies with its parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is handled by the parent, which ends its children
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform == "linux":
        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):  # pragma: no cover - no prctl
            pass
        if os.getppid() == 1:  # the parent died before prctl
            os._exit(1)
