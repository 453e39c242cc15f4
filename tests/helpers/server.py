"""A real uvicorn server in a thread, for tests that need sockets (streamed uploads, concurrency, a browser)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def live(app: Any) -> Iterator[int]:
    """Serve ``app`` on a free port of 127.0.0.1 for the duration of the block; yields the port."""
    import uvicorn

    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    assert server.started, "máy chủ không khởi động"
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(10)
