"""The reader: structure the new text, let every rule propose, choose per detail.

    lay out (layout.py) → propose (rules/) → choose (choose.py) → the description

Each chosen detail keeps its candidate: the rule that read it, the text it read, how strong
the evidence is and what speaks against it. The decision log and the ticket's history say so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from parsing.reading import judge
from parsing.reading.candidate import COMPANY, NAME, SITE, Candidate
from parsing.reading.choose import choose, distinct_phones
from parsing.reading.layout import BODY, Layout, lay_out
from parsing.reading.rules import Mail, Rule
from parsing.reading.rules.details_line import DetailsLine
from parsing.reading.rules.display import DisplayName
from parsing.reading.rules.labelled import DESCRIPTION_LABELS_RE, LabelledField, label_only
from parsing.reading.rules.lower_case import LowerCaseProse
from parsing.reading.rules.mentioned import OrganisationNamed
from parsing.reading.rules.numbers import CallBackNumbers
from parsing.reading.rules.prose import Prose
from parsing.reading.rules.signature import Signature
from parsing.reading.segments import segments

MAX_NUMBERS = 5  # call-back numbers kept for a ticket: the first is the one on it
_BLANK_LINES = re.compile(r"\n{3,}")
# the order rules run in: labelled fields and lines of details first, since the lines they
# consume are then known to the number rule and left out of the description
RULES: tuple[Rule, ...] = (
    LabelledField(), DetailsLine(), Prose(), Signature(), DisplayName(), CallBackNumbers(),
    OrganisationNamed(), LowerCaseProse(),
)


@dataclass(frozen=True, slots=True)
class Reading:
    candidates: tuple[Candidate, ...]
    chosen: dict[str, Candidate]  # name, company, site: the candidate each detail took
    phones: tuple[Candidate, ...]  # every call-back number, the strongest first
    description: str
    layout: Layout


def starts_signature(line: str, display_name: str = "") -> bool:
    """A line that can open a signature with no sign-off above it: a person's full name,
    alone or before a title or an organisation ('Jane Doe', 'Jane Doe | Finance Officer',
    'Jane Doe, Acme Ltd'); in lower case only as the mail program writes it too."""
    if len(line) > 70:
        return False
    parts = segments(line)
    any_case = bool(parts) and parts[0].lower() == display_name.lower().strip()
    return bool(parts) and judge.person(parts[0], any_case=any_case) is not None and not (
        judge.job_title(parts[0])
    )


def read(text: str, *, signature: str = "", display_name: str = "", region: str = "GB",
         subject: str = "") -> Reading:
    layout = lay_out(text, signature, subject=subject,
                     starts_signature=lambda line: starts_signature(line, display_name))
    mail = Mail(layout=layout, display_name=display_name, region=region.upper())
    candidates: list[Candidate] = []
    for rule in RULES:
        candidates.extend(rule.propose(mail))
    chosen = {
        detail: found for detail in (NAME, COMPANY, SITE)
        if (found := choose(candidates, detail)) is not None
    }
    return Reading(
        candidates=tuple(candidates),
        chosen=chosen,
        phones=tuple(distinct_phones(candidates, MAX_NUMBERS)),
        description=_description(mail),
        layout=layout,
    )


def _description(mail: Mail) -> str:
    kept: list[str] = []
    for position, line in enumerate(mail.layout.lines):
        if line.zone != BODY or position in mail.consumed:
            continue
        text = line.text
        if label_only(text):
            continue
        if labelled := DESCRIPTION_LABELS_RE.match(text):
            text = labelled.group("value")
        if not kept and not text:
            continue
        kept.append(text)
    while kept and not kept[-1].strip():
        kept.pop()
    return _BLANK_LINES.sub("\n\n", "\n".join(kept)).strip()


__all__ = ["Reading", "read", "starts_signature"]
