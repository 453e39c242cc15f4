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
