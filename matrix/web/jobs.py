"""The build as a background job: one at a time, with its progress for the page."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..core.errors import MatrixError


@dataclass
class BuildState:
    running: bool = False
    done: int = 0
    total: int = 0
    started: dt.datetime | None = None
    finished: dt.datetime | None = None
    error: str | None = None
    current: str = ""  # the last document written or reused (relative to the output folder)
    summary: Any = None  # matrix.build.pipeline.BuildSummary of the last successful build

    def as_json(self) -> dict[str, Any]:
        return {
            "running": self.running,
            "done": self.done,
            "total": self.total,
            "error": self.error,
            "current": self.current,
            "finished": self.finished.isoformat() if self.finished else None,
        }


class BuildJob:
    """Runs ``work(progress, total)`` in a thread; refuses a second start while one runs."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.state = BuildState()
        self._thread: threading.Thread | None = None

    def start(self, work: Callable[[Callable[[int], None], Callable[[int], None]], Any]) -> bool:
        if not self._lock.acquire(blocking=False):
            return False
        self.state = BuildState(running=True, started=dt.datetime.now())
        self._thread = threading.Thread(target=self._run, args=(work,), name="matrix-build", daemon=True)
        self._thread.start()
        return True

    def _run(self, work: Callable[[Callable[[int], None], Callable[[int], None]], Any]) -> None:
        state = self.state

        def progress(n: int) -> None:
            state.done += n

        def total(n: int) -> None:
            state.total = n

        try:
            state.summary = work(progress, total)
        except MatrixError as exc:
            state.error = exc.message
        except Exception as exc:
            state.error = f"Lỗi nội bộ của matrix ({type(exc).__name__}). Hãy báo lại cho nhóm phát triển."
        finally:
            state.running = False
            state.finished = dt.datetime.now()
            self._lock.release()

    def tell(self, current: str) -> None:
        """The document the running build wrote or reused last (shown under the progress bar)."""
        self.state.current = current

    def wait(self, timeout: float | None = None) -> None:
        """Wait for the running build (tests, shutdown)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._lock.locked()
