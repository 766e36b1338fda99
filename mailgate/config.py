"""config.toml: loaded with tomllib, validated into typed objects, errors that name the key."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, ValidationInfo, field_validator, model_validator
from sqlalchemy.engine import make_url

from mailgate import tls
from notify.settings import SmtpOut
from notify.template_check import check_templates
from tickets.desk import DeskPolicy, Section
from tickets.durations import Duration, DurationField
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
    # SQLite: how long a write waits for another writer's lock before the door answers "try
    # again later" (SMTP 451, ingest 75) and the pipeline leaves the message for its next pass
    busy_timeout_seconds: float = Field(default=30.0, gt=0, le=3600)

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
    # transport security (README "Transport security"); relative paths are resolved against the
    # config file's folder by Config before these validators read the files
    tls_certificate: str = Field(default="", validate_default=True)
    tls_key: str = Field(default="", validate_default=True)
    require_tls: bool = False
    # relay user name -> the environment variable holding its password
    auth_password_env: dict[str, str] = Field(default_factory=dict)
    require_auth: bool = False
    allow_from: tuple[str, ...] = ()  # client addresses or networks; empty: everyone

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


    @field_validator("tls_certificate")
    @classmethod
    def _certificate(cls, value: str) -> str:
        if value and (problem := tls.certificate_problem(Path(value))):
            raise ValueError(problem)
        return value

    @field_validator("tls_key")
    @classmethod
    def _key(cls, value: str, info: ValidationInfo) -> str:
        certificate = info.data.get("tls_certificate")
        if certificate is None:  # itself wrong, and reported
            return value
        if bool(value) != bool(certificate):
            raise ValueError("set both tls_certificate and tls_key, or neither")
        if value and (problem := tls.key_problem(Path(certificate), Path(value))):
            raise ValueError(problem)
        return value

    @field_validator("require_tls")
    @classmethod
    def _require_tls(cls, value: bool, info: ValidationInfo) -> bool:
        if value and info.data.get("tls_certificate") == "":
            raise ValueError("STARTTLS needs tls_certificate and tls_key")
        return value

    @field_validator("auth_password_env")
    @classmethod
    def _auth(cls, value: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        for user, variable in value.items():
            if not user.strip() or not variable.strip():
                raise ValueError(f"a user name and an environment variable, got {user!r} = "
                                 f"{variable!r}")
        if value and info.data.get("tls_certificate") == "":
            raise ValueError("SMTP AUTH is offered only after STARTTLS, never in clear: set "
                             "tls_certificate and tls_key")
        return value

    @field_validator("require_auth")
    @classmethod
    def _require_auth(cls, value: bool, info: ValidationInfo) -> bool:
        if value and not info.data.get("auth_password_env", {"?": "?"}):
            raise ValueError("no relay account to log in with: set auth_password_env")
        return value

    @field_validator("allow_from")
    @classmethod
    def _allow_from(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        tls.networks(value)
        return value

    @property
    def allowed_networks(self) -> tuple[tls.Network, ...]:
        return tls.networks(self.allow_from)


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


class Http(Section):
    """[http]: Prometheus metrics and /healthz, served by `serve` (off while listen is empty)."""

    listen: str = ""  # host:port, e.g. "127.0.0.1:9310"; "[::1]:9310" for IPv6
    # /healthz fails when a mailbox, the outgoing SMTP server or the pipeline has been
    # failing this long
    unhealthy_after: DurationField = Duration.parse("5m")

    @field_validator("listen", mode="after")
    @classmethod
    def _listen(cls, value: str) -> str:
        if value:
            split_listen(value)
        return value

    @field_validator("unhealthy_after", mode="after")
    @classmethod
    def _clock_time(cls, value: Duration) -> Duration:
        if value.business or value.business_days or not value.seconds:
            raise ValueError("give it in seconds, minutes or hours ('90s', '5m', '1h')")
        return value

    @property
    def address(self) -> tuple[str, int]:
        return split_listen(self.listen)


def split_listen(value: str) -> tuple[str, int]:
    """'host:port' (or '[v6]:port') as (host, port); ValueError saying what is expected."""
    host, colon, port = value.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not colon or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"expected host:port, e.g. '127.0.0.1:9310' (got {value!r})")
    return host, int(port)


class Config(DeskPolicy):
    database: Database = Database()
    smtp_in: SmtpIn = SmtpIn()
    smtp_out: SmtpOut = SmtpOut()
    admin: Admin = Admin()
    http: Http = Http()
    imap: tuple[ImapMailbox, ...] = ()
    retention: Retention = Retention()
    # where the file was read from; relative paths in it are resolved against this folder
    base_dir: Path = Field(default=Path("."), exclude=True)

    @model_validator(mode="before")
    @classmethod
    def _resolve_tls_files(cls, data: Any) -> Any:
        """Certificate, key and CA paths relative to the config file, before they are read."""
        if not isinstance(data, dict):
            return data
        base = Path(data.get("base_dir") or ".")
        resolved = dict(data)
        for section, keys in (("smtp_in", ("tls_certificate", "tls_key")),
                              ("smtp_out", ("ca_file",))):
            if isinstance(table := data.get(section), dict):
                resolved[section] = {
                    **table, **{key: str((base / table[key]).resolve()) for key in keys
                                if isinstance(table.get(key), str) and table[key]},
                }
        return resolved

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
        ] + [(f"smtp_in.auth_password_env.{user}", variable)
             for user, variable in self.smtp_in.auth_password_env.items()]
        return [
            f"{key}: the environment variable {variable} is not set"
            for key, variable in named
            if variable and not os.environ.get(variable)
        ]

    @property
    def accepted_recipients(self) -> tuple[str, ...]:
        return tuple(a.lower() for a in self.smtp_in.accept) or (self.desk.address,)

    def desk_aliases(self) -> tuple[str, ...]:
        return self.accepted_recipients


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
    # a desk's own templates use only what each kind provides (the shipped ones are tested)
    if problems := check_templates(config.templates_dir, known_good=SHIPPED_TEMPLATES):
        raise ConfigError("\n".join(f"{source}: desk.templates: {p}" for p in problems))
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
