"""The date a build stamps on the documents it writes (their properties, never their text)."""

from __future__ import annotations

import datetime as dt
import os


def build_date() -> dt.datetime:
    """``SOURCE_DATE_EPOCH`` when set (reproducible builds, golden tests), else now; UTC, naive."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).replace(tzinfo=None)
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
