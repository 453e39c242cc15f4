"""`matrix serve` under hostile input and load: uploads, drafting off the event loop, downloads, sessions.

The cases that need real sockets (a chunked upload, pages answering while a
draft runs, sixteen records at once) run a uvicorn server in a thread; the
others go through Starlette's test client.
"""

from __future__ import annotations

import csv
import http.client
import io
import os
import re
import select
import socket
import threading
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from matrix.cli import main
from matrix.input.load import load_corpus
from matrix.tracking.records import load_records
from matrix.web import create_app
from matrix.web.app import MAX_FORM_BYTES
from matrix.web.security import SESSION_IDLE, Sessions, served_names
from matrix.web.worker import Limits

from .helpers.hostile import long_text, xml_heavy_docx
from .helpers.server import live

TG = "tiengiang-ubnd-ct-antt-2025"
LOCAL = "http://127.0.0.1:8765"


def token_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def csrf(client: TestClient, url: str = "/them") -> str:
    return token_of(client.get(url).text)


def open_session(port: int) -> tuple[str, str]:
    """A session of the live server: its cookie header and its CSRF token."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/them")
    response = conn.getresponse()
    cookie = response.getheader("set-cookie", "").split(";", 1)[0]
    token = token_of(response.read().decode())
    conn.close()
    return cookie, token


def multipart(fields: dict[str, str], name: str, data: bytes, boundary: str = "matrix-test") -> bytes:
    out = io.BytesIO()
    for key, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
    out.write(
        f'--{boundary}\r\nContent-Disposition: form-data; name="tep"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
    )
    out.write(data)
    out.write(f"\r\n--{boundary}--\r\n".encode())
    return out.getvalue()


# --------------------------------------------------------------------------- uploads


def test_a_chunked_upload_without_length_is_cut_off_as_soon_as_it_passes_the_cap(dirs):
    with live(create_app(*dirs)) as port:
        cookie, token = open_session(port)
        sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        sock.sendall(
            (
                f"POST /them HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookie}\r\n"
                "Content-Type: multipart/form-data; boundary=b\r\nTransfer-Encoding: chunked\r\n\r\n"
            ).encode()
        )

        def chunk(data: bytes) -> bytes:
            return f"{len(data):x}\r\n".encode() + data + b"\r\n"

        sock.sendall(
            chunk(
                f'--b\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{token}\r\n'
                '--b\r\nContent-Disposition: form-data; name="tep"; filename="to.txt"\r\n\r\n'.encode()
            )
        )
        sent = 0
        block = b"a" * (256 * 1024)
        answered = False
        while sent < 64 * 1024 * 1024:
            try:
                sock.sendall(chunk(block))
            except OSError:  # the server answered and closed
                break
            sent += len(block)
            if select.select([sock], [], [], 0)[0]:
                answered = True
                break
        sock.settimeout(30)
        first = sock.recv(65536).split(b"\r\n", 1)[0]
        sock.close()
    assert b" 413 " in first + b" ", first
    assert answered or sent < 64 * 1024 * 1024
    # What was sent past the cap sits in the two sockets' buffers (the kernel's, not the server's reading);
    # an unbounded server would have read all 64 MB.
    assert sent < MAX_FORM_BYTES + _socket_buffers(), f"{sent / 2**20:.0f} MB read before the 413"


def _socket_buffers() -> int:
    """The most a loopback connection can hold in flight: the receiver's and the sender's largest TCP buffers."""
    try:
        sizes = [int(Path(f"/proc/sys/net/ipv4/tcp_{kind}").read_text().split()[2]) for kind in ("rmem", "wmem")]
    except (OSError, IndexError, ValueError):
        sizes = [6 * 1024 * 1024, 4 * 1024 * 1024]  # Linux's defaults
    return min(sum(sizes), 48 * 1024 * 1024)


def _ten_mb_hostile_docx(path: Path) -> Path:
    """About 10 MB: 23 MB of Word XML (just under the drafter's cap, seconds to parse) and 9.5 MB of noise."""
    xml_heavy_docx(path, 23 * 1024 * 1024)
    with zipfile.ZipFile(path, "a") as package:
        package.writestr("word/media/tieng-on.bin", os.urandom(9_500_000), compress_type=zipfile.ZIP_STORED)
    return path


def test_while_a_10_mb_hostile_upload_drafts_another_page_answers_within_a_second(dirs, tmp_path):
    """Measured alone: the draft takes about 10 s in its worker; /van-ban answers meanwhile in at most 1 s
    (0.6 s without a draft running, on the shared 2-core machine)."""
    data = _ten_mb_hostile_docx(tmp_path / "doc-hai.docx").read_bytes()
    assert 9 * 1024 * 1024 < len(data) <= 10 * 1024 * 1024
    with live(create_app(*dirs)) as port:
        cookie, token = open_session(port)
        body = multipart({"csrf": token}, "doc-hai.docx", data)
        outcome: dict[str, object] = {}

        def post() -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
            conn.request(
                "POST",
                "/them",
                body=body,
                headers={"Cookie": cookie, "Content-Type": "multipart/form-data; boundary=matrix-test"},
            )
            response = conn.getresponse()
            outcome["status"], outcome["text"] = response.status, response.read().decode()
            conn.close()

        started = time.perf_counter()
        poster = threading.Thread(target=post)
        poster.start()
        time.sleep(1.0)  # the upload is in, the worker started
        latencies = []
        while poster.is_alive():
            t0 = time.perf_counter()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("GET", "/van-ban", headers={"Cookie": cookie})
            response = conn.getresponse()
            response.read()
            conn.close()
            assert response.status == 200
            latencies.append(time.perf_counter() - t0)
            time.sleep(0.2)
        poster.join()
        drafting = time.perf_counter() - started
    middle = sorted(latencies)[len(latencies) // 2] if latencies else 0
    print(
        f"draft {drafting:.1f} s; pages meanwhile: {len(latencies)}, median {middle:.2f} s, slowest {max(latencies or [0]):.2f} s"
    )
    assert outcome["status"] == 400 and "quá dài" in str(outcome["text"]), outcome
    assert len(latencies) >= 2, f"the draft took only {drafting:.1f} s: nothing was measured"
    # generous: measured under a second alone, 3 s with the whole suite on two cores; a page waiting for
    # the draft (the event loop held) would wait for most of it
    assert max(latencies) < max(3.0, drafting / 4), latencies


def test_a_draft_past_its_time_limit_is_stopped_with_a_vietnamese_message(dirs):
    app = create_app(*dirs, limits=Limits(seconds=2, memory=2 * 1024**3))
    with TestClient(app, base_url=LOCAL, follow_redirects=False) as client:
        started = time.perf_counter()
        response = client.post(
            "/them",
            data={"csrf": csrf(client)},
            files={"tep": ("dai.txt", long_text(1024 * 1024), "text/plain")},
        )
        assert time.perf_counter() - started < 15
    assert response.status_code == 400 and "quá 2 giây nên đã dừng" in response.text, response.text


def test_a_draft_past_its_memory_limit_is_stopped_with_a_vietnamese_message(dirs, tmp_path):
    data = xml_heavy_docx(tmp_path / "xml.docx", 23 * 1024 * 1024).read_bytes()
    app = create_app(*dirs, limits=Limits(seconds=120, memory=400 * 1024 * 1024))
    with TestClient(app, base_url=LOCAL, follow_redirects=False) as client:
        response = client.post("/them", data={"csrf": csrf(client)}, files={"tep": ("xml.docx", data, "x")})
    assert response.status_code == 400 and "MB bộ nhớ nên đã dừng" in response.text, response.text


# --------------------------------------------------------------------------- downloads


@pytest.fixture()
def planted(dirs):
    """output/ with a result file, a link to /etc/passwd, a link to a folder outside, a link to a result."""
    out = dirs[1]
    (out / "mot").mkdir(parents=True)
    (out / "mot" / "ma-tran.xlsx").write_bytes(b"PK\x03\x04 a workbook")
    (out / "mat-khau.txt").symlink_to("/etc/passwd")
    (out / "mot" / "dau-vao").symlink_to(dirs[0], target_is_directory=True)
    (out / "lien-ket.xlsx").symlink_to(out / "mot" / "ma-tran.xlsx")
    return out


def test_a_single_download_never_follows_a_link_in_output(dirs, planted):
    """A link to a file outside, through a linked folder, and even to another result file: never followed."""
    with TestClient(create_app(*dirs), base_url=LOCAL) as client:
        for path in ("/tai/mat-khau.txt", "/tai/mot/dau-vao/co-quan.yaml", "/tai/lien-ket.xlsx"):
            response = client.get(path)
            assert response.status_code == 404 and '<html lang="vi">' in response.text, path
        assert client.get("/tai/mot/ma-tran.xlsx").content == b"PK\x03\x04 a workbook"


def test_the_zip_of_all_results_never_follows_a_link_in_output(dirs, planted):
    with TestClient(create_app(*dirs), base_url=LOCAL) as client:
        response = client.get("/tai-tat-ca.zip")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert archive.namelist() == ["mot/ma-tran.xlsx"]
        assert b"root:" not in b"".join(archive.read(n) for n in archive.namelist())


def test_the_csv_extract_is_neutralised_like_the_cli_export(dirs):
    path = dirs[0] / f"{TG}.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        '  - id: "2"\n    text: |-\n      ', '  - id: "2"\n    text: |-\n      =HYPERLINK("http://x")', 1
    )
    path.write_text(text, encoding="utf-8")
    assert load_corpus([dirs[0]]).corpus is not None
    with TestClient(create_app(*dirs), base_url=LOCAL) as client:
        response = client.get("/co-quan/tien-giang-cong-an-tinh/trich-xuat.csv")  # the Tiền Giang police's extract
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    texts = [row[5] for row in rows[1:]]
    assert any(t.startswith("'=HYPERLINK") for t in texts), texts
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


# --------------------------------------------------------------------------- sessions, origin, host names


def test_a_post_from_another_origin_is_refused_even_with_the_right_token(dirs):
    with TestClient(create_app(*dirs), base_url=LOCAL, follow_redirects=False) as client:
        token = csrf(client, "/theo-doi")
        form = {"csrf": token, "co_quan": "cong-an-tinh", "van_ban": TG, "ngay_bao_cao": "2025-06-28"}
        for headers in ({"Origin": "http://127.0.0.1:9999"}, {"Origin": "null"}, {"Referer": "http://127.0.0.1:9/x"}):
            assert client.post("/theo-doi", data=form, headers=headers).status_code == 403
        assert not (dirs[0] / "theo-doi").exists() or not any((dirs[0] / "theo-doi").iterdir())
        assert client.post("/theo-doi", data=form, headers={"Origin": LOCAL}).status_code == 303


def test_a_planted_session_cookie_is_not_a_session(dirs):
    with TestClient(create_app(*dirs), base_url=LOCAL, follow_redirects=False) as client:
        client.cookies.set("matrix-phien", "chon-truoc")
        client.cookies.set("matrix_csrf", "chon-truoc")
        form = {"csrf": "chon-truoc", "co_quan": "cong-an-tinh", "van_ban": TG, "ngay_bao_cao": "2025-06-28"}
        assert client.post("/theo-doi", data=form).status_code == 403


def test_the_session_cookie_is_host_prefixed_over_https_and_strict(dirs):
    with TestClient(create_app(*dirs), base_url="https://127.0.0.1:8765") as client:
        cookie = client.get("/van-ban").headers["set-cookie"]
    assert cookie.startswith("__Host-matrix-phien=")
    assert "Secure" in cookie and "Path=/" in cookie and "SameSite=strict" in cookie and "HttpOnly" in cookie
    assert "Domain" not in cookie
    with TestClient(create_app(*dirs), base_url=LOCAL) as client:
        cookie = client.get("/van-ban").headers["set-cookie"]
    assert cookie.startswith("matrix-phien=") and "SameSite=strict" in cookie and "HttpOnly" in cookie


def _sign_in(client: TestClient, password: str) -> int:
    token = csrf(client, "/dang-nhap")
    return client.post("/dang-nhap", data={"csrf": token, "mat_khau": password, "tiep": "/van-ban"}).status_code


def test_sessions_are_random_and_signing_in_gives_a_new_one(dirs):
    app = create_app(*dirs, password="bí-mật")
    seen = []
    for _ in range(2):
        with TestClient(app, base_url=LOCAL, follow_redirects=False) as client:
            client.get("/dang-nhap")
            before = client.cookies.get("matrix-phien")
            assert _sign_in(client, "bí-mật") == 303
            after = client.cookies.get("matrix-phien")
            assert after and after != before and len(after) >= 40
            seen.append(after)
    assert seen[0] != seen[1]


def test_sign_out_ends_the_session_on_the_server(dirs):
    app = create_app(*dirs, password="bí-mật")
    with TestClient(app, base_url=LOCAL, follow_redirects=False) as client:
        assert _sign_in(client, "bí-mật") == 303
        page = client.get("/van-ban")
        assert page.status_code == 200 and "Đăng xuất" in page.text
        kept = client.cookies.get("matrix-phien")
        out = client.post("/dang-xuat", data={"csrf": token_of(page.text)})
        assert out.status_code == 303 and out.headers["location"] == "/dang-nhap"
        client.cookies.set("matrix-phien", kept)  # the old cookie, replayed
        assert client.get("/van-ban").status_code == 303


def test_a_flood_of_visits_never_pushes_out_a_signed_in_session():
    sessions = Sessions(limit=10)
    clerk = sessions.new(signed_in=True)
    for _ in range(100):
        sessions.new()
    assert sessions.get(clerk.id) is clerk
    assert len(sessions._live) == 10


def test_a_session_expires_after_its_idle_time(dirs):
    app = create_app(*dirs, password="bí-mật")
    now = [1000.0]
    app.state.pages.sessions.clock = lambda: now[0]
    with TestClient(app, base_url=LOCAL, follow_redirects=False) as client:
        assert _sign_in(client, "bí-mật") == 303
        assert client.get("/van-ban").status_code == 200
        now[0] += SESSION_IDLE + 1
        assert client.get("/van-ban").headers["location"] == "/dang-nhap?tiep=/van-ban"


def test_wrong_passwords_are_throttled_then_even_the_right_one_waits(dirs):
    app = create_app(*dirs, password="bí-mật")
    with TestClient(app, base_url=LOCAL, follow_redirects=False) as client:
        codes = [_sign_in(client, f"sai-{n}") for n in range(8)]
        assert codes[:5] == [403] * 5 and set(codes[5:]) == {429}
        assert _sign_in(client, "bí-mật") == 429
    with TestClient(app, base_url=LOCAL, follow_redirects=False, client=("10.0.0.9", 5000)) as other:
        assert _sign_in(other, "bí-mật") == 303  # another address is not locked out by the first


def test_with_host_the_host_header_is_checked_against_the_served_names(dirs):
    names = served_names("192.0.2.10")
    assert "192.0.2.10" in names and "127.0.0.1" in names
    app = create_app(*dirs, password="bí-mật", allowed_hosts=names)
    with TestClient(app, base_url="http://evil.example:8765", follow_redirects=False) as client:
        response = client.get("/van-ban")
        assert response.status_code == 400 and "Địa chỉ không hợp lệ" in response.text
    with TestClient(app, base_url="http://192.0.2.10:8765", follow_redirects=False) as client:
        assert client.get("/van-ban").headers["location"] == "/dang-nhap?tiep=/van-ban"
    everywhere = served_names("0.0.0.0")
    assert "0.0.0.0" not in everywhere and socket.gethostname().lower() in everywhere


def test_serve_passes_the_password_on_127_0_0_1_and_the_served_names(monkeypatch, dirs):
    from matrix.web import server

    calls = []
    monkeypatch.setattr(server, "run", lambda *args: calls.append(args))
    result = CliRunner().invoke(main, ["serve", "-i", str(dirs[0]), "--password", "mk"])
    assert result.exit_code == 0, result.output
    assert calls[0][2:5] == ("127.0.0.1", 8765, "mk")


# --------------------------------------------------------------------------- records at once


def test_sixteen_records_posted_at_once_are_all_kept(dirs):
    """Depends on the lock of report_status.file_report (the records' read-modify-write)."""
    with live(create_app(*dirs)) as port:
        sessions = [open_session(port) for _ in range(16)]
        barrier = threading.Barrier(16)
        statuses: list[int] = []

        def record(n: int) -> None:
            cookie, token = sessions[n]
            body = (
                f"csrf={token}&co_quan=cong-an-tinh&van_ban={TG}&muc=&ngay_bao_cao=2025-06-{n + 1:02d}"
                f"&so={n}%2FBC&xem_ngay="
            )
            barrier.wait()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            conn.request(
                "POST",
                "/theo-doi",
                body=body,
                headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
            )
            statuses.append(conn.getresponse().status)
            conn.close()

        threads = [threading.Thread(target=record, args=(n,)) for n in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert statuses == [303] * 16
    corpus = load_corpus([dirs[0]]).require()
    assert sorted(r.number or "" for r in load_records(dirs[0], corpus)) == sorted(f"{n}/BC" for n in range(16))
