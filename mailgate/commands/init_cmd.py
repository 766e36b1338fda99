"""`mailgate init [DIR]`: a commented config and a secret to start a desk from."""

from __future__ import annotations

import argparse
import secrets
from pathlib import Path

from mailgate.commands.base import CommandError
from mailgate.config import DEFAULT_CONFIG

EX_CANTCREAT = 73  # sysexits.h: an output file cannot be created


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "init", help="write a commented config.toml and a secret to start from",
        description="Write DIR/config.toml (every key, commented, at its default: the database "
        "in DIR/var/) and DIR/mailgate.env, which holds a new MAILGATE_SECRET (mode 0600; load "
        "it with systemd's EnvironmentFile= or `set -a; . ./mailgate.env; set +a`). Existing "
        "files are never overwritten.",
    )
    parser.add_argument("dir", nargs="?", default=".", help="where to write them (default: here)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    folder = Path(args.dir)
    config, env = folder / "config.toml", folder / "mailgate.env"
    if existing := [str(p) for p in (config, env) if p.exists()]:
        raise CommandError(f"{', '.join(existing)} already exist; nothing written", EX_CANTCREAT)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        config.write_text(DEFAULT_CONFIG.read_text(encoding="utf-8"), encoding="utf-8")
        env.touch(mode=0o600)
        env.write_text(f"MAILGATE_SECRET={secrets.token_urlsafe(32)}\n", encoding="ascii")
    except OSError as exc:
        raise CommandError(f"cannot write in {folder}: {exc.strerror or exc}",
                           EX_CANTCREAT) from None
    print(f"wrote {config} and {env}")
    print(f"next: set -a; . {env}; set +a; mailgate --config {config} db upgrade; "
          f"mailgate --config {config} serve")
    return 0
