"""Due dates from the words of a directive: "trước ngày 15/12/2025", "Quý IV/2025", "hằng quý"...

A directive states time limits and reporting cadences as prose. The tracker
needs dates, so :func:`read_schedule` turns the prose into a :class:`Schedule`:
one-off due dates (a deadline), recurring ones (a report every quarter), or
nothing, with the reason. It never guesses: a phrase it does not know is
reported as not understood, and the text itself is always kept as written.

Dates that depend on the lunar calendar (Tết Nguyên đán) come from
``vnlunar`` (the Vietnamese calendar, UTC+7), not from a typed table.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..core.text import ascii_key

__all__ = ["Schedule", "lunar_new_year", "month_end", "quarter_end", "read_schedule"]

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


@dataclass(frozen=True)
class Schedule:
    """What a deadline or report phrase means in dates.

    ``fixed`` are one-off due dates. ``cadence`` (``"month"``, ``"quarter"``,
    ``"half"``, ``"year"``) is a repeating obligation starting from the
    directive's date ``after``; ``days`` pins it: ``(month, day)`` pairs for
    yearly dates ("trước ngày 01/6 và 15/11 hằng năm"), ``(0, day)`` for a day
    of the period's last month ("trước ngày 15 của tháng cuối quý"); empty
    means the end of each period. ``open_ended`` marks phrases that state no
    date on purpose ("thường xuyên", "theo quy định"); ``understood`` is False
    for phrases this module does not know.
    """

    fixed: tuple[dt.date, ...] = ()
    cadence: str | None = None
    days: tuple[tuple[int, int], ...] = ()
    after: dt.date | None = None
    understood: bool = True
    open_ended: bool = False

    @property
    def has_dates(self) -> bool:
        return bool(self.fixed or self.cadence)

    def dates(self, until: dt.date) -> tuple[dt.date, ...]:
        """Every due date up to ``until`` (inclusive), in order, without repeats.

        A cadence's first due date is the end of the first period the directive
        covers for at least half of it (a directive of 27/12/2024 asking for
        yearly reports is first due at the end of 2025, not four days later);
        an explicit report day at least two weeks after the directive.
        """
        out = {d for d in self.fixed if d <= until}
        if self.cadence:
            out.update(_recurring(self.cadence, self.days, self.after or dt.date(until.year, 1, 1), until))
        return tuple(sorted(out))


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def quarter_end(year: int, quarter: int) -> dt.date:
    return month_end(year, quarter * 3)


def lunar_new_year(year: int) -> dt.date:
    """The first day of Tết Nguyên đán in (solar) ``year``, Vietnamese calendar."""
    from vnlunar import convert_lunar_to_solar

    solar = convert_lunar_to_solar(1, 1, year, 0, 7.0)
    if solar is None:  # pragma: no cover - outside the library's range
        raise ValueError(f"no lunar new year for {year}")
    day, month, y = solar
    return dt.date(y, month, day)


_PERIOD_MONTHS = {"month": 1, "quarter": 3, "half": 6, "year": 12}


def _recurring(cadence: str, days: tuple[tuple[int, int], ...], after: dt.date, until: dt.date) -> Iterator[dt.date]:
    """Due dates of a cadence in force from ``after``, up to ``until``."""
    step = _PERIOD_MONTHS[cadence]
    # Explicit days are report dates of their own ("01/6 và 15/11 hằng năm"): two weeks' notice is
    # enough; period ends need the directive to have covered half the period.
    first = after + dt.timedelta(days=15 if days else step * 30 // 2)
    for year in range(after.year, until.year + 1):
        if cadence == "year" and any(month for month, _ in days):
            candidates = [_safe_date(year, month, day) for month, day in days]
        else:
            ends = range(step, 13, step)
            candidates = (
                [_safe_date(year, end, day) for end in ends for _, day in days]
                if days
                else [month_end(year, end) for end in ends]
            )
        yield from (due for due in sorted(candidates) if first < due <= until)


def _safe_date(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


# ------------------------------------------------------------------- reading the words

_NUM = r"(\d{1,2})"
_YEAR = r"(\d{4})"
# Phrases are matched on the ASCII fold of the text (diacritics and case removed),
# so "Quý IV/2025", "quy iv/2025" and "QUÝ IV năm 2025" read the same.
_DMY = re.compile(rf"\b{_NUM}\s*/\s*{_NUM}\s*/\s*{_YEAR}\b|\bngay {_NUM} thang {_NUM} nam {_YEAR}\b")
_DM_YEARLY = re.compile(
    rf"\b(?:ngay\s+)?{_NUM}\s*/\s*{_NUM}\b(?!\s*/\s*\d)(?=[^.;]*\bhang nam\b)"
    rf"|\bngay {_NUM} thang {_NUM}\b(?! nam \d)(?=[^.;]*\bhang nam\b)"
)
_DAY_MONTHLY = re.compile(rf"\bngay {_NUM}(?: cua)? hang thang\b|\bngay {_NUM} cua thang\b")
_DAY_OF_LAST_MONTH = re.compile(rf"\bngay {_NUM} (?:cua )?thang cuoi (?:moi )?(quy|nam)\b")
_QUARTER = re.compile(rf"\bquy (iv|iii|ii|i|[1-4])\s*(?:/|nam)\s*{_YEAR}\b")
_MONTH = re.compile(rf"\b(?:trong )?thang {_NUM}\s*(?:/|nam)\s*{_YEAR}\b")
_HALF = re.compile(rf"\b(6 thang (?:dau|cuoi)) nam {_YEAR}\b")
_YEAR_ONLY = re.compile(rf"\b(?:trong|cuoi|het) nam {_YEAR}\b|\bnam {_YEAR}\b")
_WITHIN_DAYS = re.compile(
    r"\b(?:trong (?:thoi han|vong)?\s*|cham nhat\s*)?(\d{1,3}) ngay(?: lam viec)? (?:ke tu|sau khi|tu ngay)"
)
_BEFORE_TET = re.compile(r"\btruoc tet nguyen dan\b")
_OPEN = re.compile(r"\b(thuong xuyen|theo quy dinh|kip thoi|khi co yeu cau|dot xuat|lien tuc|khi phat sinh)\b")

_CADENCES = (  # shortest period first
    (re.compile(r"\b(?:hang|moi) thang\b"), "month"),
    (re.compile(r"\b(?:hang|moi|tung) quy\b"), "quarter"),
    (re.compile(r"\b(?:6|sau) thang\b(?! (?:dau|cuoi) nam)"), "half"),
    (re.compile(r"\b(?:hang|moi) nam\b|\bdinh ky nam\b|\bthang, nam\b"), "year"),
)


@functools.lru_cache(maxsize=4096)  # pure, and a schedule is immutable: every assignment of a task shares it
def read_schedule(text: str | None, issued: dt.date | None) -> Schedule:
    """The dates meant by a ``deadline`` or ``report`` phrase of a directive issued on ``issued``.

    A date outside the years matrix computes with ("trước ngày 31/12/9999", "Quý I/99999", "trong 10^9 ngày")
    is not understood (warned about, never followed): the calendars and reports past it could not be counted.
    """
    from ..core.stamp import out_of_range

    try:
        schedule = _read_schedule(text, issued)
    except (ValueError, OverflowError):
        return Schedule(understood=False)
    if any(out_of_range(day) for day in schedule.fixed):
        return Schedule(understood=False)
    return schedule


def _read_schedule(text: str | None, issued: dt.date | None) -> Schedule:
    if not text:
        return Schedule(open_ended=True)
    words = _read_words(text)
    if words is None:
        return Schedule(understood=False)
    fixed, cadence, days, within, before_tet, open_ended = words
    if within is not None:
        if issued is None:
            return Schedule(understood=False)
        fixed = (*fixed, issued + dt.timedelta(days=within))
    if before_tet:
        if issued is None:
            return Schedule(understood=False)
        tet = lunar_new_year(issued.year)
        if tet <= issued:
            tet = lunar_new_year(issued.year + 1)
        fixed = (*fixed, tet - dt.timedelta(days=1))

    if fixed or cadence:
        return Schedule(fixed=tuple(sorted(set(fixed))), cadence=cadence, days=days, after=issued)
    if open_ended:
        return Schedule(open_ended=True)
    return Schedule(understood=False)


_Words = tuple[tuple[dt.date, ...], str | None, tuple[tuple[int, int], ...], int | None, bool, bool]


@functools.lru_cache(maxsize=1024)  # a province's directives share a few phrases, each read once whatever its date
def _read_words(text: str) -> _Words | None:
    """What a phrase says whatever the directive's date: its dates, cadence and days, the days of a "trong N ngày
    kể từ" limit, whether it is "trước Tết Nguyên đán", whether it states no date on purpose; None when it names a
    date that does not exist. (:func:`_read_schedule` adds what depends on the directive's date.)"""
    rest = " ".join(ascii_key(text).split())
    fixed: list[dt.date] = []
    cadence: str | None = None
    days: list[tuple[int, int]] = []

    for match in _DMY.finditer(rest):
        groups = match.groups()
        d, m, y = (int(g) for g in (groups[:3] if groups[0] else groups[3:]))
        date = _valid(y, m, d)
        if date is None:
            return None
        fixed.append(date)
    rest = _DMY.sub(" ", rest)

    for match in _DM_YEARLY.finditer(rest):
        groups = match.groups()
        d, m = (int(g) for g in (groups[:2] if groups[0] else groups[2:]))
        if _valid(2024, m, d) is None:
            return None
        cadence = "year"
        days.append((m, d))
    rest = _DM_YEARLY.sub(" ", rest)
    last_month_day = _DAY_OF_LAST_MONTH.search(rest)
    monthly_day = _DAY_MONTHLY.search(rest)
    if cadence is None and last_month_day:
        cadence = "quarter" if last_month_day.group(2) == "quy" else "year"
        days.append((12 if cadence == "year" else 0, int(last_month_day.group(1))))
    elif cadence is None and monthly_day:
        cadence = "month"
        days.append((0, int(monthly_day.group(1) or monthly_day.group(2))))
    if cadence is None:
        # The shortest period named wins: "6 tháng, năm" reports at each half-year end,
        # which includes the year end.
        cadence = next((c for pattern, c in _CADENCES if pattern.search(rest)), None)

    for match in _QUARTER.finditer(rest):
        q = _ROMAN.get(match.group(1)) or int(match.group(1))
        fixed.append(quarter_end(int(match.group(2)), q))
    for match in _MONTH.finditer(rest):
        month = int(match.group(1))
        if 1 <= month <= 12:
            fixed.append(month_end(int(match.group(2)), month))
    for match in _HALF.finditer(rest):
        year = int(match.group(2))
        fixed.append(dt.date(year, 6, 30) if "dau" in match.group(1) else dt.date(year, 12, 31))
    if not fixed and cadence is None:
        year_only = _YEAR_ONLY.search(rest)
        if year_only:
            fixed.append(dt.date(int(year_only.group(1) or year_only.group(2)), 12, 31))
    within = _WITHIN_DAYS.search(rest)
    return (
        tuple(fixed),
        cadence,
        tuple(days),
        int(within.group(1)) if within else None,
        _BEFORE_TET.search(rest) is not None,
        _OPEN.search(rest) is not None,
    )


def _valid(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None
