"""The form editor and the review of a draft (matrix.web.editor) through the test client: every action is a
POST of the whole form that re-renders; what is saved is read back from disk."""

from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest
from starlette.testclient import TestClient

from matrix.core.model import Role
from matrix.input.load import load_corpus
from matrix.web import create_app

from .helpers import INPUT
from .helpers.editor import editor_fields
from .helpers.web import FIXTURE, FLAGGED

TG = "tiengiang-ubnd-ct-antt-2025"


@pytest.fixture()
def work(tmp_path):
    shutil.copytree(INPUT, tmp_path / "input")
    return tmp_path


@pytest.fixture()
def client(work):
    app = create_app(work / "input", work / "output")
    with TestClient(app, base_url="http://127.0.0.1:8765", raise_server_exceptions=False, follow_redirects=False) as c:
        yield c


def open_editor(client: TestClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert re.fullmatch(r"/sua/[\w-]+", location)
    return location


def act(client: TestClient, location: str, action: str, **changed: str):
    """Post the editor's form as shown, with ``changed`` fields, pressing the button ``action``."""
    page = client.get(location)
    assert page.status_code in (200, 409), page.text
    fields = editor_fields(page.text)
    fields.update(changed)
    fields["do"] = action
    return client.post(location, data=fields)


def page_of(client: TestClient, location: str) -> str:
    return client.get(location).text


def on_disk(work, directive_id: str = TG):
    return load_corpus([work / "input"]).require().directive(directive_id)


def test_a_saved_directive_is_edited_and_saved_with_a_bak(client, work):
    path = work / "input" / f"{TG}.yaml"
    before = path.read_bytes()
    location = open_editor(client, f"/van-ban/{TG}/sua")
    page = page_of(client, location)
    assert "Sửa văn bản" in page and "Không còn gì cần xem lại" in page
    tasks = on_disk(work).tasks
    last = len(tasks) - 1
    # add an agency to the last task: search without diacritics, then pick
    response = act(
        client, location, f"search:{last}", **{f"t:{last}:tim": "so noi vu", f"t:{last}:new-role": "phối hợp"}
    )
    assert response.status_code == 303
    page = page_of(client, location)
    picked = re.search(rf'value="assign:{last}:([\w-]+)"[^>]*>Sở Nội vụ', page)
    assert picked, page
    act(client, location, f"assign:{last}:{picked.group(1)}", **{f"t:{last}:new-role": "phối hợp"})
    # a deadline, shown with the date matrix reads from it
    act(client, location, "check", **{f"t:{last}:deadline": "trước ngày 15/12/2025"})
    page = page_of(client, location)
    assert "hạn: 15/12/2025" in page
    assert path.read_bytes() == before  # nothing written before "Lưu"
    response = act(client, location, "save")
    assert response.status_code == 303 and response.headers["location"] == f"/van-ban/{TG}?da_luu=ok"
    saved = on_disk(work).tasks[last]
    assert ("Sở Nội vụ", Role.PARTNER) in [(a.written, a.role) for a in saved.assignments]
    assert saved.deadline == "trước ngày 15/12/2025"
    assert (work / "input" / f"{TG}.yaml.bak").read_bytes() == before


def test_a_second_clerks_save_of_an_older_version_is_refused_and_kept_on_the_page(client, work):
    path = work / "input" / f"{TG}.yaml"
    first = open_editor(client, f"/van-ban/{TG}/sua")
    second = open_editor(client, f"/van-ban/{TG}/sua")
    act(client, first, "check", **{"t:0:deadline": "trước ngày 01/06/2025"})
    assert act(client, first, "save").status_code == 303
    saved = path.read_bytes()
    response = act(client, second, "save", **{"t:0:deadline": "trước ngày 30/09/2025"})
    assert response.status_code == 409
    assert "người khác đã lưu văn bản này sau khi bạn mở" in response.text
    assert path.read_bytes() == saved  # the first clerk's save is kept
    assert on_disk(work).tasks[0].deadline == "trước ngày 01/06/2025"
    assert 'value="trước ngày 30/09/2025"' in page_of(client, second)  # the second clerk's edit is not lost


def test_problems_show_beside_their_field_in_words_and_block_the_save(client, work):
    path = work / "input" / f"{TG}.yaml"
    before = path.read_bytes()
    location = open_editor(client, f"/van-ban/{TG}/sua")
    act(client, location, "check", **{"m:date": "31/02/2024", "t:1:text": ""})
    page = page_of(client, location)
    date_field = page[page.index('name="m:date"') : page.index('name="m:place"')]
    assert "ngày &#39;31/02/2024&#39; không đọc được" in date_field
    task = page[page.index('id="t-1"') : page.index('id="t-2"')]
    assert "nội dung của nhiệm vụ 2 đang để trống" in task  # in words: no key, the task by its number
    assert "&#39;text&#39;" not in task
    response = act(client, location, "save")
    assert response.status_code == 303
    assert "Chưa lưu" in page_of(client, location)
    assert path.read_bytes() == before
    assert "co-quan.yaml" not in page and "assign:" not in re.sub(r'value="[^"]*"', "", page)


def test_the_task_tree_is_edited_with_buttons(client, work):
    location = open_editor(client, f"/van-ban/{TG}/sua")
    before = [t.id for t in on_disk(work).tasks]
    text = on_disk(work).tasks[0].text
    cut = text.index(",") + 1
    act(client, location, "split:0", **{"t:0:cursor": str(cut)})
    act(client, location, "down:0")
    act(client, location, "save")
    tasks = on_disk(work).tasks
    assert [t.text for t in tasks[:2]] == [text[cut:].strip(), text[:cut].rstrip()]
    assert len(tasks) == len(before) + 1


def test_the_review_of_a_draft_lists_what_is_left_and_fixes_a_name_in_one_click(client, work):
    response = client.post(
        "/them",
        data={"csrf": csrf(client), "noi_dung": FIXTURE.read_text(encoding="utf-8"), "ma": "chi-thi-thu"},
    )
    assert response.status_code == 303
    draft = response.headers["location"]
    location = open_editor(client, f"{draft}/sua")
    page = page_of(client, location)
    assert "Còn 1 tên chưa rõ, 1 ghi chú cần kiểm tra cần xem lại." not in page  # the name's own note is with it
    assert "Còn 1 tên chưa rõ cần xem lại." in page
    assert "Văn bản gốc" in page and f'<mark class="flag">{FLAGGED}</mark>' in page
    act(client, location, "name-search:0", **{"n:0:tim": "cong an tinh"})
    page = page_of(client, location)
    picked = re.search(r'value="name-pick:0:(tien-giang-cong-an-tinh)"', page)
    assert picked, page
    act(client, location, "name-pick:0:tien-giang-cong-an-tinh")
    page = page_of(client, location)
    assert "Không còn gì cần xem lại" in page and f"Đã thay &#39;{FLAGGED}&#39;" in page
    yaml_view = client.get(f"{location}/yaml")
    assert yaml_view.status_code == 200 and "phối hợp: Công an tỉnh" in yaml_view.text
    response = act(client, location, "save")
    assert response.headers["location"] == "/van-ban/chi-thi-thu?da_luu=ok"
    saved = (work / "input" / "chi-thi-thu.yaml").read_text(encoding="utf-8")
    assert saved == yaml_view.text
    assert [a.written for a in on_disk(work, "chi-thi-thu").tasks[1].assignments][-1] == "Công an tỉnh"


def test_a_name_is_added_as_an_alias_or_created_as_a_body_from_the_review(client, work):
    response = client.post(
        "/them",
        data={"csrf": csrf(client), "noi_dung": FIXTURE.read_text(encoding="utf-8"), "ma": "chi-thi-thu"},
    )
    location = open_editor(client, f"{response.headers['location']}/sua")
    act(client, location, "name-create:0", **{"n:0:block": "noi-chinh"})
    page = page_of(client, location)
    assert "Đã tạo cơ quan mới" in page and "Không còn gì cần xem lại" in page
    registry = (work / "input" / "co-quan.yaml").read_text(encoding="utf-8")
    assert f'name: "{FLAGGED}"' in registry and (work / "input" / "co-quan.yaml.bak").is_file()


def test_unassigned_tasks_are_highlighted_and_counted(client, work):
    location = open_editor(client, f"/van-ban/{TG}/sua")
    act(client, location, "add")
    page = page_of(client, location)
    assert "nhiệm vụ chưa có cơ quan" in page
    last = len(on_disk(work).tasks)
    assert re.search(rf'class="task-edit depth0 unassigned[^"]*" id="t-{last}"', page)


def test_a_lost_session_or_a_stale_button_is_said_in_vietnamese(client, work):
    response = client.get("/sua/khong-co")
    assert response.status_code == 404 and "Phiên sửa này không còn" in response.text
    location = open_editor(client, f"/van-ban/{TG}/sua")
    response = act(client, location, "delete:99")
    assert response.status_code == 303
    assert "Thao tác không còn khớp với trang" in page_of(client, location)
    assert client.get("/van-ban/co-quan/sua").status_code == 404


def csrf(client: TestClient) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get("/them").text)
    assert found
    return found.group(1)


def test_a_draft_saved_with_a_name_still_unknown_is_said_to_have_errors(client, work):
    response = client.post(
        "/them",
        data={"csrf": csrf(client), "noi_dung": FIXTURE.read_text(encoding="utf-8"), "ma": "chi-thi-thu"},
    )
    location = open_editor(client, f"{response.headers['location']}/sua")
    response = act(client, location, "save")
    assert response.headers["location"] == "/van-ban/chi-thi-thu?da_luu=loi"
    page = client.get(response.headers["location"]).text
    assert "nhưng tệp còn lỗi" in page and FLAGGED in page


def test_dates_written_apart_from_the_deadline_are_the_ones_shown(client, work):
    path = work / "input" / f"{TG}.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('  - id: "1"\n', '  - id: "1"\n    due: 2025-12-15\n', 1), encoding="utf-8")
    assert on_disk(work).tasks[0].due
    location = open_editor(client, f"/van-ban/{TG}/sua")
    act(client, location, "check", **{"t:0:deadline": "trước ngày 01/06/2025"})
    task = page_of(client, location).split('id="t-0"')[1].split('id="t-1"')[0]
    assert "hạn ghi riêng: 15/12/2025" in task


def test_without_javascript_a_task_is_split_where_the_clerk_pressed_enter(client, work):
    location = open_editor(client, f"/van-ban/{TG}/sua")
    text = on_disk(work).tasks[2].text
    first, rest = text[:40].rstrip(), text[40:].strip()
    response = act(client, location, "split:2", **{"t:2:text": f"{first}\n{rest}", "t:2:cursor": ""})
    assert response.headers["location"].endswith("#t-2")
    act(client, location, "save")
    tasks = on_disk(work).tasks
    assert [tasks[2].text, tasks[3].text] == [first, rest]
    act(client, location, "split:2", **{"t:2:cursor": ""})  # no cursor, no line break: said so
    assert "Hãy đặt con trỏ vào chỗ cần tách" in page_of(client, location)


# --------------------------------------------------------------------------- checked as typed, every field, in words


def test_a_change_is_checked_as_it_is_made_with_the_message_beside_its_field(client, work):
    path = work / "input" / f"{TG}.yaml"
    before = path.read_bytes()
    location = open_editor(client, f"/van-ban/{TG}/sua")
    fields = editor_fields(page_of(client, location))
    fields.update({"m:date": "31/02/2024", "t:1:text": "", "t:3:due": "15/13/2025"})
    response = client.post(f"{location}/kiem-tra", data=fields)  # what the page's script sends on a change
    assert response.status_code == 200
    slots = slots_of(response.text)
    assert "ngày &#39;31/02/2024&#39; không đọc được" in slots["m:date"]
    assert "nội dung của nhiệm vụ 2 đang để trống" in slots["t:1"]
    assert "ngày &#39;15/13/2025&#39; không đọc được" in slots["t:3:due"]
    assert "Còn 2 ô chưa đọc được, 1 lỗi cần xem lại." in slots["con-lai"] and slots["m:place"] == ""
    assert path.read_bytes() == before  # a check writes nothing
    fields.update({"m:date": "27/12/2024", "t:1:text": "Nội dung mới.", "t:3:due": ""})
    slots = slots_of(client.post(f"{location}/kiem-tra", data=fields).text)
    assert slots["m:date"] == "" and slots["t:1"] == "" and slots["t:3:due"] == ""
    assert "Không còn gì cần xem lại" in slots["con-lai"]
    assert 'value="Nội dung mới."' not in page_of(client, location)  # a textarea: its text is kept as typed
    assert "Nội dung mới." in page_of(client, location)
    assert client.post(f"{location}/kiem-tra", data={**fields, "csrf": "x"}).status_code == 403


def slots_of(page: str) -> dict[str, str]:
    """The messages of each place of the editor page the script refreshes (data-slot), as HTML."""
    found = {}
    for match in re.finditer(r'<(span|div)\b[^>]*\bdata-slot="([^"]+)"[^>]*>', page):
        tag, name = match.groups()
        start, depth, at = match.end(), 1, match.end()
        while depth:
            nxt = re.search(rf"<{tag}\b|</{tag}>", page[at:])
            assert nxt, name
            depth += 1 if nxt.group(0) != f"</{tag}>" else -1
            at += nxt.end()
        found[name] = page[start : at - len(f"</{tag}>")].strip()
    return found


def test_every_field_of_the_file_is_edited_in_the_form_and_saved(client, work):
    location = open_editor(client, f"/van-ban/{TG}/sua")
    changed = {
        "m:province": "dong-thap",
        "m:issuer.short": "UBND tỉnh",
        "m:recipients": "Các sở, ban, ngành tỉnh\nUBND các huyện",
        "m:distribution": "Như trên;\nLưu: VT.",
        "m:preamble": "Đoạn mở đầu.",
        "m:closing": "Chỉ thị có hiệu lực từ ngày ký.",
        "t:0:targets": "giảm 5% số vụ",
        "t:0:title": "Tuyên truyền",
        "t:0:due": "15/12/2025",
        "t:7:number": "8",
    }
    response = act(client, location, "save", **changed)
    assert response.headers["location"] == f"/van-ban/{TG}?da_luu=ok"
    d = on_disk(work)
    assert (d.province, d.issuer.short, d.preamble) == ("dong-thap", "UBND tỉnh", "Đoạn mở đầu.")
    assert d.recipients == ("Các sở, ban, ngành tỉnh", "UBND các huyện") and d.distribution == ("Như trên;", "Lưu: VT.")
    assert d.closing == ("Chỉ thị có hiệu lực từ ngày ký.",)
    assert (d.tasks[0].targets, d.tasks[0].title, d.tasks[0].due) == (
        ("giảm 5% số vụ",),
        "Tuyên truyền",
        (dt.date(2025, 12, 15),),
    )
    assert [t.id for t in d.tasks][-1] == "8"  # the closing paragraph numbered: item 8
    location = open_editor(client, f"/van-ban/{TG}/sua")
    response = act(client, location, "save", **{"t:6:number": "2"})  # a number another task has: said, not saved
    page = page_of(client, location)
    assert "Chưa lưu" in page and "số &#39;2&#39; đã là số của một nhiệm vụ khác" in page
    assert 'name="t:6:number" value="2"' in page  # kept as typed
    assert on_disk(work).tasks[6].id == "7"


# --------------------------------------------------------------------------- reports recorded for a renumbered task


REPORTS = """directive: tiengiang-ubnd-ct-antt-2025
reports:
  # the police reported on item 3
  - agency: Công an tỉnh
    task: "3"
    date: 2025-06-28
    done: false
  - agency: Công an tỉnh
    task: "2"
    date: 2025-06-29
    done: true
"""


def test_reports_recorded_for_a_renumbered_task_follow_it(client, work):
    from matrix.tracking.records import load_records

    records = work / "input" / "theo-doi" / f"{TG}.yaml"
    records.parent.mkdir()
    records.write_text(REPORTS, encoding="utf-8")
    second, third = (t.text for t in on_disk(work).tasks[1:3])
    location = open_editor(client, f"/van-ban/{TG}/sua")
    act(client, location, "check", **{"t:2:number": "2", "t:1:number": "2"})  # one number for two tasks
    page = page_of(client, location)
    assert "số &#39;2&#39; đã là số của một nhiệm vụ khác" in page
    response = act(client, location, "save", **{"t:2:number": "2", "t:1:number": "3"})  # 2 and 3 swap
    assert response.headers["location"] == f"/van-ban/{TG}?da_luu=ok&bao_cao=2"
    assert "2 báo cáo" in client.get(response.headers["location"]).text
    text = records.read_text(encoding="utf-8")
    assert text == REPORTS.replace('task: "3"', 'task: "X"').replace('task: "2"', 'task: "3"').replace("X", "2")
    assert (records.parent / f"{TG}.yaml.bak").read_text(encoding="utf-8") == REPORTS
    corpus = load_corpus([work / "input"]).require()
    assert [(r.task, r.date.day) for r in load_records(work / "input", corpus)] == [("2", 28), ("3", 29)]
    texts = {t.id: t.text for t in corpus.directive(TG).tasks}
    assert (texts["2"], texts["3"]) == (third, second)


def test_a_task_with_reports_is_not_deleted_and_the_page_says_why(client, work):
    records = work / "input" / "theo-doi" / f"{TG}.yaml"
    records.parent.mkdir()
    records.write_text(REPORTS, encoding="utf-8")
    path = work / "input" / f"{TG}.yaml"
    before = path.read_bytes()
    location = open_editor(client, f"/van-ban/{TG}/sua")
    act(client, location, "delete:2")
    response = act(client, location, "save")
    assert response.headers["location"] == location
    page = page_of(client, location)
    assert "Chưa lưu: đã có báo cáo ghi trong Theo dõi cho nhiệm vụ bị xóa (nhiệm vụ 3: 1 báo cáo)" in page
    assert path.read_bytes() == before and records.read_text(encoding="utf-8") == REPORTS
    act(client, location, "add")  # a new task numbered 3 again is not the one the reports are about
    act(client, location, "save", **{"t:7:text": "Nhiệm vụ mới.", "t:7:number": "3"})
    assert path.read_bytes() == before
    merged = open_editor(client, f"/van-ban/{TG}/sua")  # merged into item 2: its reports go with it
    response = act(client, merged, "merge:1")
    response = act(client, merged, "save")
    assert response.headers["location"].endswith("da_luu=ok&bao_cao=1")
    assert records.read_text(encoding="utf-8").count('task: "2"') == 2


# --------------------------------------------------------------------------- no page needs YAML


def visible_text(page: str) -> str:
    """What a clerk reads on a page: its text and the tooltips, placeholders and labels of its fields (not the
    fields' names, not scripts), the 'Xem YAML' link left out (YAML stays reachable, on purpose)."""
    from html.parser import HTMLParser

    class Reader(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.out: list[str] = []
            self.skip = 0

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag in ("script", "style") or (tag == "a" and (a.get("href") or "").endswith("/yaml")):
                self.skip += 1
            for name in ("title", "placeholder", "aria-label", "data-confirm"):
                if a.get(name):
                    self.out.append(a[name] or "")
            if tag == "input" and a.get("type") in ("submit", "button"):
                self.out.append(a.get("value") or "")

        def handle_endtag(self, tag):
            if tag in ("script", "style") or (tag == "a" and self.skip):
                self.skip = max(0, self.skip - 1)

        def handle_data(self, data):
            if not self.skip:
                self.out.append(data)

    reader = Reader()
    reader.feed(page)
    return "\n".join(reader.out)


def yaml_seen(page: str) -> list[str]:
    """Every piece of YAML a page shows a clerk: a key of the input format (a word, or followed by ':'), a YAML
    line, a date written YYYY-MM-DD as the file wants it, the registry file's name."""
    from matrix.input.schema import DIRECTIVE_SHAPES, REGISTRY_SHAPES

    text = visible_text(page)
    keys = sorted({k.name for shape in (*DIRECTIVE_SHAPES, *REGISTRY_SHAPES) for k in shape}, key=len, reverse=True)
    found = re.findall(rf"(?<![\w./-])(?:{'|'.join(keys)})(?![\w-])", text)
    found += re.findall(r"(?m)^\s*- \w+:|\bYYYY-MM-DD\b|co-quan\.yaml", text)
    files = re.compile(r"input/[\w<> -]+\.yaml")  # the file a save writes is named, as a file
    found += re.findall(r"(?i)\byaml\b", files.sub("", text))
    return found


def test_no_page_of_the_editor_or_the_review_needs_yaml(client, work):
    pages: dict[str, str] = {}
    response = client.post(
        "/them", data={"csrf": csrf(client), "noi_dung": FIXTURE.read_text(encoding="utf-8"), "ma": "chi-thi-thu"}
    )
    draft = open_editor(client, f"{response.headers['location']}/sua")
    pages["xem lại bản nháp"] = page_of(client, draft)
    act(client, draft, "name-search:0", **{"n:0:tim": "cong an"})
    pages["tìm tên cần xem lại"] = page_of(client, draft)
    act(client, draft, "check", **{"m:date": "", "m:province": ""})
    pages["bản nháp không ghi ngày, không ghi tỉnh"] = page_of(client, draft)
    saved = open_editor(client, f"/van-ban/{TG}/sua")
    pages["văn bản đã lưu"] = page_of(client, saved)
    act(client, saved, "search:0", **{"t:0:tim": "so ban nganh"})
    pages["tìm cơ quan cho nhiệm vụ"] = page_of(client, saved)
    act(client, saved, "child:3")
    act(client, saved, "add")
    errors = {
        "m:date": "31/02/2024",
        "m:kind": "",
        "m:title": "",
        "m:issuer.name": "",
        "m:signer.authority": "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH",
        "m:signer.title": "PHÓ CHỦ TỊCH",
        "t:1:text": "",
        "t:3.0:text": "",
        "t:0:deadline": "sớm nhất có thể",
        "t:0:report": "khi nào xong",
        "t:4:due": "15/13/2025",
        "t:6:number": "2",
    }
    response = act(client, saved, "save", **errors)
    pages["lỗi ở nhiều ô, chưa lưu"] = page_of(client, saved)
    fields = editor_fields(pages["lỗi ở nhiều ô, chưa lưu"])
    pages["kiểm tra khi gõ"] = client.post(f"{saved}/kiem-tra", data=fields).text
    first = open_editor(client, f"/van-ban/{TG}/sua")
    second = open_editor(client, f"/van-ban/{TG}/sua")
    act(client, first, "save", **{"t:0:deadline": "trước ngày 01/06/2025"})
    response = act(client, second, "save", **{"t:0:deadline": "trước ngày 30/09/2025"})
    assert response.status_code == 409
    pages["người khác đã lưu trước"] = response.text
    records = work / "input" / "theo-doi" / f"{TG}.yaml"
    records.parent.mkdir()
    records.write_text(REPORTS, encoding="utf-8")
    deleting = open_editor(client, f"/van-ban/{TG}/sua")
    act(client, deleting, "delete:2")
    act(client, deleting, "save")
    pages["xóa nhiệm vụ đã có báo cáo"] = page_of(client, deleting)
    shown = {state: yaml_seen(page) for state, page in pages.items()}
    assert shown == {state: [] for state in pages}
    said = visible_text(pages["lỗi ở nhiều ô, chưa lưu"])
    for words in (
        "chưa có loại văn bản",
        "chưa có trích yếu",
        "chưa có tên cơ quan ban hành",
        "nội dung của nhiệm vụ 2 đang để trống",
        "nội dung của gạch đầu dòng thứ 1 của nhiệm vụ 4 đang để trống",
        "nhiệm vụ 1: không hiểu thời hạn",
        "đoạn kết thứ 2 chưa được giao cho cơ quan nào",
        "nội dung của đoạn kết thứ 2 đang để trống",
        "ngày '31/02/2024' không đọc được",
        "ngày '15/13/2025' không đọc được",
        "số '2' đã là số của một nhiệm vụ khác",
        "thẩm quyền ký lặp lại chức vụ",
    ):
        assert words in said, words


def test_reports_that_could_not_be_carried_are_carried_by_the_next_save(client, work, monkeypatch):
    from matrix.core.errors import OutputError
    from matrix.tracking import moves
    from matrix.web import editor

    records = work / "input" / "theo-doi" / f"{TG}.yaml"
    records.parent.mkdir()
    records.write_text(REPORTS, encoding="utf-8")
    calls = []

    def busy(*args):
        calls.append(args)
        raise OutputError("Không ghi được sổ theo dõi: tệp đang bị khóa.")

    monkeypatch.setattr(editor, "carry_reports", busy)
    location = open_editor(client, f"/van-ban/{TG}/sua")
    response = act(client, location, "save", **{"t:2:number": "9"})
    assert response.headers["location"] == location  # the page says so, not 'saved'
    page = page_of(client, location)
    assert "Đã lưu văn bản, nhưng chưa chuyển được các báo cáo" in page and "tệp đang bị khóa" in page
    assert [t.id for t in on_disk(work).tasks][2] == "9" and records.read_text(encoding="utf-8") == REPORTS
    monkeypatch.setattr(editor, "carry_reports", moves.carry_reports)
    response = act(client, location, "save", **{"t:2:number": "10"})  # renumbered again meanwhile: 3 -> 10
    assert response.headers["location"] == f"/van-ban/{TG}?da_luu=ok&bao_cao=1"
    assert 'task: "10"' in records.read_text(encoding="utf-8") and len(calls) == 1
