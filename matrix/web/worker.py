"""Heavy work of the pages (drafting an upload or a pasted text) in a worker process with limits.

The server answers every page from one event loop: a draft of a hostile
file run there would stop every other page. :func:`run_limited` runs a
library function in a fresh child process (started by the ``forkserver``
where there is one: the server's threads are never forked), caps the
child's memory (``RLIMIT_AS``) and processor time (``RLIMIT_CPU``) with
:func:`resource.setrlimit`, and ends it when the wall-clock limit passes.
The page waits for it in a thread, so the event loop stays free. What the
child raises comes back as the same :class:`~matrix.core.errors.MatrixError`;
a limit reached is a :class:`WorkLimit` with a Vietnamese message.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from ..core.errors import InputError, MatrixError

__all__ = ["DEFAULT_LIMITS", "Limits", "WorkLimit", "run_limited"]


@dataclass(frozen=True)
class Limits:
    """How long (seconds, wall clock and processor) and how much memory (bytes of address space) a job may use."""

    seconds: float = 60.0
    memory: int = 2 * 1024 * 1024 * 1024


DEFAULT_LIMITS = Limits()


class WorkLimit(MatrixError):
    """A job stopped because it passed its time or memory limit."""


def _time_message(what: str, limits: Limits) -> str:
    return (
        f"{what} quá {limits.seconds:g} giây nên đã dừng: văn bản quá dài hoặc tệp có cấu trúc bất thường. "
        "Hãy tách văn bản thành phần nhỏ hơn, hoặc lưu lại tệp dạng .txt hay .docx thường rồi thử lại."
    )


def _memory_message(what: str, limits: Limits) -> str:
    return (
        f"{what} cần quá {limits.memory // 1024 // 1024} MB bộ nhớ nên đã dừng: văn bản quá lớn hoặc tệp có "
        "cấu trúc bất thường. Hãy tách văn bản thành phần nhỏ hơn rồi thử lại."
    )


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def run_limited(
    func: Callable[..., Any], *args: Any, what: str = "Việc lập bản nháp", limits: Limits = DEFAULT_LIMITS
) -> Any:
    """``func(*args)`` in a child process under ``limits``; blocks the calling thread (never the event loop).

    ``func`` and ``args`` must pickle (a module-level function, plain data). Raises what ``func`` raised
    when it is a :class:`MatrixError`, :class:`WorkLimit` when a limit is reached.
    """
    ctx = _context()
    receiver, sender = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(sender, limits, func, args), daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(limits.seconds):
            raise WorkLimit(_time_message(what, limits))
        try:
            kind, value = receiver.recv()
        except (EOFError, OSError):  # the child died without a word: killed by its limits
            raise WorkLimit(_memory_message(what, limits)) from None
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join(5)
    if kind == "ok":
        return value
    if kind == "input":
        raise InputError(value)
    if kind == "matrix":
        raise MatrixError(value)
    if kind == "memory":
        raise WorkLimit(_memory_message(what, limits))
    if kind == "time":
        raise WorkLimit(_time_message(what, limits))
    raise MatrixError(f"Lỗi nội bộ của matrix ({value}). Hãy báo lại cho nhóm phát triển.")


def _near_limit(limits: Limits) -> bool:
    """True when this process's address space peaked within 10% of its limit (Linux; else False)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmPeak:"):
                    return int(line.split()[1]) * 1024 >= limits.memory * 0.9
    except (OSError, ValueError, IndexError):
        pass
    return False


def _child(conn: Connection, limits: Limits, func: Callable[..., Any], args: tuple[Any, ...]) -> None:
    import signal

    def out_of_time(signum: int, frame: Any) -> None:
        raise TimeoutError

    if sys.platform != "win32":
        import resource

        seconds = max(1, int(limits.seconds))
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory, limits.memory))
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 5))
        signal.signal(signal.SIGXCPU, out_of_time)
    try:
        result: tuple[str, Any] = ("ok", func(*args))
    except InputError as exc:
        result = ("input", list(exc.problems))
    except MatrixError as exc:
        # libxml2 says a failed allocation as a broken file: near the limit, it is the limit
        result = ("memory", None) if _near_limit(limits) else ("matrix", exc.message)
    except MemoryError:
        result = ("memory", None)
    except TimeoutError:
        result = ("time", None)
    except BaseException as exc:  # any fault of the library is said as an internal error
        result = ("internal", type(exc).__name__)
    try:
        conn.send(result)
    except Exception:  # the parent reads EOF and says the job failed
        pass
    finally:
        conn.close()
    os._exit(0)  # no atexit handlers, no flush of the server's inherited buffers
