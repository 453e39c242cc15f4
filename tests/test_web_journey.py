"""Issue 20's closing journey in headless Chromium, one clerk, one session: a directive half-edited into a YAML
syntax error is explained on its page; the build leaves it out and writes the others; a letter is downloaded; a
report recorded from a task's row in Theo dõi takes the task off the overdue list, and the next build writes no
đôn đốc letter for it. The screenshots of each page go to the folder the test prints (``MATRIX_SCREENSHOTS``)."""

from __future__ import annotations

import shutil

import docx
import pytest

from matrix.input.load import load_corpus
from matrix.tracking.records import load_records

from .helpers import INPUT
from .helpers.browser import alive, chromium, screens, shot, wait_for
from .helpers.server import live

pytestmark = pytest.mark.browser

TG = "tiengiang-ubnd-ct-antt-2025"
BROKEN = "hungyen-tinhuy-ct-antt-2024"
POLICE = "dong-thap-cong-an-tinh"  # Tiền Giang's police, followed up by Đồng Tháp's since the merger (issue 21)


def _text(path) -> str:
    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


def _build(driver, base: str, shots, name: str) -> str:
    """Start a build on the Tạo kết quả page and wait for its own end (the page may still show the last build's)."""
    from selenium.common.exceptions import WebDriverException

    driver.get(f"{base}/tao-ket-qua")
    button = driver.find_element("xpath", "//button[text()='Tạo kết quả']")
    button.click()

    def finished() -> str:
        try:
            text = str(driver.find_element("id", "build-state").text)
        except WebDriverException:  # not there yet, or its page being replaced while the build polls
            return ""
        return text if "Đã tạo" in text and "Đang tạo" not in text else ""

    wait_for(lambda: not alive(button), timeout=60)
    state = wait_for(finished, timeout=240, step=0.5)
    shot(driver, shots, name)
    return state


def test_a_build_leaves_a_broken_directive_out_and_a_report_from_a_row_ends_its_reminder(tmp_path):
    from selenium.webdriver.common.by import By

    from matrix.web import create_app

    folder, out = tmp_path / "input", tmp_path / "output"
    shutil.copytree(INPUT, folder)
    source = folder / f"{BROKEN}.yaml"
    bad_line = len(source.read_text(encoding="utf-8").splitlines()) + 1  # the line appended below
    with source.open("a", encoding="utf-8") as broken:
        broken.write("  bad: [x\n")  # a clerk's half-edited line: the file no longer reads
    where = f"Dòng {bad_line}, cột 3: Cách viết của tệp bị hỏng ở đây"
    shots = screens(tmp_path)
    print(f"\nảnh chụp màn hình: {shots}")
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    driver = chromium(tmp_path / "chromium-profile", downloads)
    try:
        with live(create_app(folder, out)) as port:
            base = f"http://127.0.0.1:{port}"

            # Văn bản: the broken file listed with its error; its page says what is wrong without YAML
            driver.get(f"{base}/van-ban")
            row = driver.find_element(By.XPATH, f"//tr[.//a[@href='/van-ban/{BROKEN}']]")
            assert "1 lỗi" in row.text and "không đọc được tệp" in row.text
            shot(driver, shots, "j1-van-ban-mot-tep-hong")
            row.find_element(By.CSS_SELECTOR, f"a[href='/van-ban/{BROKEN}']").click()
            wait_for(lambda: "chưa đọc được" in driver.page_source)
            assert where in driver.find_element(By.ID, "cho-hong").text
            shot(driver, shots, "j2-van-ban-khong-doc-duoc")

            # Tạo kết quả: the broken one left out and listed, the others built, the overdue task's reminder written
            state = _build(driver, base, shots, "j3-tao-ket-qua-bo-qua-tep-hong")
            assert "1 văn bản bị bỏ qua vì có lỗi" in state and f"{BROKEN}.yaml" in state
            assert where in state and "1 thư đôn đốc" in state
            assert not (out / BROKEN).exists()
            built = [d.name for d in out.iterdir() if (d / "ma-tran.xlsx").is_file() and d.name != "tong-hop"]
            assert sorted(built) == sorted(p.stem for p in INPUT.glob("*.yaml") if p.stem not in (BROKEN, "co-quan"))
            reminder = out / "tong-hop" / "don-doc" / f"{POLICE}.docx"
            assert "Mục 7 của Chỉ thị ngày 27/12/2024" in _text(reminder)

            # a letter downloaded from its directive's page arrives as a Word file
            driver.get(f"{base}/van-ban/{TG}")
            driver.find_element(By.CSS_SELECTOR, ".downloads details summary").click()
            link = driver.find_element(By.CSS_SELECTOR, ".downloads details a[href$='.docx']")
            href = link.get_attribute("href")
            shot(driver, shots, "j4-van-ban-tai-thu")
            link.click()
            letter = wait_for(lambda: [p for p in downloads.glob("*.docx")], timeout=30)[0]
            expected = out / href.split("/tai/", 1)[1]
            wait_for(lambda: letter.stat().st_size == expected.stat().st_size, timeout=10)
            assert letter.suffix == ".docx" and letter.read_bytes() == expected.read_bytes()
            assert "Kính gửi" in _text(letter)

            # Theo dõi: the task is overdue; its row's button fills the form; recorded as done, it leaves the list
            driver.get(f"{base}/theo-doi")
            overdue = f"tr.overdue a.button.small[href*='co_quan={POLICE}'][href*='nhiem_vu={TG}%7C7']"
            button = driver.find_element(By.CSS_SELECTOR, overdue)
            shot(driver, shots, "j5-theo-doi-qua-han")
            driver.execute_script("arguments[0].scrollIntoView()", button)
            button.click()
            wait_for(lambda: "nhiem_vu=" in driver.current_url)
            driver.find_element(By.NAME, "so").send_keys("77/BC-CAT")
            driver.find_element(By.NAME, "xong").click()
            shot(driver, shots, "j6-theo-doi-dien-san")
            driver.find_element(By.XPATH, "//button[text()='Ghi báo cáo']").click()
            wait_for(lambda: "Đã ghi báo cáo" in driver.page_source)
            assert not driver.find_elements(By.CSS_SELECTOR, overdue)
            shot(driver, shots, "j7-theo-doi-da-ghi")
            records = load_records(folder, load_corpus([folder / f"{TG}.yaml"], folder / "co-quan.yaml").require())
            # recorded for the body the directive named (the merger only changes who is followed up)
            assert [(r.agency, r.task, r.number, r.done) for r in records] == [
                ("tien-giang-cong-an-tinh", "7", "77/BC-CAT", True)
            ]

            # the next build reads the records as they are now: no đôn đốc letter for the task any more
            state = _build(driver, base, shots, "j8-tao-ket-qua-lan-hai")
            assert "1 văn bản bị bỏ qua vì có lỗi" in state and "0 thư đôn đốc" in state
            assert not reminder.exists()
            left = out / "tong-hop" / "don-doc"
            assert all("Mục 7 của Chỉ thị ngày 27/12/2024" not in _text(p) for p in left.glob("*.docx"))
    finally:
        driver.quit()
    assert sorted(p.name for p in shots.glob("j*.png")) == [
        "j1-van-ban-mot-tep-hong.png",
        "j2-van-ban-khong-doc-duoc.png",
        "j3-tao-ket-qua-bo-qua-tep-hong.png",
        "j4-van-ban-tai-thu.png",
        "j5-theo-doi-qua-han.png",
        "j6-theo-doi-dien-san.png",
        "j7-theo-doi-da-ghi.png",
        "j8-tao-ket-qua-lan-hai.png",
    ]
