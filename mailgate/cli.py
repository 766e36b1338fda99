"""The `mailgate` command. Each subcommand lives in `mailgate/commands/`."""

from __future__ import annotations

import argparse
import io
import logging
import os
import sys
from collections.abc import Sequence
from importlib import metadata

from sqlalchemy.exc import SQLAlchemyError

from mailgate.commands import (
    config_cmd,
    contacts_cmd,
    db_cmd,
    ingest_cmd,
    init_cmd,
    outbox_cmd,
    pending_cmd,
    purge_cmd,
    quarantine_cmd,
    serve_cmd,
    status_cmd,
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
    tick_cmd,
    tickets_cmd,
    outbox_cmd,
    quarantine_cmd,
    pending_cmd,
    contacts_cmd,
    purge_cmd,
    status_cmd,
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
  65  contacts import: the file is not CSV in UTF-8     66  it cannot be read
  69  the database cannot be used
  73  init: a file cannot be written
  75  ingest and quarantine retry: not stored or not done now; the MTA or you may try again
  78  the config file is wrong (the message names the key), or the schema needs `db upgrade`"""


def version() -> str:
    try:
        return metadata.version("mailgate")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mailgate", description="Email-to-ticket daemon for IT service desks.",
        epilog=EXIT_STATUS, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--config", help="config file (default: $MAILGATE_CONFIG, else "
                        "config.toml here, else the embedded default)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail")
    parser.add_argument("--version", action="version", version=f"mailgate {version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMANDS:
        module.register(subparsers)
    for command in subparsers.choices.values():
        # every command's --help says what it does (its line in the list, unless it says more)
        # and what its exit status means
        command.description = command.description or _help_of(subparsers, command.prog)
        command.epilog = command.epilog or EXIT_STATUS
        command.formatter_class = argparse.RawDescriptionHelpFormatter
    return parser


def _help_of(subparsers: argparse._SubParsersAction, prog: str) -> str:
    name = prog.rsplit(" ", 1)[-1]
    for action in subparsers._choices_actions:
        if action.dest == name:
            return str(action.help or "")
    return ""


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for chatty in ("alembic", "mail.log", "apscheduler"):  # a line per SMTP command, per job…
        logging.getLogger(chatty).setLevel(logging.DEBUG if args.verbose else logging.WARNING)
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
