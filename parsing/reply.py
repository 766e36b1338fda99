"""The new text of a mail, without quoted history, signature and disclaimer (mail-parser-reply)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from mailparser_reply import EmailMessage as ReplyReader

from parsing.headers import ADDRESS_IN_TEXT
from parsing.lexicon import alternation
from parsing.lexicon.phrases import (
    ATTRIBUTION_OPENINGS,
    ATTRIBUTION_VERBS,
    ATTRIBUTION_VERBS_NAME_AFTER,
    BANNER_OPENINGS,
    BANNER_PHRASES,
    FORWARD_OPENINGS,
    FORWARDED_MESSAGE,
    ORIGINAL_MESSAGE,
    REPLY_HEADER_DATE,
    REPLY_HEADER_FROM,
    REPLY_HEADER_OTHER,
    REPLY_HEADER_SENT,
)

# Languages of the corpus and of the desks we serve; each adds regexes, so keep the list short.
LANGUAGES = ("en", "de", "fr", "es", "nl")
_MAX_CHARS = 200_000  # the regexes are linear, but there is no need to scan a novel
# RFC 3676 §4.3 signature separator, which mail-parser-reply does not know in every position
_SIG_DASHES = re.compile(r"^-- ?$", re.MULTILINE)
_QUOTED = re.compile(r"^[ \t]*>")
_HYPHEN_SIGN_OFF = re.compile(
    r"^[ \t]*-[ \t]?(?:[A-Z][\w'’.-]*(?:[ \t]+[A-Z][\w'’.-]*){0,2}|(?i:sent from) .{1,40})"
    r"[ \t]*$"
)

# What mail-parser-reply 1.36 misses, so that quoted history would reach the ticket (and, for a
# technician, the customer): its French header rejects any name containing "le " (Michelle,
# Nicole), its Spanish one wants two spaces before "escribió", and it has no Dutch "schreef",
# Italian, Portuguese, localised "Original Message" separators or Spanish Outlook "Enviado el:".
# An attribution line: "On … wrote:", "Am … schrieb …:", "Le … a écrit :", "El … escribió:", …
_ATTRIBUTION = re.compile(
    rf"^\s*(?:{alternation(ATTRIBUTION_OPENINGS)}\s.*(?:\d|@).*"
    rf"(?:\b{alternation(ATTRIBUTION_VERBS)}|\b{alternation(ATTRIBUTION_VERBS_NAME_AFTER)}\b.*)"
    r"|at\s.*\d.*,\s*you wrote)\s*:\s*$",  # Eudora: 'At 14:56 02.06.2003 -0400, you wrote:'
    re.IGNORECASE,
)
# the cheap look first: an attribution opens with one of these words
_ATTRIBUTION_OPENING = re.compile(rf"^\s*(?:{alternation(ATTRIBUTION_OPENINGS)}|at)\s",
                                  re.IGNORECASE)
_ORIGINAL = re.compile(rf"^\s*-{{3,}}\s*{alternation(ORIGINAL_MESSAGE)}\s*-{{3,}}\s*$",
                       re.IGNORECASE)
# Outlook's header block: "From:" then, within two lines, "Sent:" (in the reader's language)
_BLOCK_FROM = re.compile(rf"^\s*\**{alternation(REPLY_HEADER_FROM)}\s*\**\s*:", re.IGNORECASE)
_BLOCK_SENT = re.compile(rf"^\s*\**{alternation(REPLY_HEADER_SENT)}\s*\**\s*:", re.IGNORECASE)
# "Date:" / "Data:" are words people write too ("Data: every file is gone"): after "From:" they
# open a header block only with a To or Subject line beside them (Gmail, Apple Mail forwards)
_BLOCK_DATE = re.compile(rf"^\s*\**{alternation(REPLY_HEADER_DATE)}\s*\**\s*:", re.IGNORECASE)
_BLOCK_OTHER = re.compile(
    rf"^\s*\**{alternation(REPLY_HEADER_OTHER)}\s*\**"
    r"(?:\s*:|\t|[ ]{2,}\S)",  # Lotus Notes aligns without a colon
    re.IGNORECASE,
)
_RULE = re.compile(r"^\s*_{10,}\s*$")  # Outlook's line above the header block
# What Microsoft 365 and mail gateways put above mail from outside: not the sender's words. It
# opens the mail and speaks of the sender; a customer reporting a phishing mail from "an
# external sender" speaks of themselves ('I got', 'my password')
_BANNER = re.compile(rf"^\W*{alternation(BANNER_OPENINGS)}(?![\w])", re.IGNORECASE)
# …and says what banners say ('CAUTION: our server is beeping' is the customer's)
_BANNER_WORDING = re.compile(alternation(BANNER_PHRASES), re.IGNORECASE)
_BANNER_TAG = re.compile(r"\W*\[?\s*external(?: e-?mail| sender)?\s*\]?\W*", re.IGNORECASE)
_FIRST_PERSON = re.compile(
    r"\b(?:I|I'm|I've|[Mm]e|[Mm]y|[Ww]e|[Uu]s|[Ss]taff|[Cc]an you|[Cc]ould you)\b|\?"
)
# Forward separators (Gmail, Thunderbird, Apple Mail, German webmail, Lotus Notes); Outlook
# forwards like it replies, with a From:/Sent: block, which _history_starts finds
_FORWARD = re.compile(
    rf"^\s*(?:-{{2,}}\s*{alternation(FORWARDED_MESSAGE)}\s*-{{2,}}"
    rf"|{alternation(FORWARD_OPENINGS)}|-{{3,}}.*\bwrote:\s*-{{3,}})\s*$",
    re.IGNORECASE,
)
# a line of the forwarded mail's header block: 'From: …', 'Betreff: …', '**Sent:** …'
_HEADER_LINE = re.compile(r"^\s*\**[^\W\d][\w -]{0,18}\**\s*:(?:\s|$)")


@dataclass(frozen=True, slots=True)
class Reply:
    text: str
    signature: str


def _unquoted(text: str) -> str:
    """The lines of a bottom-posted or interleaved reply that are not quoted ('> …'), without
    the attribution line that opens each quote ('Am 07.05.2012 08:10, schrieb …:')."""
    lines = text.splitlines()
    kept = []
    for index, line in enumerate(lines):
        if _QUOTED.match(line):
            continue
        following = next((ln for ln in lines[index + 1 :] if ln.strip()), "")
        if line.rstrip().endswith(":") and _QUOTED.match(following):
            continue
        kept.append(line)
    return "\n".join(kept)


def _history_starts(lines: list[str]) -> int | None:
    """Index of the first line of quoted history the reply parser left in, if any."""
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        if _ORIGINAL.match(line) or _FORWARD.match(line):
            return index
        if _BLOCK_FROM.match(line) and _header_block_follows(lines[index + 1 : index + 5]):
            return index
        # clients wrap a long attribution over up to three lines (never over a blank one:
        # 'El Amrani Bouw B.V.' above a blank line and 'Op … schreef …:' is no attribution)
        if _ATTRIBUTION_OPENING.match(line):
            for length in (1, 2, 3):
                wrapped = lines[index : index + length]
                if all(part.strip() for part in wrapped) and _ATTRIBUTION.match(
                    " ".join(wrapped)
                ):
                    return index
    return None


def _attribution_first(line: str) -> bool:
    return not (_BLOCK_FROM.match(line) or _ORIGINAL.match(line) or _FORWARD.match(line))


def _header_block_follows(lines: list[str]) -> bool:
    if any(_BLOCK_SENT.match(line) for line in lines[:2]):
        return True
    return any(_BLOCK_DATE.match(line) for line in lines) and any(
        _BLOCK_OTHER.match(line) for line in lines
    )


def _without_history(body: str) -> str:
    lines = body.splitlines()
    start = _history_starts(lines)
    if start is None:
        return body
    kept = lines[:start]
    while kept and (not kept[-1].strip() or _RULE.match(kept[-1])):
        kept.pop()
    return "\n".join(kept)


@dataclass(frozen=True, slots=True)
class Forwarded:
    sender: str  # the address on the forwarded mail's From line ('' when none is shown)
    reply: Reply  # its words and signature




def forwarded_mail(text: str, *, forward_subject: bool = False) -> Forwarded | None:
    """The mail a forward carries: what follows the first forward separator (or, under a
    forward's subject, the first quote header, as Outlook forwards like it replies), without
    its header block, quote marks and its own history, with its sender's address. None when
    the text forwards nothing: a reply's quote is no forwarded request."""
    lines = text[:_MAX_CHARS].splitlines()
    start = next((i for i, line in enumerate(lines) if _FORWARD.match(line)), None)
    history = _history_starts(lines)
    if start is not None and history is not None and history < start:
        return None  # a forward inside quoted history is that mail's, not this one's request
    if start is None and forward_subject:
        start = history
    if start is None:
        return None
    rest = lines[start + 1 :]
    if rest and _BLOCK_FROM.match(lines[start]):
        rest = lines[start:]  # Outlook: the From: line opens the header block
    index = 0
    while index < len(rest) and not rest[index].strip():
        index += 1
    # the header block ends at its first blank line: 'Job: …' and 'Status: …' below it are
    # the forwarded mail's own words (an alert's fields), not its headers
    while index < len(rest) and index < 12 and _HEADER_LINE.match(rest[index]):
        index += 1
    while index < len(rest) and not rest[index].strip():
        index += 1
    inner = rest[index:]
    sender = next(
        (found.group(0).lower() for line in rest[:index] if _BLOCK_FROM.match(line)
         and (found := ADDRESS_IN_TEXT.search(line))), "",
    )
    if inner and all(_QUOTED.match(line) for line in inner if line.strip()):
        inner = [re.sub(r"^[ \t]*> ?", "", line) for line in inner]
    if not inner:
        return None
    return Forwarded(sender, split_reply("\n".join(inner), _again=False))


def _banner(first: str) -> bool:
    # one warning phrase may be the sender's own ('Do not click the test button'); a banner
    # has two, or is Microsoft's first-contact line
    phrases = {m.group(0).lower() for m in _BANNER_WORDING.finditer(first)}
    first_contact = first.lstrip("[( ").lower().startswith("you don't often get email from")
    return bool(_BANNER_TAG.fullmatch(first)) or bool(
        _BANNER.match(first)
        and (len(phrases) >= 2 or first_contact)
        and not _FIRST_PERSON.search(first)
    )


def _without_banner(text: str) -> str:
    """The text without a security banner as its first paragraph, or as its first line where
    the gateway put no blank line under it."""
    stripped = text.lstrip()
    first, gap, rest = stripped.partition("\n\n")
    if gap and len(first) <= 400 and first.count("\n") < 3 and _banner(first):
        return rest
    line, newline, after = stripped.partition("\n")
    if newline and len(line) <= 400 and _banner(line):
        return after
    return text


_ARMOUR_HEADER = re.compile(r"[A-Za-z][\w-]*: ")  # 'Hash: SHA256' (RFC 4880 §7)


def _without_pgp_armour(text: str) -> str:
    """A clear-signed mail's words (RFC 4880 §7): without the armour header, its 'Hash:' lines
    and the signature block, dash-escaping undone inside the signed part; nested signatures
    too. Anything that is not that shape is left as it is."""
    for _ in range(3):  # a signed mail signed again is dash-escaped once more
        lines = text.splitlines()
        if "-----BEGIN PGP SIGNED MESSAGE-----" not in lines:
            return text
        begin = lines.index("-----BEGIN PGP SIGNED MESSAGE-----")
        index = begin + 1
        while index < len(lines) and _ARMOUR_HEADER.match(lines[index]):
            index += 1
        if index < len(lines) and not lines[index].strip():
            index += 1
        try:
            sig = lines.index("-----BEGIN PGP SIGNATURE-----", index)
            end = lines.index("-----END PGP SIGNATURE-----", sig)
        except ValueError:
            return text  # no whole signature block: not clear-signed as it says
        signed = [line[2:] if line.startswith("- ") else line for line in lines[index:sig]]
        text = "\n".join([*lines[:begin], *signed, *lines[end + 1 :]])
    return text


def split_reply(text: str, *, _again: bool = True) -> Reply:
    text = _without_banner(_without_pgp_armour(text))
    if not text.strip():
        return Reply("", "")
    head = text[:_MAX_CHARS]
    lines = head.splitlines()
    start = _history_starts(lines)
    if start is not None:
        if any(line.strip() and not _RULE.match(line) for line in lines[:start]):
            # the parser sees only the new words: cut by it, a header block it knows only in
            # part would leave its first lines ('De :', 'Date :' of French Outlook for Mac)
            head = "\n".join(lines[:start])
        elif not _attribution_first(lines[start]):
            # an Outlook block or a separator first: unquoted history is never bottom-posted,
            # so nothing here is new ('#resolve' alone above the customer's mail)
            return Reply("", "")
    try:
        # keep_hyphen_lists: '- jams' is a list item, not a signature ('-John' signatures are rare)
        replies = ReplyReader(text=head, languages=list(LANGUAGES), keep_hyphen_lists=True).read(
        ).replies
    except Exception:  # a regex library edge case must not cost us the mail
        replies = []
    first = next((r for r in replies if (r.body or "").strip()), None)
    if first is None:
        return Reply(text.strip(), "")
    body, signature = _without_history(first.body), first.signatures or ""
    cut = body.strip() != first.body.strip()
    if signature.strip() and (at := body.find(signature.strip()[:80])) > 0:
        body = body[:at].rstrip()  # with a disclaimer below, the body keeps the signature too
    if (opening := _own_warning(head, first)) and opening not in body:
        body = f"{opening}\n\n{body}"
    # history cut from the body: the parser's signature is the quoted mail's, below the cut;
    # else the quote header may have landed in the signature ('Op … schreef …:' unquoted)
    signature = "" if cut else _without_history(signature)
    if not cut and not signature.strip():
        signature = _left_behind(head, first.body)
    # quoted lines ('> …') are someone else's words, also without an "On … wrote:" header
    kept = [line for line in body.splitlines() if not _QUOTED.match(line)]
    while kept and (not kept[-1].strip() or _RULE.match(kept[-1])):
        kept.pop()  # Outlook's rule above a header block the parser cut at
    body = "\n".join(kept).strip()
    signature = "\n".join(ln for ln in signature.splitlines() if not _QUOTED.match(ln)).strip()
    if not body and _again and (unquoted := _unquoted(text)).strip():
        # nothing new above the quote: a bottom-posted reply, whose new text the parser took
        # for the quoted mail's signature
        return split_reply(unquoted, _again=False)
    dashes = _SIG_DASHES.search(body)
    if dashes:
        body, signature = body[: dashes.start()].rstrip(), body[dashes.end() :].strip()
    elif (start := _hyphen_sign_off(body)) is not None:
        lines = body.splitlines()
        sign_off = "\n".join(lines[start:]).strip()
        body = "\n".join(lines[:start]).rstrip()
        signature = f"{sign_off}\n\n{signature}" if signature else sign_off
    return Reply(body, signature)


def _left_behind(head: str, body: str) -> str:
    """What mail-parser-reply dropped below the body without calling it a signature (a
    company line under the name: 'Mohamed El Amrani' / 'El Amrani Bouw B.V.')."""
    last = next((line for line in reversed(body.splitlines()) if line.strip()), "")
    at = head.rfind(last) if last else -1
    if at < 0:
        return ""
    rest = head[at + len(last) :]
    return "" if _history_starts(rest.splitlines()) is not None else rest.strip()


def _own_warning(head: str, reply: object) -> str:
    """The opening paragraph the reply parser took for a disclaimer ('WARNING: a phishing
    email is going round… Can you block it?') when the sender speaks in it: theirs, kept."""
    opening = head.lstrip().partition("\n\n")[0].strip()
    found = getattr(reply, "disclaimers", None) or []
    taken = any(opening and d.strip() and opening.startswith(d.strip()[:40]) for d in found)
    return opening if taken and _FIRST_PERSON.search(opening) else ""


def _hyphen_sign_off(body: str) -> int | None:
    """The line of a '-Martin' / '- Jane Smith' / '- Sent from my iPad' sign-off: after a blank
    line, a hyphen and a name alone, not one item of a list (no hyphen line next to it).
    mail-parser-reply would take every list item for one, so it is told not to and this does
    the part that is right."""
    lines = body.splitlines()
    for index in range(1, len(lines)):
        if not _HYPHEN_SIGN_OFF.match(lines[index]) or lines[index - 1].strip():
            continue
        above = next((line.strip() for line in reversed(lines[:index]) if line.strip()), "")
        below = [line for line in lines[index + 1 :] if line.strip()]
        # 'in:' above it, or another item below it: a list ('- Staff Room\n\n- Main Hall')
        listed = above.endswith(":") or above.startswith("-") or any(
            line.lstrip().startswith("-") for line in below
        )
        if not listed:
            return index
    return None
