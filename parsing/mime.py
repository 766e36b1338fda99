"""Turn raw RFC 5322 bytes into a ParsedMessage. Never raises for bad mail: problems are defects.

mail-parser (4.8) walks the standard library's part tree, but re-encodes every attachment to
base64 (two more copies of a 25 MB file), decodes text with declared → UTF-8 only, replaces raw
8-bit header bytes with U+FFFD and hides the tree. We need the tree itself (to link inline images,
keep forwarded mail as .eml, unpack winmail.dat, decode big bodies straight from the raw bytes and
detect charsets), so this module walks the same compat32 tree mail-parser builds, directly.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import re
from dataclasses import replace
from datetime import UTC, datetime
from email.errors import MessageError
from email.message import Message
from email.utils import parsedate_to_datetime

from parsing.attachments import default_filename, make_attachment, unique_names
from parsing.automation import classify_automation
from parsing.charsets import decode_text
from parsing.fingerprint import message_id_of
from parsing.headers import decode_header_value, parse_addresses, parse_message_ids
from parsing.htmltext import html_to_text
from parsing.large import TOKEN_PREFIX, Lifted, LiftedElsewhere, lift_large_bodies
from parsing.message import Address, Attachment, ParsedMessage
from parsing.repair import repair_headers
from parsing.reply import split_reply
from parsing.reports import failed_recipients, first_message_id
from parsing.tnef import is_tnef, unpack_tnef
from parsing.uuencode import extract_uuencoded

DEFAULT_MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_DEPTH = 40  # nesting deeper than any mail client writes; deeper parts are not read
MAX_PARTS = 2000  # parts read per message; the rest is reported, never silently dropped
MAX_TEXT_CHARS = 2_000_000  # body text kept per message
_NAME_HEADERS = ("content-type", "content-disposition")
_CID_LINK = re.compile(r"""cid:([^"'\s>)]+)""", re.IGNORECASE)


class _Walk:
    """Collects bodies and attachments from one message's part tree."""

    def __init__(self, raw: bytes, lifted: dict[str, Lifted], max_bytes: int) -> None:
        self.raw = raw
        self.lifted = lifted
        self.max_bytes = max_bytes
        self.plain: list[str] = []
        self.html: list[str] = []
        self.attachments: list[Attachment] = []
        self.defects: list[str] = []
        self.parts = 0
        self.forwarded: list[Message] = []
        # a delivery report: who failed, and the Message-IDs of the mail it returns
        self.failed_recipients: list[str] = []
        self.returned_ids: list[str] = []
        self.first_charset: str | None = None
        self.charset_hint: str | None = None  # the top-level charset, for raw 8-bit file names

    def defect(self, text: str) -> None:
        if text not in self.defects:
            self.defects.append(text)

    # --- the tree ------------------------------------------------------------------------------
    def walk(self, part: Message, depth: int = 0, in_attachment: bool = False) -> None:
        self.parts += 1
        if self.parts > MAX_PARTS:
            if self.parts == MAX_PARTS + 1:
                self.defect(f"more than {MAX_PARTS} MIME parts: the rest were not read")
            return
        if depth > MAX_DEPTH:
            self.defect(f"MIME nesting deeper than {MAX_DEPTH} levels: inner parts not read")
            return
        for defect in part.defects:
            self.defect(type(defect).__name__)
        content_type = part.get_content_type()
        if content_type == "message/rfc822":
            self._forwarded(part)
            return
        if content_type in ("message/delivery-status", "message/global-delivery-status"):
            self.failed_recipients.extend(failed_recipients(part))
            return
        if part.is_multipart():
            children = part.get_payload()
            if content_type == "multipart/encrypted":
                in_attachment = True  # RFC 1847 §2.2: the parts are protocol data, not text
            for child in children if isinstance(children, list) else []:
                if isinstance(child, Message):
                    self.walk(child, depth + 1, in_attachment)
            return
        self._leaf(part, content_type, in_attachment)

    def _leaf(self, part: Message, content_type: str, in_attachment: bool) -> None:
        disposition = (part.get_content_disposition() or "").lower()
        filename = _filename(part, self.charset_hint)
        content_id = str(part.get("content-id", "")).strip().strip("<>").strip()
        is_text_body = (
            content_type in ("text/plain", "text/html")
            and not in_attachment
            and disposition != "attachment"
            and not filename
        )
        data = self._payload(part)
        if content_type == "text/rfc822-headers":  # a report's returned header (RFC 6522 §1)
            self.returned_ids.append(message_id_of(data))
        if is_text_body:
            self._body_text(part, content_type, data)
            return
        if is_tnef(content_type, filename) and self._tnef(data):
            return
        self.attachments.append(
            make_attachment(
                data,
                filename=filename or default_filename(content_type),
                content_type=content_type,
                max_bytes=self.max_bytes,
                content_id=content_id,
                inline=disposition == "inline" and bool(content_id),
            )
        )

    def _payload(self, part: Message) -> bytes:
        body = _undecoded(part)
        if self.lifted and isinstance(body, str) and TOKEN_PREFIX in body:
            found = self.lifted.get(body.strip())
            cte = str(part.get("content-transfer-encoding", "")).strip().lower()
            if found is None or cte != "base64":
                raise LiftedElsewhere(body[:40])
            try:
                return found.decode(self.raw)
            except ValueError as exc:  # binascii.Error
                self.defect(f"bad base64 body: {exc}")
                return b""
        try:
            data = part.get_payload(decode=True)
        except (MessageError, ValueError, LookupError) as exc:
            self.defect(f"undecodable part body: {type(exc).__name__}")
            data = None
        if data is None:
            text = _undecoded(part)
            return text.encode("utf-8", "surrogateescape") if isinstance(text, str) else b""
        return data

    def _body_text(self, part: Message, content_type: str, data: bytes) -> None:
        charset = part.get_content_charset()
        self.first_charset = self.first_charset or charset
        decoded = decode_text(data, charset)
        if decoded.note:
            self.defect(f"charset: {content_type} part: {decoded.note}")
        text = decoded.text.replace("\r\n", "\n").replace("\x00", "")
        if content_type == "text/plain":
            text, files = extract_uuencoded(text)
            for name, payload in files:
                self.attachments.append(
                    make_attachment(payload, filename=name, content_type=_guess_type(name),
                                    max_bytes=self.max_bytes)
                )
        (self.html if content_type == "text/html" else self.plain).append(text)

    def _forwarded(self, part: Message) -> None:
        """A forwarded message (RFC 2046 §5.2.1) is kept whole, as a .eml file."""
        inner = part.get_payload()
        message = inner[0] if isinstance(inner, list) and inner else None
        if not isinstance(message, Message):
            self._leaf(part, "application/octet-stream", True)
            return
        try:
            data = message.as_bytes(policy=email.policy.compat32.clone(linesep="\r\n"))
        except Exception as exc:  # a generator error on a broken inner message
            self.defect(f"forwarded message not re-serialisable: {type(exc).__name__}")
            data = str(_undecoded(message)).encode("utf-8", "surrogateescape")
        self.forwarded.append(message)
        self.returned_ids.append(first_message_id(str(message.get("message-id", ""))))
        subject = decode_header_value(str(message.get("subject", ""))) or "forwarded message"
        self.attachments.append(
            make_attachment(
                data,
                filename=_filename(part, self.charset_hint) or f"{subject[:120]}.eml",
                content_type="message/rfc822",
                max_bytes=self.max_bytes,
            )
        )

    def _tnef(self, data: bytes) -> bool:
        try:
            content = unpack_tnef(data)
        except ValueError as exc:
            self.defect(f"winmail.dat kept as it is: {exc}")
            return False
        for name, payload in content.files:
            self.attachments.append(
                make_attachment(
                    payload,
                    filename=name,
                    content_type=_guess_type(name),
                    max_bytes=self.max_bytes,
                )
            )
        if content.text.strip():
            self.plain.append(content.text)
        elif content.html.strip():
            self.html.append(content.html)
        return True


def _undecoded(part: Message) -> object:
    """The payload as stored. compat32's get_payload() re-decodes 8-bit text with the part's
    charset parameter and raises on a malformed one ('x\\x00y'); the stored value is what we
    want anyway."""
    try:
        return part.get_payload()
    except (ValueError, LookupError):
        return part._payload  # the stdlib offers no other way to it


def _guess_type(filename: str) -> str:
    import mimetypes

    return mimetypes.guess_type(filename, strict=False)[0] or "application/octet-stream"


def _filename(part: Message, charset_hint: str | None = None) -> str:
    """The part's file name: RFC 2231 parameters (continuations, charsets) or RFC 2047 words.

    Raw 8-bit names (common from Outlook) are decoded before the parameters are split, since
    compat32 would hand them over with every non-ASCII byte replaced by U+FFFD.
    """
    raw = [(k, v) for k, v in part.raw_items() if k.lower() in _NAME_HEADERS]
    if any(not str(v).isascii() for _, v in raw):
        part = Message()
        for key, value in raw:
            part[key] = decode_header_value(str(value), charset_hint)
    for header, param in (("content-disposition", "filename"), ("content-type", "name")):
        try:
            value = part.get_param(param, header=header)
        except (LookupError, ValueError, TypeError):
            continue
        if isinstance(value, tuple):  # RFC 2231 §4: (charset, language, %-decoded latin-1)
            charset, _, text = value
            data = str(text).encode("latin-1", "replace")
            return decode_text(data, str(charset or "") or None).text.strip()
        if value:
            return decode_header_value(email.utils.unquote(str(value)), charset_hint)
    return ""


def _date(value: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def _sender(*candidates: tuple[Address, ...]) -> Address:
    """The author: the first From address that has an addr-spec (spam and broken clients send
    garbage or '<>' first), else Sender, Reply-To, Return-Path, keeping the From display name."""
    from_ = candidates[0]
    name = next((a.name for a in from_ if a.name), "")
    for group in candidates:
        for address in group:
            if address.email:
                return Address(address.name or name, address.email)
    return Address(name, "")


def _link_inline(attachments: list[Attachment], html: str) -> list[Attachment]:
    """Images the HTML shows (cid: links, RFC 2392) are inline, whatever their disposition."""
    linked = {m.lower() for m in _CID_LINK.findall(html)}
    return [
        replace(a, inline=True) if a.content_id and a.content_id.lower() in linked else a
        for a in attachments
    ]


def _read(
    raw: bytes, skeleton: bytes, lifted: dict[str, Lifted], max_bytes: int,
    repairs: tuple[str, ...] = (),
) -> tuple[Message, _Walk]:
    envelope = email.message_from_bytes(skeleton, policy=email.policy.compat32)
    walk = _Walk(raw, lifted, max_bytes)
    walk.defects.extend(repairs)
    walk.charset_hint = envelope.get_content_charset()
    try:
        walk.walk(envelope)
    except RecursionError:
        walk.defect("MIME structure too deep to read")
    return envelope, walk


def parse_message(
    raw: bytes, *, max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES
) -> ParsedMessage:
    """Understand a raw message. Never raises for bad mail: problems become `defects`."""
    raw, repairs = repair_headers(raw)
    skeleton, lifted = lift_large_bodies(raw)
    try:
        envelope, walk = _read(raw, skeleton, lifted, max_attachment_bytes, repairs)
    except LiftedElsewhere:
        envelope, walk = _read(raw, raw, {}, max_attachment_bytes, repairs)
    if not walk.plain and not walk.html and walk.forwarded:
        # only a forwarded mail and no words of one's own: its text is the request
        inner = _Walk(raw, lifted, max_attachment_bytes)
        with contextlib.suppress(RecursionError):
            inner.walk(walk.forwarded[0])
        walk.plain, walk.html = inner.plain, inner.html
    # raw 8-bit headers are most likely in the charset the body declares
    hint = envelope.get_content_charset() or walk.first_charset
    raw_headers = [(str(k), str(v)) for k, v in envelope.raw_items()]
    headers = tuple((k, decode_header_value(v, hint)) for k, v in raw_headers)

    def addresses(*names: str) -> tuple[Address, ...]:
        values = [v for k, v in raw_headers if k.lower() in names]
        return parse_addresses(", ".join(values), hint) if values else ()

    def first(name: str) -> str:
        for key, value in headers:
            if key.lower() == name:
                return value
        return ""

    html = "\n".join(walk.html).strip()[:MAX_TEXT_CHARS]
    text = "\n".join(walk.plain).strip()
    if not text and html:
        text = html_to_text(html)
    text = text[:MAX_TEXT_CHARS]
    reply = split_reply(text)
    from_ = _sender(addresses("from"), addresses("sender"), addresses("reply-to"),
                    addresses("return-path"))
    parsed = ParsedMessage(
        message_id=next(iter(parse_message_ids(first("message-id"))), ""),
        in_reply_to=parse_message_ids(first("in-reply-to")),
        references=parse_message_ids(first("references")),
        from_=from_,
        to=addresses("to"),
        cc=addresses("cc"),
        reply_to=addresses("reply-to"),
        subject=first("subject"),
        date=_date(first("date")),
        headers=headers,
        text=text,
        html=html,
        attachments=tuple(unique_names(_link_inline(walk.attachments, html))),
        defects=tuple(walk.defects),
        reply_text=reply.text,
        signature=reply.signature,
    )
    # RFC 3464: a bounce names the mail it returns; a read receipt or a delay notice does not
    # say the mail failed, so it names nothing here
    failed = tuple(walk.failed_recipients)
    report_type = envelope.get_param("report-type", "", header="content-type")
    report = "delivery-status" in str(report_type).lower()
    returned = next((i for i in walk.returned_ids if i), "") if failed and report else ""
    return replace(
        parsed,
        automated=classify_automation(parsed),
        failed_recipients=failed if report else (),
        returned_message_id=returned,
    )
