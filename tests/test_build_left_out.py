"""Builds never held hostage (issue 20): a directive file with input errors is left out with its errors listed and
the others are built, from the command line and the web page alike; every build reads the tracking records as they
are on disk then."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from matrix.build.pipeline import CONSOLIDATED, REMINDERS, BuildOptions, prepare
from matrix.build.publish import read_manifest
from matrix.core.errors import InputError
from matrix.web import create_app

from .helpers import run_cli
from .helpers.web import csrf_token

TG = "tiengiang-ubnd-ct-antt-2025"
HY = "hungyen-tinhuy-ct-antt-2024"
BROKEN = "id: hong\nkind: [\n"
UNKNOWN = "      chủ trì: [Cơ quan Không Có Thật]\n"


def _break(path) -> None:
    """A directive an edit left invalid: its first task given to a body the registry lacks."""
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    assign:\n", f"    assign:\n{UNKNOWN}", 1), encoding="utf-8")


def test_a_broken_directive_is_left_out_and_the_others_are_built(folder, tmp_path):
    (folder / "hong.yaml").write_text(BROKEN, encoding="utf-8")
    out = tmp_path / "output"
    code, printed = run_cli("build", folder, "-o", out, "-j", "1")
    assert code == 2  # scripts notice the bad input
    assert f"{folder / 'hong.yaml'}:3:1: lỗi: lỗi cú pháp YAML" in printed
    assert (
        f"Bỏ qua văn bản 'hong' ({folder / 'hong.yaml'}): có 1 lỗi nên không được tạo lần này; kết quả cũ của văn "
        "bản này (nếu có) được giữ nguyên và không có trong kết quả tổng hợp." in printed
    )
    assert "1 văn bản bị bỏ qua vì có lỗi (kể trên), các văn bản khác đã được tạo" in printed
    assert "Đã tạo 6 bảng Excel" in printed
    assert (out / TG / "ma-tran.xlsx").is_file() and (out / CONSOLIDATED / "ma-tran.xlsx").is_file()
    assert not (out / "hong").exists()
    # what cannot be built still stops the build: the one file given is broken, or the registry is
    with pytest.raises(InputError) as raised:
        prepare([folder / "hong.yaml"], None, BuildOptions(), print)
    assert "hong.yaml:3:1" in raised.value.message and "chưa tạo tệp nào" in raised.value.message
    (folder / "co-quan.yaml").write_text("agencies: [\n", encoding="utf-8")
    code, printed = run_cli("build", folder, "-o", tmp_path / "other", "-j", "1")
    assert code == 2 and "co-quan.yaml" in printed and "chưa tạo tệp nào" in printed
    assert not (tmp_path / "other").exists()


def test_the_last_outputs_of_a_directive_that_breaks_are_kept_and_left_out_of_the_consolidated_ones(folder, tmp_path):
    out = tmp_path / "output"
    assert run_cli("build", folder, "-o", out, "-j", "1")[0] == 0
    letters = sorted((out / HY).rglob("*"))
    kept = {p: p.read_bytes() for p in letters if p.is_file()}
    assert kept and HY in (out / "assignments.csv").read_text(encoding="utf-8-sig")
    _break(folder / f"{HY}.yaml")
    code, printed = run_cli("build", folder, "-o", out, "-j", "1")
    assert code == 2 and f"Bỏ qua văn bản '{HY}'" in printed and "Cơ quan Không Có Thật" in printed
    assert {p: p.read_bytes() for p in kept} == kept  # the last good outputs, untouched
    assert HY not in (out / "assignments.csv").read_text(encoding="utf-8-sig")
    assert all(rel.split("/")[0] != HY or rel in {str(p.relative_to(out)) for p in kept} for rel in read_manifest(out))
    (folder / f"{HY}.yaml").write_text(
        (folder / f"{HY}.yaml").read_text(encoding="utf-8").replace(UNKNOWN, "", 1), encoding="utf-8"
    )
    assert run_cli("build", folder, "-o", out, "-j", "1")[0] == 0
    assert HY in (out / "assignments.csv").read_text(encoding="utf-8-sig")


def test_the_records_of_a_left_out_directive_do_not_stop_the_build(folder, tmp_path):
    code, _ = run_cli("report", "Công an tỉnh", TG, "--ngay", "2025-06-28", "--xong", "-i", folder)
    assert code == 0 and (folder / "theo-doi").is_dir()
    _break(folder / f"{TG}.yaml")
    code, printed = run_cli("build", folder, "-o", tmp_path / "output", "-j", "1")
    assert code == 2 and f"Bỏ qua văn bản '{TG}'" in printed and "không có trong input" not in printed
    assert (tmp_path / "output" / HY / "ma-tran.xlsx").is_file()


@pytest.fixture()
def client(dirs):
    app = create_app(*dirs)
    with TestClient(app, base_url="http://127.0.0.1:8765", raise_server_exceptions=False, follow_redirects=False) as c:
        c.app_state = app.state
        yield c


def _web_build(client) -> str:
    response = client.post("/tao-ket-qua", data={"csrf": csrf_token(client, "/tao-ket-qua")})
    assert response.status_code == 303
    client.app_state.pages.job.wait(120)
    return client.get("/tao-ket-qua").text


def test_the_web_build_leaves_a_broken_directive_out_and_lists_it(client, dirs):
    (dirs[0] / "hong.yaml").write_text(BROKEN, encoding="utf-8")
    page = _web_build(client)
    assert "Không tạo được kết quả" not in page and "Đã tạo 6 bảng Excel" in page
    assert "1 văn bản bị bỏ qua vì có lỗi" in page and 'href="/van-ban/hong">hong.yaml</a>' in page
    assert "Dòng 3, cột 1: Cách viết của tệp bị hỏng ở đây" in page and "lỗi cú pháp YAML" not in page  # in words
    assert (dirs[1] / TG / "ma-tran.xlsx").is_file()
    state = client.get("/tao-ket-qua/trang-thai").json()  # the progress counts every document, as the CLI's
    written = [p for p in dirs[1].rglob("*") if p.is_file() and not p.name.startswith(".")]
    assert state["done"] == state["total"] > len([p for p in written if "thu-giao-nhiem-vu" in p.parts])
    assert state["current"] and (dirs[1] / state["current"]).is_file()


def test_after_a_report_is_recorded_the_next_web_build_has_no_reminder_for_it(client, dirs):
    _web_build(client)
    reminders = dirs[1] / CONSOLIDATED / REMINDERS
    assert [p.name for p in reminders.glob("*.docx")] == ["dong-thap-cong-an-tinh.docx"]  # TG's item 7, overdue
    response = client.post(
        "/theo-doi",
        data={
            "csrf": csrf_token(client, "/theo-doi"),
            "co_quan": "cong-an-tinh",
            "van_ban": TG,
            "muc": "",
            "ngay_bao_cao": "2025-06-28",
            "so": "123/BC-CAT",
            "xong": "co",
        },
    )
    assert response.status_code == 303
    _web_build(client)
    assert not reminders.exists() or not list(reminders.glob("*.docx"))
    assert "123/BC-CAT" in (dirs[0] / "theo-doi" / f"{TG}.yaml").read_text(encoding="utf-8")
