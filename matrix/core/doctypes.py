"""Kinds of documents and their codes, declared once.

A document's symbol opens with the code of its kind ("Số 05/CT-UBND", "Số 15-CT/TU",
"Số 02/CĐ-UBND"); a State công văn has none ("Số 12/UBND-NC"). The codes are those of
Nghị định 30/2020/NĐ-CP (Phụ lục III) for State bodies and of Hướng dẫn 36-HD/VPTW for
Party bodies. The drafter reads a kind from a code (:func:`kind_of_code`); the letters
find the issuing body's abbreviation after it (:func:`is_type_code`).
"""

from __future__ import annotations

#: (code as written, kind as the model writes it), in the order the drafter prefers.
DOCUMENT_TYPES: tuple[tuple[str, str], ...] = (
    ("CT", "chỉ thị"),
    ("KH", "kế hoạch"),
    ("CV", "công văn"),  # a Party công văn ("Số 45-CV/TU")
    ("QĐ", "quyết định"),
    ("TB", "thông báo"),
    ("HD", "hướng dẫn"),
    ("NQ", "nghị quyết"),
    ("KL", "kết luận"),
    ("CTr", "chương trình"),
    ("BC", "báo cáo"),
    ("PA", "phương án"),
    ("TT", "thông tri"),
    ("QĐi", "quy định"),  # Party
    ("QyĐ", "quy định"),  # State
    ("CĐ", "công điện"),
    ("QC", "quy chế"),
    ("TTr", "tờ trình"),
)

#: Every kind, once, in table order.
KINDS: tuple[str, ...] = tuple(dict.fromkeys(kind for _, kind in DOCUMENT_TYPES))

_BY_CODE = {code.upper(): kind for code, kind in DOCUMENT_TYPES}


def kind_of_code(code: str) -> str | None:
    """The kind a symbol's code stands for ("KH" -> "kế hoạch", "CTr" or "CTR" -> "chương trình"), or None."""
    return _BY_CODE.get(code.strip().upper())


def is_type_code(part: str) -> bool:
    """Whether one part of a symbol ("CT" in "CT-UBND") is a document type code, not a body."""
    return kind_of_code(part) is not None
