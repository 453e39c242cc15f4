"""The options the command line and the web page share, declared once: the flag a command takes, the field a
form posts, the Vietnamese help text (also the form's label), the default and the choices.

The two dates a command can be given mean two different things, each under its own name in every command:

- :data:`NAMES_ON` (``--names-on``): the day the agencies' names are resolved on; the tasks of a body that no
  longer exists then are shown under its successor (``build``, ``export``, ``show``; ``agencies`` lists the bodies
  existing on it, its ``--date`` kept as an alias);
- :data:`STATUS_ON` (``--status-on``): the day the tracking status is counted to (``build``, ``status``).

``--as-of`` stays where it was: on ``build`` the documented shorthand for both, elsewhere for the one meaning the
command has (``export`` and ``show`` the names, ``status`` the status).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Declaration:
    """One option: its long flag (``--paper``) and aliases, the form field, the help text and label, the default,
    the choices (empty: any value), the metavar printed in the help."""

    flag: str
    field: str
    help: str
    label: str = ""
    default: str | None = None
    choices: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    metavar: str | None = None

    @property
    def dest(self) -> str:
        """The Python name the command receives (``--names-on`` -> ``names_on``)."""
        return self.flag.lstrip("-").replace("-", "_")


DATE_HINT = "Viết YYYY-MM-DD hoặc dd/mm/yyyy."

PAPER = Declaration("--paper", "kho_giay", "Khổ giấy của bảng Excel.", "Khổ giấy", default="A4", choices=("A4", "A3"))
EXPAND_GROUPS = Declaration(
    "--expand-groups",
    "tach_nhom",
    "Tách mỗi nhóm (UBND các huyện...) thành từng cơ quan thành viên.",
    "Tách nhóm thành từng cơ quan",
)
PDF = Declaration(
    "--pdf",
    "pdf",
    "Chuyển thêm mọi tệp sang PDF (cần LibreOffice).",
    "Chuyển thêm sang PDF (cần LibreOffice, chậm hơn)",
)
NAMES_ON = Declaration(  # on export and show also --as-of, on agencies also --date
    "--names-on",
    "ngay",
    "Ngày tính tên cơ quan: nhiệm vụ của cơ quan không còn tồn tại vào ngày này được chuyển sang cơ quan kế thừa. "
    + DATE_HINT,
    "Còn tồn tại ngày",
    metavar="NGÀY",
)
STATUS_ON = Declaration(  # on status also --as-of
    "--status-on",
    "ngay",
    "Ngày tính tình hình thực hiện và thư đôn đốc (mặc định: hôm nay). " + DATE_HINT,
    "Tính đến ngày",
    metavar="NGÀY",
)
AS_OF_BUILD = Declaration(
    "--as-of",
    "",
    "Viết tắt của --names-on NGÀY --status-on NGÀY (mỗi tùy chọn riêng được ưu tiên hơn). " + DATE_HINT,
    metavar="NGÀY",
)
