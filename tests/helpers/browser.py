"""Headless Chromium for the browser tests (marker ``browser``): the driver, screenshots, waiting.

Skipped when chromium or chromedriver is missing, unless the environment variable CI is set. Screenshots go
to the folder named by ``MATRIX_SCREENSHOTS`` (default: the test's tmp dir, ``screens/``).
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
T = TypeVar("T")


def require_browser() -> None:
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not Path(p).is_file()]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI: thiếu {', '.join(missing)} (cài gói chromium và chromium-driver)")
        pytest.skip(f"không có {', '.join(missing)}")


def chromium(profile: Path, downloads: Path | None = None) -> Any:
    """A headless Chromium with its own profile folder (two of them are two clerks); files it downloads go to
    ``downloads`` when given (kept as ``driver.downloads``)."""
    require_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--window-size=1366,1000",
        "--lang=vi",
    ):
        options.add_argument(flag)
    if downloads is not None:
        options.add_experimental_option(
            "prefs", {"download.default_directory": str(downloads), "download.prompt_for_download": False}
        )
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    driver.downloads = downloads
    return driver


def screens(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("MATRIX_SCREENSHOTS") or tmp_path / "screens")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def shot(driver: Any, folder: Path, name: str) -> Path:
    """A screenshot of the whole page (up to 3000 px high)."""
    height = driver.execute_script("return Math.min(document.body.scrollHeight, 3000)")
    driver.set_window_size(1366, max(800, int(height)))
    path = folder / f"{name}.png"
    driver.save_screenshot(str(path))
    driver.set_window_size(1366, 1000)
    return path


def alive(element: Any) -> bool:
    """Whether ``element`` still belongs to the page shown: False once the page was replaced (Chromium says so
    with a stale-element error, or with an inspector error while the new document comes in)."""
    from selenium.common.exceptions import WebDriverException

    try:
        element.is_enabled()
    except WebDriverException:
        return False
    return True


def wait_for(condition: Callable[[], T], timeout: float = 60, step: float = 0.2) -> T:
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("hết thời gian chờ")


def print_to_pdf(url: str, pdf: Path, timeout: float = 120) -> Path:
    """``url`` printed by headless Chromium's own ``--print-to-pdf`` (the page's @page size, no header or footer)."""
    import subprocess

    require_browser()
    subprocess.run(
        [
            CHROMIUM,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            f"--user-data-dir={pdf.parent / 'chromium-print-profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            url,
        ],
        check=True,
        capture_output=True,
        timeout=timeout,
    )
    return pdf
