"""The input format, declared once: every key of every kind of record, its Vietnamese label, kind and order.

The loader (:mod:`matrix.input.load`) reads and checks fields through these
declarations, the one YAML writer (:mod:`matrix.input.dump`, which also writes the
drafter's drafts) writes keys in their order, and a test checks that the developer reference
(docs/directive-format.md) documents every key. Adding a key means adding
one line here, then reading it where the model needs it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

# Kinds of values, as the loader reads them.
IDENT = "ident"  # [a-z0-9-] identifier
TEXT = "text"  # one piece of text
TEXTS = "texts"  # one text or a list of lines
DATE = "date"  # YYYY-MM-DD or dd/mm/yyyy
DATES = "dates"  # one date or a list of dates
FLAG = "flag"  # true / false
MAP = "map"  # a nested record
LIST = "list"  # a list of nested records
NAMES = "names"  # role -> one name or a list of names (``assign``), or province -> ids (``members``)


@dataclass(frozen=True)
class Key:
    """One key of a record: its YAML name, the Vietnamese label used in messages, its kind."""

    name: str
    label: str
    kind: str = TEXT
    required: bool = False


@dataclass(frozen=True)
class Shape:
    """A kind of record (a directive, a task...): its Vietnamese name and its keys in file order."""

    what: str
    keys: tuple[Key, ...]

    def __getitem__(self, name: str) -> Key:
        for key in self.keys:
            if key.name == name:
                return key
        raise KeyError(name)

    def __iter__(self) -> Iterator[Key]:
        return iter(self.keys)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(k.name for k in self.keys)

    def ordered(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """``data`` with its keys in this shape's order (unknown keys last), empty values left out."""
        known = [k for k in self.names if k in data]
        rest = [k for k in data if k not in self.names]
        return {k: data[k] for k in (*known, *rest) if data[k] not in (None, "", [], (), {})}


ISSUER = Shape(
    "cơ quan ban hành",
    (
        Key("name", "tên cơ quan ban hành", TEXT, required=True),
        Key("kind", "nhà nước hoặc đảng", TEXT, required=True),
        Key("header", "dòng tiêu đề", TEXTS),
        Key("short", "tên ngắn"),
    ),
)

SIGNER = Shape(
    "người ký",
    (
        Key("authority", "thẩm quyền ký", TEXTS),
        Key("title", "chức vụ"),
        Key("name", "họ tên"),
    ),
)

TASK = Shape(
    "nhiệm vụ",
    (
        Key("id", "số thứ tự nhiệm vụ"),
        Key("text", "nội dung", TEXT, required=True),
        Key("assign", "phân công", NAMES),
        Key("deadline", "thời hạn"),
        Key("report", "chế độ báo cáo"),
        Key("due", "hạn hoàn thành", DATES),
        Key("targets", "chỉ tiêu", TEXTS),
        Key("notes", "ghi chú", TEXTS),
        Key("title", "tiêu đề ngắn"),
        Key("tasks", "nhiệm vụ con", LIST),
    ),
)

DIRECTIVE = Shape(
    "văn bản",
    (
        Key("id", "mã văn bản", IDENT, required=True),
        Key("kind", "loại văn bản: chỉ thị, công văn, kế hoạch...", TEXT, required=True),
        Key("number", "số"),
        Key("symbol", "ký hiệu"),
        Key("date", "ngày ban hành", DATE),
        Key("as_of", "ngày đối chiếu danh mục khi văn bản không ghi ngày", DATE),
        Key("ended", "ngày văn bản hết thực hiện", DATE),
        Key("place", "địa danh"),
        Key("province", "tỉnh"),
        Key("issuer", "cơ quan ban hành", MAP, required=True),
        Key("title", "trích yếu", TEXT, required=True),
        Key("signer", "người ký", MAP),
        Key("recipients", "kính gửi", TEXTS),
        Key("distribution", "nơi nhận", TEXTS),
        Key("preamble", "phần mở đầu"),
        Key("closing", "phần kết", TEXTS),
        Key("notes", "ghi chú", TEXTS),
        Key("tasks", "danh sách nhiệm vụ", LIST, required=True),
    ),
)

BLOCK = Shape(
    "khối",
    (
        Key("id", "mã khối", IDENT, required=True),
        Key("name", "tên khối", TEXT, required=True),
    ),
)

AGENCY = Shape(
    "cơ quan",
    (
        Key("id", "mã cơ quan", IDENT, required=True),
        Key("name", "tên đầy đủ", TEXT, required=True),
        Key("short", "tên ngắn"),
        Key("block", "khối", TEXT, required=True),
        Key("requested", "chỉ được đề nghị", FLAG),
        Key("aliases", "tên gọi khác", TEXTS),
        Key("province", "tỉnh"),
        Key("valid_from", "có hiệu lực từ", DATE),
        Key("valid_to", "có hiệu lực đến", DATE),
        Key("successor", "cơ quan kế thừa"),
        Key("members", "thành viên", NAMES),
    ),
)

REGISTRY = Shape(
    "danh mục cơ quan",
    (
        Key("catalogue", "danh mục chuẩn của các tỉnh", TEXTS),
        Key("provinces", "danh sách tỉnh", MAP),
        Key("blocks", "khối", LIST),  # required unless ``catalogue`` brings the standard blocks and bodies
        Key("agencies", "cơ quan", LIST),
        Key("groups", "nhóm cơ quan", LIST),
    ),
)

#: Every shape of a directive file, for the documentation test.
DIRECTIVE_SHAPES: tuple[Shape, ...] = (DIRECTIVE, ISSUER, SIGNER, TASK)
#: Every shape of the registry file.
REGISTRY_SHAPES: tuple[Shape, ...] = (REGISTRY, BLOCK, AGENCY)

__all__ = [
    "AGENCY",
    "BLOCK",
    "DIRECTIVE",
    "DIRECTIVE_SHAPES",
    "ISSUER",
    "REGISTRY",
    "REGISTRY_SHAPES",
    "SIGNER",
    "TASK",
    "Key",
    "Shape",
]
