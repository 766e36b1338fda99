"""`mailgate serve`: run the daemon until SIGTERM or Ctrl-C."""

from __future__ import annotations

import argparse
import logging
import signal
import threading

from mailgate.clock import utcnow
from mailgate.commands.base import CommandError, open_config, open_database, require_secret
from mailgate.config import config_path
from mailgate.previews import require_renderable

log = logging.getLogger("mailgate")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("serve", help="run the daemon")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    # imported here so that `ingest`, run once per message by an MTA, starts without the
    # listener and scheduler packages
    from mailgate.daemon import Daemon
    from mailgate.http_server import ListenError

    config = open_config(args)
    require_secret(config)
    require_renderable(config, str(config_path(args.config)), utcnow())
    if unset := config.unset_secrets():
        raise CommandError("; ".join(unset), 78)  # EX_CONFIG
    engine = open_database(config)
    daemon = Daemon(config, engine)
    try:
        daemon.start()
    except ListenError as exc:  # nothing else started yet
        raise CommandError(str(exc)) from None
    except OSError as exc:
        raise CommandError(
            f"cannot listen on {config.smtp_in.host}:{config.smtp_in.port}: {exc.strerror or exc}"
        ) from None
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    log.info("mailgate serving %s; stop with Ctrl-C", config.desk.address)
    stop.wait()
    log.info("stopping")
    daemon.stop()
    return 0
