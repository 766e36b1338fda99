"""Where log lines go and how they look: JSON lines for a journal or a log shipper, one readable
line per event on a terminal.

Events that matter to the people running the desk (a message received, processed, quarantined;
a mail sent, bounced, failed) carry their facts as fields (`extra=`): `event`, `inbound_id`,
`message_id`, `reference`, `outbox_id`, … Never a mail body or a secret at INFO.
"""

from __future__ import annotations

import logging
import sys
from typing import IO, Literal

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

LogFormat = Literal["json", "text", "auto"]
LOG_FORMATS: tuple[LogFormat, ...] = ("auto", "json", "text")
# a line per SMTP command, per job, per migration step unless asked for detail
CHATTY = ("alembic", "mail.log")
_STANDARD = frozenset((*RESERVED_ATTRS, "taskName", "color_message"))


class TextFormatter(logging.Formatter):
    """The message, then the event's fields as key=value, so a person reads one line.
    (python-json-logger formats only JSON; this is the standard Formatter plus the fields.)"""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = " ".join(
            f"{key}={value}" for key, value in record.__dict__.items()
            if key not in _STANDARD and not key.startswith("_") and value not in ("", None)
        )
        if not fields:
            return line
        head, newline, trace = line.partition("\n")  # fields stay on the message's line
        return f"{head}  [{fields}]{newline}{trace}"


def json_formatter() -> logging.Formatter:
    return JsonFormatter(
        "%(levelname)s %(name)s %(message)s",
        rename_fields={"levelname": "level", "name": "logger"},
        timestamp="time",  # UTC, ISO 8601
        json_ensure_ascii=False,
    )


def setup(log_format: LogFormat = "auto", verbose: bool = False,
          stream: IO[str] | None = None) -> None:
    """Send every log line to `stream` (stderr): JSON unless it is a terminal, or as asked.
    As logging.basicConfig, it leaves alone a logging someone set up before (a test runner)."""
    for chatty in CHATTY:
        logging.getLogger(chatty).setLevel(logging.DEBUG if verbose else logging.WARNING)
    root = logging.getLogger()
    if root.handlers:
        return
    stream = stream or sys.stderr
    if log_format == "auto":
        log_format = "text" if _is_terminal(stream) else "json"
    handler = logging.StreamHandler(stream)
    handler.setFormatter(json_formatter() if log_format == "json" else TextFormatter())
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or odd stream: a file, then
        return False
