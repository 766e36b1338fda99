"""Issue 12: header injection, HTML and attachment names are handled for every template and
every door. Every template is rendered with hostile values everywhere (CR/LF, a Bcc line, HTML)
and composed; then a hostile mail goes through SMTP, `ingest` and IMAP, and the acknowledgement
that comes out is checked as the customer's mail client would see it."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any, ClassVar

import pytest
from jinja2 import meta
from sqlmodel import select

from notify.compose import Outgoing, compose, tagged_subject
from notify.render import environment as template_environment
from notify.render import render
from notify.template_vars import KINDS as DECLARED
from tests.conftest import REPO
from tests.support.harness import DESK, Harness, wait_until
from tests.support.imap_box import Mailbox
from tickets.models import StoredAttachment

pytestmark = pytest.mark.faults

TEMPLATES = REPO / "templates"
KINDS = sorted({p.name.split(".")[0] for p in TEMPLATES.glob("*.j2")})
EVIL = "Printer\r\nBcc: victim@evil.example\r\n\r\n<script>alert(1)</script><b onclick=x>"
# what a value becomes in the HTML part: escaped, so shown as text
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b onclick=x&gt;"


class Hostile(str):
    """Any value a template reads: the hostile text, with any attribute, item or call of it
    hostile too, and a one-item list when looped over."""

    # looked up in a dict by the templates
    _REAL: ClassVar[dict[str, list[str]]] = {"missing_details": ["name", "phone"]}

    def __new__(cls) -> Hostile:
        return super().__new__(cls, EVIL)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self._REAL.get(name, Hostile())

    def __iter__(self) -> Any:  # type: ignore[override]
        return iter([Hostile()])

    def __call__(self, *args: object, **kwargs: object) -> Hostile:
        return Hostile()

    def __getitem__(self, key: object) -> Hostile:  # type: ignore[override]
        return Hostile()


def _hostile_context(kind: str) -> dict[str, Any]:
    environment = template_environment(str(TEMPLATES))
    names: set[str] = set(DECLARED[kind].variables)  # the renderer wants every declared one
    for suffix in ("txt", "html"):
        source = (TEMPLATES / f"{kind}.{suffix}.j2").read_text(encoding="utf-8")
        names |= meta.find_undeclared_variables(environment.parse(source))
    return {name: Hostile() for name in names}


def _parsed(raw: bytes) -> EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[return-value]


def test_every_template_has_both_parts() -> None:
    assert len(KINDS) >= 18
    for kind in KINDS:
        assert (TEMPLATES / f"{kind}.txt.j2").exists() and (TEMPLATES / f"{kind}.html.j2").exists()


@pytest.mark.parametrize("kind", KINDS)
def test_every_template_escapes_html_and_composes_one_line_headers(kind: str) -> None:
    text, html = render(TEMPLATES, kind, _hostile_context(kind))
    assert "<script" not in html and "<b onclick" not in html
    assert ESCAPED in html  # the hostile value did reach the page, as text
    assert EVIL in text  # text/plain shows it as it is: no markup to run there
    # the subject as the handlers build it, and as it is given raw, and a hostile desk name
    for subject in (tagged_subject("INC0000001", EVIL, "INC"), EVIL):
        raw = compose(Outgoing(
            from_name=EVIL, from_addr=DESK, to=["jane@school.example"], subject=subject,
            text=text, html=html, now=datetime(2026, 11, 23, 9, tzinfo=UTC),
            domain="desk.example", thread_topic=subject, thread_index="AQ==",
        ), "id@desk.example")
        message = _parsed(raw)
        assert message["Bcc"] is None
        assert [k for k in message if k.lower() == "subject"] == ["Subject"]
        assert "\n" not in str(message["Subject"]) and "Bcc:" in str(message["Subject"])
        # nothing cut the header block short: the headers after the subject are still headers
        assert message["Message-ID"] == "<id@desk.example>" and message["Auto-Submitted"]
        body = message.get_body(preferencelist=("html",))
        assert body is not None and ESCAPED in body.get_content()


def _hostile_mail(message_id: str) -> bytes:
    """Encoded words carry CR/LF and markup past any transport check (written by hand: the
    email package refuses to build such a mail, which is the point)."""
    return (
        b'From: "=?utf-8?q?Jane=0D=0ABcc=3A_victim=40evil=2Eexample_=3Cb=3E?=" '
        b"<jane@school.example>\n"
        b"To: " + DESK.encode() + b"\n"
        b"Subject: =?utf-8?q?Printer=0D=0ABcc=3A_victim=40evil=2Eexample=0D=0A=0D=0A"
        b"=3Cscript=3Ealert(1)=3C/script=3E?=\n"
        b"Message-ID: " + message_id.encode() + b"\n"
        b"Date: Mon, 23 Nov 2026 09:00:00 +0000\n"
        b"MIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="b1"\n\n'
        b"--b1\nContent-Type: text/plain; charset=utf-8\n\n"
        b"Hello,\n\n<script>alert(2)</script> the printer is jammed.\n\nJane\n"
        b"--b1\nContent-Type: application/octet-stream\n"
        b'Content-Disposition: attachment; filename="<img src=x onerror=alert(3)>/../../evil.exe"\n'
        b"Content-Transfer-Encoding: base64\n\nTVogbm90IHJlYWxseQ==\n--b1--\n"
    )


def _check_acknowledgement(harness: Harness) -> None:
    [ack] = harness.wait_sink(1)
    assert ack.rcpt_tos == ["jane@school.example"]  # nobody the sender named in a header
    message = _parsed(ack.raw)
    assert message["Bcc"] is None and message["Cc"] is None
    subject = str(message["Subject"])
    assert "\n" not in subject and subject.startswith("[INC0000001] Printer Bcc:")
    html = message.get_body(preferencelist=("html",))
    assert html is not None
    assert "<script" not in html.get_content() and "&lt;script&gt;" in html.get_content()
    [ticket] = harness.tickets()
    assert "\n" not in ticket.subject and "\n" not in ticket.requester_name
    with harness.session() as session:
        names = [a.filename for a in session.exec(select(StoredAttachment)).all()]
    assert len(names) == 1 and "/" not in names[0] and "<" not in names[0]
    assert names[0].endswith("evil.exe")
    print(f"acknowledgements {len(harness.sink.messages)}, tickets 1, file {names[0]!r}")


def test_a_hostile_mail_through_smtp(harness: Harness) -> None:
    with harness.daemon():
        assert harness.send(_hostile_mail("<h1@school.example>"),
                            mail_from="jane@school.example") == {}
        _check_acknowledgement(harness)


def test_a_hostile_mail_through_ingest(harness: Harness, tmp_path: Path) -> None:
    path = tmp_path / "hostile.eml"
    path.write_bytes(_hostile_mail("<h2@school.example>"))
    assert harness.cli("ingest", str(path)).code == 0
    with harness.daemon():  # the daemon's outbox delivers what ingest queued
        _check_acknowledgement(harness)


def test_a_hostile_mail_through_imap(box: Mailbox) -> None:
    box.configure(idle=False, poll_seconds=0.2)
    harness = box.harness
    with harness.daemon():
        box.append(_hostile_mail("<h3@school.example>"))
        wait_until(lambda: harness.tickets(), what="a ticket from the IMAP mailbox")
        _check_acknowledgement(harness)
