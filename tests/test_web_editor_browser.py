"""The form editor in a real browser (headless Chromium, Selenium): a clerk uploads a .docx, reviews the draft,
saves it, then edits the saved directive (an agency added, a role changed, a deadline set, a task split), each
save read back from disk; two clerks edit one directive and the later save is refused.

A screenshot of each page looked at is saved (``MATRIX_SCREENSHOTS``, default the test's tmp dir).
"""

from __future__ import annotations

import shutil
from typing import Any

import pytest

from matrix.core.model import Role
from matrix.input.load import load_corpus

from .helpers import INPUT
from .helpers.browser import alive, chromium, screens, shot, wait_for
from .helpers.web import FIXTURE, FLAGGED, write_docx

pytestmark = pytest.mark.browser


@pytest.fixture()
def server(tmp_path):
    from matrix.web import create_app

    from .helpers.server import live

    shutil.copytree(INPUT, tmp_path / "input")
    app = create_app(tmp_path / "input", tmp_path / "output")
    with live(app) as port:
        yield f"http://127.0.0.1:{port}", tmp_path


@pytest.fixture()
def browser(tmp_path):
    driver = chromium(tmp_path / "profile-1")
    try:
        yield driver
    finally:
        driver.quit()


def press(driver: Any, css: str) -> None:
    """Click the button ``css`` and wait for the page the form's POST leads to."""
    from selenium.webdriver.common.by import By

    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.CSS_SELECTOR, css).click()
    wait_for(lambda: not alive(old))
    wait_for(lambda: driver.execute_script("return document.readyState") == "complete")


def typed(driver: Any, name: str, text: str) -> None:
    from selenium.webdriver.common.by import By

    box = driver.find_element(By.NAME, name)
    box.clear()
    box.send_keys(text)


def saved(work, directive_id: str = "chi-thi-thu"):
    """The directive as the loader reads it from disk (any error fails the test)."""
    return load_corpus([work / "input"]).require().directive(directive_id)


def roles(task) -> list[tuple[str, Role]]:
    return [(a.written, a.role) for a in task.assignments]


def test_a_clerk_reviews_a_draft_and_edits_the_directive_without_yaml(server, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    base, work = server
    driver = browser
    folder = screens(tmp_path)

    # upload a real .docx, then open the draft's review in the form editor
    source = write_docx(FIXTURE.read_text(encoding="utf-8"), tmp_path / "chi-thi-thu.docx")
    driver.get(f"{base}/them")
    driver.find_element(By.NAME, "tep").send_keys(str(source))
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_for(lambda: "Bản nháp: chi-thi-thu" in driver.page_source)
    driver.find_element(By.LINK_TEXT, "Xem lại và sửa bằng biểu mẫu").click()
    wait_for(lambda: driver.find_elements(By.ID, "editor"))
    summary = driver.find_element(By.ID, "con-lai").text
    assert summary == "Còn 1 tên chưa rõ cần xem lại."
    assert FLAGGED in driver.find_element(By.CSS_SELECTOR, "section.source").text
    shot(driver, folder, "e1-xem-lai-ban-nhap")

    # one click fixes the flagged name: search without diacritics, pick the body
    typed(driver, "n:0:tim", "cong an tinh")
    press(driver, 'button[value="name-search:0"]')
    shot(driver, folder, "e2-tim-co-quan-cho-ten")
    press(driver, 'button[value="name-pick:0:tien-giang-cong-an-tinh"]')
    assert driver.find_element(By.ID, "con-lai").text == "Không còn gì cần xem lại: có thể lưu."
    press(driver, "#luu")
    wait_for(lambda: "da_luu=ok" in driver.current_url)
    assert roles(saved(work).tasks[1]) == [
        ("Sở Văn hóa, Thể thao và Du lịch", Role.LEAD),
        ("Công an tỉnh", Role.PARTNER),
    ]
    shot(driver, folder, "e3-van-ban-da-luu")

    # the saved directive: add an agency to task 3 (Enter in the search box searches)
    drafted = roles(saved(work).tasks[2])  # as the drafter read item 3 (the bodies it names)
    assert ("Ủy ban nhân dân các huyện, thành phố, thị xã", Role.DOER) in drafted
    driver.find_element(By.LINK_TEXT, "Sửa văn bản").click()
    wait_for(lambda: driver.find_elements(By.ID, "editor"))
    Select(driver.find_element(By.NAME, "t:2:new-role")).select_by_value("phối hợp")
    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.NAME, "t:2:tim").send_keys("so noi vu", Keys.ENTER)
    wait_for(lambda: not alive(old))
    wait_for(lambda: driver.execute_script("return document.readyState") == "complete")
    shot(driver, folder, "e4-them-co-quan")
    press(driver, 'button[value^="assign:2:"][value$="-so-noi-vu"]')
    press(driver, "#luu")
    wait_for(lambda: "da_luu=ok" in driver.current_url)
    assert roles(saved(work).tasks[2]) == [("Sở Nội vụ", Role.PARTNER), *drafted]

    # change a role (the page checks at once, without leaving the page), save
    driver.find_element(By.LINK_TEXT, "Sửa văn bản").click()
    wait_for(lambda: driver.find_elements(By.ID, "editor"))
    old = driver.find_element(By.TAG_NAME, "html")
    role = 'select[aria-label="Vai trò của Sở Nội vụ"]'
    Select(driver.find_element(By.CSS_SELECTOR, role)).select_by_value("chủ trì")
    wait_for(lambda: driver.find_element(By.TAG_NAME, "body").get_attribute("data-checked"))
    assert alive(old)  # the same page: checked in place
    assert Select(driver.find_element(By.CSS_SELECTOR, role)).first_selected_option.text == "chủ trì"
    press(driver, "#luu")
    wait_for(lambda: "da_luu=ok" in driver.current_url)
    assert roles(saved(work).tasks[2]) == [("Sở Nội vụ", Role.LEAD), *drafted]

    # set a deadline: the date matrix reads is shown beside it; save
    driver.find_element(By.LINK_TEXT, "Sửa văn bản").click()
    wait_for(lambda: driver.find_elements(By.ID, "editor"))
    typed(driver, "t:2:deadline", "trước ngày 30/06/2025")
    press(driver, 'button.secondary[value="check"]')
    reads = driver.find_element(By.CSS_SELECTOR, "#t-2 .reads").text
    assert reads == "hạn: 30/06/2025"
    shot(driver, folder, "e5-thoi-han")
    press(driver, "#luu")
    wait_for(lambda: "da_luu=ok" in driver.current_url)
    assert saved(work).tasks[2].deadline == "trước ngày 30/06/2025"

    # split task 1 where the cursor is, save
    driver.find_element(By.LINK_TEXT, "Sửa văn bản").click()
    wait_for(lambda: driver.find_elements(By.ID, "editor"))
    text = saved(work).tasks[0].text
    cut = text.index("; báo cáo") + 1
    box = driver.find_element(By.NAME, "t:0:text")
    driver.execute_script(
        "arguments[0].focus(); arguments[0].setSelectionRange(arguments[1], arguments[1]);"
        "arguments[0].dispatchEvent(new Event('keyup'));",
        box,
        cut,
    )
    press(driver, 'button[value="split:0"]')
    shot(driver, folder, "e6-tach-nhiem-vu")
    press(driver, "#luu")
    wait_for(lambda: "da_luu=ok" in driver.current_url)
    tasks = saved(work).tasks
    assert [t.text for t in tasks[:2]] == [text[:cut].rstrip(), text[cut:].strip()]
    assert [t.id for t in tasks] == ["1", "1a", "2", "3", "cuối-1"]
    shot(driver, folder, "e7-van-ban-sau-khi-sua")


def test_two_clerks_edit_one_directive_the_later_save_is_refused_and_the_first_kept(server, browser, tmp_path):
    from selenium.webdriver.common.by import By

    base, work = server
    folder = screens(tmp_path)
    directive_id = "tiengiang-ubnd-ct-antt-2025"
    path = work / "input" / f"{directive_id}.yaml"
    other = chromium(tmp_path / "profile-2")
    try:
        for driver in (browser, other):
            driver.get(f"{base}/van-ban/{directive_id}/sua")
            wait_for(lambda driver=driver: driver.find_elements(By.ID, "editor"))
        typed(browser, "t:0:deadline", "trước ngày 01/06/2025")
        press(browser, "#luu")
        wait_for(lambda: "da_luu=ok" in browser.current_url)
        first = path.read_bytes()
        assert saved(work, directive_id).tasks[0].deadline == "trước ngày 01/06/2025"
        typed(other, "t:0:deadline", "trước ngày 30/09/2025")
        press(other, "#luu")
        conflict = other.find_element(By.ID, "xung-dot").text
        assert conflict.startswith("Không lưu được: người khác đã lưu văn bản này sau khi bạn mở")
        assert other.find_element(By.NAME, "t:0:deadline").get_attribute("value") == "trước ngày 30/09/2025"
        assert path.read_bytes() == first
        shot(other, folder, "e8-xung-dot-khi-luu")
    finally:
        other.quit()


def test_each_change_is_checked_as_it_is_typed_with_the_message_beside_the_field(server, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    base, work = server
    driver = browser
    folder = screens(tmp_path)
    directive_id = "tiengiang-ubnd-ct-antt-2025"
    path = work / "input" / f"{directive_id}.yaml"
    before = path.read_bytes()
    driver.get(f"{base}/van-ban/{directive_id}/sua")
    wait_for(lambda: driver.find_elements(By.ID, "editor"))
    page = driver.find_element(By.TAG_NAME, "html")

    def slot(name: str) -> str:
        return str(driver.find_element(By.CSS_SELECTOR, f'[data-slot="{name}"]').text)

    typed(driver, "m:date", "31/02/2024")
    driver.find_element(By.NAME, "m:date").send_keys(Keys.TAB)  # leaving the field checks it
    wait_for(lambda: "ngày '31/02/2024' không đọc được" in slot("m:date"))
    assert "has-problem" in driver.find_element(By.CSS_SELECTOR, '[data-mark="m:date"]').get_attribute("class")
    box = driver.find_element(By.NAME, "t:1:text")
    box.clear()  # a task emptied: said as soon as the clerk stops typing
    box.send_keys(" ")
    wait_for(lambda: "nội dung của nhiệm vụ 2 đang để trống" in slot("t:1"))
    wait_for(lambda: driver.find_element(By.ID, "con-lai").text == "Còn 1 ô chưa đọc được, 1 lỗi cần xem lại.")
    shot(driver, folder, "e9-kiem-tra-khi-go")
    assert alive(page) and driver.find_element(By.NAME, "m:date").get_attribute("value") == "31/02/2024"
    typed(driver, "m:date", "27/12/2024")
    box.send_keys("Nội dung mới của nhiệm vụ 2.")
    driver.find_element(By.NAME, "m:place").click()
    wait_for(lambda: slot("m:date") == "" and slot("t:1") == "")
    wait_for(lambda: driver.find_element(By.ID, "con-lai").text == "Không còn gì cần xem lại: có thể lưu.")
    assert path.read_bytes() == before  # checking writes nothing
    shot(driver, folder, "e10-da-sua-het-loi")
    press(driver, "#luu")
    wait_for(lambda: "da_luu=ok" in driver.current_url)
    assert saved(work, directive_id).tasks[1].text == "Nội dung mới của nhiệm vụ 2."
