"""Checks before a command writes a file the user named: an input file is never overwritten by accident."""

from __future__ import annotations

import stat
from pathlib import Path

from ..core.errors import EXIT_INPUT, MatrixError

INPUT_SUFFIXES = (".yaml", ".yml")
REGISTRY_FILE = "co-quan.yaml"


class OverwriteRefused(MatrixError):
    """The target of ``-o`` is an input file (a directive, the registry): refused without ``--force``."""

    exit_code = EXIT_INPUT


def is_input_file(path: Path) -> bool:
    """A directive or registry file (.yaml), or any file in a folder holding the registry (an input folder)."""
    return path.suffix.lower() in INPUT_SUFFIXES or (path.parent / REGISTRY_FILE).is_file()


def check_overwrite(target: Path, force: bool = False) -> None:
    """Refuse to write ``target`` when it is a folder or a device, or an existing input file without ``force``."""
    try:
        mode = target.stat().st_mode
    except OSError:
        return  # nothing there yet (or unreachable: the write itself will say why)
    if stat.S_ISDIR(mode):
        raise OverwriteRefused(f"'{target}' là một thư mục; hãy ghi rõ tên tệp kết quả.")
    if not stat.S_ISREG(mode):
        return  # /dev/stdout and the like: writing there is what the user asked for
    if is_input_file(target) and not force:
        raise OverwriteRefused(
            f"'{target}' đã có và là tệp đầu vào (văn bản, danh mục cơ quan); matrix không ghi đè "
            "tệp đầu vào. Hãy chọn tên tệp khác, hoặc thêm --force nếu thật sự muốn ghi đè."
        )


def check_output_folder(out_dir: Path, inputs: list[Path]) -> None:
    """A build's output folder must not be an input folder (or hold one): its files would be mixed with results."""
    try:
        out = out_dir.resolve()
    except (OSError, RuntimeError) as exc:  # a link loop: RuntimeError before Python 3.13, ELOOP after
        from ..core.errors import OutputError, os_message

        reason = os_message(exc) if isinstance(exc, OSError) else "đường dẫn có liên kết vòng"
        raise OutputError(f"Không ghi được vào thư mục kết quả '{out_dir}': {reason}.") from None
    for given in inputs:
        folder = given if given.is_dir() else given.parent
        try:
            folder = folder.resolve()
        except OSError:
            continue
        if out == folder or out in folder.parents or (out / REGISTRY_FILE).is_file():
            raise OverwriteRefused(
                f"thư mục kết quả '{out_dir}' trùng với thư mục đầu vào hoặc chứa nó; hãy chọn thư mục khác bằng -o."
            )
