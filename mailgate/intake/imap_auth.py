"""IMAP credentials: a password from the environment, or an OAuth2 token printed by a command."""

from __future__ import annotations

import ast
import contextlib
import os
import subprocess

from imapclient import IMAPClient
from imapclient.exceptions import LoginError

from mailgate.config import ImapMailbox

TOKEN_COMMAND_TIMEOUT = 60.0


class AuthFailure(Exception):
    """The server refused our credentials, or we could not obtain them."""


def server_text(exc: BaseException) -> str:
    """What the server said, without the b'…' that imaplib's bytes leave around it."""
    text = str(exc)
    if len(text) > 2 and text[0] == "b" and text[1] in "'\"" and text[-1] == text[1]:
        with contextlib.suppress(ValueError, SyntaxError):
            return ast.literal_eval(text).decode("utf-8", "replace")
    return text


def password_for(mailbox: ImapMailbox) -> str:
    password = os.environ.get(mailbox.password_env)
    if not password:
        raise AuthFailure(f"environment variable {mailbox.password_env} is not set or empty")
    return password


def oauth2_token(mailbox: ImapMailbox) -> str:
    """Run `oauth2_token_command` (through the shell, as mutt's refresh command is) for a token."""
    try:
        done = subprocess.run(
            mailbox.oauth2_token_command,
            shell=True,
            capture_output=True,
            timeout=TOKEN_COMMAND_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise AuthFailure(
            f"oauth2_token_command did not finish within {TOKEN_COMMAND_TIMEOUT:.0f} s"
        ) from None
    except OSError as exc:
        raise AuthFailure(f"oauth2_token_command could not run: {exc}") from None
    if done.returncode != 0:
        detail = done.stderr.decode(errors="replace").strip()[-500:]
        raise AuthFailure(f"oauth2_token_command exited {done.returncode}: {detail}")
    token = done.stdout.decode(errors="replace").strip()
    if not token:
        raise AuthFailure("oauth2_token_command printed no token")
    return token


def authenticate(client: IMAPClient, mailbox: ImapMailbox) -> None:
    """LOGIN, or AUTHENTICATE XOAUTH2 with a fresh token (raises AuthFailure when refused)."""
    if mailbox.oauth2_token_command:
        try:
            client.oauth2_login(mailbox.username, oauth2_token(mailbox))
        except LoginError:
            # The token may have expired between printing and use: ask for a new one, once.
            try:
                client.oauth2_login(mailbox.username, oauth2_token(mailbox))
            except LoginError as exc:
                raise AuthFailure(
                    f"XOAUTH2 refused for {mailbox.username}: {server_text(exc)}"
                ) from None
        return
    try:
        client.login(mailbox.username, password_for(mailbox))
    except LoginError as exc:
        raise AuthFailure(f"login refused for {mailbox.username}: {server_text(exc)}") from None
