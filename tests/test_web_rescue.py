"""`matrix serve`, a directive file that cannot be read at all (issue 20): its page says what is wrong in plain words
(line, column, the line itself) and mends it without YAML: the previous version put back (.bak, with its date), a new
draft from the source document, withdrawn, or the raw text edited. Nothing is ever lost: the replaced text is kept as
.bak, and a page shown before the file changed is refused."""

from __future__ import annotations

import datetime as dt
import html
import os
import re
import shutil

import pytest

from matrix.input.load import Unknown, load_corpus

from .helpers.web import FIXTURE, FLAGGED, csrf_token, page_client

TG = "tiengiang-ubnd-ct-antt-2025"
BROKEN_LINE = 15  # the line the test breaks (1-based): an unclosed list, then a key the parser trips on
DRAFTED = "# Bản nháp do 'matrix draft' lập từ tệp chi-thi-thu.txt.\n"


@pytest.fixture()
def client(dirs):
    with page_client(*dirs) as c:
        yield c


def _text(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.text)))


def _break(path) -> bytes:
    """The file half-edited: an unclosed [ on line 15 (the parser stops on line 16, column 8); its new bytes."""
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[BROKEN_LINE - 1] = "  bad: [x, y"
    lines.insert(BROKEN_LINE, "   oops: 1")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path.read_bytes()


def _version(page) -> str:
    found = re.search(r'name="phien_ban" value="([0-9a-f]{64})"', page.text)
    assert found, page.text
    return found.group(1)


def test_an_unreadable_file_is_explained_in_plain_words_with_every_way_to_mend_it(client, dirs):
    _break(dirs[0] / f"{TG}.yaml")
    page = client.get(f"/van-ban/{TG}")
    assert page.status_code == 200
    text = _text(page)
    assert f"Văn bản {TG}.yaml chưa đọc được" in text
    assert "Dòng 16, cột 8: Cách viết của tệp bị hỏng ở đây: danh sách [...] chưa đóng hoặc thiếu dấu ','." in text
    assert "thường do tệp đang sửa dở hoặc bị sửa tay" in text
    assert "lỗi cú pháp YAML" not in text  # the loader's words for developers are not shown
    # the line itself, its neighbours, and a caret under column 8 ("  16 │ " is 7 characters wide)
    excerpt = re.search(r'<pre class="excerpt">(.*?)</pre>', page.text, re.S)
    assert excerpt
    shown = html.unescape(re.sub(r"<[^>]+>", "", excerpt.group(1))).split("\n")
    assert shown[:3] == ["  14 │   header:", "  15 │   bad: [x, y", "  16 │    oops: 1"]
    assert shown[3] == " " * (7 + 7) + "^ ở đây"  # under the 8th character of the line
    assert "Không có bản trước (.bak)" in text  # nothing to put back yet
    assert f'action="/van-ban/{TG}/rut"' in page.text and f'action="/van-ban/{TG}/lap-lai"' in page.text
    assert f'href="/van-ban/{TG}/van-ban-tho"' in page.text
    # the editor's button leads here instead of an error page
    opened = client.get(f"/van-ban/{TG}/sua")
    assert opened.status_code == 303 and opened.headers["location"] == f"/van-ban/{TG}"


def test_the_previous_version_is_put_back_with_its_date_and_the_broken_one_kept(client, dirs):
    path = dirs[0] / f"{TG}.yaml"
    good = path.read_bytes()
    bak = path.with_name(path.name + ".bak")
    shutil.copyfile(path, bak)
    stamp = dt.datetime(2026, 3, 9, 14, 5).timestamp()
    os.utime(bak, (stamp, stamp))
    broken = _break(path)
    page = client.get(f"/van-ban/{TG}")
    assert "Bản lưu trước đó ghi lúc 14:05 ngày 09/03/2026 : đọc được" in _text(page)

    stale = client.post(f"/van-ban/{TG}/ban-truoc", data={"csrf": csrf_token(client, "/them"), "phien_ban": "0" * 64})
    assert stale.status_code == 409 and "tệp đã thay đổi sau khi trang được mở" in _text(stale)
    assert path.read_bytes() == broken and bak.read_bytes() == good

    done = client.post(
        f"/van-ban/{TG}/ban-truoc", data={"csrf": csrf_token(client, "/them"), "phien_ban": _version(page)}
    )
    assert done.status_code == 303 and done.headers["location"] == f"/van-ban/{TG}?ban_truoc=1"
    assert path.read_bytes() == good and bak.read_bytes() == broken  # swapped: nothing lost
    shown = client.get(done.headers["location"])
    assert "Đã khôi phục bản trước" in _text(shown) and "hợp lệ" in _text(shown)
    assert not load_corpus([dirs[0]]).problems


def test_a_new_draft_from_the_source_its_header_names_replaces_the_unreadable_file(client, dirs):
    folder = dirs[0]
    path = folder / "chi-thi-thu.yaml"
    path.write_text(DRAFTED + 'id: "chi-thi-thu"\nkind: [chỉ thị\n', encoding="utf-8")
    broken = path.read_bytes()
    page = client.get("/van-ban/chi-thi-thu")
    # the source is not beside the input yet: a file to pick
    assert "Lập lại bản nháp từ tệp gốc (tệp chi-thi-thu.txt không có trong thư mục đầu vào):" in _text(page)
    shutil.copyfile(FIXTURE, folder / "chi-thi-thu.txt")
    page = client.get("/van-ban/chi-thi-thu")
    assert "Lập lại bản nháp từ tệp gốc chi-thi-thu.txt" in _text(page)

    drafted = client.post("/van-ban/chi-thi-thu/lap-lai", data={"csrf": csrf_token(client, "/them")})
    assert drafted.status_code == 303 and drafted.headers["location"].startswith("/them/")
    location = drafted.headers["location"]
    review = client.get(location)
    assert review.status_code == 200 and "chi-thi-thu.txt" in review.text
    saved = client.post(f"{location}/luu", data={"csrf": csrf_token(client, location), "ma": "chi-thi-thu"})
    assert saved.status_code == 303 and saved.headers["location"].startswith("/van-ban/chi-thi-thu?da_luu=")
    assert path.with_name(path.name + ".bak").read_bytes() == broken
    corpus = load_corpus([path], folder / "co-quan.yaml", Unknown.KEEP).corpus  # the flagged name is kept
    assert corpus is not None and corpus.directives[0].id == "chi-thi-thu" and corpus.directives[0].tasks


def test_a_new_draft_from_a_file_sent_is_refused_once_the_file_changed(client, dirs):
    folder = dirs[0]
    path = folder / f"{TG}.yaml"
    _break(path)
    with FIXTURE.open("rb") as sent:
        drafted = client.post(
            f"/van-ban/{TG}/lap-lai",
            data={"csrf": csrf_token(client, "/them")},
            files={"tep": ("chi-thi-thu.txt", sent, "text/plain")},
        )
    assert drafted.status_code == 303
    location = drafted.headers["location"]
    path.write_text("id: [một bản khác\n", encoding="utf-8")  # another clerk saved meanwhile
    other = path.read_bytes()
    refused = client.post(f"{location}/luu", data={"csrf": csrf_token(client, location), "ma": TG})
    assert refused.status_code == 303 and refused.headers["location"] == location
    assert "tệp đã thay đổi sau khi trang được mở" in _text(client.get(location))
    assert path.read_bytes() == other


def test_the_raw_text_is_shown_and_saved_with_a_backup_and_a_version_check(client, dirs):
    path = dirs[0] / f"{TG}.yaml"
    broken = _break(path)
    raw = client.get(f"/van-ban/{TG}/van-ban-tho")
    assert raw.status_code == 200 and "Dòng có lỗi: 16." in _text(raw)
    typed = re.search(r'<textarea name="noi_dung"[^>]*>(.*?)</textarea>', raw.text, re.S)
    assert typed and html.unescape(typed.group(1)) == broken.decode("utf-8")
    fixed = broken.decode("utf-8").replace("  bad: [x, y\n   oops: 1\n", "")
    stale = client.post(
        f"/van-ban/{TG}/van-ban-tho",
        data={"csrf": csrf_token(client, "/them"), "phien_ban": "1" * 64, "noi_dung": fixed},
    )
    assert stale.status_code == 409 and "Chưa lưu: tệp đã thay đổi" in _text(stale)
    kept = re.search(r'<textarea name="noi_dung"[^>]*>(.*?)</textarea>', stale.text, re.S)
    assert kept and html.unescape(kept.group(1)) == fixed  # what was typed is still there
    assert path.read_bytes() == broken
    done = client.post(
        f"/van-ban/{TG}/van-ban-tho",
        data={"csrf": csrf_token(client, "/them"), "phien_ban": _version(raw), "noi_dung": fixed},
    )
    assert done.status_code == 303 and done.headers["location"] == f"/van-ban/{TG}?da_luu_tho=1"
    assert path.read_text(encoding="utf-8") == fixed and path.with_name(path.name + ".bak").read_bytes() == broken
    assert not load_corpus([dirs[0]]).problems


# --------------------------------------------------------------------------- the source document kept


def _upload(client, name: str, data: bytes) -> str:
    sent = client.post("/them", data={"csrf": csrf_token(client, "/them")}, files={"tep": (name, data, "text/plain")})
    assert sent.status_code == 303, sent.text
    return sent.headers["location"]


def test_a_document_uploaded_is_kept_beside_the_input_on_save_so_a_broken_file_can_be_drafted_again(client, dirs):
    folder = dirs[0]
    sent = FIXTURE.read_bytes()
    draft = _upload(client, "Chỉ thị 07.txt", sent)
    saved = client.post(f"{draft}/luu", data={"csrf": csrf_token(client, draft), "ma": "chi-thi-07"})
    assert saved.status_code == 303 and saved.headers["location"].startswith("/van-ban/chi-thi-07?da_luu=")
    yaml_text = (folder / "chi-thi-07.yaml").read_text(encoding="utf-8")
    assert "lập từ tệp chi-thi-07.txt." in yaml_text  # the name the draft's header gives its source
    assert (folder / "nguon" / "chi-thi-07.txt").read_bytes() == sent
    # the loader reads only input/*.yaml: the kept document adds no directive and no problem
    assert {p.path for p in load_corpus([folder], folder / "co-quan.yaml", Unknown.KEEP).problems} <= {
        str(folder / "chi-thi-07.yaml")
    }

    (folder / "chi-thi-07.yaml").write_text(yaml_text.replace("kind: chỉ thị", "kind: [chỉ thị"), encoding="utf-8")
    page = client.get("/van-ban/chi-thi-07")
    assert "Lập lại bản nháp từ tệp gốc chi-thi-07.txt" in _text(page)
    again = client.post("/van-ban/chi-thi-07/lap-lai", data={"csrf": csrf_token(client, "/them")})
    assert again.status_code == 303 and again.headers["location"].startswith("/them/")


def test_a_draft_saved_from_the_form_editor_keeps_its_document_too(client, dirs):
    from .helpers.editor import editor_fields

    folder = dirs[0]
    sent = FIXTURE.read_text(encoding="utf-8").replace(FLAGGED, "Công an tỉnh").encode("utf-8")
    draft = _upload(client, "ct.txt", sent)
    opened = client.get(f"{draft}/sua")
    assert opened.status_code == 303
    location = opened.headers["location"]
    fields = editor_fields(client.get(location).text)
    fields["do"] = "save"
    saved = client.post(location, data=fields)
    assert saved.status_code == 303 and saved.headers["location"] == "/van-ban/ct?da_luu=ok", saved.text
    assert (folder / "nguon" / "ct.txt").read_bytes() == sent
    assert client.get(draft).status_code == 404  # the draft is done with
