"""Reading YAML files safely, keeping where every value stands in the file.

Only the node tree is built (``yaml.compose``): nothing is constructed, so
tags that would build Python objects (``!!python/object``) are refused here
rather than executed, and every value keeps its line and column for messages.
"""

from __future__ import annotations

import codecs
import itertools
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..core.errors import ERROR, WARNING, Problem, os_message

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_NODES = 200_000
# A long file may hold more (a records file of 20,000 reports has 280,000): one element per this many bytes of
# the file is allowed too. Alias bombs are still caught, their elements outnumbering their bytes by far.
BYTES_PER_NODE = 4
MAX_DEPTH = 64  # nested lists and tables (a task level is two): real directives use under 15
MAX_EXPANDED_CHARS = 4 * MAX_FILE_BYTES  # text once every alias (*a) is expanded
# Characters that must never reach a document, a CSV cell or the terminal (ESC clears the screen,
# Word's \x0b line break and NUL break the XML of a letter). TAB, LF and CR are YAML's own.
# The one wording of a legacy-encoding refusal (the loader's and the drafter's).
NOT_UTF8 = "không phải văn bản UTF-8 (có thể là phông TCVN3/VNI cũ hoặc mã Windows-1258)"
TO_UNICODE = "hãy chuyển sang Unicode dựng sẵn (ví dụ bằng Unikey, Ctrl+Shift+F6)"
CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")
_CONTROL_NAMES = {
    "\x00": "NUL",
    "\x0b": "ngắt dòng của Word (VT)",
    "\x0c": "ngắt trang (FF)",
    "\x1b": "ESC",
    "\x7f": "DEL",
}

# The start of every message about a file YAML cannot read (the web page of such a file words it for a clerk).
SYNTAX_ERROR = "lỗi cú pháp YAML"


def control_char_name(ch: str) -> str:
    """How a message names a control character: "U+000B (ngắt dòng của Word (VT))"."""
    name = _CONTROL_NAMES.get(ch) or _HIDDEN_NAMES.get(ch)
    return f"U+{ord(ch):04X}" + (f" ({name})" if name else "")


# Marks that print as nothing or turn the text around: "Công an\u200btỉnh" and "Công an tỉnh" look the same,
# an RLO (U+202E) shows "Công an tỉnh" backwards. Never in a name, nor in a one-line field of a record.
INVISIBLE_CHARS = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]"
)
# Every way to break a line (a one-line field holds none): LF, CR, NEL, Unicode's line and paragraph separators.
LINE_BREAKS = re.compile("[\n\r\x85\u2028\u2029]")
_HIDDEN_NAMES = {
    "\t": "TAB",
    "\n": "xuống dòng",
    "\r": "xuống dòng (CR)",
    "\x07": "chuông (BEL)",
    "\x85": "xuống dòng (NEL)",
    "\u2028": "ngắt dòng Unicode (LS)",
    "\u2029": "ngắt đoạn Unicode (PS)",
    "\u00ad": "gạch nối ẩn",
    "\u200b": "dấu cách không độ rộng (ZWSP)",
    "\u200c": "ký tự ẩn ZWNJ",
    "\u200d": "ký tự nối ẩn ZWJ",
    "\u200e": "dấu chiều viết LRM",
    "\u200f": "dấu chiều viết RLM",
    "\u202a": "dấu đổi chiều viết LRE",
    "\u202b": "dấu đổi chiều viết RLE",
    "\u202c": "dấu đổi chiều viết PDF",
    "\u202d": "dấu đổi chiều viết LRO",
    "\u202e": "dấu đảo chiều viết RLO",
    "\u2060": "ký tự nối ẩn (WJ)",
    "\u2066": "dấu chiều viết LRI",
    "\u2067": "dấu chiều viết RLI",
    "\u2068": "dấu chiều viết FSI",
    "\u2069": "dấu chiều viết PDI",
    "\ufeff": "ký tự ẩn BOM",
}


def hidden_char(text: str, one_line: bool = True) -> str | None:
    """The first character of ``text`` that must not be stored: a control character, an invisible or
    direction-changing mark, and (``one_line``) a line break or TAB; None when the text is clean."""
    for pattern in (CONTROL_CHARS, INVISIBLE_CHARS, *((LINE_BREAKS, _TAB) if one_line else ())):
        found = pattern.search(text)
        if found:
            return str(found.group())
    return None


_TAB = re.compile("\t")


_SAFE_TAGS = frozenset(
    "tag:yaml.org,2002:" + t for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp", "binary")
)

try:  # the C loader is much faster where PyYAML was built with it
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


@dataclass
class Report:
    """Problems gathered while reading one or more files."""

    problems: list[Problem] = field(default_factory=list)
    # how many problems :attr:`has_errors` has looked at, and whether one of them is an error (a load asks after
    # each of its files: looking at every problem each time was quadratic in the files' warnings)
    _looked: int = field(default=0, init=False, repr=False, compare=False)
    _error: bool = field(default=False, init=False, repr=False, compare=False)

    def error(self, path: str, node: yaml.Node | None, message: str, hint: str | None = None) -> None:
        self._add(path, node, message, hint, ERROR)

    def warn(self, path: str, node: yaml.Node | None, message: str, hint: str | None = None) -> None:
        self._add(path, node, message, hint, WARNING)

    def _add(self, path: str, node: yaml.Node | None, message: str, hint: str | None, severity: str) -> None:
        line, column = position(node)
        self.problems.append(Problem(path, line, column, message, hint, severity))

    @property
    def has_errors(self) -> bool:
        problems = self.problems
        if len(problems) < self._looked:  # problems taken away: look at them all again
            self._looked, self._error = 0, False
        if not self._error:
            self._error = any(p.is_error for p in itertools.islice(problems, self._looked, None))
            self._looked = len(problems)
        return self._error


def position(node: yaml.Node | None) -> tuple[int, int]:
    """1-based line and column of a node (0, 0 when there is none)."""
    if node is None:
        return 0, 0
    return node.start_mark.line + 1, node.start_mark.column + 1


def read_text(path: Path, report: Report, data: bytes | None = None) -> str | None:
    """The text of ``path`` as UTF-8 (BOM and CRLF tolerated), or None with a problem; ``data``: its bytes, read
    already (:func:`read_bytes`)."""
    name = str(path)
    if data is None:
        data = read_bytes(path, report)
        if data is None:
            return None
    return _decode(name, data, report)


def read_bytes(path: Path, report: Report) -> bytes | None:
    """The bytes of ``path``, or None with a problem (not a regular file, too large, unreadable)."""
    name = str(path)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            what = "một thư mục" if stat.S_ISDIR(info.st_mode) else "một thiết bị hoặc ống dẫn (FIFO)"
            report.error(name, None, f"không phải tệp văn bản thường mà là {what}", "hãy chỉ ra một tệp .yaml")
            return None
        size = info.st_size
        if size > MAX_FILE_BYTES:
            report.error(
                name,
                None,
                f"tệp quá lớn ({size // 1024} KB; tối đa {MAX_FILE_BYTES // 1024 // 1024} MB)",
                "hãy tách thành nhiều tệp, mỗi văn bản một tệp",
            )
            return None
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            report.error(
                name,
                None,
                f"tệp quá lớn (tối đa {MAX_FILE_BYTES // 1024 // 1024} MB)",
                "hãy tách thành nhiều tệp, mỗi văn bản một tệp",
            )
            return None
    except OSError as exc:
        report.error(name, None, f"không đọc được tệp: {os_message(exc)}")
        return None
    return data


def _decode(name: str, data: bytes, report: Report) -> str | None:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or (len(data) > 1 and data[1:2] == b"\x00"):
        report.error(
            name, None, "tệp được lưu bằng mã UTF-16 (Unicode của Notepad)", "hãy mở tệp và lưu lại với mã hóa UTF-8"
        )
        return None
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        report.problems.append(
            Problem(
                name,
                line,
                column,
                f"tệp {NOT_UTF8}",
                f"{TO_UNICODE} rồi lưu với mã hóa UTF-8",
            )
        )
        return None
    if "\x00" in text:
        report.error(name, None, "tệp chứa ký tự NUL, không phải văn bản", "hãy lưu lại với mã hóa UTF-8")
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not _report_controls(name, text, report):
        return None
    indented = _NBSP_INDENT.search(text)
    if indented:
        line = text.count("\n", 0, indented.start()) + 1
        column = indented.group().index("\u00a0") + 1
        report.problems.append(
            Problem(
                name,
                line,
                column,
                "thụt lề có dấu cách không ngắt (U+00A0, thường do dán từ Word hay trang web)",
                "hãy xóa phần thụt lề rồi gõ lại bằng phím cách",
            )
        )
        return None
    return text


_NBSP_INDENT = re.compile("^[ \u00a0]*\u00a0", re.M)


def _report_controls(name: str, text: str, report: Report, limit: int = 20) -> bool:
    """Report every control character of ``text`` (file:line:col); True when there is none."""
    found = 0
    for match in CONTROL_CHARS.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
        report.problems.append(
            Problem(
                name,
                line,
                column,
                f"có ký tự điều khiển {control_char_name(match.group())} không in được",
                "hãy xóa ký tự này (thường do dán từ Word hay trang web) hoặc thay bằng dấu cách",
            )
        )
        found += 1
        if found >= limit:
            break
    return not found


def compose(path: Path, report: Report, data: bytes | None = None) -> yaml.Node | None:
    """The YAML node tree of ``path``, or None (with problems reported); ``data``: its bytes, read already."""
    text = read_text(path, report, data)
    if text is None:
        return None
    name = str(path)
    if not text.strip():
        report.error(name, None, "tệp rỗng", "tệp cần có nội dung YAML theo mẫu trong README")
        return None
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        glued = _glued_key(exc, text)
        if glued is not None:
            report.problems.append(Problem(name, *glued))
            return None
        mark = exc.problem_mark or exc.context_mark
        if (exc.context or "").startswith("while scanning a quoted scalar") and exc.context_mark:
            mark = exc.context_mark  # where the unclosed quote opens, not where the file ends
        line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        report.problems.append(Problem(name, line, column, _syntax_message(exc), _syntax_hint(exc, text, line)))
        return None
    except yaml.YAMLError:  # a reader error without a mark: characters YAML refuses
        report.error(
            name,
            None,
            f"{SYNTAX_ERROR}: tệp có ký tự YAML không chấp nhận",
            "hãy lưu lại tệp dạng UTF-8 và xóa ký tự lạ",
        )
        return None
    except RecursionError:
        report.error(name, None, f"tệp lồng nhau quá sâu (quá {MAX_DEPTH} mức)", "hãy viết các mục con phẳng hơn")
        return None
    if node is None:
        report.error(name, None, "tệp rỗng", "tệp cần có nội dung YAML theo mẫu trong README")
        return None
    if not _check_nodes(node, name, report, max(MAX_NODES, len(text) // BYTES_PER_NODE)):
        return None
    return node


def _check_nodes(root: yaml.Node, name: str, report: Report, limit: int = MAX_NODES) -> bool:
    """Refuse object-building tags, alias bombs, deep nesting and control characters; True when safe to walk.

    Aliases (``*a``) are walked as often as they are used, so what is counted is
    the document as a reader of it would get it.
    """
    count = 0
    chars = 0
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > limit:
            report.error(
                name,
                root,
                f"tệp có quá nhiều phần tử (hơn {limit:,}) hoặc dùng bí danh (&/*) lồng nhau",
                "không dùng neo/bí danh YAML để nhân bản nội dung",
            )
            return False
        if depth > MAX_DEPTH:
            report.error(
                name,
                node,
                f"nội dung lồng nhau quá sâu (quá {MAX_DEPTH} mức danh sách/bảng)",
                "văn bản thật chỉ có vài mức mục con; hãy kiểm tra thụt lề",
            )
            return False
        if node.tag == "tag:yaml.org,2002:merge":
            report.error(name, node, "không dùng khóa gộp '<<' của YAML", "hãy viết đầy đủ các trường ở từng chỗ")
            return False
        if node.tag not in _SAFE_TAGS:
            report.error(
                name,
                node,
                f"không chấp nhận thẻ YAML '{node.tag}'",
                "matrix chỉ đọc dữ liệu thuần: chuỗi, số, ngày, danh sách và bảng",
            )
            return False
        if isinstance(node, yaml.ScalarNode):
            chars += len(node.value)
            if chars > MAX_EXPANDED_CHARS:
                report.error(
                    name,
                    node,
                    f"nội dung quá lớn khi mở các bí danh (*) (hơn {MAX_EXPANDED_CHARS // 1024 // 1024} MB chữ)",
                    "không dùng neo/bí danh YAML để nhân bản nội dung",
                )
                return False
            if CONTROL_CHARS.search(node.value):
                ch = CONTROL_CHARS.search(node.value).group()  # type: ignore[union-attr]
                report.error(
                    name,
                    node,
                    f"có ký tự điều khiển {control_char_name(ch)} không in được (viết bằng mã thoát \\…)",
                    "hãy xóa ký tự này khỏi nội dung",
                )
                return False
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend(((key, depth + 1), (value, depth + 1)))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, depth + 1) for item in node.value)
    return True


_SYNTAX_MESSAGES = {
    "found character '\\t' that cannot start any token": "có ký tự TAB; YAML chỉ dùng dấu cách để thụt lề",
    "found a tab character": "có ký tự TAB; YAML chỉ dùng dấu cách để thụt lề",
    "mapping values are not allowed": "dấu ':' không đúng chỗ",
    "could not find expected ':'": "thiếu dấu ':' sau tên trường",
    "found undefined alias": "bí danh (*) chưa được định nghĩa",
    "found unexpected end of stream": "tệp kết thúc khi chuỗi hoặc danh sách chưa đóng",
    "expected <block end>, but found '<block mapping start>'": "thụt lề không khớp với dòng trên",
    "expected <block end>, but found '-'": "thụt lề của mục '-' không khớp với danh sách",
    "did not find expected key": "thụt lề không khớp hoặc thiếu dấu ':'",
    "did not find expected '-' indicator": "mục danh sách thiếu dấu '-' hoặc thụt lề sai",
    "found duplicate anchor": "neo (&) bị trùng",
    "found character that cannot start any token": "có ký tự không được đứng đầu một giá trị (như @ hay `)",
    "exceeded maximum nesting depth": "nội dung lồng nhau quá sâu",
    "found unknown escape character": "có mã thoát '\\' không hợp lệ trong chuỗi ngoặc kép",
    "expected alphabetic or numeric character": "neo hoặc bí danh (&, *) thiếu tên",
    "found unexpected ':'": "dấu ':' không đúng chỗ",
    "did not find expected ',' or ']'": "danh sách [...] chưa đóng hoặc thiếu dấu ','",
    "did not find expected ',' or '}'": "bảng {...} chưa đóng hoặc thiếu dấu ','",
    "did not find expected node content": "thiếu giá trị",
    "did not find expected comment or line break": "thừa nội dung sau giá trị trên cùng dòng",
    "block sequence entries are not allowed": "mục danh sách '-' không đúng chỗ",
    "mapping keys are not allowed": "tên trường không đúng chỗ",
    "found unhashable key": "tên trường không hợp lệ",
    "expected a single document": "tệp chỉ được có một văn bản (bỏ dòng '---' thứ hai)",
    "found unexpected document separator": "có dòng '---' không đúng chỗ",
    "found incompatible YAML document": "phiên bản YAML không hỗ trợ",
    "expected <block end>": "thụt lề không khớp với dòng trên",
    "while scanning a simple key": "thiếu dấu ':' sau tên trường",
}


_GLUED = re.compile(r"^(\s*(?:- )?)([A-Za-z_][A-Za-z_0-9]*):(?=\S)(.*)$")


def _glued_key(exc: yaml.MarkedYAMLError, text: str) -> tuple[int, int, str, str] | None:
    """``kind:chỉ thị`` (no space after ':') is one plain string to YAML, and the parser only
    stumbles on the next line. Find such a line above the error and point at it instead."""
    mark = exc.problem_mark
    if mark is None or ("expected ':'" not in (exc.problem or "") and "expected key" not in (exc.problem or "")):
        return None
    lines = text.split("\n")
    for index in range(min(mark.line, len(lines) - 1), max(-1, mark.line - 3), -1):
        match = _GLUED.match(lines[index])
        if match and "://" not in lines[index]:
            indent, key, value = match.groups()
            return (
                index + 1,
                len(indent) + len(key) + 2,
                f"{SYNTAX_ERROR}: thiếu dấu cách sau dấu ':' của trường '{key}'",
                f"viết '{key}: {value.strip()[:40]}'",
            )
    return None


def _syntax_message(exc: yaml.MarkedYAMLError) -> str:
    problem = (exc.problem or "").strip()
    context = (exc.context or "").strip()
    if "\xa0" in problem or "\\xa0" in problem:
        return f"{SYNTAX_ERROR}: có dấu cách không ngắt (U+00A0, thường do dán từ Word hay trang web)"
    if context.startswith("while scanning a quoted scalar") and problem.startswith("found unexpected end of stream"):
        return f"{SYNTAX_ERROR}: dấu ngoặc mở ở đây chưa được đóng"
    for english, vietnamese in _SYNTAX_MESSAGES.items():
        if problem.startswith(english):
            return f"{SYNTAX_ERROR}: {vietnamese}"
    if problem.startswith("found character") and "cannot start any token" in problem:
        return f"{SYNTAX_ERROR}: {_SYNTAX_MESSAGES['found character that cannot start any token']}"
    return SYNTAX_ERROR


def _syntax_hint(exc: yaml.MarkedYAMLError, text: str, line: int) -> str:
    problem = exc.problem or ""
    if "\\t" in problem or "tab character" in problem:
        return "thay mỗi TAB bằng dấu cách"
    if "mapping values" in problem:
        return "nếu nội dung có dấu ':', hãy đặt cả nội dung trong dấu ngoặc kép \"...\""
    if line and 0 < line <= len(text.split("\n")):
        return f"xem dòng {line}: {text.split(chr(10))[line - 1].strip()[:60]!r}"
    return "xem lại thụt lề và dấu ':'"


__all__ = ["MAX_DEPTH", "MAX_FILE_BYTES", "MAX_NODES", "WARNING", "Report", "compose", "position", "read_text"]
