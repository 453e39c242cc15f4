"""`matrix serve`, the pages a clerk works in (issue 20): withdraw, restore and end a directive; record a report
from a task's row with a dd/mm/yyyy date; Cơ quan filtered and paged; Ma trận printable; the draft page flags the
names the drafter dropped. Through Starlette's test client (the browser walk is in test_web_browser.py)."""

from __future__ import annotations

import datetime as dt
import errno
import html
import os
import re

import pytest

from matrix.core.errors import InputError, OutputError
from matrix.files import safeio
from matrix.input.load import load_corpus
from matrix.tracking.records import load_records

from .helpers.web import FIXTURE, csrf_token, page_client, write_docx_header_in_one_paragraph

TG = "tiengiang-ubnd-ct-antt-2025"
WITHDRAWN_DIR = "da-rut"  # input/da-rut/: the withdrawn directives (matrix.commands.withdraw.WITHDRAWN_DIR)


@pytest.fixture()
def client(dirs):
    with page_client(*dirs) as c:
        yield c


def _report(client, **fields: str):
    data = {"csrf": csrf_token(client, "/theo-doi"), "co_quan": "cong-an-tinh", "nhiem_vu": f"{TG}|7"}
    return client.post("/theo-doi", data={**data, "ngay_bao_cao": "15/12/2025", **fields})


def _text(response) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", response.text))


# --------------------------------------------------------------------------- withdraw, restore, end


def test_a_directive_is_withdrawn_with_its_records_and_restored_from_its_pages(client, dirs):
    folder = dirs[0]
    assert _report(client).status_code == 303
    source, records = folder / f"{TG}.yaml", folder / "theo-doi" / f"{TG}.yaml"
    kept = source.read_bytes(), records.read_bytes()
    page = client.get(f"/van-ban/{TG}").text
    assert f'action="/van-ban/{TG}/rut"' in page

    done = client.post(f"/van-ban/{TG}/rut", data={"csrf": csrf_token(client, f"/van-ban/{TG}")})
    assert done.status_code == 303 and done.headers["location"] == f"/van-ban?da_rut={TG}"
    moved = folder / WITHDRAWN_DIR / f"{TG}.yaml", folder / WITHDRAWN_DIR / "theo-doi" / f"{TG}.yaml"
    assert not source.exists() and not records.exists()
    assert (moved[0].read_bytes(), moved[1].read_bytes()) == kept  # moved, never deleted
    # the loader, the tracking and the pages no longer see it (nor anything else in the folder), nothing breaks
    (folder / WITHDRAWN_DIR / "hong.yaml").write_text("id: [không đóng\n", encoding="utf-8")
    loaded = load_corpus([folder])
    corpus = loaded.require()
    assert not loaded.problems and TG not in {d.id for d in corpus.directives} and len(corpus.directives) == 4
    assert all(r.directive != TG for r in load_records(folder, corpus))
    listing = client.get(done.headers["location"])
    assert "Đã rút văn bản" in listing.text and f'action="/van-ban/da-rut/{TG}/khoi-phuc"' in listing.text
    tracking = client.get("/theo-doi")
    assert tracking.status_code == 200 and "Không đọc được sổ theo dõi" not in tracking.text
    assert client.get(f"/van-ban/{TG}").status_code == 404

    back = client.post(f"/van-ban/da-rut/{TG}/khoi-phuc", data={"csrf": csrf_token(client, "/van-ban")})
    assert back.status_code == 303 and back.headers["location"] == f"/van-ban/{TG}?da_khoi_phuc=1"
    assert (source.read_bytes(), records.read_bytes()) == kept
    assert not moved[0].exists() and not moved[1].exists()
    assert "Đã khôi phục" in client.get(back.headers["location"]).text
    assert [r.number for r in load_records(folder, load_corpus([folder]).require())] == [None]


def test_withdrawing_or_restoring_never_overwrites_a_file(client, dirs):
    folder = dirs[0]
    (folder / WITHDRAWN_DIR).mkdir()
    older = folder / WITHDRAWN_DIR / f"{TG}.yaml"
    older.write_text("# một bản đã rút trước đó\n", encoding="utf-8")
    before = (folder / f"{TG}.yaml").read_bytes()
    refused = client.post(f"/van-ban/{TG}/rut", data={"csrf": csrf_token(client, f"/van-ban/{TG}")})
    assert refused.status_code == 409
    assert "Chưa rút được văn bản" in refused.text and "matrix không ghi đè" in refused.text
    assert (folder / f"{TG}.yaml").read_bytes() == before and older.read_text(encoding="utf-8").startswith("# một")

    # restoring over a file that came back in the meantime: refused, both kept
    refused = client.post(f"/van-ban/da-rut/{TG}/khoi-phuc", data={"csrf": csrf_token(client, "/van-ban")})
    assert refused.status_code == 409 and "Chưa khôi phục được văn bản" in refused.text
    assert (folder / f"{TG}.yaml").read_bytes() == before and older.exists()


def test_withdraw_refuses_the_registry_and_unknown_ids(dirs):
    from matrix.commands.withdraw import withdraw

    with pytest.raises(InputError, match="không có văn bản mã 'co-quan'"):
        withdraw(dirs[0], "co-quan")
    with pytest.raises(InputError, match="không có văn bản mã 'khong-co'"):
        withdraw(dirs[0], "khong-co")
    assert (dirs[0] / "co-quan.yaml").is_file() and not (dirs[0] / WITHDRAWN_DIR).exists()


def test_move_file_never_replaces_and_copies_where_there_are_no_hard_links(tmp_path, monkeypatch):
    from matrix.files.safeio import move_file

    source, target = tmp_path / "a.yaml", tmp_path / "rut" / "a.yaml"
    source.write_text("a\n", encoding="utf-8")
    target.parent.mkdir()
    target.write_text("b\n", encoding="utf-8")
    with pytest.raises(OutputError, match="không ghi đè"):
        move_file(source, target)
    assert source.read_text(encoding="utf-8") == "a\n" and target.read_text(encoding="utf-8") == "b\n"
    target.unlink()

    def no_links(*args, **kwargs):
        raise OSError(errno.EPERM, "no hard links")

    monkeypatch.setattr(safeio.os, "link", no_links)
    os.chmod(source, 0o640)
    move_file(source, target)
    assert not source.exists() and target.read_text(encoding="utf-8") == "a\n"
    assert (target.stat().st_mode & 0o777) == 0o640


def test_a_directive_is_marked_ended_from_its_page(client, dirs):
    path = dirs[0] / f"{TG}.yaml"
    page = client.get(f"/van-ban/{TG}").text
    assert 'name="ngay_ket_thuc"' in page and 'type="date"' not in page
    token = csrf_token(client, f"/van-ban/{TG}")
    done = client.post(f"/van-ban/{TG}/ket-thuc", data={"csrf": token, "ngay_ket_thuc": "31/12/2025"})
    assert done.status_code == 303
    assert "\nended: 2025-12-31\n" in path.read_text(encoding="utf-8")
    assert path.with_name(path.name + ".bak").is_file()  # matrix end's own write: the previous version kept
    shown = _text(client.get(done.headers["location"]))
    assert "đã kết thúc ngày 31/12/2025" in shown and "Đã ghi văn bản kết thúc ngày 31/12/2025" in shown
    assert "kết thúc 31/12/2025" in _text(client.get("/van-ban"))
    # the tracking: its open tasks are no longer followed
    tracking = _text(client.get("/theo-doi", params={"ngay": "30/06/2026"}))
    assert re.search(r"đã kết thúc: \s*[1-9]", tracking)

    for typed, words in (
        ("31/02/2026", "ngày kết thúc: ngày '31/02/2026' không tồn tại hoặc sai định dạng"),
        ("01/01/2020", "ngày kết thúc 01/01/2020 trước ngày ban hành 27/12/2024"),
    ):
        refused = client.post(f"/van-ban/{TG}/ket-thuc", data={"csrf": token, "ngay_ket_thuc": typed})
        text = _text(refused)
        assert refused.status_code == 400 and words in text and "<dòng lệnh>" not in text
    assert "\nended: 2025-12-31\n" in path.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- Theo dõi


def test_each_row_has_a_record_button_that_fills_the_form(client):
    page = client.get("/theo-doi", params={"ngay": "31/12/2025"}).text
    assert 'type="date"' not in page and 'name="muc"' not in page  # no browser-ordered date, no code to type
    assert 'name="ngay" value="31/12/2025"' in page and 'name="ngay_bao_cao" required value="31/12/2025"' in page
    buttons = re.findall(r'<a class="button small" href="([^"]+)">Ghi báo cáo</a>', page)
    assert buttons, "no record button on the rows"
    # Tiền Giang's police of 2024 is followed up under its successor, the new Đồng Tháp's (issue 21)
    wanted = next(
        b for b in map(html.unescape, buttons) if "co_quan=dong-thap-cong-an-tinh&" in b and f"{TG}%7C7#" in b
    )
    filled = client.get(wanted).text
    assert '<option value="dong-thap-cong-an-tinh" selected>' in filled
    option = re.search(rf'<option value="{TG}\|7" selected>([^<]+)</option>', filled)
    assert option and html.unescape(option.group(1)).startswith("Mục 7 — Giao Công an tỉnh chủ trì")
    # every task listed with its printed label and its text, closing paragraphs in words
    assert "Đoạn cuối — " in html.unescape(filled) and "cuối-1" not in re.sub(r'value="[^"]*"', "", filled)


def test_a_report_is_recorded_with_a_date_typed_day_first(client, dirs):
    done = _report(client, ngay_bao_cao="05/12/2025", so="45/BC-CAT", xong="co", xem_ngay="2025-12-31")
    assert done.status_code == 303 and done.headers["location"].endswith("&ngay=2025-12-31")
    records = load_records(dirs[0], load_corpus([dirs[0]]).require())
    assert [(r.agency, r.task, r.date, r.number, r.done) for r in records] == [
        ("tien-giang-cong-an-tinh", "7", dt.date(2025, 12, 5), "45/BC-CAT", True)
    ]
    assert "05/12/2025 (45/BC-CAT) — xong" in client.get(done.headers["location"]).text


def test_a_report_on_a_task_the_agency_is_not_given_is_refused_by_name(client, dirs):
    refused = _report(client, nhiem_vu=f"{TG}|1", so="9/BC", xem_ngay="2025-12-31")
    text = _text(refused)
    assert 'name="ngay" value="31/12/2025"' in refused.text  # the page stays on the day it showed
    assert refused.status_code == 400
    assert "Công an tỉnh không được giao mục 1 của Chỉ thị" in text and "nhiệm vụ của cơ quan này" in text
    assert f'<option value="{TG}|1" selected>' in refused.text and 'value="9/BC"' in refused.text
    assert not (dirs[0] / "theo-doi").exists()


# --------------------------------------------------------------------------- Cơ quan


def _count(page: str) -> str:
    found = re.search(r'<p class="count" role="status">(.*?)</p>', page, re.S)
    assert found, page
    return html.unescape(found.group(1))


def test_agencies_come_a_page_at_a_time_and_say_how_many_there_are(client):
    first = client.get("/co-quan").text
    rows = re.findall(r'<tr><td><a href="/co-quan/([^"]+)">', first)
    total = int(re.match(r"(\d+) cơ quan", _count(first)).group(1))
    assert len(rows) == 50 and total > 700 and f"trang 1/{-(-total // 50)}" in _count(first)
    last = client.get("/co-quan", params={"trang": str(-(-total // 50))}).text
    assert len(re.findall(r'<tr><td><a href="/co-quan/', last)) == total - 50 * (total // 50 - (total % 50 == 0))
    assert 'rel="next"' not in last and "Sau ›" not in last and "‹ Trước" in last


def test_agency_search_counts_every_match_and_reads_words_without_diacritics(client):
    page = client.get("/co-quan", params={"q": "cong an"}).text
    count = _count(page)
    matched = int(re.match(r"(\d+) cơ quan khớp 'cong an'", count).group(1))
    assert matched > 20 and "trang 1/" in count  # never cut at 20: all counted, paged
    found = client.get("/co-quan", params={"q": "so ban nganh"}).text
    assert "Các sở, ban, ngành tỉnh" in found and "khớp 'so ban nganh'" in _count(found)
    missing = client.get("/co-quan", params={"q": "cong an tinh dong thao"}).text
    assert re.search(r'Có phải ý bạn là <a href="/co-quan\?q=C%C3%B4ng\+an\+t%E1%BB%89nh">Công an tỉnh</a>', missing)


def test_agencies_are_filtered_by_province_block_and_date(client):
    page = client.get("/co-quan", params={"tinh": "tien-giang", "khoi": "noi-chinh"}).text
    names = re.findall(r'<tr><td><a href="/co-quan/([^"]+)">', page)
    assert names and all(n.startswith("tien-giang-") for n in names)
    assert "(đã lọc)" in _count(page) and '<option value="tien-giang" selected>' in page
    # Tiền Giang's own bodies ended on 30/06/2025: none exists on 01/07/2025
    gone = client.get("/co-quan", params={"tinh": "tien-giang", "ngay": "01/07/2025"}).text
    assert "Không có cơ quan nào với bộ lọc đã chọn" in html.unescape(gone)
    before = client.get("/co-quan", params={"tinh": "tien-giang", "ngay": "30/06/2025"}).text
    assert re.findall(r'<tr><td><a href="/co-quan/tien-giang-', before)
    bad = client.get("/co-quan", params={"ngay": "31/02/2025"})
    assert bad.status_code == 200 and "không tồn tại hoặc sai định dạng" in html.unescape(bad.text)
    # the pages' links keep the filters
    many = client.get("/co-quan", params={"tinh": "dong-thap"}).text
    assert 'href="/co-quan?tinh=dong-thap&amp;trang=2"' in many


# --------------------------------------------------------------------------- Ma trận


def test_the_matrix_prints_landscape_with_its_header_on_every_page_and_whole_labels(client):
    page = client.get("/ma-tran").text
    assert "@page { size: A4 landscape" in page
    css = client.get("/static/style.css").text
    turned = re.search(r"th\.col-agency \.turned \{([^}]*)\}", css).group(1)
    assert "overflow: hidden" not in turned and "nowrap" not in turned  # a long label wraps, never cut
    printed = css[css.index("@media print") :]
    assert "display: table-header-group" in printed and "break-inside: avoid" in printed
    assert "MTTQ, đoàn thể các cấp" in page
    # the tasks numbered as the directive prints them (the workbook's STT), never by their ids
    numbers = re.findall(r'<tr><td class="sticky" title="[^"]*">([^<]*)</td>', page)
    assert "(đoạn cuối)" in numbers and "3.1" in numbers and not [n for n in numbers if n.startswith("cuối")]


# --------------------------------------------------------------------------- the draft page


def _draft(client, text: str, name: str = "chi-thi-thu.txt") -> str:
    token = csrf_token(client, "/them")
    sent = client.post("/them", data={"csrf": token}, files={"tep": (name, text.encode("utf-8"), "text/plain")})
    assert sent.status_code == 303, sent.text
    return sent.headers["location"]


DROPPED = "Đội Quản lý thị trường số 5"


def test_a_name_the_drafter_dropped_is_flagged_and_counted(client):
    text = FIXTURE.read_text(encoding="utf-8").replace("Phòng Cảnh sát giao thông Tiền Giang", "Công an tỉnh")
    text = text.replace(
        "3. Ủy ban nhân dân các huyện",
        f"3. {DROPPED} chủ trì, phối hợp với Sở Công Thương kiểm tra hàng hóa trên địa bàn.\n4. Ủy ban nhân dân các huyện",
    )
    page = client.get(_draft(client, text)).text
    assert "0 tên chưa có trong danh mục" not in page
    assert "1 tên chưa có trong danh mục (1 tên chưa được phân công)" in html.unescape(page)
    assert f'<li><mark class="flag">{DROPPED}</mark> — mục 3</li>' in page
    assert page.count(f'<mark class="flag">{DROPPED}</mark>') >= 3  # the list, the source, the task


def test_the_draft_search_reads_words_without_diacritics_and_its_suggestions_are_links(client):
    location = _draft(client, FIXTURE.read_text(encoding="utf-8"))
    found = html.unescape(
        client.get(location, params={"ten": "Phòng Cảnh sát giao thông Tiền Giang", "tim": "so ban nganh"}).text
    )
    assert "Các sở, ban, ngành tỉnh (tỉnh Đồng Tháp)" in found and "5 cơ quan khớp 'so ban nganh'" in found
    many = html.unescape(client.get(location, params={"ten": "Phòng Cảnh sát giao thông Tiền Giang", "tim": "so"}).text)
    matched = re.search(r"(\d+) cơ quan khớp 'so'; dưới đây là 20 cơ quan đầu", many)
    assert matched and int(matched.group(1)) > 20 and many.count("Thay tên trong bản nháp") == 20
    missing = client.get(
        location, params={"ten": "Phòng Cảnh sát giao thông Tiền Giang", "tim": "cong an tinh dong thao"}
    ).text
    link = re.search(r'<a href="([^"]+)" class="suggestion">Công an tỉnh</a>', missing)
    assert link, missing
    followed = client.get(html.unescape(link.group(1))).text
    assert "Thay tên trong bản nháp" in followed


def test_a_word_header_with_line_breaks_and_tabs_keeps_its_date_and_place(client, tmp_path):
    source = write_docx_header_in_one_paragraph(FIXTURE.read_text(encoding="utf-8"), tmp_path / "chi-thi-tab.docx")
    token = csrf_token(client, "/them")
    sent = client.post(
        "/them",
        data={"csrf": token},
        files={"tep": ("chi-thi-tab.docx", source.read_bytes(), "application/octet-stream")},
    )
    page = client.get(sent.headers["location"]).text
    assert "ngày văn bản 10/03/2025" in page
    yaml_text = html.unescape(re.search(r'<textarea name="yaml"[^>]*>(.*?)</textarea>', page, re.S).group(1))
    assert "\ndate: 2025-03-10\n" in yaml_text and "\nplace: Tiền Giang\n" in yaml_text


def test_only_names_given_a_task_are_flagged_as_dropped(dirs):
    """A body's name the text gives the task to is flagged; a law, the issuer's own committee, a council named by
    what it does, a name the clerk already put in the task, are not."""
    from matrix.draft import draft_text
    from matrix.input.load import open_registry
    from matrix.web import library as lib

    text = FIXTURE.read_text(encoding="utf-8").replace(
        "3. Ủy ban nhân dân các huyện",
        "3. Sở Y tế chủ trì, phối hợp với Ủy ban nhân dân tỉnh do Sở Tài chính tham mưu, xử lý theo Bộ luật Hình sự "
        "tại Hội đồng thẩm định giá chủ trì.\n"
        f"4. {DROPPED} chủ trì, phối hợp với Sở Công Thương kiểm tra hàng hóa.\n"
        "5. Ủy ban nhân dân các huyện",
    )
    registry = open_registry([dirs[0]], dirs[0] / "co-quan.yaml")
    view = lib.view_draft(draft_text(text, registry, "x").yaml, "x", dirs[0])
    assert [(d.name, d.task) for d in view.dropped] == [(DROPPED, "mục 4")]
    assert view.unresolved == ["Phòng Cảnh sát giao thông Tiền Giang"] and view.flagged == [
        "Phòng Cảnh sát giao thông Tiền Giang",
        DROPPED,
    ]
