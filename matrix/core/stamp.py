"""The build's clock: the date stamped in the documents' properties, and the day the build takes as today.

Both follow ``SOURCE_DATE_EPOCH`` when it is set (reproducible builds, golden tests), so the same inputs
give the same files on any day."""

from __future__ import annotations

import datetime as dt
import os


def _epoch() -> dt.datetime | None:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return dt.datetime.fromtimestamp(int(epoch), dt.UTC).replace(tzinfo=None) if epoch.isdigit() else None


def build_date() -> dt.datetime:
    """``SOURCE_DATE_EPOCH`` when set (reproducible builds, golden tests), else now; UTC, naive."""
    return _epoch() or dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def today() -> dt.date:
    """The day of ``SOURCE_DATE_EPOCH`` when set, else today's local date: what "đến ngày" reports count to and
    which bodies an undated directive addresses."""
    epoch = _epoch()
    return epoch.date() if epoch is not None else dt.date.today()


# The days matrix computes with: deadlines, report periods and lunar dates are read a year or more past the day
# asked for, and Python's dates end in 9999. A date typed outside these years is refused where it is typed.
FIRST_YEAR, LAST_YEAR = 1900, 2100


def out_of_range(day: dt.date) -> str | None:
    """Why ``day`` cannot be used (in Vietnamese), or None when it lies in :data:`FIRST_YEAR`-:data:`LAST_YEAR`."""
    if FIRST_YEAR <= day.year <= LAST_YEAR:
        return None
    return f"ngày {day:%d/%m/%Y} nằm ngoài khoảng năm {FIRST_YEAR}-{LAST_YEAR} mà matrix tính được"


#: The ways a day may be written wherever matrix reads one (options, web forms, the YAML files, records);
#: the first is the one matrix writes.
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
#: A filled-in "Theo dõi" sheet also brings the days as Excel or the clerk's locale typed them.
SHEET_DATE_FORMATS = (*DATE_FORMATS, "%d-%m-%Y", "%d.%m.%Y")


def read_day(raw: str, formats: tuple[str, ...] = DATE_FORMATS) -> dt.date | None:
    """The day ``raw`` is written as, in one of ``formats``; None when it is none (or names no real day)."""
    raw = raw.strip()
    for fmt in formats:
        try:
            return dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    return None
