"""The four details a service desk needs, from whatever the customer wrote.

Requester's full name, client company, call-back number(s) and a description of the issue
(the seed policy "service desk requests"). `parsing.reading` reads them: small named rules
propose candidates with evidence, and each detail takes the strongest. A detail is missing only
when no rule proposed anything; a detail read on weak evidence only is kept and marked
unconfirmed.
The contact directory and the company domains in config are the ticket rules' evidence, which
know them (tickets.details.gather); this module stays pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from parsing.message import ParsedMessage
from parsing.phones import Phone
from parsing.reading.candidate import COMPANY, DESCRIPTION, NAME, PHONE, SITE, WEAK, Candidate
from parsing.reading.reader import read
from parsing.reply import forwarded_mail
from parsing.subject import is_forward

ALL_DETAILS = (NAME, COMPANY, PHONE, DESCRIPTION)
_WORD = re.compile(r"\w+")
LABELS = {
    NAME: "your full name",
    COMPANY: "your company or school",
    PHONE: "a call-back number",
    DESCRIPTION: "a description of the problem",
}


@dataclass(frozen=True, slots=True)
class Details:
    name: str = ""
    company: str = ""
    phones: tuple[Phone, ...] = ()
    description: str = ""
    site: str = ""
    # the candidate each detail took (name, company, phone, site), with its rule and text
    evidence: dict[str, Candidate] = field(default_factory=dict)

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
    return len(_WORD.findall(text[:2000])) >= 3


def extract_from_text(
    reply_text: str, *, signature: str = "", display_name: str = "", region: str = "GB",
    subject: str = "",
) -> Details:
    reading = read(reply_text, signature=signature, display_name=display_name, region=region,
                   subject=subject)
    evidence = dict(reading.chosen)
    if reading.phones:
        evidence[PHONE] = reading.phones[0]
    phones = tuple(
        Phone(c.value, c.original or c.value, c.extension) for c in reading.phones
    )
    return Details(
        name=evidence[NAME].value if NAME in evidence else "",
        company=evidence[COMPANY].value if COMPANY in evidence else "",
        phones=phones,
        description=reading.description,
        site=evidence[SITE].value if SITE in evidence else "",
        evidence=evidence,
    )


def extract_details(
    parsed: ParsedMessage, *, region: str = "GB", text: str | None = None
) -> Details:
    """The four details as this mail gives them (`text` overrides the new text of the mail)."""
    reply_text = parsed.reply_text if text is None else text
    signature = parsed.signature if text is None else ""
    details = extract_from_text(
        reply_text, signature=signature, display_name=parsed.from_.name, region=region,
        subject=parsed.subject if text is None else "",
    )
    # Only the description: the person asking is the one who forwarded it.
    forward = is_forward(parsed.subject)
    # 'FYI' over a forwarded mail, or nothing at all: the forwarded mail is the request; under
    # a forward's subject it is part of it, whatever the sender wrote above it
    if (
        text is None
        and (forward or not has_description(details.description))
        and (found := forwarded_mail(parsed.text, forward_subject=forward))
        and found.reply.text
    ):
        # the forwarded mail read as any mail: its greeting, signature and footer are no part
        # of the request
        theirs = extract_from_text(found.reply.text, signature=found.reply.signature,
                                   region=region)
        own, forwarded = details.description, theirs.description or found.reply.text
        details = replace(details, description=f"{own}\n\n{forwarded}" if own else forwarded)
        details = _colleagues_company(details, parsed, found.sender, theirs)
    return details


FORWARDED_COLLEAGUE = "forwarded colleague's signature"


def _colleagues_company(details: Details, parsed: ParsedMessage, sender: str,
                        theirs: Details) -> Details:
    """'see below - can you help?' over a colleague's mail: their signature names the
    organisation both work for, when both write from the same domain (weak evidence)."""
    own_domain = parsed.from_.email.rpartition("@")[2]
    if details.company or not sender or not own_domain or sender.rpartition("@")[2] != (
        own_domain
    ):
        return details
    if COMPANY not in theirs.evidence:
        return details
    found = theirs.evidence[COMPANY]
    candidate = Candidate(COMPANY, found.value, FORWARDED_COLLEAGUE, WEAK, found.text, -1,
                          doubts=("read from a colleague's forwarded mail",))
    return replace(details, company=found.value,
                   evidence={**details.evidence, COMPANY: candidate})
