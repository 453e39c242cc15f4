"""Hostile inputs, made on the fly: a zip whose index lies, a .docx of mostly XML, a text of one long line.

Shared by the web tests (tests/test_web_safety.py) and the drafter's (tests/test_draft_limits.py).
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

from .web import FIXTURE, write_docx

_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def lying_docx(path: Path, real: int = 512 * 1024 * 1024, claimed: int = 1000) -> Path:
    """A real .docx whose ``word/styles.xml`` inflates to ``real`` bytes while the zip index says ``claimed``.

    The CRC in the index is that of the first ``claimed`` bytes, so a reader that trusts the index reads
    a part that looks whole.
    """
    plain = io.BytesIO()
    write_docx(FIXTURE.read_text(encoding="utf-8"), Path(path))
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(plain, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename == "word/styles.xml":
                bomb = zipfile.ZipInfo("word/styles.xml")
                bomb.compress_type = zipfile.ZIP_DEFLATED
                with target.open(bomb, "w", force_zip64=False) as part:
                    block = b"<a/>" * (256 * 1024)  # 1 MiB, compresses about 1000:1
                    for _ in range(real // len(block)):
                        part.write(block)
                continue
            target.writestr(info, source.read(info.filename))
    data = bytearray(plain.getvalue())
    first = (b"<a/>" * (claimed // 4 + 1))[:claimed]
    crc = zlib.crc32(first)
    name = b"word/styles.xml"
    at = 0
    while True:  # every central directory entry: the one of styles.xml gets the lying size and CRC
        at = data.find(b"PK\x01\x02", at)
        if at < 0:
            break
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46 : at + 46 + name_length]) == name:
            struct.pack_into("<L", data, at + 16, crc)
            struct.pack_into("<L", data, at + 24, claimed)
            local = struct.unpack_from("<L", data, at + 42)[0]
            struct.pack_into("<L", data, local + 14, crc)
            struct.pack_into("<L", data, local + 22, claimed)
        at += 4
    Path(path).write_bytes(bytes(data))
    return Path(path)


def xml_heavy_docx(path: Path, xml_bytes: int = 200 * 1024 * 1024) -> Path:
    """A small .docx whose body is about ``xml_bytes`` of XML: the same formatted run, over and over."""
    run = '<w:r><w:rPr><w:b/><w:i/><w:sz w:val="28"/></w:rPr><w:t xml:space="preserve">Công an tỉnh </w:t></w:r>'
    paragraph = f"<w:p>{run * 50}</w:p>"
    count = max(1, xml_bytes // len(paragraph.encode()))
    write_docx("Chỉ thị thử", Path(path))
    out = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != "word/document.xml":
                target.writestr(info, source.read(info.filename))
                continue
            with target.open("word/document.xml", "w", force_zip64=True) as part:
                part.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {_W}><w:body>'.encode())
                chunk = (paragraph * 100).encode()
                for _ in range(count // 100):
                    part.write(chunk)
                part.write(b"</w:body></w:document>")
    Path(path).write_bytes(out.getvalue())
    return Path(path)


def entity_docx(path: Path) -> Path:
    """A .docx whose body declares an XML entity (the start of a "billion laughs" or an XXE)."""
    write_docx("Chỉ thị thử", Path(path))
    out = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "word/document.xml":
                data = data.replace(b"?>", b'?><!DOCTYPE w:document [<!ENTITY x "Cong an tinh">]>', 1)
            target.writestr(info, data)
    Path(path).write_bytes(out.getvalue())
    return Path(path)


def one_line_text(size: int) -> bytes:
    """A directive's text of ``size`` bytes on one line (no line end at all)."""
    sentence = "Công an tỉnh chủ trì, phối hợp với Sở Xây dựng tăng cường tuần tra, kiểm soát; ".encode()
    return (sentence * (size // len(sentence) + 1))[:size].decode("utf-8", "ignore").encode()


def long_text(size: int) -> bytes:
    """A directive of about ``size`` bytes: the fixture's items repeated under new numbers."""
    head, _, _ = FIXTURE.read_text(encoding="utf-8").partition("1. ")
    item = (
        "Sở Văn hóa, Thể thao và Du lịch chủ trì, phối hợp với Công an tỉnh tuyên truyền cho người dân chấp hành "
        "pháp luật về trật tự an toàn giao thông; báo cáo kết quả trước ngày 15/12/2025.\n"
    )
    lines = [head]
    total = len(head.encode())
    n = 1
    while total < size:
        lines.append(f"{n}. {item}")
        total += len(lines[-1].encode())
        n += 1
    return "".join(lines).encode()
