"""Outgoing SMTP settings ([smtp_out] in config.toml)."""

from __future__ import annotations

import ipaddress
import os
import ssl
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

IMPLICIT_TLS_PORT = 465  # RFC 8314 §3.3: submission over TLS from the first byte


class SmtpOut(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str = "localhost"
    port: int | None = Field(default=None, ge=1, le=65535)  # default 25, or 465 with "tls"
    starttls: bool | None = None  # before `security` existed: true is security = "starttls"
    # "tls": implicit TLS (port 465); "starttls": upgrade before anything else is said, and
    # defer the mail when the server does not offer it; "none": plain text, no AUTH possible
    security: Literal["none", "starttls", "tls"] = Field(
        default=None, validate_default=True  # type: ignore[arg-type]  # set from starttls
    )
    verify_certificates: bool = True
    ca_file: str = ""  # PEM file of the CAs to trust instead of the system's
    # a relay on this machine that wants a login but speaks no TLS: the password never leaves it
    plain_auth_on_loopback: bool = False
    username: str = Field(default="", validate_default=True)
    password_env: str = ""  # the name of the environment variable holding the password
    timeout_seconds: float = Field(default=30.0, gt=0)
    max_attempts: int = Field(default=8, ge=1)

    @field_validator("security", mode="before")
    @classmethod
    def _security(cls, value: Any, info: ValidationInfo) -> Any:
        starttls = info.data.get("starttls")
        if value is None:
            return "starttls" if starttls else "none"
        if starttls is not None and starttls != (value == "starttls"):
            raise ValueError(f"contradicts starttls = {str(starttls).lower()} (the older "
                             "spelling): keep only security")
        return value

    @field_validator("ca_file")
    @classmethod
    def _ca_file(cls, value: str) -> str:
        if value:
            try:
                ssl.create_default_context(cafile=value)
            except (OSError, ssl.SSLError) as exc:
                raise ValueError(f"cannot load the CA certificates in {value}: {exc}") from None
        return value

    @field_validator("plain_auth_on_loopback")
    @classmethod
    def _only_on_loopback(cls, value: bool, info: ValidationInfo) -> bool:
        if value and not is_loopback(str(info.data.get("host", ""))):
            raise ValueError(f"only for a server on this machine (localhost, 127.0.0.1, ::1), "
                             f"not {info.data.get('host')!r}")
        return value

    @field_validator("username")
    @classmethod
    def _no_password_in_clear(cls, value: str, info: ValidationInfo) -> str:
        if (value and info.data.get("security") == "none"
                and not info.data.get("plain_auth_on_loopback")):
            raise ValueError("a password is never sent in clear: set security = \"starttls\" "
                             "or \"tls\" (implicit TLS, port 465), or, for a relay on this "
                             "machine only, plain_auth_on_loopback = true")
        return value

    @property
    def auth_in_clear(self) -> bool:
        """A login without TLS: only to a loopback relay the config names as such."""
        return self.security == "none" and self.plain_auth_on_loopback

    @property
    def effective_port(self) -> int:
        return self.port or (IMPLICIT_TLS_PORT if self.security == "tls" else 25)

    def password(self) -> str:
        return os.environ.get(self.password_env, "") if self.password_env else ""


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
