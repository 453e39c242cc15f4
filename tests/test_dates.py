"""The days a clerk types: one declaration of the formats (core.stamp), the same answer on every surface."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from matrix.core.stamp import DATE_FORMATS, read_day
from matrix.input.load import parse_date
from matrix.input.yamlio import Report
from matrix.web.app import _parse_date
from matrix.writers.tracking_sheet import _as_date

from .helpers import run_cli

DAY = dt.date(2025, 12, 27)


@pytest.mark.parametrize("written", [DAY.strftime(fmt) for fmt in DATE_FORMATS] + ["2025-12-27 ", "27/12/2025"])
def test_every_reader_takes_every_declared_format(written):
    node = yaml.compose(f"d: '{written}'").value[0][1]
    assert parse_date(node, "x.yaml", Report(), "ngày") == DAY  # a directive's or a record's date
    assert _parse_date(written) == DAY  # a web form
    assert _as_date(written) == DAY  # a filled-in Theo dõi sheet
    assert read_day(written) == DAY


@pytest.mark.parametrize("written", ["31/02/2025", "2025/12/27", "27.12.2025", "hôm qua"])
def test_a_day_in_no_declared_format_is_refused_alike(written):
    report = Report()
    node = yaml.compose(f"d: '{written}'").value[0][1]
    assert parse_date(node, "x.yaml", report, "ngày") is None and report.has_errors
    assert _parse_date(written) is None


def test_end_refuses_a_day_matrix_cannot_compute_like_every_other_option(folder):
    code, said = run_cli("end", "tiengiang-ubnd-ct-antt-2025", "--ngay", "31/12/9999", "-i", folder)
    assert code == 2 and "nằm ngoài khoảng năm 1900-2100" in said
    assert "ended:" not in (folder / "tiengiang-ubnd-ct-antt-2025.yaml").read_text(encoding="utf-8")
