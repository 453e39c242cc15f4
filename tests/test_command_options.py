"""The two dates a command can be given, each under its own name in every command (``--names-on``: the day the
agencies' names are resolved on; ``--status-on``: the day the status is counted to), the older names kept
(``--as-of``, ``agencies --date``), and the options the command line and the web share declared once."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from matrix.build.pipeline import BuildOptions, plan_build
from matrix.cli import main
from matrix.commands import options as declared
from matrix.input.load import load_corpus

from .helpers import INPUT

CUSTOMS = "Chi cục Hải quan khu vực"  # a successor (from 2025-07-01) of 'Cục Hải quan tỉnh', which the seeds name
LATER = "2026-01-01"


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args, **kw):
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False, **kw)

    return invoke


def test_show_names_on_carries_tasks_to_successors_and_as_of_stays_its_alias(run):
    plain = run("show", CUSTOMS, INPUT)
    named = run("show", CUSTOMS, INPUT, "--names-on", LATER)
    assert named.exit_code == 0 and named.output != plain.output
    assert "(văn bản ghi 'Cục Hải quan tỉnh')" in named.output
    assert run("show", CUSTOMS, INPUT, "--as-of", LATER).output == named.output
    assert run("show", CUSTOMS, INPUT, "--status-on", LATER).exit_code == 2  # no status in this command


def test_show_returns_a_reply_whose_headings_print_in_bold_on_a_terminal(run):
    from matrix.commands.views import show

    reply = show([INPUT], None, print, "Công an tỉnh")
    headings = [text for text, _ in reply.lines if text.startswith("Công an tỉnh")]
    assert len(headings) >= 2 and sorted(reply.strong) == [
        i for i, (text, _) in enumerate(reply.lines) if text in headings
    ]
    plain = run("show", "Công an tỉnh", INPUT).output
    coloured = run("show", "Công an tỉnh", INPUT, color=True).output
    assert plain == "".join(text for text, _ in reply.lines) and "\x1b[" not in plain
    assert coloured.replace("\x1b[1m", "").replace("\x1b[0m", "") == plain
    assert [line for line in coloured.splitlines() if "\x1b[" in line] == [f"\x1b[1m{h[:-1]}\x1b[0m" for h in headings]


def test_export_names_on_and_as_of_alike(run):
    plain = run("export", "-f", "csv", INPUT).output
    named = run("export", "-f", "csv", INPUT, "--names-on", LATER)
    assert named.exit_code == 0 and CUSTOMS in named.output and ",Cục Hải quan tỉnh," not in named.output
    assert ",Cục Hải quan tỉnh," in plain
    assert run("export", "-f", "csv", INPUT, "--as-of", LATER).output == named.output


def test_agencies_names_on_with_date_as_its_alias(run):
    args = ("agencies", "--registry", INPUT / "co-quan.yaml", "--province", "tien-giang")
    every = run(*args).output
    old = run(*args, "--names-on", "2024-01-01")
    assert old.exit_code == 0 and old.output != every
    assert any(line.startswith("tien-giang-so-tttt ") for line in old.output.splitlines())
    assert run(*args, "--date", "2024-01-01").output == old.output
    assert not any(line.startswith("tien-giang-so-tttt ") for line in run(*args, "--names-on", LATER).output)


def test_status_status_on_with_as_of_as_its_alias(run):
    counted = run("status", INPUT, "--status-on", "2025-12-31", "--format", "json")
    assert counted.exit_code == 0 and json.loads(counted.output)["as_of"] == "2025-12-31"
    assert run("status", INPUT, "--as-of", "2025-12-31", "--format", "json").output == counted.output
    assert run("status", INPUT, "--names-on", "2025-12-31").exit_code == 2  # names are not resolved on a day here


@pytest.mark.parametrize(
    ("args", "names", "status"),
    [
        ((), None, None),
        (("--as-of", LATER), dt.date(2026, 1, 1), dt.date(2026, 1, 1)),
        (("--names-on", LATER), dt.date(2026, 1, 1), None),
        (("--status-on", "31/12/2025"), None, dt.date(2025, 12, 31)),
        (("--as-of", LATER, "--status-on", "2025-12-31"), dt.date(2026, 1, 1), dt.date(2025, 12, 31)),
        (("--names-on", "2025-12-31", "--as-of", LATER), dt.date(2025, 12, 31), dt.date(2026, 1, 1)),
    ],
)
def test_build_takes_each_date_apart_and_as_of_for_both(run, monkeypatch, tmp_path, args, names, status):
    seen = []

    def fake_build(paths, registry, options, output, warn, force=False, watch=None):
        from matrix.core.reply import Reply

        seen.append(options)
        return Reply()

    monkeypatch.setattr("matrix.commands.build.build", fake_build)
    assert run("build", INPUT, "-o", tmp_path / "out", *args).exit_code == 0
    (options,) = seen
    assert (options.names_date, options.status_date) == (names, status)


def test_build_plan_reads_each_date_for_its_own_meaning():
    corpus = load_corpus([INPUT]).require()
    day = dt.date(2026, 1, 1)
    names_only = plan_build(corpus, BuildOptions(names_on=day))
    status_only = plan_build(corpus, BuildOptions(status_on=day))
    both = plan_build(corpus, BuildOptions(as_of=day))

    def consolidated_ids(plan):
        return {e.agency.id for e in plan.views[-1][1].entries}

    assert "chi-cuc-hai-quan-khu-vuc" in consolidated_ids(names_only) and names_only.as_of != day
    assert "chi-cuc-hai-quan-khu-vuc" not in consolidated_ids(status_only) and status_only.as_of == day
    assert consolidated_ids(both) == consolidated_ids(names_only) and both.as_of == day


@pytest.mark.parametrize(
    ("command", "flags"),
    [
        ("build", ("--names-on", "--status-on", "--as-of", "--paper", "--pdf", "--expand-groups")),
        ("export", ("--names-on, --as-of", "--expand-groups")),
        ("show", ("--names-on, --as-of", "--expand-groups")),
        ("agencies", ("--names-on, --date",)),
        ("status", ("--status-on, --as-of", "--expand-groups")),
    ],
)
def test_help_names_each_date_option_in_vietnamese(run, command, flags):
    text = " ".join(run(command, "--help").output.split())
    for flag in flags:
        assert flag in text, (command, flag)
    if command in ("build", "status"):
        assert "tình hình thực hiện" in text
    if command != "status":
        assert "kế thừa" in text or "còn tồn tại" in text


def test_the_cli_options_read_the_shared_declarations(run):
    build_help = " ".join(run("build", "--help").output.split())
    assert declared.PDF.help in build_help and declared.STATUS_ON.help.split(" (")[0] in build_help
    assert "--paper [a4|a3] Khổ giấy của bảng Excel. [mặc định: A4]" in build_help
    assert declared.PAPER.choices == ("A4", "A3") and declared.NAMES_ON.dest == "names_on"
    for command in ("export", "show"):
        assert declared.NAMES_ON.help in " ".join(run(command, "--help").output.split()), command
    assert declared.STATUS_ON.help in " ".join(run("status", "--help").output.split())


def test_the_web_forms_read_the_same_declarations(monkeypatch, tmp_path):
    """The build, tracking and agencies pages name their fields and labels from matrix.commands.options."""
    import dataclasses
    import shutil

    from .helpers.web import page_client

    shutil.copytree(INPUT, tmp_path / "input")
    monkeypatch.setattr(declared, "PDF", dataclasses.replace(declared.PDF, field="pdf_thu", label="Nhãn PDF thử"))
    monkeypatch.setattr(
        declared, "STATUS_ON", dataclasses.replace(declared.STATUS_ON, field="ngay_tt", label="Nhãn TT")
    )
    monkeypatch.setattr(
        declared, "NAMES_ON", dataclasses.replace(declared.NAMES_ON, field="ngay_ten", label="Nhãn tên")
    )
    with page_client(tmp_path / "input", tmp_path / "output") as client:
        build_page = client.get("/tao-ket-qua").text
        assert 'name="pdf_thu" value="co"> Nhãn PDF thử' in build_page
        tracking = client.get("/theo-doi", params={"ngay_tt": "31/12/2025"}).text
        assert '<label>Nhãn TT <input type="text" name="ngay_tt" value="31/12/2025"' in tracking
        agencies = client.get("/co-quan", params={"ngay_ten": "01/01/2024"}).text
        assert '<label>Nhãn tên <input type="text" name="ngay_ten" value="01/01/2024"' in agencies


def test_the_web_calendar_is_the_command_s_calendar(monkeypatch, tmp_path):
    """The Theo dõi page's .ics download and `matrix calendar` make the same bytes by the same function."""
    import shutil

    from matrix.commands import export as command

    from .helpers.web import page_client

    shutil.copytree(INPUT, tmp_path / "input")
    made = []
    real = command.calendar_data

    def spy(*args, **kw):
        made.append(real(*args, **kw))
        return made[-1]

    monkeypatch.setattr(command, "calendar_data", spy)
    with page_client(tmp_path / "input", tmp_path / "output") as client:
        response = client.get("/theo-doi/lich.ics")
    assert response.status_code == 200 and len(made) == 1 and made[0].startswith(b"BEGIN:VCALENDAR")
    target = tmp_path / "lich.ics"
    reply = command.calendar([tmp_path / "input"], None, print, target)
    assert reply.code == 0 and len(made) == 2 and target.read_bytes() == made[1]
