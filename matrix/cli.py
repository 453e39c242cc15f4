"""The `matrix` command: thin click wrappers over the library.

Heavy libraries (openpyxl, python-docx) are imported inside the commands
that need them, so `matrix --help` stays fast.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from . import __version__
from .clickvi import install as _install_vietnamese
from .commands import options as declared
from .core.errors import MatrixError

if TYPE_CHECKING:
    from .build.pipeline import BuildProgress
    from .core.reply import Reply

_install_vietnamese()

EXIT_INTERNAL = 3
DEFAULT_INPUT = Path("input")


def _utf8_streams() -> None:
    """Write UTF-8 whatever the console's code page (cp1252/cp1258 on an office PC would crash on 'ệ')."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if reconfigure is not None and encoding != "utf8":
            try:
                reconfigure(encoding="utf-8", errors="replace")
            except (ValueError, OSError):  # pragma: no cover - a stream that cannot change
                pass


def _silence_stdout() -> None:
    """Point stdout at the null device: what could not be written is not retried at exit (with an English error)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # CliRunner's stdout has no file descriptor
        pass


class _Group(click.Group):
    """Turns every library error into a Vietnamese message and an exit code, never a traceback."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        _utf8_streams()
        return super().main(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MatrixError as exc:
            click.echo(exc.message, err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except BrokenPipeError:  # `matrix export | head`: the reader left, nothing to report
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            ctx.exit(0)
        except KeyboardInterrupt:
            click.echo("Đã dừng theo yêu cầu.", err=True)
            ctx.exit(130)
        except OSError as exc:  # `matrix export > /dev/full`, a file that cannot be written
            from .core.errors import EXIT_OUTPUT, os_message

            _silence_stdout()
            where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
            click.echo(f"Không ghi được kết quả: {os_message(exc)}{where}.", err=True)
            ctx.exit(EXIT_OUTPUT)
        except Exception as exc:
            if os.environ.get("MATRIX_DEBUG"):
                raise
            click.echo(
                f"Lỗi nội bộ của matrix ({type(exc).__name__}: {exc}). "
                "Hãy báo lại cho nhóm phát triển; đặt biến MATRIX_DEBUG=1 để xem chi tiết.",
                err=True,
            )
            ctx.exit(EXIT_INTERNAL)


CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class _Day(click.DateTime):
    """A day typed as YYYY-MM-DD or dd/mm/yyyy, refused outside the years matrix computes with (1900-2100)."""

    def __init__(self) -> None:
        from .core.stamp import DATE_FORMATS

        super().__init__(formats=list(DATE_FORMATS))

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from .core.stamp import out_of_range

        day = super().convert(value, param, ctx)
        reason = out_of_range(day)
        if reason is not None:
            self.fail(f"{reason} (hãy kiểm tra năm, ví dụ 31/12/2025)", param, ctx)
        return day


DAY = _Day()

paths_argument = click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
registry_option = click.option(
    "--registry",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Tệp danh mục cơ quan (mặc định: co-quan.yaml trong thư mục đầu vào).",
)


def input_folder_option(help: str) -> Callable[[Any], Any]:
    """``-i/--input``: the input folder (default ``input/``), passed to the command as ``input_dir``."""
    return click.option(
        "-i",
        "--input",
        "input_dir",
        type=click.Path(path_type=Path, file_okay=False),
        default=DEFAULT_INPUT,
        show_default=True,
        help=help,
    )


def output_folder_option(dest: str) -> Callable[[Any], Any]:
    """``-o/--output``: the output folder (default ``output/``), passed to the command as ``dest``."""
    return click.option(
        "-o",
        "--output",
        dest,
        type=click.Path(path_type=Path, file_okay=False),
        default=Path("output"),
        show_default=True,
        help="Thư mục kết quả.",
    )


def declared_option(
    what: declared.Declaration, *aliases: str, help: str | None = None, **kwargs: Any
) -> Callable[[Any], Any]:
    """The click option of a shared declaration (:mod:`matrix.commands.options`): its flag, then ``aliases``
    (the older names kept), its help text (or ``help``), default, choices; a date when it has a metavar ``NGÀY``,
    a flag when it has neither default nor metavar."""
    if what.choices:
        kwargs.update(type=click.Choice(list(what.choices), case_sensitive=False), show_default=True)
    elif what.metavar == "NGÀY":
        kwargs.update(type=DAY, metavar=what.metavar)
    elif what.default is None:
        kwargs.update(is_flag=True)
    if what.default is not None:
        kwargs.update(default=what.default)
    return click.option(what.flag, *aliases, what.dest, help=help or what.help, **kwargs)


expand_option = declared_option(declared.EXPAND_GROUPS)


def _day(value: Any) -> Any:
    """The date of a day option (click gives a datetime), None when not given."""
    return value.date() if value is not None else None


@click.group(name="matrix", cls=_Group, context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", prog_name="matrix")
def main() -> None:
    """matrix: lập bảng phân công nhiệm vụ và thư giao nhiệm vụ từ chỉ thị, công văn.

    \b
    Các bước thường dùng:
      matrix validate            kiểm tra các tệp trong input/
      matrix build               tạo bảng Excel, thư Word, CSV/JSON trong output/
      matrix show "Công an tỉnh" xem nhiệm vụ của một cơ quan
    """


def _inputs(paths: Iterable[Path]) -> list[Path]:
    return list(paths) or [DEFAULT_INPUT]


@contextlib.contextmanager
def _progress_line() -> Iterator[Callable[[BuildProgress], None] | None]:
    """On a terminal, one line on stderr rewritten as a build goes ("Đang ghi 120/13.500 tài liệu: ..."), cleared
    at the end; nothing when stderr is not a terminal (a log, a pipe, the tests)."""
    stream = sys.stderr
    if not stream.isatty():
        yield None
        return
    import shutil
    import time

    width = shutil.get_terminal_size().columns - 1
    last = [0.0]

    def show(step: BuildProgress) -> None:
        now = time.monotonic()
        if now - last[0] < 0.1 and step.done < step.total:
            return
        last[0] = now
        line = f"Đang ghi {step.done:,}/{step.total:,} tài liệu: {step.current}".replace(",", ".")
        stream.write("\r\x1b[K" + line[:width])
        stream.flush()

    try:
        yield show
    finally:
        stream.write("\r\x1b[K")
        stream.flush()


def _warn(text: str) -> None:
    click.echo(text, err=True)


def _say(reply: Reply) -> None:
    """Print a :class:`~matrix.core.reply.Reply` (its headings in bold on a terminal) and exit with its code when
    it is not 0."""
    for index, (text, to_stderr) in enumerate(reply.lines):
        if index in reply.strong:
            click.secho(text.removesuffix("\n"), err=to_stderr, nl=text.endswith("\n"), bold=True)
        else:
            click.echo(text, err=to_stderr, nl=False)
    if reply.code:
        sys.exit(reply.code)


@main.command()
@paths_argument
@registry_option
@click.option("--strict", is_flag=True, help="Coi cảnh báo là lỗi.")
def validate(paths: tuple[Path, ...], registry: Path | None, strict: bool) -> None:
    """Kiểm tra danh mục cơ quan và các tệp văn bản; báo mọi lỗi cùng lúc.

    PATHS là tệp .yaml hoặc thư mục (mặc định: input/).
    """
    from .commands.views import validation

    _say(validation(_inputs(paths), registry, strict))


@main.command()
@paths_argument
@registry_option
@expand_option
@output_folder_option("output")
@declared_option(declared.PAPER)
@click.option(
    "--templates",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="Thư mục mẫu thư (.docx) dùng thay mẫu mặc định.",
)
@declared_option(declared.PDF)
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Số tiến trình chạy song song (mặc định: số lõi CPU).")
@declared_option(
    declared.NAMES_ON,
    help="Bảng tổng hợp chuyển nhiệm vụ của cơ quan không còn tồn tại vào ngày này sang cơ quan kế thừa. "
    + declared.DATE_HINT,
)
@declared_option(declared.STATUS_ON)
@declared_option(declared.AS_OF_BUILD)
@click.option("--force", is_flag=True, help="Ghi đè cả tệp kết quả đã được sửa tay sau lần tạo trước.")
def build(
    paths: tuple[Path, ...],
    registry: Path | None,
    expand_groups: bool,
    output: Path,
    paper: str,
    templates: Path | None,
    pdf: bool,
    jobs: int | None,
    names_on: Any = None,
    status_on: Any = None,
    as_of: Any = None,
    force: bool = False,
) -> None:
    """Tạo mọi kết quả: bảng Excel, thư giao nhiệm vụ, bảng phân công, CSV và JSON.

    \b
    Ví dụ:
      matrix build                      # input/ -> output/
      matrix build --expand-groups --paper A3 --pdf
    """
    from .commands.build import BuildOptions
    from .commands.build import build as run_build

    options = BuildOptions(
        expand_groups=expand_groups,
        paper=paper.upper(),
        templates=templates,
        pdf=pdf,
        jobs=jobs,
        names_on=_day(names_on),
        status_on=_day(status_on),
        as_of=_day(as_of),
    )
    with _progress_line() as watch:
        reply = run_build(_inputs(paths), registry, options, output, _warn, force, watch)
    _say(reply)


@main.command()
@paths_argument
@registry_option
@expand_option
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["json", "csv"]),
    default="json",
    show_default=True,
    help="Định dạng xuất.",
)
@declared_option(declared.NAMES_ON, "--as-of")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Ghi ra tệp (.csv có BOM cho Excel, .xlsx, .json) thay vì màn hình.",
)
@click.option(
    "--sep",
    type=click.Choice([",", ";", "tab"]),
    default=",",
    show_default=True,
    help="Dấu phân cách CSV (';' cho Excel dùng dấu phẩy thập phân kiểu Việt Nam).",
)
@click.option("--force", is_flag=True, help="Cho phép ghi đè tệp đầu vào.")
@click.option(
    "--keep-unknown",
    is_flag=True,
    help="Vẫn xuất khi còn tên cơ quan chưa có trong danh mục: giữ nguyên tên như đã viết.",
)
def export(
    paths: tuple[Path, ...],
    registry: Path | None,
    expand_groups: bool,
    fmt: str,
    names_on: Any = None,
    output: Path | None = None,
    sep: str = ",",
    force: bool = False,
    keep_unknown: bool = False,
) -> None:
    """Xuất phân công ra màn hình (stdout) dạng JSON hoặc CSV cho hệ thống khác.

    Tên cơ quan chưa có trong danh mục được báo từng tên (tệp:dòng:cột) và không
    xuất gì (mã thoát 1); thêm --keep-unknown để vẫn xuất, giữ nguyên tên như đã viết
    (bản nháp chưa rà soát xong).
    """
    from .commands.export import export as run_export

    _say(
        run_export(
            _inputs(paths), registry, _warn, fmt, output, sep, expand_groups, _day(names_on), force, keep_unknown
        )
    )


@main.command()
@click.argument("source", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@registry_option
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Tệp YAML kết quả (mặc định: in ra màn hình); mã văn bản lấy theo tên tệp này.",
)
@click.option("--force", is_flag=True, help="Ghi đè tệp -o nếu đã có.")
def draft(source: Path, registry: Path | None, output: Path | None, force: bool) -> None:
    """Lập bản nháp YAML từ văn bản .txt, .docx hoặc .pdf để cán bộ rà soát.

    Chỗ cần xem lại có ghi chú '# kiểm tra: ...'. Tên cơ quan chưa có trong danh mục
    được giữ nguyên và đánh dấu.

    \b
    Ví dụ:
      matrix draft chi-thi.pdf -o input/chi-thi.yaml
      matrix validate input/chi-thi.yaml
    """
    from .commands.views import drafted

    _say(drafted(source, registry, output, force))


@main.command()
@registry_option
@click.option(
    "--province", help="Chỉ hiện cơ quan chung và cơ quan của tỉnh này (mã hoặc tên tỉnh, ví dụ 'Đồng Tháp')."
)
@declared_option(declared.NAMES_ON, "--date", help="Chỉ hiện cơ quan còn tồn tại vào ngày này. " + declared.DATE_HINT)
def agencies(registry: Path | None, province: str | None, names_on: Any) -> None:
    """Liệt kê danh mục cơ quan: mã, tên, khối, đề nghị hay giao, thời gian tồn tại, cơ quan kế thừa, tên gọi khác.

    \b
    Ví dụ:  matrix agencies --province "Đồng Tháp" --names-on 2026-01-01
    """
    from .commands.views import agencies as run_agencies

    _say(run_agencies(DEFAULT_INPUT, registry, province, _day(names_on)))


@main.command()
@click.argument("agency")
@paths_argument
@registry_option
@expand_option
@declared_option(declared.NAMES_ON, "--as-of")
def show(agency: str, paths: tuple[Path, ...], registry: Path | None, expand_groups: bool, names_on: Any) -> None:
    """Xem các nhiệm vụ của một cơ quan trên mọi văn bản (nhận mọi tên gọi khác).

    \b
    Ví dụ:  matrix show "Đảng ủy Công an tỉnh"
            matrix show "Sở Khoa học và Công nghệ" --names-on 2026-01-01
    """
    from .commands.views import show as run_show

    _say(run_show(_inputs(paths), registry, _warn, agency, expand_groups, _day(names_on)))


# --------------------------------------------------------------------------- theo dõi, đôn đốc


@main.command()
@paths_argument
@registry_option
@expand_option
@declared_option(declared.STATUS_ON, "--as-of")
@click.option("--agency", help="Chỉ một cơ quan (nhận mọi tên gọi khác).")
@click.option("--directive", "directive_id", help="Chỉ một văn bản (mã văn bản).")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Dạng in ra: bảng chữ hoặc JSON cho hệ thống khác.",
)
def status(
    paths: tuple[Path, ...],
    registry: Path | None,
    expand_groups: bool,
    status_on: Any,
    agency: str | None,
    directive_id: str | None,
    fmt: str,
) -> None:
    """Tình hình thực hiện: số nhiệm vụ đúng hạn, quá hạn của từng cơ quan, và các việc quá hạn.

    \b
    Ví dụ:  matrix status --status-on 2025-12-31
            matrix status --agency "Công an tỉnh" --format json
    """
    from .commands.status import status as run_status

    _say(run_status(_inputs(paths), registry, _warn, _day(status_on), expand_groups, agency, directive_id, fmt))


@main.command()
@click.argument("agency")
@click.argument("directive_id", metavar="VĂN_BẢN")
@click.argument("task", required=False, metavar="[MỤC]")
@click.option(
    "--ngay",
    "day",
    required=True,
    type=DAY,
    help="Ngày của báo cáo (YYYY-MM-DD hoặc dd/mm/yyyy).",
)
@click.option("--so", "number", help='Số, ký hiệu của báo cáo, ví dụ "123/BC-CAT".')
@click.option("--xong", "done", is_flag=True, help="Nhiệm vụ đã hoàn thành.")
@click.option("--ghi-chu", "note", help="Ghi chú.")
@input_folder_option("Thư mục đầu vào.")
@registry_option
def report(
    agency: str,
    directive_id: str,
    task: str | None,
    day: Any,
    number: str | None,
    done: bool,
    note: str | None,
    input_dir: Path,
    registry: Path | None,
) -> None:
    """Ghi nhận báo cáo của một cơ quan về một văn bản (một mục, hoặc mọi mục của cơ quan).

    \b
    Ví dụ:  matrix report "Công an tỉnh" tiengiang-ubnd-ct-antt-2025 7 --ngay 28/06/2025 --so "123/BC-CAT"
            matrix report "Công an tỉnh" tiengiang-ubnd-ct-antt-2025 --ngay 20/12/2025 --xong
    """
    from .commands.status import report as run_report

    _say(run_report(input_dir, registry, _warn, agency, directive_id, task, day.date(), number, done, note))


@main.command(name="end")
@click.argument("directive_id", metavar="VĂN_BẢN")
@click.option(
    "--ngay",
    "day",
    type=DAY,
    help="Ngày văn bản hết thực hiện (mặc định hôm nay).",
)
@input_folder_option("Thư mục đầu vào.")
@registry_option
def end(directive_id: str, day: Any, input_dir: Path, registry: Path | None) -> None:
    """Đánh dấu một văn bản đã kết thúc: nhiệm vụ chưa xong thôi theo dõi, đôn đốc.

    \b
    Ví dụ:  matrix end ubnd-ct-cao-diem-tet-giap-thin-2024 --ngay 29/02/2024
    """
    from .commands.status import end as run_end

    _say(run_end(input_dir, registry, _warn, directive_id, _day(day)))


@main.command(name="calendar")
@paths_argument
@registry_option
@expand_option
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("lich.ics"),
    show_default=True,
    help="Tệp lịch .ics (mở bằng Outlook, Google Calendar, Thunderbird).",
)
@click.option("--agency", help="Chỉ hạn của một cơ quan (nhận mọi tên gọi khác).")
@click.option(
    "--until",
    "until",
    type=DAY,
    help="Lập lịch đến ngày này (mặc định: hết năm sau).",
)
@click.option("--force", is_flag=True, help="Ghi đè tệp lịch đã có.")
def calendar_command(
    paths: tuple[Path, ...],
    registry: Path | None,
    expand_groups: bool,
    output: Path,
    agency: str | None,
    until: Any,
    force: bool,
) -> None:
    """Ghi các hạn hoàn thành và hạn báo cáo thành tệp lịch (iCalendar .ics), có nhắc trước 3 ngày.

    \b
    Ví dụ:  matrix calendar -o lich.ics --agency "Công an tỉnh"
    """
    from .commands.export import calendar

    _say(calendar(_inputs(paths), registry, _warn, output, expand_groups, agency, _day(until), force))


@main.command(name="import")
@click.argument("workbook", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@input_folder_option("Thư mục đầu vào (sổ theo dõi nằm trong theo-doi/ của thư mục này).")
@registry_option
@click.option("-n", "--dry-run", is_flag=True, help="Chỉ xem các thay đổi, không ghi.")
def import_command(workbook: Path, input_dir: Path, registry: Path | None, dry_run: bool) -> None:
    """Đọc trang "Theo dõi" của bảng Excel đã điền (ngày, số báo cáo, tình trạng) và ghi vào sổ theo dõi.

    \b
    Ví dụ:  matrix import output/tiengiang-ubnd-ct-antt-2025/ma-tran.xlsx
    Dòng không ứng với nhiệm vụ nào, hoặc nhiệm vụ đã đổi nội dung, được báo và bỏ qua.
    """
    from .commands.status import import_records

    _say(import_records(input_dir, registry, _warn, workbook, dry_run))


@main.group()
def registry() -> None:
    """Danh mục cơ quan (co-quan.yaml): tạo mới cho một tỉnh, thành phố."""


@registry.command("init")
@click.argument("province")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=DEFAULT_INPUT / "co-quan.yaml",
    show_default=True,
    help="Tệp danh mục cần tạo.",
)
@click.option("--force", is_flag=True, help="Ghi đè tệp đã có.")
def registry_init(province: str, output: Path, force: bool) -> None:
    """Tạo co-quan.yaml cho một trong 34 tỉnh, thành phố (tên hoặc mã, có dấu hoặc không).

    Tệp gồm các sở, khối nội chính, cơ quan Trung ương, Mặt trận, cơ quan Đảng, các xã,
    phường, đặc khu của tỉnh và các nhóm, theo danh mục chuẩn sau sắp xếp năm 2025.

    \b
    Ví dụ:  matrix registry init "Đồng Tháp"
            matrix registry init "tp ho chi minh" -o input/co-quan.yaml --force
    """
    from .commands.views import registry_init as run_registry_init

    _say(run_registry_init(province, output, force))


@main.command()
@input_folder_option("Thư mục đầu vào (văn bản, danh mục cơ quan, sổ theo dõi).")
@output_folder_option("output_dir")
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True, help="Cổng của máy chủ.")
@click.option("--host", help="Địa chỉ nghe (mặc định 127.0.0.1: chỉ máy này). Khi mở cho máy khác phải có mật khẩu.")
@click.option(
    "--password",
    envvar="MATRIX_PASSWORD",
    help="Mật khẩu đăng nhập (bắt buộc với --host; bỏ trống thì tạo ngẫu nhiên).",
)
@click.option("--open", "open_browser", is_flag=True, help="Mở trình duyệt khi máy chủ sẵn sàng.")
def serve(
    input_dir: Path, output_dir: Path, port: int, host: str | None, password: str | None, open_browser: bool
) -> None:
    """Mở giao diện web trên máy này: thêm văn bản, tra cơ quan, xem ma trận, theo dõi, tạo kết quả.

    \b
    Ví dụ:  matrix serve --open
            matrix serve --host 0.0.0.0 --password "mật-khẩu"   # cho máy khác trong cơ quan
    """
    import secrets

    from .core.errors import InputError, Problem
    from .input.load import REGISTRY_FILE, open_registry

    if not (input_dir / REGISTRY_FILE).is_file():
        raise InputError(
            [
                Problem(
                    str(input_dir / REGISTRY_FILE),
                    0,
                    0,
                    "không tìm thấy danh mục cơ quan",
                    "chọn thư mục đầu vào có co-quan.yaml bằng tùy chọn -i",
                )
            ]
        )
    open_registry([input_dir], input_dir / REGISTRY_FILE)  # a broken registry is said now, not on the first page
    if host is not None and not password:
        password = secrets.token_urlsafe(12)
        click.echo(f"Mật khẩu đăng nhập (tạo ngẫu nhiên): {password}")
    bind = host or "127.0.0.1"
    url = f"http://{'127.0.0.1' if bind in ('0.0.0.0', '::') else bind}:{port}/"
    from .web.server import run

    click.echo(f"matrix đang chạy tại {url} (bấm Ctrl+C để dừng).")
    run(input_dir, output_dir, bind, port, password or None, url if open_browser else None)
