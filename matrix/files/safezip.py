"""Zip packages (.docx, .odt, .xlsx) checked by the bytes they really unpack to, before anything opens them.

A zip's index says how large each part is, and may lie: a part "of 1,000
bytes" can inflate to a gigabyte, and ``zipfile`` reads a whole part in one
call. :func:`check_zip` therefore inflates every part itself, in small
steps, counting the bytes it actually gets against one running cap, and
refuses the package as soon as the cap is passed, when a part's real size is
not the size its index gives (so the library that opens the package next
reads only what was counted), when a part uses an unknown compression or is
encrypted, or when an XML part declares a DOCTYPE (entities, external
references). The drafter (:mod:`matrix.draft.reader`) and the Word
templates (:mod:`matrix.writers.templates`) both call it: ``matrix draft`` on the
command line and the web page meet the same limits.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO

__all__ = ["MAX_PARTS", "check_zip"]

MAX_PARTS = 10_000
_STEP = 64 * 1024  # inflated bytes asked of zlib at a time
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_LOCAL_SIGNATURE = b"PK\x03\x04"
_NOT_A_PACKAGE = "không phải tệp Word (.docx) hợp lệ"
_DOCTYPE = b"<!DOCTYPE"


class _Refused(Exception):
    """Why the package is refused (a Vietnamese phrase)."""


def check_zip(
    data: bytes | Path, limit: int, xml_limit: int | None = None, what: str = "tệp Word (.docx)"
) -> str | None:
    """Why the zip package ``data`` (its bytes, or a path) must not be opened, or None when it may be.

    ``limit``: the most bytes all its parts may inflate to, together; ``xml_limit``: its XML parts
    (what a reader parses into a tree, some ten times their size in memory), when lower; ``what`` names the
    kind of file in the message for a file that is no package of that kind.
    """
    try:
        if isinstance(data, bytes):
            _check(io.BytesIO(data), limit, xml_limit or limit)
        else:
            with open(data, "rb") as handle:
                _check(handle, limit, xml_limit or limit)
    except _Refused as exc:
        return str(exc).replace(_NOT_A_PACKAGE, f"không phải {what} hợp lệ")
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, struct.error, NotImplementedError):
        return f"không phải {what} hợp lệ"
    return None


def _check(handle: BinaryIO, limit: int, xml_limit: int) -> None:
    with zipfile.ZipFile(handle) as package:
        parts = package.infolist()
        if len(parts) > MAX_PARTS:
            raise _Refused(f"có quá nhiều phần ({len(parts)}; tối đa {MAX_PARTS})")
        left = limit
        xml_left = xml_limit
        for info in parts:
            xml = _is_xml(info)
            said = xml_limit if xml and xml_left < left else limit  # the cap the refusal names
            size = _inflate(handle, info, min(left, xml_left) if xml else left, said)
            left -= size
            if xml:
                xml_left -= size


def _is_xml(info: zipfile.ZipInfo) -> bool:
    return info.filename.lower().endswith((".xml", ".rels", ".vml"))


def _too_large(limit: int) -> _Refused:
    return _Refused(f"giải nén ra quá lớn (trên {limit // 1024 // 1024} MB)")


def _inflate(handle: BinaryIO, info: zipfile.ZipInfo, left: int, limit: int) -> int:
    """Inflate one part, counting its bytes against ``left`` (refused past it); the part's real size."""
    if info.flag_bits & 0x1:
        raise _Refused("có phần được mã hóa (đặt mật khẩu)")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise _Refused(_NOT_A_PACKAGE)
    handle.seek(info.header_offset)
    header = handle.read(_LOCAL_HEADER.size)
    if len(header) != _LOCAL_HEADER.size or header[:4] != _LOCAL_SIGNATURE:
        raise _Refused(_NOT_A_PACKAGE)
    fields = _LOCAL_HEADER.unpack(header)
    handle.seek(fields[-2] + fields[-1], io.SEEK_CUR)  # the part's name and extra field
    raw_left = info.compress_size
    inflater = zlib.decompressobj(-zlib.MAX_WBITS) if info.compress_type == zipfile.ZIP_DEFLATED else None
    xml = _is_xml(info)
    size = 0
    crc = 0
    tail = b""

    def take(chunk: bytes) -> None:
        nonlocal size, crc, tail
        size += len(chunk)
        if size > left:
            raise _too_large(limit)
        crc = zlib.crc32(chunk, crc)
        if xml:
            window = tail + chunk
            if _DOCTYPE in window:
                raise _Refused("có khai báo DOCTYPE hay thực thể XML (không được phép)")
            tail = window[-len(_DOCTYPE) :]

    pending = b""
    while raw_left > 0 or pending:
        if not pending:
            pending = handle.read(min(raw_left, 1024 * 1024))
            if not pending:
                raise _Refused(_NOT_A_PACKAGE)  # the part ends before its index says
            raw_left -= len(pending)
        if inflater is None:
            take(pending)
            pending = b""
            continue
        take(inflater.decompress(pending, _STEP))
        pending = inflater.unconsumed_tail
        if inflater.eof:
            break
    if inflater is not None:
        while not inflater.eof:  # output zlib still holds
            chunk = inflater.decompress(inflater.unconsumed_tail, _STEP)
            if not chunk and not inflater.unconsumed_tail:
                break
            take(chunk)
        if not inflater.eof:
            raise _Refused(_NOT_A_PACKAGE)
    if size != info.file_size or (crc & 0xFFFFFFFF) != info.CRC:
        raise _Refused(_NOT_A_PACKAGE)  # the index does not say what the part holds
    return size
