"""config.toml: loaded with tomllib, validated into typed objects, errors that name the key."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator, model_validator
from sqlalchemy.engine import make_url

from notify.settings import SmtpOut
from tickets.desk import DeskPolicy, Section
from tickets.policy import bare_address
from tickets.retention import Retention


def _shipped() -> Path:
    """Where the example config and the templates are: the checkout's top level when run from
    one, else the copy the wheel carries in the package (see setup.py)."""
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / "templates").is_dir():
        return checkout
    return Path(__file__).resolve().parent / "_shipped"


SHIPPED = _shipped()
DEFAULT_CONFIG = SHIPPED / "config.toml"  # the embedded default: every key at its default
SHIPPED_TEMPLATES = SHIPPED / "templates"


class ConfigError(Exception):
    """A config problem, worded for the person who edits the file."""


class Database(Section):
    url: str = "sqlite:///var/mailgate.db"

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        try:
            make_url(value)
        except Exception as exc:
            raise ValueError(f"not a database URL: {exc}") from exc
        return value


MiB = 1024 * 1024
# Attachments are base64 on the wire: 25 MiB of files is about 34 MiB of message.
DEFAULT_MAX_MESSAGE_BYTES = int(25 * MiB * 1.37)


class SmtpIn(Section):
    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = Field(default=2525, ge=0, le=65535)
    max_message_bytes: int = Field(default=DEFAULT_MAX_MESSAGE_BYTES, gt=0)
    accept: tuple[str, ...] = ()  # addresses or domains we serve; empty: the desk address only

    @field_validator("accept", mode="after")
    @classmethod
    def _accept(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for entry in value:
            if (
                not entry.strip("@")
                or entry.endswith("@")  # 'support@': an address without its domain
                or any(c.isspace() or c in "<>,;\"" for c in entry)
            ):
                raise ValueError(f"not an address or a domain: {entry!r}")
            if "@" in entry.strip("@"):
                bare_address(entry)
        return value


class ImapMailbox(Section):
    # the key for its state in the database; default username@host/folder
    name: str = Field(default="", max_length=200)
    host: str
    port: int | None = Field(default=None, ge=1, le=65535)
    security: Literal["tls", "starttls", "none"] = "tls"
    verify_certificates: bool = True
    username: str
    password_env: str = ""
    oauth2_token_command: str = ""
    folder: str = "INBOX"
    after: Literal["move", "flag"] = "move"
    processed_folder: str = "Processed"
    company: str | None = None
    poll_seconds: float = Field(default=60.0, gt=0)
    idle: bool = True
    batch_size: int = Field(default=100, gt=0)
    # Larger mail is not fetched: it stays in the folder and its header is quarantined (README).
    max_message_bytes: int = Field(default=DEFAULT_MAX_MESSAGE_BYTES, gt=0)

    @model_validator(mode="after")
    def _credentials(self) -> ImapMailbox:
        if not self.password_env and not self.oauth2_token_command:
            raise ValueError("set password_env or oauth2_token_command")
        if self.password_env and self.oauth2_token_command:
            raise ValueError("set only one of password_env and oauth2_token_command")
        if self.after == "move" and self.processed_folder == self.folder:
            raise ValueError("processed_folder must differ from folder when after = \"move\"")
        return self

    @model_validator(mode="before")
    @classmethod
    def _default_name(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("name"):
            folder = data.get("folder") or "INBOX"
            return {**data, "name": f"{data.get('username', '')}@{data.get('host', '')}/{folder}"}
        return data

    @property
    def effective_port(self) -> int:
        return self.port or (993 if self.security == "tls" else 143)


class Admin(Section):
    address: str = ""  # where outages (IMAP login failures) are reported

    @field_validator("address", mode="after")
    @classmethod
    def _address(cls, value: str) -> str:
        return bare_address(value) if value else value


class Config(DeskPolicy):
    database: Database = Database()
    smtp_in: SmtpIn = SmtpIn()
    smtp_out: SmtpOut = SmtpOut()
    admin: Admin = Admin()
    imap: tuple[ImapMailbox, ...] = ()
    retention: Retention = Retention()
    # where the file was read from; relative paths in it are resolved against this folder
    base_dir: Path = Field(default=Path("."), exclude=True)

    @model_validator(mode="after")
    def _unique_mailboxes(self) -> Config:
        names = [mailbox.name for mailbox in self.imap]
        if duplicates := sorted({name for name in names if names.count(name) > 1}):
            raise ValueError(f"two [[imap]] mailboxes are named {', '.join(duplicates)}; "
                             "give each a distinct `name`")
        return self

    def company_for_source(self, source: str) -> str | None:
        for mailbox in self.imap:
            if source == f"imap:{mailbox.name}":
                return mailbox.company
        return None

    @property
    def templates_dir(self) -> Path:
        if not self.desk.templates:
            return SHIPPED_TEMPLATES
        return (self.base_dir / self.desk.templates).resolve()

    def missing_templates(self) -> list[str]:
        """Templates the shipped folder has and `desk.templates` lacks (every one is used)."""
        have = {p.name for p in self.templates_dir.glob("*.j2")}
        return sorted(p.name for p in SHIPPED_TEMPLATES.glob("*.j2") if p.name not in have)

    @property
    def database_url(self) -> str:
        url = make_url(self.database.url)
        database = url.database
        if url.get_backend_name() == "sqlite" and database and database != ":memory:":
            path = Path(database)
            if not path.is_absolute():
                return str(url.set(database=str((self.base_dir / path).resolve())))
        return self.database.url

    def unset_secrets(self) -> list[str]:
        """Environment variables the file names for a password that are not set."""
        named = [("smtp_out.password_env", self.smtp_out.password_env)] + [
            (f"imap[{n}].password_env", mailbox.password_env)
            for n, mailbox in enumerate(self.imap)
        ]
        return [
            f"{key}: the environment variable {variable} is not set"
            for key, variable in named
            if variable and not os.environ.get(variable)
        ]

    @property
    def accepted_recipients(self) -> tuple[str, ...]:
        return tuple(a.lower() for a in self.smtp_in.accept) or (self.desk.address,)


def _error_lines(error: ValidationError, source: str) -> str:
    lines = []
    for item in error.errors():
        if not item["loc"]:  # checks across sections: each line of the message names its key
            message = item["msg"].removeprefix("Value error, ")
            lines.extend(f"{source}: {line}" for line in message.splitlines())
            continue
        key = ".".join(str(part) for part in item["loc"])
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            message = "unknown key (misspelt, or in the wrong section?)"
        elif "input" in item and item["type"] != "missing" and repr(item["input"]) not in message:
            message = f"{message} (got {item['input']!r})"
        lines.append(f"{source}: {key}: {message}")
    return "\n".join(lines)


def _valid_zone(name: object) -> bool:
    """Whether `name` is a time zone; a bad one is reported once, as desk.timezone."""
    try:
        ZoneInfo(name)  # type: ignore[arg-type]
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        return False
    return True


def parse_config(data: dict[str, Any], *, source: str = "config", base_dir: Path) -> Config:
    data = dict(data)
    desk = data.get("desk")
    business_hours = data.get("business_hours")
    if (isinstance(desk, dict) and _valid_zone(desk.get("timezone"))
            and isinstance(business_hours, dict | None)):
        data["business_hours"] = {"timezone": desk["timezone"], **(business_hours or {})}
    try:
        config = Config.model_validate({**data, "base_dir": base_dir})
    except ValidationError as exc:
        raise ConfigError(_error_lines(exc, source)) from None
    # checked now, not when the first mail is answered: a missing template would quarantine it
    if not config.templates_dir.is_dir():
        raise ConfigError(
            f"{source}: desk.templates: no folder {config.templates_dir} (a relative path is "
            f"relative to the config file; leave it out for the templates mailgate ships)"
        )
    if missing := config.missing_templates():
        raise ConfigError(
            f"{source}: desk.templates: {config.templates_dir} lacks {', '.join(missing)} "
            f"(copy them from {SHIPPED_TEMPLATES})"
        )
    return config


def config_path(explicit: str | None = None) -> Path:
    """--config, else $MAILGATE_CONFIG, else config.toml here, else the embedded default."""
    chosen = explicit or os.environ.get("MAILGATE_CONFIG")
    if chosen:
        return Path(chosen)
    here = Path("config.toml")
    return here if here.is_file() else DEFAULT_CONFIG


def load_config(explicit: str | None = None) -> Config:
    path = config_path(explicit)
    # Relative paths in a config file are relative to that file; with the embedded default of
    # an installed wheel (none given, none here) they are relative to where mailgate runs,
    # never to the package's folder.
    installed_default = path == DEFAULT_CONFIG and SHIPPED.name == "_shipped"
    base_dir = Path.cwd() if installed_default else path.resolve().parent
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    return parse_config(data, source=str(path), base_dir=base_dir)
