"""Serve the web application with uvicorn (imported only by `matrix serve`)."""

from __future__ import annotations

import threading
import webbrowser
from pathlib import Path


def run(input_dir: Path, output_dir: Path, host: str, port: int, password: str | None, open_url: str | None) -> None:
    import uvicorn

    from .app import create_app
    from .security import served_names

    app = create_app(input_dir, output_dir, password=password, allowed_hosts=served_names(host))
    if open_url:
        threading.Timer(1.0, webbrowser.open, args=(open_url,)).start()
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
