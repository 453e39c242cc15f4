"""Due dates from deadline and report phrases (matrix.core.deadlines)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matrix.core.deadlines import lunar_new_year, quarter_end, read_schedule

ISSUED = dt.date(2024, 12, 27)
UNTIL = dt.date(2026, 1, 31)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("trước ngày 15/12/2025", ["2025-12-15"]),
        ("Thời gian hoàn thành trước ngày 31 tháng 12 năm 2025.", ["2025-12-31"]),
        ("trong tháng 11/2025", ["2025-11-30"]),
        ("hoàn thành trong tháng 02 năm 2025", ["2025-02-28"]),
        ("Quý IV/2025", ["2025-12-31"]),
        ("quý I năm 2025", ["2025-03-31"]),
        ("6 tháng đầu năm 2025", ["2025-06-30"]),
        ("định kỳ 6 tháng, năm báo cáo kết quả về UBND tỉnh", ["2025-06-30", "2025-12-31"]),
        ("hằng quý, trước ngày 15 của tháng cuối quý", ["2025-03-15", "2025-06-15", "2025-09-15", "2025-12-15"]),
        ("trước ngày 10/01 hằng năm", ["2026-01-10"]),
        ("định kỳ trước ngày 01/6 và 15/11 hằng năm", ["2025-06-01", "2025-11-15"]),
        ("hằng năm", ["2025-12-31"]),
        ("trước Tết Nguyên đán", ["2025-01-28"]),
        ("trong 30 ngày kể từ ngày ký", ["2025-01-26"]),
        ("TRƯỚC NGÀY 15/12/2025", ["2025-12-15"]),
    ],
)
def test_phrases_become_dates(text, expected):
    schedule = read_schedule(text, ISSUED)
    assert schedule.understood
    assert [d.isoformat() for d in schedule.dates(UNTIL)] == expected


def test_monthly_day_repeats_every_month():
    dates = read_schedule("trước ngày 20 hằng tháng", ISSUED).dates(UNTIL)
    assert [d.month for d in dates] == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 1]
    assert {d.day for d in dates} == {20}


@pytest.mark.parametrize("text", ["báo cáo theo quy định", "thường xuyên", "kịp thời báo cáo", "đột xuất"])
def test_open_ended_phrases_have_no_date_on_purpose(text):
    schedule = read_schedule(text, ISSUED)
    assert schedule.understood and schedule.open_ended and not schedule.has_dates


@pytest.mark.parametrize("text", ["xong sớm", "trước ngày 30/02/2025", "sau khi có ý kiến của Bộ"])
def test_unknown_or_impossible_phrases_are_not_guessed(text):
    schedule = read_schedule(text, ISSUED)
    assert not schedule.understood and not schedule.has_dates


def test_relative_phrases_need_the_directive_date():
    assert not read_schedule("trong 30 ngày kể từ ngày ký", None).understood
    assert not read_schedule("trước Tết Nguyên đán", None).understood


@pytest.mark.parametrize(
    ("year", "day"),
    [(1985, "1985-01-21"), (2007, "2007-02-17"), (2024, "2024-02-10"), (2025, "2025-01-29"), (2026, "2026-02-17")],
)
def test_lunar_new_year_follows_the_vietnamese_calendar(year, day):
    # 1985 and 2007 differ from the Chinese calendar (UTC+8): the seam with vnlunar.
    assert lunar_new_year(year).isoformat() == day


def test_before_tet_after_this_years_tet_is_next_years():
    assert read_schedule("trước Tết Nguyên đán", dt.date(2025, 3, 1)).dates(dt.date(2027, 1, 1)) == (
        dt.date(2026, 2, 16),
    )


dates = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31))
cadences = st.sampled_from(
    [
        "hằng tháng",
        "hằng quý",
        "định kỳ 6 tháng",
        "hằng năm",
        "trước ngày 20 hằng tháng",
        "hằng quý, trước ngày 15 của tháng cuối quý",
        "trước ngày 10/01 hằng năm",
    ]
)


@given(issued=dates, phrase=cadences, years=st.integers(min_value=1, max_value=4))
def test_every_due_date_is_after_the_directive_and_cadences_repeat(issued, phrase, years):
    until = issued + dt.timedelta(days=365 * years)
    due = read_schedule(phrase, issued).dates(until)
    assert all(issued < d <= until for d in due)
    assert list(due) == sorted(set(due))
    gaps = {(b - a).days for a, b in itertools.pairwise(due)}
    period = {"tháng": (28, 31), "quý": (89, 92), "6 tháng": (181, 184), "năm": (365, 366)}
    key = next(k for k in ("6 tháng", "quý", "tháng", "năm") if k in phrase.replace("tháng cuối quý", "quý"))
    low, high = period[key]
    assert all(low <= g <= high for g in gaps), (phrase, due)
    # A period is never skipped: the whole span up to ``until`` is covered.
    if due:
        assert (until - due[-1]).days <= high


@given(year=st.integers(min_value=2000, max_value=2040), quarter=st.integers(min_value=1, max_value=4))
def test_quarters_end_where_they_should(year, quarter):
    end = quarter_end(year, quarter)
    assert end.month == quarter * 3 and (end + dt.timedelta(days=1)).day == 1
    roman = ["I", "II", "III", "IV"][quarter - 1]
    assert read_schedule(f"Quý {roman}/{year}", dt.date(year - 1, 1, 1)).dates(dt.date(year + 1, 1, 1)) == (end,)
