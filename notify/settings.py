"""Outgoing SMTP settings ([smtp_out] in config.toml)."""

from __future__ import annotations

import os

from pydantic import BaseModel, ConfigDict, Field


class SmtpOut(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str = "localhost"
    port: int = Field(default=25, ge=1, le=65535)
    starttls: bool = False
    username: str = ""
    password_env: str = ""  # the name of the environment variable holding the password
    timeout_seconds: float = Field(default=30.0, gt=0)
    max_attempts: int = Field(default=8, ge=1)

    def password(self) -> str:
        return os.environ.get(self.password_env, "") if self.password_env else ""
