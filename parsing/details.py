"""The four details a service desk needs, from whatever the customer wrote.

Requester's full name, client company, call-back number(s) and a description of the issue
(../shared/seeds/service-desk-requests.txt). What the customer typed wins over what we infer:
labelled lines ("Name: …", "Company - …") first, then prose ("my name is …", "I work at …"),
then the signature block, then the From display name. The contact directory and the company
domains in config are consulted by the ticket rules, which know them; this module stays pure.

Hand-written patterns: no maintained library extracts labelled fields from English mail bodies.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from parsing.greetings import after_greeting
from parsing.message import ParsedMessage
from parsing.phones import MAX_NUMBERS, Phone, find_phones, read_numbers
from parsing.reply import forwarded_text
from parsing.subject import is_forward

NAME, COMPANY, PHONE, DESCRIPTION = "name", "company", "phone", "description"
ALL_DETAILS = (NAME, COMPANY, PHONE, DESCRIPTION)
LABELS = {
    NAME: "your full name",
    COMPANY: "your company or school",
    PHONE: "a call-back number",
    DESCRIPTION: "a description of the problem",
}

# Labels sit on one line: blanks are [ \t], not \s, and runs of them are possessive (*+,
# Python 3.11) so that a line of 20,000 blanks cannot make a match quadratic.
_SEP = r"[ \t]*+(?:[:=]|[-–—]+(?=[ \t]))[ \t]*+"
_BULLET = r"^[ \t>*•·\-]*+"
_LABELS: dict[str, tuple[str, ...]] = {
    PHONE: (
        r"(?:call[ \t-]?back|contact|phone|telephone|tel\.?|t[ée]l\.?|mobile|mob|cell|"
        r"direct(?:[ \t]+(?:dial|line))?|landline|work|office|switchboard|home|whats[ \t]?app)"
        r"(?:[ \t]*(?:number|no\.?|#|num))?(?:\(s\))?",
        r"[tmpw]|dd|ddi",  # Outlook signatures: 'T: 020 …', 'M: 07…'; only a number counts
        r"number(?:\(s\))?[ \t]+to[ \t]+call(?:[ \t]+back)?",
        r"ph",
        r"phone[ \t]*number",
    ),
    NAME: (
        r"(?:requester'?s?|requestor'?s?|your|contact|caller'?s?|user'?s?)?[ \t]*"
        r"(?:full[ \t]+)?name",
        r"requester|requestor|contact|caller|reported[ \t]+by|from[ \t]+name",
    ),
    COMPANY: (
        r"(?:client[ \t]+)?company(?:[ \t]+name)?",
        r"client(?:[ \t]+name)?|customer(?:[ \t]+name)?",
        r"school(?:[ \t]+name)?|organi[sz]ation(?:[ \t]+name)?|org|business(?:[ \t]+name)?",
        r"site(?:[ \t]+name)?|trust|academy|employer|firm",
    ),
    DESCRIPTION: (
        r"(?:detailed[ \t]+)?description(?:[ \t]+of[ \t]+(?:the[ \t]+)?(?:issue|problem|fault))?",
        r"(?:the[ \t]+)?(?:issue|problem|fault)(?:[ \t]+description)?|details|symptoms?",
    ),
}
_LABELLED = {
    kind: re.compile(
        _BULLET + r"(?P<label>" + "|".join(patterns) + r")" + _SEP
        + r"(?P<value>\S(?:.*\S)?)[ \t]*$",
        re.IGNORECASE | re.MULTILINE,
    )
    for kind, patterns in _LABELS.items()
}
_LABEL_ONLY = re.compile(
    _BULLET + r"(?:" + "|".join(p for ps in _LABELS.values() for p in ps) + r")"
    + r"[ \t]*+[:=]?[ \t]*+$",
    re.IGNORECASE,
)

_NAME_WORD = r"[A-Z][a-zA-Z'’\-]+|[A-Z]\.?"
_PARTICLE = r"(?:van|von|de|der|da|di|le|la|O'|Mc)[ \t]+"
_PERSON = rf"(?:{_NAME_WORD})(?:[ \t]+(?:{_PARTICLE})?(?:{_NAME_WORD})){{1,3}}"
_ORG_WORD = r"[A-Z0-9][\w'’&\-]*"
_ORG = rf"(?:the[ \t]+)?{_ORG_WORD}(?:[ \t]+(?:of|and|&|for|the|de|{_ORG_WORD})){{0,6}}"
# the lead-in in any case, the name itself capitalised
# 'my name is Jane Doe'. After the weaker 'this is' / 'it's' only a name that ends its phrase
# ('this is Jane Doe from Oakfield', not 'this is Windows Update failing'), and a signature's
# name goes first ('It's Sage Payroll again… Tom Hill')
_PROSE_NAME = re.compile(rf"\b(?i:my name is|name's|i am|i'm)[ \t]+(?P<name>{_PERSON})\b")
_PROSE_NAME_WEAK = re.compile(
    rf"\b(?i:this is|it's)[ \t]+(?P<name>{_PERSON})(?=[ \t]*(?:[,.;:!–-]|$|"
    r"(?i:from|at|here|speaking|calling|with|and|of|again|in)\b))",
    re.MULTILINE,
)
# 'Jane Doe from Acme Ltd': the name keeps its capitals ('an email from Microsoft' is no
# company); 'the office manager at Oakfield School'
_PROSE_COMPANY = re.compile(
    rf"\b(?:(?i:i work (?:at|for)|i'm (?:at|with)|i am (?:at|with)|calling from|writing from|"
    rf"on behalf of|here at)|{_PERSON}[ \t]+(?i:from|at))[ \t]+(?P<company>{_ORG})",
)
# weaker, so only an organisation's name will do ('the head of IT' is a department, 'it's
# Sarah from IT' too): 'the office manager for Oakfield Primary School', 'it's Sarah from
# Oakfield Primary School'
_PROSE_COMPANY_WEAK = re.compile(
    r"\b(?:(?i:(?:the|an?)[ \t]+(?:[a-z-]+[ \t]+){0,3}?(?:manager|officer|director|head|"
    r"coordinator|administrator|secretary|bursar|teacher|assistant|clerk|receptionist)"
    r"[ \t]+(?:at|for))|(?i:this is|it's|i'm|i am)[ \t]+[A-Z][\w'’-]+[ \t]+"
    rf"(?i:(?:here[ \t]+)?from|at))[ \t]+(?P<company>{_ORG})",
)
_ORG_SUFFIX = re.compile(
    r"\b(ltd|limited|llp|llc|inc|plc|gmbh|ag|kg|sarl|sas|srl|bv|nv|b\.v|n\.v|pty|co\.?|corp|corporation|"
    r"group|holdings|partners|"
    r"school|academy|college|university|council|trust|nhs|surgery|practice|clinic|hospital|"
    r"services|solutions|consulting|associates|charity|foundation|church|federation)\b\.?",
    re.IGNORECASE,
)
# sign-offs in the languages of reply.LANGUAGES (en, de, fr, es, nl)
_CLOSING_WORDS = (
    r"(thanks?( you)?( (very|so) much)?( in advance)?|many thanks|cheers|regards|"
    r"kind regards|best regards|warm regards|best wishes|best|all the best|sincerely|"
    r"yours( sincerely| faithfully| truly)?|thank you|speak soon|ta|"
    r"(mit )?(freundliche[nm]?|beste[nm]?|viele[nm]?|liebe[nm]?|herzliche[nm]?|sonnige) "
    r"(gr[üu](ß|ss)e?n?)( aus \w+)?|(viele )?gr[üu](ß|ss)e( aus \w+)?|gruß|mfg|lg|vg|"
    r"danke( schön)?|vielen dank|(bien )?cordialement|salutations|bien [àa] vous|"
    r"merci( beaucoup)?|(un )?saludos?( cordiales)?|atentamente|gracias|"
    r"met vriendelijke groet(en)?|(hartelijke )?groet(en)?|bedankt)"
)
_CLOSING = re.compile(rf"^\s*{_CLOSING_WORDS}\b[\s,.!]*$", re.IGNORECASE)
# 'Thanks Dave', 'Cheers, Dave Smith', 'Mfg Eike': the sign-off and the name on one line
_CLOSING_NAMED = re.compile(
    rf"^\s*(?P<closing>(?i:{_CLOSING_WORDS}))[ \t]*,?[ \t]+"
    r"(?P<name>[A-Z][\w'’-]+(?:[ \t]+[A-Z][\w'’-]+){0,2})[ \t]*[.!]?$"
)
# a sign-off is looked for this far from the end: German and Dutch signatures carry the
# company's legal footer (register, directors, VAT number) below the name
_SIGNATURE_LINES = 40
# a bare number is a call-back number only this near the top of a signature block (sign-off,
# name, title, company, a school's postal address); further down it is more likely a ticket,
# an order or a serial
_SIGNATURE_NUMBER_LINES = 12
_DISCLAIMER = re.compile(
    r"^\s*(this (e-?mail|message)( and any attachments)? (is|are|may be) (confidential|"
    r"intended)|confidentiality notice|disclaimer:|please consider the environment|"
    r"sent from my (iphone|ipad|android|samsung|mobile|blackberry)|get outlook for)",
    re.IGNORECASE,
)
_NOT_A_PERSON = re.compile(
    r"\b(support|help ?desk|service ?desk|team|admin|office|info|noreply|no-reply|it dept|"
    r"department|reception|enquiries|accounts|sales|ltd|limited|school|council)\b",
    re.IGNORECASE,
)
_NUMBER_LINE = re.compile(
    r"[+(]?\d[\d ()./-]{5,24}\d(?:[ \t]*(?:ext\.?|x|extension)[ \t]*\d{1,6})?", re.IGNORECASE
)
# shapes _NUMBER_LINE takes that are no telephone number: dates and dotted-quad addresses
_NOT_A_NUMBER = re.compile(
    r"(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"  # 10.0.0.254
    r"|\d{4}[-./]\d{1,2}[-./]\d{1,2}"  # 2026-11-20
    r"|\d{1,2}[-./]\d{1,2}[-./](?:\d{2}|\d{4})"  # 20.11.2026, 11/20/26
)
_TITLE_WORDS = re.compile(
    r"\b(manager|officer|director|head|coordinator|co-ordinator|assistant|administrator|"
    r"technician|engineer|teacher|bursar|secretary|clerk|analyst|lead|executive|consultant|"
    r"ceo|cto|cfo|it|ict)\b",
    re.IGNORECASE,
)
# a job title in a signature ('Practice Manager', 'Head of Customer Services', 'IT Services
# Coordinator'), unless a legal form makes it the organisation ('Facilities Management Ltd')
_JOB_TITLE = re.compile(
    r"\b(manager|officer|director|head|coordinator|co-ordinator|assistant|administrator|"
    r"technician|engineer|teacher|bursar|secretary|clerk|analyst|lead|leader|supervisor|"
    r"executive|consultant|receptionist|ceo|cto|cfo)\b",
    re.IGNORECASE,
)
# words of a role mailbox's name besides the job title: 'Practice Manager', 'Deputy Head'
_ROLE_WORDS = {
    "practice", "office", "finance", "hr", "it", "ict", "deputy", "senior", "junior", "business",
    "school", "customer", "customers", "services", "service", "support", "sales", "accounts",
    "reception", "facilities", "site", "data", "network", "operations", "general", "assistant",
    "of", "and", "the", "&",
}
_LEGAL_FORM = re.compile(
    r"\b(ltd|limited|llp|llc|inc|plc|gmbh|ag|kg|sarl|sas|srl|bv|nv|b\.v|n\.v|pty|corp)\b",
    re.IGNORECASE,
)
# organisation words no one's name has ('St Mary's Surgery', 'Greenleaf Housing Trust')
_ORGANISATION_WORDS = re.compile(
    r"\b(ltd|limited|llp|llc|inc|plc|gmbh|school|academy|college|university|council|trust|nhs|"
    r"surgery|practice|clinic|hospital|services|solutions|consulting|associates|charity|"
    r"foundation|federation|primary|secondary|infants?|nursery)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Details:
    name: str = ""
    name_source: str = ""  # labelled | prose | signature | display name
    company: str = ""
    company_source: str = ""  # labelled | prose | signature
    phones: tuple[Phone, ...] = ()
    description: str = ""
    site: str = ""
    consumed: tuple[str, ...] = field(default=())  # lines that carried a detail

    @property
    def phone(self) -> Phone | None:
        return self.phones[0] if self.phones else None

    def missing(self) -> tuple[str, ...]:
        present = {
            NAME: bool(self.name),
            COMPANY: bool(self.company),
            PHONE: bool(self.phones),
            DESCRIPTION: has_description(self.description),
        }
        return tuple(kind for kind in ALL_DETAILS if not present[kind])


def _few_words(text: str, *, forward: bool) -> bool:
    """Too little to act on; under a forward's subject, a covering line ('FYI - see below',
    'Please can you help with this?') is not the request either."""
    return not has_description(text) or (forward and len(re.findall(r"\w+", text)) <= 12)


def has_description(text: str) -> bool:
    """Enough words to act on: more than a bare 'help' or 'see subject'."""
    return len(re.findall(r"\w+", text)) >= 3


def _clean_value(value: str) -> str:
    value = re.sub(r"\s+", " ", value).strip(" \t.,;*_\"'")
    return value[:200]


def _labelled(text: str, region: str) -> tuple[dict[str, str], list[str], list[Phone]]:
    found: dict[str, str] = {}
    consumed: list[str] = []
    phones: list[Phone] = []
    for kind in (PHONE, NAME, COMPANY, DESCRIPTION):
        for match in _LABELLED[kind].finditer(text):
            line = match.group(0)
            if line in consumed:
                continue  # "Contact number: …" is a phone line, not a name
            label = match.group("label").lower()
            value = _clean_value(match.group("value"))
            if not value:
                continue
            if kind == PHONE:
                numbers = tuple(  # 'T: 020 … | M: 07…', '01772 … / 07911 …': each on its own
                    # a slash between spaces separates numbers; '030/12345-67' is one
                    phone for piece in re.split(r"[|;]|\s/\s", match.group("value"))
                    for phone in read_numbers(piece, region)
                )
                if not numbers:
                    continue  # 'Contact: Jane Doe', 'Office: Room 4': no number, no phone line
                phones.extend(numbers)
            if kind != DESCRIPTION:  # the description stays in the text, without its label
                consumed.append(line)
            if kind == COMPANY and label.startswith("site"):
                found.setdefault("site", value)
                continue
            found.setdefault(kind, value)
    return found, consumed, phones


def _looks_like_person(value: str, *, full: bool = False) -> bool:
    """Capitalised words, no digits or addresses; `full`: a first name alone is not enough."""
    if not value or "@" in value or any(ch.isdigit() for ch in value):
        return False
    if _NOT_A_PERSON.search(value) or _ORGANISATION_WORDS.search(value):
        return False
    words = value.split()
    return (2 if full else 1) <= len(words) <= 5 and all(
        (w[:1].isupper() or w.lower() in _PARTICLES) and _NAME_CHARS.fullmatch(w)
        and w.lower().strip(".") not in _NEVER_IN_A_NAME
        for w in words
    )


# Capitalised words that are no one's name: a title-cased last line ('Please Help Urgently',
# 'Broken Since Monday', 'Server Room Two') is no signature
_NEVER_IN_A_NAME = {
    "a", "an", "the", "my", "our", "your", "their", "this", "that", "is", "are", "was", "not",
    "no", "yes", "please", "help", "urgent", "urgently", "asap", "thanks", "thank", "you", "so",
    "much", "many", "kind", "regards", "best", "sent", "from", "to", "with", "in", "on", "at",
    "of", "for", "and", "or", "but", "still", "again", "since", "today", "tomorrow",
    "yesterday", "now", "broken", "down", "working", "error", "issue", "problem", "fault",
    "room", "floor", "server", "printer", "laptop", "computer", "pc", "phone", "email", "wifi",
    "network", "one", "two", "three", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday", "january", "february", "march", "september", "october", "november",
    "december", "hi", "hello", "dear", "re", "fw", "fwd",
}
# what robots call themselves ('Mail Delivery System', 'Microsoft Outlook'): two of these make
# no person ('Sally Mail' is one)
_ROBOT_WORDS = {
    "mail", "delivery", "system", "subsystem", "outlook", "microsoft", "google", "mailer",
    "daemon", "notification", "notifications", "alert", "alerts", "calendar", "service",
}
# what 'it's …' names in a fault report: 'it's Adobe Acrobat, it keeps crashing'
_PRODUCT_WORDS = {
    "windows", "defender", "adobe", "acrobat", "teams", "excel", "powerpoint", "onedrive",
    "sharepoint", "chrome", "firefox", "edge", "zoom", "update", "updates", "vpn", "app",
    "microsoft", "google", "outlook", "office", "payroll", "sage", "online", "christmas", "eve",
}
_NAME_CHARS = re.compile(r"[^\W\d_][\w'’.-]*")  # 'O'Brien', 'Mary-Jane', 'J.'; not 'Sorry!'
_PARTICLES = {"van", "von", "de", "der", "da", "di", "le", "la", "du", "del", "bin", "al"}


def display_name_person(display: str) -> str:
    """A person's name from a From display name: 'Smith, Jane' → 'Jane Smith'; '' for a robot."""
    display = re.sub(r"\s*\(.*?\)\s*", " ", display).strip().strip("'\"")
    if "," in display:
        last, _, first = display.partition(",")
        if first.strip() and len(last.split()) <= 2 and len(first.split()) <= 3:
            display = f"{first.strip()} {last.strip()}"
    robot = sum(w.lower() in _ROBOT_WORDS for w in display.split()) >= 2
    person = _looks_like_person(display, full=True) and not robot and not _role(display)
    return display if person else ""


def _role(display: str) -> bool:
    """'Practice Manager', 'Exams Officer', 'Head Teacher': a role mailbox. A title word that
    is also a surname ends a person's name: 'Anthony Head', 'Alex Lead'."""
    if not _JOB_TITLE.search(display):
        return False
    words = display.split()
    first, last = words[0], words[-1]
    surname = (
        len(words) in (2, 3)
        and last.lower() in ("head", "lead", "clerk", "teacher")
        and first.lower() not in _ROLE_WORDS
        and not _JOB_TITLE.fullmatch(first)
    )
    return not surname


def _signature_lines(reply_text: str, signature: str) -> list[str]:
    if signature.strip():
        lines = signature.splitlines()
    else:
        # no block was recognised: look after a closing line near the end of the text
        lines = reply_text.splitlines()
        for index in range(len(lines) - 1, max(-1, len(lines) - _SIGNATURE_LINES), -1):
            if _CLOSING.match(lines[index]):
                lines = lines[index:]
                break
        else:
            lines = _last_block_if_signature(lines)
    kept = [line.strip() for line in lines if line.strip() and line.strip() not in ("--", "-- ")]
    if kept:  # '-Martin Edenhofer' / '- Jane Smith': a hyphen sign-off's name without the hyphen
        kept[0] = re.sub(r"^-[ \t]?(?=[A-Z])", "", kept[0])
    return kept


def _segments(line: str) -> list[str]:
    """'Jane Doe | Finance Officer, Acme Ltd' → ['Jane Doe', 'Finance Officer', 'Acme Ltd']"""
    if len(line) > 200:  # no signature line; and the split is quadratic on long blank runs
        return [line]
    # a job title in brackets goes with the segment: 'John Smith (Head Teacher)' → 'John Smith';
    # an image's alt text ('[Greenleaf logo]') is no part of a name
    line = re.sub(r"[ \t]*\([^()]{1,40}\)", "", line)
    line = re.sub(r"\[[^\[\]]{1,60}\][ \t]*", "", line)
    return [part for part in re.split(r"\s*[|,–—•·]\s*|\s+-\s+", line) if part]


def _opens_with_person(line: str) -> bool:
    if len(line) > 70:
        return False
    first = _segments(line)[:1]
    return bool(first) and _looks_like_person(first[0], full=True) and (
        not _TITLE_WORDS.search(first[0])
    )


def _last_block_if_signature(lines: list[str]) -> list[str]:
    """A closing block without a sign-off: a few short lines after the last blank line, or the
    last lines of the text, starting with a person's full name ('Mike Jones', 'Jane Doe |
    Finance Officer', 'Jane Doe, Acme Ltd')."""
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    start = max((i + 1 for i, line in enumerate(lines) if not line.strip()), default=0)
    block = [line.strip() for line in lines[start:]]
    if start and block and len(block) <= 5 and all(len(line) <= 70 for line in block):
        return block if _opens_with_person(block[0]) else []
    # no blank line before it: the name line within the last three lines of the text
    tail = [line.strip() for line in lines[-3:]]
    for index, line in enumerate(tail):
        if _opens_with_person(line) and all(len(rest) <= 70 for rest in tail[index:]):
            return tail[index:]
    return []


def _from_signature(lines: list[str]) -> tuple[str, str]:
    name = ""
    companies: list[str] = []
    body = [line for line in lines if not _CLOSING.match(line)]
    for line in body[:6]:
        segments = _segments(line)
        if not name and segments and _opens_with_person(line):
            name = segments[0]
            segments = segments[1:]
        for segment in segments:
            if _JOB_TITLE.search(segment) and " at " in segment:
                segment = segment.split(" at ", 1)[1]  # 'Practice Manager at The Grange Surgery'
            if _JOB_TITLE.search(segment) and not _LEGAL_FORM.search(segment):
                continue  # 'Practice Manager', 'Head of IT Services': a title, not the employer
            if _ORG_SUFFIX.search(segment) and sum(map(str.isdigit, segment)) < 6:
                companies.append(_clean_value(segment))
    # 'IT Services' above 'St Mary's School': a department sorts after the organisation
    companies.sort(key=lambda c: bool(_TITLE_WORDS.search(c)))
    return name, companies[0] if companies else ""


def number_only(text: str) -> bool:
    """A number and nothing else: '01632 960123', '+44 (0)7700 900123', '020 7946 0018 x23';
    not a date ('2026-11-20', '20.11.2026') nor an IP address ('10.0.0.254')."""
    text = text.strip()
    return bool(_NUMBER_LINE.fullmatch(text)) and not _NOT_A_NUMBER.fullmatch(text)


def _number_lines(lines: list[str], region: str) -> list[Phone]:
    """Signature lines that are a number and nothing else ('01632 960123', '+44 (0)7700 900123'),
    among the first lines of the block, where a signature puts them."""
    phones: list[Phone] = []
    for line in lines[:_SIGNATURE_NUMBER_LINES]:
        if number_only(line):
            phones.extend(read_numbers(line, region))
    return phones


def _description(reply_text: str, consumed: list[str], signature_lines: list[str]) -> str:
    skip = {line.strip() for line in consumed}
    kept: list[str] = []
    for line in reply_text.splitlines():
        stripped = line.strip()
        if stripped in skip or _LABEL_ONLY.match(stripped):
            continue
        if labelled := _LABELLED[DESCRIPTION].match(stripped):
            line = stripped = labelled.group("value")
        if not kept and not stripped:
            continue
        if not kept and (rest := after_greeting(stripped)) is not None:
            if not rest:
                continue
            line = stripped = rest
        if _DISCLAIMER.match(stripped):
            break
        kept.append(line.rstrip())
    # closing lines and anything after them (a signature the reply parser did not see)
    for index in range(len(kept) - 1, max(-1, len(kept) - _SIGNATURE_LINES), -1):
        if _CLOSING.match(kept[index]):
            kept = kept[:index]
            break
    signature = {line for line in signature_lines}
    while kept and (not kept[-1].strip() or kept[-1].strip() in signature):
        kept.pop()
    return "\n".join(kept).strip()


def extract_details(
    parsed: ParsedMessage, *, region: str = "GB", text: str | None = None
) -> Details:
    """The four details as this mail gives them (`text` overrides the new text of the mail)."""
    reply_text = parsed.reply_text if text is None else text
    signature = parsed.signature if text is None else ""
    details = extract_from_text(
        reply_text, signature=signature, display_name=parsed.from_.name, region=region
    )
    # 'FYI' over a forwarded mail, or nothing at all: the forwarded mail is the request. Only
    # the description: the person asking is the one who forwarded it.
    if (
        text is None
        and _few_words(details.description, forward=is_forward(parsed.subject))
        and (forwarded := forwarded_text(parsed.text, forward_subject=is_forward(parsed.subject)))
    ):
        own = details.description
        details = replace(details, description=f"{own}\n\n{forwarded}" if own else forwarded)
    return details


def _closing_on_its_own_line(text: str) -> str:
    """'Thanks Dave' → 'Thanks' and 'Dave' on lines of their own, as a signature reader
    expects; only where nothing but signature lines follow ('Thanks John' above a sentence is
    someone thanked, not a sign-off)."""
    lines = text.splitlines()
    for index in range(len(lines) - 1, max(-1, len(lines) - 6), -1):
        found = _CLOSING_NAMED.match(lines[index])
        if found is None:
            continue
        after = [line.strip() for line in lines[index + 1 :] if line.strip()]
        if all(len(line) <= 60 and not line.endswith((".", "?", "!")) for line in after):
            lines[index : index + 1] = [found.group("closing"), found.group("name")]
        break
    return "\n".join(lines)


def _prose(pattern: re.Pattern[str], text: str, accept: Callable[[str], bool]) -> str:
    """The first capture of `pattern` in `text` that `accept` takes, or ''."""
    for match in pattern.finditer(text):
        value = match.group(match.lastgroup or 1)
        if accept(value):
            return value
    return ""


def _org_name(value: str) -> str:
    """'Oakfield Primary School and the' → 'Oakfield Primary School': _ORG's joining words
    belong inside a name, not at its end."""
    words = _clean_value(value).split()
    while words and words[-1].lower() in ("of", "and", "&", "for", "the", "de"):
        words.pop()
    return " ".join(words)


def _person(value: str) -> bool:
    return _looks_like_person(value, full=True) and not any(
        w.lower() in _PRODUCT_WORDS for w in value.split()
    )


def extract_from_text(
    reply_text: str, *, signature: str = "", display_name: str = "", region: str = "GB"
) -> Details:
    reply_text = _closing_on_its_own_line(reply_text)
    signature = _closing_on_its_own_line(signature)
    labelled, consumed, labelled_phones = _labelled(reply_text + "\n" + signature, region)
    name, name_source = labelled.get(NAME, ""), "labelled"
    company, company_source = labelled.get(COMPANY, ""), "labelled"
    if name and not _looks_like_person(name):
        name = display_name_person(name) or name  # 'Smith, Jane' typed in a field
    if not name and (found := _prose(_PROSE_NAME, reply_text, _person)):
        name, name_source = found, "prose"
    if not company and (match := _PROSE_COMPANY.search(reply_text)):
        company, company_source = _org_name(match.group("company")), "prose"
    signature_lines = _signature_lines(reply_text, signature)
    sig_name, sig_company = _from_signature(signature_lines)
    if not name and sig_name:
        name, name_source = sig_name, "signature"
    if not company and sig_company:
        company, company_source = sig_company, "signature"
    if not name and (person := display_name_person(display_name)):
        name, name_source = person, "display name"
    if not name and (found := _prose(_PROSE_NAME_WEAK, reply_text, _person)):
        name, name_source = found, "prose"  # a role mailbox: 'this is Jane Doe from Oakfield'
    if not company and (found := _prose(_PROSE_COMPANY_WEAK, reply_text, looks_like_organisation)):
        company, company_source = _org_name(found), "prose"
    phones: list[Phone] = []
    for phone in (
        *labelled_phones,
        *find_phones(reply_text + "\n" + signature, region),
        *_number_lines(signature_lines, region),
    ):
        if phone.e164 not in {p.e164 for p in phones}:
            phones.append(phone)
    description = _description(reply_text, consumed, signature_lines)
    return Details(
        name=name,
        name_source=name_source if name else "",
        company=company,
        company_source=company_source if company else "",
        phones=tuple(phones[:MAX_NUMBERS]),
        description=description,
        site=labelled.get("site", ""),
        consumed=tuple(consumed),
    )


def looks_like_person(text: str) -> bool:
    """A person's full name: capitalised words, no digits, no organisation words."""
    return _looks_like_person(text, full=True) and not _ORG_SUFFIX.search(text)


def looks_like_organisation(text: str) -> bool:
    """Words that name an organisation: 'Ltd', 'School', 'Practice', 'Trust', …"""
    return bool(_ORG_SUFFIX.search(text)) and sum(map(str.isdigit, text)) < 6
