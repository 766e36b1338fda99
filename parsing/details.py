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
from dataclasses import dataclass, field

from parsing.message import ParsedMessage
from parsing.phones import Phone, find_phones

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
        r"(?:call[ \t-]?back|contact|phone|telephone|tel|mobile|mob|cell|direct(?:[ \t]+dial)?)"
        r"(?:[ \t]*(?:number|no\.?|#|num))?(?:\(s\))?",
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
_PROSE_NAME = re.compile(
    rf"\b(?i:my name is|name's|this is|i am|i'm|it's)[ \t]+(?P<name>{_PERSON})\b"
)
_PROSE_COMPANY = re.compile(
    rf"\b(?i:i work (?:at|for)|i'm (?:at|with)|i am (?:at|with)|calling from|writing from|"
    rf"on behalf of|here at|(?:{_PERSON})[ \t]+(?:from|at))[ \t]+(?P<company>{_ORG})",
)
_ORG_SUFFIX = re.compile(
    r"\b(ltd|limited|llp|llc|inc|plc|gmbh|ag|co\.?|corp|corporation|group|holdings|partners|"
    r"school|academy|college|university|council|trust|nhs|surgery|practice|clinic|hospital|"
    r"services|solutions|consulting|associates|charity|foundation|church|federation)\b\.?",
    re.IGNORECASE,
)
_GREETING = re.compile(
    r"^\s*(hi|hello|hey|dear|good\s+(morning|afternoon|evening)|greetings|hallo|bonjour|"
    r"to whom it may concern)\b[^\n]{0,60}$",
    re.IGNORECASE,
)
_CLOSING = re.compile(
    r"^\s*(thanks?( you)?( (very|so) much)?( in advance)?|many thanks|cheers|regards|"
    r"kind regards|best regards|warm regards|best wishes|best|all the best|sincerely|"
    r"yours( sincerely| faithfully| truly)?|thank you|speak soon|ta)\b[\s,.!]*$",
    re.IGNORECASE,
)
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
_TITLE_WORDS = re.compile(
    r"\b(manager|officer|director|head|coordinator|co-ordinator|assistant|administrator|"
    r"technician|engineer|teacher|bursar|secretary|clerk|analyst|lead|executive|consultant|"
    r"ceo|cto|cfo|it|ict)\b",
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


def has_description(text: str) -> bool:
    """Enough words to act on: more than a bare 'help' or 'see subject'."""
    return len(re.findall(r"\w+", text)) >= 3


def _clean_value(value: str) -> str:
    value = re.sub(r"\s+", " ", value).strip(" \t.,;*_\"'")
    return value[:200]


def _labelled(text: str) -> tuple[dict[str, str], list[str]]:
    found: dict[str, str] = {}
    consumed: list[str] = []
    for kind in (PHONE, NAME, COMPANY, DESCRIPTION):
        for match in _LABELLED[kind].finditer(text):
            line = match.group(0)
            if line in consumed:
                continue  # "Contact number: …" is a phone line, not a name
            label = match.group("label").lower()
            value = _clean_value(match.group("value"))
            if not value:
                continue
            if kind != DESCRIPTION:  # the description stays in the text, without its label
                consumed.append(line)
            if kind == COMPANY and label.startswith("site"):
                found.setdefault("site", value)
                continue
            found.setdefault(kind, value)
    return found, consumed


def _looks_like_person(value: str, *, full: bool = False) -> bool:
    """Capitalised words, no digits or addresses; `full`: a first name alone is not enough."""
    if not value or "@" in value or any(ch.isdigit() for ch in value):
        return False
    if _NOT_A_PERSON.search(value):
        return False
    words = value.split()
    return (2 if full else 1) <= len(words) <= 5 and all(
        w[:1].isupper() or w.lower() in _PARTICLES for w in words
    )


_PARTICLES = {"van", "von", "de", "der", "da", "di", "le", "la", "du", "del", "bin", "al"}


def display_name_person(display: str) -> str:
    """A person's name from a From display name: 'Smith, Jane' → 'Jane Smith'; '' for a robot."""
    display = re.sub(r"\s*\(.*?\)\s*", " ", display).strip().strip("'\"")
    if "," in display:
        last, _, first = display.partition(",")
        if first.strip() and len(last.split()) <= 2 and len(first.split()) <= 3:
            display = f"{first.strip()} {last.strip()}"
    return display if _looks_like_person(display, full=True) else ""


def _signature_lines(reply_text: str, signature: str) -> list[str]:
    if signature.strip():
        lines = signature.splitlines()
    else:
        # no block was recognised: look after a closing line near the end of the text
        lines = reply_text.splitlines()
        for index in range(len(lines) - 1, max(-1, len(lines) - 12), -1):
            if _CLOSING.match(lines[index]):
                lines = lines[index:]
                break
        else:
            lines = _last_block_if_signature(lines)
    return [line.strip() for line in lines if line.strip() and line.strip() not in ("--", "-- ")]


def _last_block_if_signature(lines: list[str]) -> list[str]:
    """A closing block without a sign-off: a few short lines after the last blank line,
    starting with a person's full name ('Mike Jones / Brightpath Consulting LLC')."""
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    start = max((i + 1 for i, line in enumerate(lines) if not line.strip()), default=0)
    block = [line.strip() for line in lines[start:]]
    if start == 0 or not block or len(block) > 5 or any(len(line) > 70 for line in block):
        return []
    return block if _looks_like_person(block[0], full=True) else []


def _from_signature(lines: list[str]) -> tuple[str, str]:
    name = company = ""
    body = [line for line in lines if not _CLOSING.match(line)]
    for line in body[:6]:
        if not name and _looks_like_person(line, full=True) and not _TITLE_WORDS.search(line):
            name = line
            continue
        for segment in re.split(r"\s*[|,–—]\s*|\s+-\s+", line):
            if not company and _ORG_SUFFIX.search(segment) and sum(map(str.isdigit, segment)) < 6:
                company = _clean_value(segment)
    return name, company


def _description(reply_text: str, consumed: list[str], signature_lines: list[str]) -> str:
    skip = {line.strip() for line in consumed}
    kept: list[str] = []
    for line in reply_text.splitlines():
        stripped = line.strip()
        if stripped in skip or _LABEL_ONLY.match(stripped):
            continue
        if labelled := _LABELLED[DESCRIPTION].match(stripped):
            line = stripped = labelled.group("value")
        if not kept and (not stripped or _GREETING.match(stripped)):
            continue
        if _DISCLAIMER.match(stripped):
            break
        kept.append(line.rstrip())
    # closing lines and anything after them (a signature the reply parser did not see)
    for index in range(len(kept) - 1, max(-1, len(kept) - 8), -1):
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
    return extract_from_text(
        reply_text, signature=signature, display_name=parsed.from_.name, region=region
    )


def extract_from_text(
    reply_text: str, *, signature: str = "", display_name: str = "", region: str = "GB"
) -> Details:
    labelled, consumed = _labelled(reply_text + "\n" + signature)
    name, name_source = labelled.get(NAME, ""), "labelled"
    company, company_source = labelled.get(COMPANY, ""), "labelled"
    if name and not _looks_like_person(name):
        name = display_name_person(name) or name  # 'Smith, Jane' typed in a field
    if not name and (match := _PROSE_NAME.search(reply_text)):
        candidate = match.group("name")
        if _looks_like_person(candidate, full=True):
            name, name_source = candidate, "prose"
    if not company and (match := _PROSE_COMPANY.search(reply_text)):
        company, company_source = _clean_value(match.group("company")), "prose"
    signature_lines = _signature_lines(reply_text, signature)
    sig_name, sig_company = _from_signature(signature_lines)
    if not name and sig_name:
        name, name_source = sig_name, "signature"
    if not company and sig_company:
        company, company_source = sig_company, "signature"
    if not name and (person := display_name_person(display_name)):
        name, name_source = person, "display name"
    phones: list[Phone] = []
    if PHONE in labelled:
        phones.extend(find_phones(labelled[PHONE], region))
    for phone in find_phones(reply_text + "\n" + signature, region):
        if phone.e164 not in {p.e164 for p in phones}:
            phones.append(phone)
    description = _description(reply_text, consumed, signature_lines)
    return Details(
        name=name,
        name_source=name_source if name else "",
        company=company,
        company_source=company_source if company else "",
        phones=tuple(phones),
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
