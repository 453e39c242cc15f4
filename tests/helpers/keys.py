"""What a task edit must re-render: the documents of the edited directive and of the consolidated folder that
print the task (shared by the key tests of tests/test_incremental.py and tests/test_keys.py)."""

from __future__ import annotations

from collections.abc import Iterable


def rendered_after_task_edit(
    folder: str, addressed: Iterable[str], holders: Iterable[str], late: Iterable[str]
) -> set[tuple[str, str, str | None]]:
    """(unit, folder, agency) of every document a task edit changes: the directive's workbook and table, its
    letters to ``addressed``, the consolidated workbook, table, status workbook and exports, the consolidated
    extracts of ``holders`` and the reminders of ``late`` (each quoting the task)."""
    return {
        ("workbook", folder, None),
        ("table", folder, None),
        *(("letters", folder, a) for a in addressed),
        ("workbook", "tong-hop", None),
        ("table", "tong-hop", None),
        ("status", "tong-hop", None),
        ("exports", "tong-hop", None),
        *(("extracts", "tong-hop", a) for a in holders),
        *(("reminders", "tong-hop", a) for a in late),
    }
