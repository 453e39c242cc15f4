"""Due dates as an iCalendar file (RFC 5545) for Outlook, Google Calendar and Thunderbird.

One all-day event per due date (and agency, when one is asked for), the tasks
due that day in its description, a reminder some days before. UIDs are derived
from the content's identity (directive, date, agency), not from the build, so
importing the file again updates the events instead of duplicating them. A writer that takes the pivoted
model and returns bytes (``matrix calendar`` loads and writes the file in :mod:`matrix.commands.export`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable

from icalendar import Alarm, Calendar, Event

from ..core import stamp
from ..core.pivot import Entry, Matrix
from ..core.text import shorten
from ..tracking.records import TRACKED_ROLES, schedules

REMINDER_DAYS = 3
PRODID = "-//matrix//Theo doi nhiem vu//VI"


def default_end(today: dt.date | None = None) -> dt.date:
    """How far a calendar goes when no date is asked for: the end of next year."""
    return dt.date((today or stamp.today()).year + 1, 12, 31)


def due_events(
    matrix: Matrix, until: dt.date, agency_ids: Iterable[str] | None = None
) -> dict[tuple[dt.date, str], list[tuple[Entry, str]]]:
    """(due date, directive id) -> the tracked entries due that day, with what is due ("hạn"/"báo cáo")."""
    wanted = set(agency_ids) if agency_ids is not None else None
    out: dict[tuple[dt.date, str], list[tuple[Entry, str]]] = defaultdict(list)
    for entry in matrix.entries:
        if entry.role not in TRACKED_ROLES or (
            wanted is not None and entry.agency.id not in wanted and not (entry.via and entry.via.id in wanted)
        ):
            continue
        deadline, report = schedules(entry.row)
        for day in deadline.dates(max(until, *deadline.fixed) if deadline.fixed else until):
            out[(day, entry.row.directive.id)].append((entry, "hạn hoàn thành"))
        for day in report.dates(until):
            out[(day, entry.row.directive.id)].append((entry, "hạn báo cáo"))
    return dict(sorted(out.items()))


def write_calendar(
    matrix: Matrix, until: dt.date, agency_ids: Iterable[str] | None = None, stamp: dt.datetime | None = None
) -> bytes:
    """The .ics bytes for every due date up to ``until``."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "Theo dõi nhiệm vụ (matrix)")
    stamp = stamp or dt.datetime.now(dt.UTC).replace(microsecond=0)
    directives = {d.id: d for d in matrix.directives}
    for (day, directive_id), items in due_events(matrix, until, agency_ids).items():
        directive = directives[directive_id]
        heading = directive.label
        agencies = sorted({e.agency.short for e, _ in items})
        event = Event()
        event.add("uid", _uid(directive_id, day, agency_ids))
        event.add("dtstamp", stamp)
        event.add("dtstart", day)
        event.add("dtend", day + dt.timedelta(days=1))
        event.add("summary", f"Hạn: {heading} — {', '.join(agencies[:3])}{' …' if len(agencies) > 3 else ''}")
        lines = [f"{heading}: {shorten(directive.title, 120)}", ""]
        seen = set()
        for entry, what in items:
            key = (entry.row.task.id, entry.agency.id, what)
            if key in seen:
                continue
            seen.add(key)
            lines.append(
                f"- Mục {entry.row.task.id} ({entry.role.value}, {entry.agency.name}), {what}: "
                f"{shorten(entry.row.task.text, 160)}"
            )
        event.add("description", "\n".join(lines))
        event.add("categories", ["Theo dõi nhiệm vụ"])
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"Sắp đến hạn: {heading}")
        alarm.add("trigger", dt.timedelta(days=-REMINDER_DAYS))
        event.add_component(alarm)
        cal.add_component(event)
    data: bytes = cal.to_ical()
    return data


def _uid(directive_id: str, day: dt.date, agency_ids: Iterable[str] | None) -> str:
    scope = ",".join(sorted(agency_ids)) if agency_ids is not None else "*"
    digest = hashlib.sha1(f"{directive_id}|{day.isoformat()}|{scope}".encode()).hexdigest()[:16]
    return f"{digest}@matrix"
