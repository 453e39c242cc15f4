"""`matrix serve` end to end in a real browser: headless Chromium driven by Selenium.

A clerk adds a directive from a .docx, resolves a flagged name, saves, builds,
downloads an agency's letter and records a report. A screenshot of each page
is saved under the test's tmp dir (``screens/``). Skipped when chromium or
chromedriver is missing, unless the environment variable CI is set.
"""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest

from matrix.input.load import load_corpus
from matrix.tracking.records import load_records

from .helpers import INPUT
from .helpers.browser import chromium
from .helpers.web import FIXTURE, FLAGGED, write_docx, write_docx_header_in_one_paragraph

pytestmark = pytest.mark.browser


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
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    driver = chromium(tmp_path / "chromium-profile", downloads)
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
    Select(driver.find_element(By.NAME, "co_quan")).select_by_value("dong-thap-cong-an-tinh")
    Select(driver.find_element(By.NAME, "nhiem_vu")).select_by_value("chi-thi-thu|1")
    date = driver.find_element(By.NAME, "ngay_bao_cao")
    date.clear()
    date.send_keys("10/12/2025")  # typed day first, whatever the browser's language
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


def test_a_clerk_withdraws_and_restores_records_from_a_row_pages_agencies_and_prints_the_matrix(
    server, browser, tmp_path
):
    """Issue 20's pages in a real browser: a Word header on tabs and line breaks read, a dropped name flagged;
    withdraw then restore a directive, record a report from a task's row
    with a date typed day first (a wrong one refused in words, the form kept), page through Cơ quan with a filter,
    the Ma trận with whole column labels, printed to PDF landscape with its header row on every page."""
    import base64
    import io
    import re

    import pypdf
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    base, work, _app = server
    shots = tmp_path / "screens"
    driver = browser
    tg = "tiengiang-ubnd-ct-antt-2025"
    folder = work / "input"

    # a Word file whose header is one paragraph (two columns by tabs, lines by Shift+Enter) naming a body the
    # registry lacks as the lead of a task: the date and place are read, the dropped name flagged and counted
    text = FIXTURE.read_text(encoding="utf-8").replace("Phòng Cảnh sát giao thông Tiền Giang", "Công an tỉnh")
    text = text.replace(
        "3. Ủy ban nhân dân các huyện",
        "3. Đội Quản lý thị trường số 5 chủ trì, phối hợp với Sở Công Thương kiểm tra hàng hóa.\n4. Ủy ban nhân dân các huyện",
    )
    source = write_docx_header_in_one_paragraph(text, tmp_path / "chi-thi-dong-ke.docx")
    driver.get(f"{base}/them")
    driver.find_element(By.NAME, "tep").send_keys(str(source))
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    _wait_for(lambda: "Bản nháp: chi-thi-dong-ke" in driver.page_source)
    meta = driver.find_element(By.CSS_SELECTOR, "p.meta").text
    assert "ngày văn bản 10/03/2025" in meta and "1 tên chưa có trong danh mục (1 tên chưa được phân công)" in meta
    assert driver.find_element(By.CSS_SELECTOR, "#ten-bo-sot li").text == "Đội Quản lý thị trường số 5 — mục 3"
    _shot(driver, shots, "w0-ban-nhap-ten-bo-sot")

    # withdraw from the directive's page, restore from the list
    driver.get(f"{base}/van-ban/{tg}")
    _shot(driver, shots, "w1-van-ban-truoc-khi-rut")
    driver.find_element(By.XPATH, "//button[text()='Rút văn bản']").click()
    _wait_for(lambda: "da_rut=" in driver.current_url)
    assert "Đã rút văn bản" in driver.find_element(By.CSS_SELECTOR, ".box.ok").text
    assert not (folder / f"{tg}.yaml").exists() and (folder / "da-rut" / f"{tg}.yaml").is_file()
    assert len(driver.find_elements(By.CSS_SELECTOR, "table.withdrawn tbody tr")) == 1
    _shot(driver, shots, "w2-van-ban-da-rut")
    driver.find_element(By.XPATH, "//table[contains(@class,'withdrawn')]//button[text()='Khôi phục']").click()
    _wait_for(lambda: "da_khoi_phuc=1" in driver.current_url)
    assert (folder / f"{tg}.yaml").is_file() and not (folder / "da-rut" / f"{tg}.yaml").exists()
    _shot(driver, shots, "w3-van-ban-da-khoi-phuc")

    # Theo dõi: the row's button fills the form; a date that does not exist is refused in words, the form kept
    driver.get(f"{base}/theo-doi?ngay=31/12/2025")
    button = driver.find_element(
        By.CSS_SELECTOR, f"a.button.small[href*='co_quan=dong-thap-cong-an-tinh'][href*='nhiem_vu={tg}%7C7']"
    )
    driver.execute_script("arguments[0].scrollIntoView()", button)
    button.click()
    _wait_for(lambda: "nhiem_vu=" in driver.current_url)
    assert Select(driver.find_element(By.NAME, "co_quan")).first_selected_option.get_attribute("value") == (
        "dong-thap-cong-an-tinh"
    )
    task = Select(driver.find_element(By.NAME, "nhiem_vu")).first_selected_option
    assert task.get_attribute("value") == f"{tg}|7" and task.text.startswith("Mục 7 — Giao Công an tỉnh chủ trì")
    date = driver.find_element(By.NAME, "ngay_bao_cao")
    assert date.get_attribute("value") == "31/12/2025" and date.get_attribute("type") == "text"
    date.clear()
    date.send_keys("31/02/2025")
    driver.find_element(By.NAME, "so").send_keys("88/BC-CAT")
    driver.find_element(By.XPATH, "//button[text()='Ghi báo cáo']").click()
    _wait_for(lambda: "Chưa ghi được báo cáo" in driver.page_source)
    assert "ngày '31/02/2025' không tồn tại" in driver.find_element(By.CSS_SELECTOR, ".box.bad").text
    assert driver.find_element(By.NAME, "so").get_attribute("value") == "88/BC-CAT"
    assert driver.find_element(By.NAME, "ngay_bao_cao").get_attribute("value") == "31/02/2025"
    _shot(driver, shots, "w4-theo-doi-loi")
    date = driver.find_element(By.NAME, "ngay_bao_cao")
    date.clear()
    date.send_keys("05/12/2025")
    driver.find_element(By.XPATH, "//button[text()='Ghi báo cáo']").click()
    _wait_for(lambda: "Đã ghi báo cáo" in driver.page_source)
    _shot(driver, shots, "w5-theo-doi-da-ghi")
    corpus = load_corpus([folder]).require()
    records = [(r.directive, r.task, r.date.isoformat(), r.number) for r in load_records(folder, corpus)]
    assert records == [(tg, "7", "2025-12-05", "88/BC-CAT")]

    # Cơ quan: a province, then the next page
    driver.get(f"{base}/co-quan")
    Select(driver.find_element(By.NAME, "tinh")).select_by_value("dong-thap")
    driver.find_element(By.XPATH, "//button[text()='Tìm và lọc']").click()
    _wait_for(lambda: "tinh=dong-thap" in driver.current_url)
    count = driver.find_element(By.CSS_SELECTOR, "p.count").text
    total = int(re.match(r"(\d+) cơ quan", count).group(1))
    assert total > 50 and "trang 1/" in count
    _shot(driver, shots, "w6-co-quan-loc-tinh")
    driver.find_element(By.LINK_TEXT, "Sau ›").click()
    _wait_for(lambda: "trang=2" in driver.current_url)
    assert "trang 2/" in driver.find_element(By.CSS_SELECTOR, "p.count").text
    rows = driver.find_elements(By.CSS_SELECTOR, "table.list tbody tr")
    assert 0 < len(rows) <= 50 and all("Đồng Tháp" in r.find_elements(By.TAG_NAME, "td")[2].text for r in rows)
    _shot(driver, shots, "w7-co-quan-trang-2")

    # Ma trận: every column label whole on screen, then printed
    driver.get(f"{base}/ma-tran")
    labels = driver.find_elements(By.CSS_SELECTOR, "th.col-agency .turned")
    clipped = driver.execute_script(
        "return arguments[0].filter(e => e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1)"
        ".map(e => e.textContent)",
        labels,
    )
    assert labels and clipped == []
    assert "MTTQ, đoàn thể các cấp" in [e.text for e in labels]
    _shot(driver, shots, "w8-ma-tran")
    printed = driver.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True})
    pdf = base64.b64decode(printed["data"])
    (shots / "w9-ma-tran-in.pdf").write_bytes(pdf)
    pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) > 1
    for page in pages:
        assert float(page.mediabox.width) > float(page.mediabox.height)  # A4 landscape
        assert "Nhiệm vụ" in page.extract_text()  # the header row on every page
