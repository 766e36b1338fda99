"""`mailgate check-config`: validate the config file and say what it sets up."""

from __future__ import annotations

import argparse

from mailgate.commands.base import open_config
from mailgate.config import config_path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("check-config", help="validate the config file")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    config = open_config(args)
    print(f"{config_path(args.config)}: OK")
    print(f"  desk       {config.desk.name} <{config.desk.address}>, {config.desk.timezone}")
    print(f"  database   {config.database_url}")
    if config.smtp_in.enabled:
        print(f"  smtp in    {config.smtp_in.host}:{config.smtp_in.port}, "
              f"accepting {', '.join(config.accepted_recipients)}")
    print(f"  smtp out   {config.smtp_out.host}:{config.smtp_out.port}")
    print(f"  templates  {config.templates_dir}")
    for mailbox in config.imap:
        print(f"  imap       {mailbox.username}@{mailbox.host} {mailbox.folder}")
    if config.secret() is None:
        print(f"  WARNING    {config.desk.secret_env} is not set: no signed reply addresses, "
              "and `serve` refuses to start")
    for problem in config.unset_secrets():
        print(f"  ERROR      {problem}")
    return 1 if config.unset_secrets() else 0
