"""Every command's --help, at every level, says what it does and what its exit status means."""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Iterator

from mailgate.cli import build_parser


def _commands(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command in action.choices.values():
                yield command
                yield from _commands(command)


def test_every_command_at_every_level_describes_itself_and_its_exit_status() -> None:
    commands = list(_commands(build_parser()))
    assert len(commands) > 20  # the walk reaches the nested ones (`tickets show`, `db upgrade`…)
    undescribed = [c.prog for c in commands if not (c.description or "").strip()]
    assert undescribed == []
    without_status = [c.prog for c in commands if "exit status:" not in (c.epilog or "")]
    assert without_status == []


def test_a_nested_command_help_as_a_user_reads_it() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "mailgate", "tickets", "show", "--help"],
        capture_output=True, text=True, check=True,
    ).stdout
    assert "one ticket with its messages and history" in out
    assert "78  the config file is wrong" in out


def test_a_wrong_command_line_exits_64_as_the_exit_status_table_says() -> None:
    for argv in (["tickets", "show"], ["nonsense"], ["ingest", "--no-such-flag"]):
        done = subprocess.run([sys.executable, "-m", "mailgate", *argv],
                              capture_output=True, text=True, check=False)
        assert done.returncode == 64, (argv, done.stderr)
        assert "error:" in done.stderr and done.stderr.startswith("usage: mailgate")
