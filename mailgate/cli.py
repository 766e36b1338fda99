"""The `mailgate` command. Each subcommand lives in `mailgate/commands/`."""

from __future__ import annotations

import argparse
import io
import os
import sys
from collections.abc import Sequence
from importlib import metadata
from typing import NoReturn

from sqlalchemy.exc import SQLAlchemyError

from mailgate import logs
from mailgate.commands import (
    config_cmd,
    contacts_cmd,
    db_cmd,
    import_cmd,
    ingest_cmd,
    init_cmd,
    outbox_cmd,
    pending_cmd,
    purge_cmd,
    quarantine_cmd,
    serve_cmd,
    status_cmd,
    templates_cmd,
    tick_cmd,
    tickets_cmd,
)
from mailgate.commands.base import CommandError
from mailgate.config import ConfigError
from mailgate.db import SchemaOutOfDate
from mailgate.errors import one_line

COMMANDS = (
    serve_cmd,
    ingest_cmd,
    import_cmd,
    tick_cmd,
    tickets_cmd,
    outbox_cmd,
    quarantine_cmd,
    pending_cmd,
    contacts_cmd,
    purge_cmd,
    status_cmd,
    templates_cmd,
    db_cmd,
    config_cmd,
    init_cmd,
)

EX_USAGE, EX_UNAVAILABLE, EX_CONFIG = 64, 69, 78

EXIT_STATUS = """exit status:
  0   done
  1   the command's own "no": no such ticket or row, a mailbox failing (status), a
      secret unset (check-config)
  64  usage: the command line is wrong
  65  contacts import: the file is not CSV in UTF-8; import: PATH is neither an mbox file
      nor a Maildir folder; ingest: a message over [intake] max_message_bytes (the MTA
      bounces it; the others are stored)
  66  contacts import, import: the file or folder cannot be read
  69  the database cannot be used
  73  init: a file cannot be written
  75  ingest and quarantine retry: not stored or not done now; the MTA or you may try again;
      import: stopped by Ctrl-C, run it again to go on (what is stored is skipped)
  78  the config file is wrong (the message names the key), or the schema needs `db upgrade`"""


def version() -> str:
    try:
        return metadata.version("mailgate")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


class _Parser(argparse.ArgumentParser):
    """argparse, but a wrong command line exits 64 (EX_USAGE, sysexits.h) as EXIT_STATUS says,
    not argparse's own 2; subcommands' parsers are of this class too."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EX_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="mailgate", description="Email-to-ticket daemon for IT service desks.",
        epilog=EXIT_STATUS, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--config", help="config file (default: $MAILGATE_CONFIG, else "
                        "config.toml here, else the embedded default)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail")
    parser.add_argument("--log-format", choices=logs.LOG_FORMATS, default="auto",
                        help="log lines as JSON, or as text for people; auto (the default): "
                        "text on a terminal, JSON otherwise")
    parser.add_argument("--version", action="version", version=f"mailgate {version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMANDS:
        module.register(subparsers)
    _describe(subparsers)
    return parser


def _describe(subparsers: argparse._SubParsersAction) -> None:
    """Every command's --help, at every level (`tickets show` too), says what it does (its line in
    the list above it, unless it says more) and what its exit status means."""
    helps = {action.dest: str(action.help or "") for action in subparsers._choices_actions}
    for name, command in subparsers.choices.items():
        command.description = command.description or helps.get(name, "")
        command.epilog = command.epilog or EXIT_STATUS
        command.formatter_class = argparse.RawDescriptionHelpFormatter
        for nested in command._subparsers._group_actions if command._subparsers else ():
            if isinstance(nested, argparse._SubParsersAction):
                _describe(nested)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logs.setup(args.log_format, verbose=args.verbose)
    try:
        return int(args.handler(args) or 0)
    except ConfigError as exc:
        print(f"mailgate: bad config:\n{exc}", file=sys.stderr)
        return getattr(args, "config_error_exit", EX_CONFIG)
    except SchemaOutOfDate as exc:
        print(f"mailgate: {exc}", file=sys.stderr)
        return getattr(args, "config_error_exit", EX_CONFIG)
    except SQLAlchemyError as exc:
        print(f"mailgate: the database cannot be used: {one_line(exc)}", file=sys.stderr)
        return getattr(args, "database_error_exit", EX_UNAVAILABLE)
    except CommandError as exc:
        print(f"mailgate: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `mailgate tickets list | head`: the reader had enough
        _silence_stdout()
        return 141  # as a shell reports a process ended by SIGPIPE


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's final flush does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        pass


if __name__ == "__main__":
    sys.exit(main())
