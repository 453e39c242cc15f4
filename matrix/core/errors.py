"""Error types and exit codes.

Bad input is reported as :class:`Problem` records (file, line, column, a
Vietnamese message and a hint), gathered and shown all at once, like a
compiler. The CLI maps the exception types below to exit codes:

====  =====================================================
code  meaning
====  =====================================================
0     success
1     an output could not be written
2     bad input (or bad command-line usage)
====  =====================================================
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

EXIT_OK = 0
EXIT_OUTPUT = 1
EXIT_INPUT = 2

ERROR = "lỗi"
WARNING = "cảnh báo"


@dataclass(frozen=True)
class Problem:
    """One problem in one input file, with its position (1-based; 0 = unknown)."""

    path: str
    line: int
    column: int
    message: str
    hint: str | None = None
    severity: str = ERROR

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def __str__(self) -> str:
        where = self.path
        if self.line:
            where += f":{self.line}:{self.column}"
        text = f"{where}: {self.severity}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


class WithProblems:
    """Mixin for a result carrying ``problems``: its errors and its warnings."""

    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]


class MatrixError(Exception):
    """Base of the errors a user may see; ``exit_code`` is what the CLI returns."""

    exit_code = EXIT_INPUT

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputError(MatrixError):
    """Bad input: carries every problem found."""

    exit_code = EXIT_INPUT

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        errors = sum(p.is_error for p in self.problems)
        lines = [str(p) for p in self.problems]
        lines.append(f"Có {errors} lỗi trong dữ liệu đầu vào; chưa tạo tệp nào.")
        super().__init__("\n".join(lines))


class TemplateProblem(MatrixError):
    """A template that cannot be rendered (syntax error, unknown variable)."""

    exit_code = EXIT_INPUT


class OutputError(MatrixError):
    """An output file could not be written (open in Excel, read-only, disk full...)."""

    exit_code = EXIT_OUTPUT


_OS_MESSAGES = {
    "ENOENT": "không tìm thấy tệp hoặc thư mục",
    "EACCES": "không có quyền truy cập",
    "EPERM": "không được phép (tệp đang mở, chỉ đọc hoặc thiếu quyền)",
    "EEXIST": "tệp hoặc thư mục đã có",
    "EISDIR": "đây là thư mục, không phải tệp",
    "ENOTDIR": "một phần của đường dẫn không phải thư mục",
    "ENOSPC": "ổ đĩa đã đầy",
    "EDQUOT": "đã dùng hết dung lượng được cấp",
    "EROFS": "ổ đĩa chỉ cho đọc",
    "EXDEV": "không chuyển được tệp giữa hai ổ đĩa khác nhau",
    "EBUSY": "tệp hoặc thư mục đang được dùng",
    "ETXTBSY": "tệp đang được dùng",
    "ENAMETOOLONG": "tên tệp quá dài",
    "ENOTEMPTY": "thư mục không rỗng",
    "EMFILE": "mở quá nhiều tệp cùng lúc",
    "EIO": "lỗi đọc/ghi ổ đĩa",
    "ELOOP": "đường dẫn có liên kết vòng",
    "EINVAL": "tên hoặc thao tác không hợp lệ",
    "EFBIG": "tệp quá lớn",
    "EPIPE": "chương trình nhận kết quả đã đóng",
    "ENXIO": "thiết bị không sẵn sàng",
}


def os_message(exc: BaseException) -> str:
    """A Vietnamese description of an operating-system error (never the system's English ``strerror``)."""
    import errno as _errno

    code = getattr(exc, "errno", None)
    name = _errno.errorcode.get(code, "") if isinstance(code, int) else ""
    if name in _OS_MESSAGES:
        return _OS_MESSAGES[name]
    if isinstance(exc, PermissionError):
        return _OS_MESSAGES["EACCES"]
    if isinstance(exc, FileNotFoundError):
        return _OS_MESSAGES["ENOENT"]
    return f"lỗi hệ thống (mã {name or code or '?'})"


def problem(message: str, hint: str | None = None) -> InputError:
    """An input error about the command line itself."""
    return InputError([Problem("<dòng lệnh>", 0, 0, message, hint)])
