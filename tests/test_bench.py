"""`python -m bench`: the table's rows (`bench.report`) and the command itself, run on its
cheapest benchmarks. Nothing here times anything: speed is measured by the bench, not tests."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest

from bench.report import Figure, table

REPO = Path(__file__).resolve().parent.parent


def run_bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bench", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=180)


def row(text: str, name: str) -> list[str]:
    """The cells of the table's row for the figure `name` (columns are two spaces apart)."""
    [line] = [line for line in text.splitlines() if f"  {name}  " in line]
    return re.split(r"\s{2,}", line.strip())


def test_a_higher_is_better_figure_is_compared_by_its_ratio_to_the_baseline() -> None:
    met = Figure("parsing", "rate", 60.0, "msg/s", "mail-parser", 100.0, target=0.5)
    missed = Figure("parsing", "rate", 40.0, "msg/s", "mail-parser", 100.0, target=0.5)

    assert met.ratio == 0.6 and met.compared == 0.6
    assert met.met is True
    assert missed.met is False
    assert met.target_text() == "≥ 0.5×"


def test_a_lower_is_better_figure_is_met_at_or_under_its_target() -> None:
    twice = Figure("memory", "peak", 8.0, "MB", "stdlib", 4.0, target=2.0, lower_is_better=True)
    more = Figure("memory", "peak", 9.0, "MB", "stdlib", 4.0, target=2.0, lower_is_better=True)

    assert twice.ratio == 2.0 and twice.met is True
    assert more.met is False
    assert twice.target_text() == "≤ 2×"


def test_a_figure_without_a_baseline_is_held_to_an_absolute_bound_in_its_unit() -> None:
    fast = Figure("calendar", "a year", 0.2, "ms", target=5.0, lower_is_better=True)
    slow = Figure("calendar", "a year", 7.0, "ms", target=5.0, lower_is_better=True)
    accuracy = Figure("details", "name read right", 97.0, "%", target=98.0)

    assert fast.ratio is None and fast.compared == 0.2
    assert fast.met is True and slow.met is False and accuracy.met is False
    assert fast.target_text() == "≤ 5 ms"
    assert accuracy.target_text() == "≥ 98 %"


def test_a_figure_without_a_target_is_reported_only() -> None:
    reported = Figure("replies", "tag", 90.0, "replies/s")
    zero_baseline = Figure("imap", "drain", 500.0, "msg/s", "raw fetch", 0.0)

    assert reported.met is None and reported.target_text() == ""
    assert zero_baseline.ratio is None  # no division by a baseline of nothing


def test_a_table_shows_every_figure_and_NO_for_a_missed_target() -> None:
    figures = [
        Figure("parsing", "parse_message", 1234.0, "msg/s", "mailparser", 1800.0, target=0.5,
               note="300 mails"),
        Figure("details", "labelled cost", 450.0, "msg/s", "mailparser", 1800.0, target=0.5),
        Figure("calendar", "ten years", 2.25, "ms"),
    ]

    text = table(figures)

    parse, cost, calendar = (row(text, name) for name in
                             ("parse_message", "labelled cost", "ten years"))
    assert parse == ["parsing", "parse_message", "1,234", "msg/s", "mailparser", "1,800",
                     "0.69×", "≥ 0.5×", "yes"]
    assert cost == ["details", "labelled cost", "450", "msg/s", "mailparser", "1,800", "0.25×",
                    "≥ 0.5×", "NO"]
    assert calendar == ["calendar", "ten years", "2.25", "ms"]  # no baseline, target, verdict
    assert "- parsing / parse_message: 300 mails" in text


def test_b_the_command_runs_the_benches_asked_for_prints_the_table_and_writes_json(
    tmp_path: Path,
) -> None:
    out = tmp_path / "results.json"

    done = run_bench("--quick", "--only", "calendar,replies", "--no-postgres", "--json", str(out))

    assert done.returncode == 0, done.stderr[-3000:]
    assert "mode:      quick" in done.stdout
    assert "business seconds over a year" in done.stdout
    assert "replies matched by signed (sqlite)" in done.stdout
    assert "replies on the wrong ticket (sqlite)" in done.stdout
    assert done.stdout.rstrip().endswith(f"{out.name}") and "\nJSON: " in done.stdout
    assert "[1/2] replies" in done.stderr and "[2/2] calendar" in done.stderr  # usual order
    results = json.loads(out.read_text())
    rows = results["figures"]
    assert rows and {row["bench"] for row in rows} == {"calendar", "replies"}
    expected = {f.name for f in fields(Figure)} | {"ratio", "met"}
    assert all(set(row) == expected for row in rows)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO,
                            capture_output=True, text=True).stdout.strip()
    assert results["meta"]["commit"] == (commit or "unknown")
    assert results["meta"]["mode"] == "quick"
    assert results["meta"]["databases"] == ["sqlite"]
    assert set(results["meta"]["durations"]) == {"calendar", "replies"}
    assert results["meta"]["failed"] == {}


def test_c_an_unknown_bench_is_refused_with_the_names_there_are(tmp_path: Path) -> None:
    done = run_bench("--only", "nosuchbench", "--json", str(tmp_path / "results.json"))

    assert done.returncode != 0
    assert "no benchmark named nosuchbench" in done.stderr
    assert "parsing, details, ingest" in done.stderr
    assert not (tmp_path / "results.json").exists()


def test_a_failing_bench_is_one_line_the_others_go_on_and_the_exit_status_is_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import bench.__main__ as command

    def run_bench(name: str, quick: bool, kinds: list[str]) -> list[Figure]:
        if name == "replies":
            raise RuntimeError("the database went away\nand a second line")
        return [Figure(name, "a year", 0.2, "ms", target=5.0, lower_is_better=True)]

    monkeypatch.setattr(command, "run_bench", run_bench)
    monkeypatch.setattr(command, "import_missing", lambda: "`mailgate import` does not exist yet")
    monkeypatch.setenv("MAILGATE_SECRET", "test-secret")
    # the command quiets logging for the whole process; not for the rest of the test session
    monkeypatch.setattr(command.logging, "basicConfig", lambda **_: None)
    monkeypatch.setattr(command.logging, "disable", lambda _: None)
    out = tmp_path / "results.json"

    status = command.main(["--only", "import,calendar,replies", "--no-postgres",
                           "--json", str(out)])

    printed = capsys.readouterr().out
    assert status == 1
    assert "bench replies failed: RuntimeError: the database went away\n" in printed
    assert "second line" not in printed
    assert "import: not run — `mailgate import` does not exist yet" in printed
    assert row(printed, "a year")[0] == "calendar"  # the bench after the failed one ran
    meta = json.loads(out.read_text())["meta"]
    assert meta["failed"] == {"replies": "RuntimeError: the database went away"}
    assert meta["not_run"] == {"import": "`mailgate import` does not exist yet"}


def test_the_import_bench_starts_once_mailgate_help_lists_import() -> None:
    from bench.__main__ import lists_import

    today = ("positional arguments:\n  COMMAND\n    serve          run the daemon\n"
             "    contacts       the contact directory (contacts import FILE)\n")
    assert not lists_import(today)
    assert lists_import(today + "    import         read an mbox into tickets\n")
    assert lists_import("usage: mailgate {serve,import,ingest} ...")


def test_an_mbox_for_the_import_bench_holds_every_mail_written(tmp_path: Path) -> None:
    from bench.__main__ import mbox_read_rate, write_mbox
    from bench.corpus import make_corpus

    mails = make_corpus(4)
    mails.append(b"From: a@b.example\nSubject: quoted\n\nFrom here on it is quoted\n")
    path = tmp_path / "bench.mbox"

    write_mbox(mails, path)

    count, _ = mbox_read_rate(path)
    assert count == 5
    assert b"\n>From here on it is quoted\n" in path.read_bytes()
