"""`matrix serve` end to end in a real browser: headless Chromium driven by Selenium.

A clerk adds a directive from a .docx, resolves a flagged name, saves, builds,
downloads an agency's letter and records a report. A screenshot of each page
is saved under the test's tmp dir (``screens/``). Skipped when chromium or
chromedriver is missing, unless the environment variable CI is set.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from matrix.input.load import load_corpus
from matrix.tracking.records import load_records

from .helpers import INPUT
from .helpers.web import FIXTURE, FLAGGED, write_docx

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def _require_browser() -> None:
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not Path(p).is_file()]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI: thiếu {', '.join(missing)} (cài gói chromium và chromium-driver)")
        pytest.skip(f"không có {', '.join(missing)}")


@pytest.fixture()
def server(tmp_path):
    from matrix.web import create_app

    from .helpers.server import live

    shutil.copytree(INPUT, tmp_path / "input")
    app = create_app(tmp_path / "input", tmp_path / "output")
    with live(app) as port:
        yield f"http://127.0.0.1:{port}", tmp_path, app


@pytest.fixture()
def browser(tmp_path):
    _require_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path / "downloads"
    downloads.mkdir()
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
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
        "--window-size=1366,1000",
        "--lang=vi",
    ):
        options.add_argument(flag)
    options.add_experimental_option(
        "prefs", {"download.default_directory": str(downloads), "download.prompt_for_download": False}
    )
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    driver.downloads = downloads  # type: ignore[attr-defined]
    try:
        yield driver
    finally:
        driver.quit()


def _shot(driver, folder: Path, name: str) -> None:
    folder.mkdir(exist_ok=True)
    height = driver.execute_script("return Math.min(document.body.scrollHeight, 2400)")
    driver.set_window_size(1366, max(800, int(height)))
    driver.save_screenshot(str(folder / f"{name}.png"))
    driver.set_window_size(1366, 1000)


def _wait_for(condition, timeout: float = 60, step: float = 0.2):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("hết thời gian chờ")


def test_a_clerk_adds_a_directive_builds_downloads_a_letter_and_records_a_report(server, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    base, work, _app = server
    shots = tmp_path / "screens"
    driver = browser

    # Văn bản: the shipped directives
    driver.get(f"{base}/van-ban")
    assert "Văn bản" in driver.title
    assert len(driver.find_elements(By.CSS_SELECTOR, "table.list tbody tr")) == len(
        load_corpus([work / "input"]).require().directives
    )
    _shot(driver, shots, "1-van-ban")

    # Thêm văn bản: upload a .docx
    source = write_docx(FIXTURE.read_text(encoding="utf-8"), tmp_path / "chi-thi-thu.docx")
    driver.get(f"{base}/them")
    _shot(driver, shots, "2-them-van-ban")
    driver.find_element(By.NAME, "tep").send_keys(str(source))
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    _wait_for(lambda: "Bản nháp: chi-thi-thu" in driver.page_source)
    flagged = driver.find_elements(By.CSS_SELECTOR, "mark.flag")
    assert any(m.text == FLAGGED for m in flagged)
    _shot(driver, shots, "3-ban-nhap")

    # resolve the flagged name: search without diacritics, then rename in the draft
    box = driver.find_element(By.CSS_SELECTOR, ".flag-row input[name=tim]")
    box.send_keys("cong an tinh")
    driver.find_element(By.CSS_SELECTOR, ".flag-row form button[type=submit]").click()
    _wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "ul.results li"))
    _shot(driver, shots, "4-tim-co-quan")
    driver.find_element(By.CSS_SELECTOR, "ul.results li button[value=thay]").click()
    _wait_for(lambda: "Đã thay" in driver.page_source)
    assert not driver.find_elements(By.CSS_SELECTOR, "mark.flag")

    # save, then the directive's page says it is valid
    driver.find_element(By.XPATH, "//button[text()='Lưu và kiểm tra']").click()
    _wait_for(lambda: "da_luu=ok" in driver.current_url)
    assert "hợp lệ" in driver.find_element(By.CSS_SELECTOR, ".box.ok").text
    assert (work / "input" / "chi-thi-thu.yaml").is_file()
    _shot(driver, shots, "5-van-ban-da-luu")

    # Tạo kết quả: build with the progress display
    driver.get(f"{base}/tao-ket-qua")
    driver.find_element(By.XPATH, "//button[text()='Tạo kết quả']").click()
    _wait_for(lambda: "Đã tạo" in driver.page_source, timeout=180, step=0.5)
    _shot(driver, shots, "6-tao-ket-qua")

    # Cơ quan: find the agency without diacritics, download its letter for the new directive
    driver.get(f"{base}/co-quan")
    driver.find_element(By.NAME, "q").send_keys("cong an tinh")
    driver.find_element(By.CSS_SELECTOR, "form.search button").click()
    _wait_for(lambda: "q=" in driver.current_url)  # the result page, not the list it replaces (a stale link)
    # one police per province (issue 21): the list names each; the new directive is Tiền Giang's
    _wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "a[href='/co-quan/tien-giang-cong-an-tinh']"))[0].click()
    _wait_for(lambda: "/co-quan/tien-giang-cong-an-tinh" in driver.current_url)
    _shot(driver, shots, "7-co-quan")
    link = driver.find_element(
        By.CSS_SELECTOR, "a[href='/tai/chi-thi-thu/thu-giao-nhiem-vu/tien-giang-cong-an-tinh.docx']"
    )
    link.click()
    letter = _wait_for(lambda: [p for p in driver.downloads.glob("*.docx")], timeout=30)[0]
    expected = work / "output" / "chi-thi-thu" / "thu-giao-nhiem-vu" / "tien-giang-cong-an-tinh.docx"
    _wait_for(lambda: letter.stat().st_size == expected.stat().st_size, timeout=10)
    assert letter.read_bytes() == expected.read_bytes()

    # Ma trận
    driver.get(f"{base}/ma-tran?van_ban=chi-thi-thu")
    assert driver.find_elements(By.CSS_SELECTOR, "td.cell")
    _shot(driver, shots, "8-ma-tran")

    # Theo dõi: record a report through the form
    driver.get(f"{base}/theo-doi?ngay=2025-12-31")
    Select(driver.find_element(By.NAME, "co_quan")).select_by_value("cong-an-tinh")
    Select(driver.find_element(By.NAME, "van_ban")).select_by_value("chi-thi-thu")
    driver.find_element(By.NAME, "muc").send_keys("1")
    date = driver.find_element(By.NAME, "ngay_bao_cao")
    driver.execute_script("arguments[0].value = '2025-12-10'", date)
    driver.find_element(By.NAME, "so").send_keys("45/BC-CAT")
    driver.find_element(By.NAME, "xong").click()
    driver.find_element(By.XPATH, "//button[text()='Ghi báo cáo']").click()
    _wait_for(lambda: "Đã ghi báo cáo" in driver.page_source)
    assert "ngay=2025-12-31" in driver.current_url and "10/12/2025 (45/BC-CAT) — xong" in driver.page_source
    _shot(driver, shots, "9-theo-doi")
    corpus = load_corpus([work / "input"]).require()
    records = [r for r in load_records(work / "input", corpus) if r.directive == "chi-thi-thu"]
    assert [(r.agency, r.task, r.number, r.done) for r in records] == [
        ("tien-giang-cong-an-tinh", "1", "45/BC-CAT", True)
    ]
    assert len(list(shots.glob("*.png"))) == 9


def test_a_page_served_on_another_port_cannot_post_a_form(server, browser, tmp_path):
    """Cookies are shared by every port of 127.0.0.1: the attacker's page plants a session and a token it got
    itself (as any local program can) and posts a report. The Origin check refuses it; nothing is recorded."""
    import functools
    import http.client
    import http.server
    import re

    from .helpers.server import free_port

    base, root, _ = server
    port = int(base.rsplit(":", 1)[1])
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/theo-doi")
    response = conn.getresponse()
    session = response.getheader("set-cookie", "").split(";", 1)[0].split("=", 1)[1]
    token = re.search(r'name="csrf" value="([^"]+)"', response.read().decode()).group(1)
    conn.close()
    site = tmp_path / "ke-tan-cong"
    site.mkdir()
    (site / "index.html").write_text(
        f"""<!doctype html><meta charset="utf-8"><body>
<script>
document.cookie = "matrix-phien={session}; path=/";
document.cookie = "matrix_csrf={token}; path=/";
</script>
<form method="post" action="{base}/theo-doi">
<input name="csrf" value="{token}"><input name="co_quan" value="cong-an-tinh">
<input name="van_ban" value="tiengiang-ubnd-ct-antt-2025"><input name="ngay_bao_cao" value="2025-06-28">
<input name="so" value="GIA-MAO"><input name="xong" value="co">
</form>
<script>document.forms[0].submit();</script>""",
        encoding="utf-8",
    )
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    attacker = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=attacker.serve_forever, daemon=True)
    thread.start()
    try:
        browser.get(f"http://127.0.0.1:{attacker.server_address[1]}/index.html")
        _wait_for(lambda: browser.current_url.startswith(base))
        _shot(browser, tmp_path / "screens", "csrf-khac-cong")
        assert "Không được phép" in browser.page_source
    finally:
        attacker.shutdown()
        thread.join(10)
    corpus = load_corpus([root / "input"]).require()
    assert [r.number for r in load_records(root / "input", corpus)] == []
