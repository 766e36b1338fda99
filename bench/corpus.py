"""A synthetic mixed corpus like the one NOTES.md's baselines used: mostly short requests,
some HTML-only, and 10% with a 200 KB attachment."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

WORDS = [
    "printer",
    "projector",
    "login",
    "password",
    "laptop",
    "screen",
    "network",
    "wifi",
    "email",
    "outlook",
    "teams",
    "classroom",
    "lesson",
    "board",
    "sound",
    "keyboard",
    "mouse",
    "license",
    "install",
    "update",
    "error",
    "slow",
    "broken",
]


def _words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def make_corpus(count: int, seed: int = 7) -> list[bytes]:
    rng = random.Random(seed)
    start = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    mails: list[bytes] = []
    for n in range(count):
        message = EmailMessage()
        message["From"] = f"User {n % 97} <user{n % 97}@school{n % 13}.example>"
        message["To"] = "support@desk.example"
        message["Subject"] = f"{_words(rng, 4).capitalize()} ({n})"
        message["Date"] = format_datetime(start + timedelta(seconds=n))
        message["Message-ID"] = f"<bench-{seed}-{n}@school.example>"
        body = "Hello,\n\n" + "\n".join(_words(rng, 12) for _ in range(rng.randint(2, 12)))
        body += "\n\nThanks,\nUser\nTel: 01527 359 999\n"
        if n % 10 == 3:
            html = "<html><body><p>" + body.replace("\n", "<br>") + "</p></body></html>"
            message.set_content(html, subtype="html")
        else:
            message.set_content(body)
            if n % 10 == 0:
                message.add_attachment(
                    rng.randbytes(200 * 1024),
                    maintype="application",
                    subtype="pdf",
                    filename=f"report-{n}.pdf",
                )
        mails.append(message.as_bytes())
    return mails
