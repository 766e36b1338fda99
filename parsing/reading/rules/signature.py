"""The signature block, wherever it stands (above a disclaimer too): the name line ('Jane
Doe', 'Jane Doe | Finance Officer', 'Mr John Smith (Head Teacher)'), the organisation's line
('Hillside Dental Practice'), a title | organisation line ('Practice Manager | Greenfield Law
LLP', 'Practice Manager at The Grange Surgery'), and the name on the sign-off's own line
('Cheers, Dave Smith')."""

from __future__ import annotations

import re

from parsing.lexicon import alternation
from parsing.lexicon.phrases import SIGNATURE_AT
from parsing.reading import judge
from parsing.reading.candidate import COMPANY, NAME, SIGNED, Candidate
from parsing.reading.layout import SIGNATURE, Line
from parsing.reading.rules import Mail
from parsing.reading.segments import segments

RULE = "signature"
TITLE_ORGANISATION = "signature's title | organisation line"
SIGN_OFF_NAME = "sign-off line"
POSITION = "signature line below the name"
# the lines of a signature that carry who and where; below them come addresses and footers
READ_LINES = 8
_AT = re.compile(rf"[ \t]+{alternation(SIGNATURE_AT)}[ \t]+", re.IGNORECASE)
_RULE_LINE = re.compile(r"[-_=*]{2,}|-- ?")
_CONTACT = re.compile(r"@|www\.|https?://|\d{3}")
_LOGO = re.compile(r"\[([^\[\]]{2,60}?)(?:[ \t]+logo)?\]", re.IGNORECASE)


class Signature:
    name = RULE

    def propose(self, mail: Mail) -> list[Candidate]:
        lines = [line for line in mail.layout.lines if line.zone == SIGNATURE and line.text
                 and not _RULE_LINE.fullmatch(line.text)][:READ_LINES]
        found: list[Candidate] = []
        named = mail.layout.sign_off_name
        # 'gruß jo schmidt': a name in lower case only where the mail program says it too
        any_case = named.lower() == mail.display_name.lower().strip()
        if named and (verdict := judge.person(named, any_case=any_case)):
            candidate = Candidate(NAME, verdict.value, SIGN_OFF_NAME, SIGNED, named,
                                  mail.layout.sign_off_line, zone=SIGNATURE)
            found.append(_doubted(candidate, verdict))
        named_at = None
        for number, line in enumerate(lines):
            parts = segments(line.text)
            verdict = None
            if named_at is None and parts and number < 4 and len(line.text) <= 70:
                # a name in lower case only where the mail program says it too
                verdict = judge.person(parts[0], any_case=_as_displayed(parts[0], mail))
                if verdict is not None and verdict.doubts and judge.organisation(parts[0]) and (
                    judge.registered(parts[0]) or judge.organisation_noun(parts[0])
                ):
                    verdict = None  # 'Greenleaf Housing Trust'; 'Anna Neuhaus' is a person
            if verdict is not None:
                found.append(_doubted(Candidate(NAME, verdict.value, RULE, SIGNED, line.text,
                                                line.index, zone=SIGNATURE), verdict))
                named_at = number
                parts = parts[1:]
            found.extend(self._organisations(parts, line))
            logo = _LOGO.fullmatch(line.text)
            # '[Brightwater]': the alt text of the organisation's logo
            if logo and (verdict := judge.organisation(logo.group(1), placed=True)):
                candidate = Candidate(COMPANY, verdict.value, RULE, SIGNED, line.text,
                                      line.index, zone=SIGNATURE)
                found.append(candidate.doubted("a logo's alt text"))
        if named_at is not None and not any(c.detail == COMPANY for c in found):
            found.extend(self._by_position(lines, named_at))
        return _registered_first(_not_the_senders_friends(found, mail.display_name))

    def _organisations(self, parts: list[str], line: Line) -> list[Candidate]:
        found: list[Candidate] = []
        titled = False
        if judge.address(line.text) and not judge.legal_form(line.text):
            return found  # 'Civic Centre, Poulton Road, Wyreside FY6 7PU'
        for part in parts:
            if _CONTACT.search(part):
                continue  # 'T: 0161 496 0755', 'jane@acme.example', 'www.acme.example'
            if (rest := _after_title(part)) is not None:
                part, titled = rest, True  # 'Site Manager Greystones'
            at = _AT.split(part, maxsplit=1)
            if len(at) == 2 and judge.job_title(at[0]):
                part, titled = at[1], True  # 'Practice Manager at The Grange Surgery'
            elif (judge.job_title(part) and not judge.organisation_words(part)) or (
                judge.job_title_last(part) and not judge.legal_form(part)
            ):
                titled = True  # 'Practice Manager', 'Senior Talent Partner': next comes where
                continue
            verdict = judge.organisation(part, placed=titled, any_case=line.text.islower())
            if verdict is None:
                continue
            rule = TITLE_ORGANISATION if titled else RULE
            found.append(_doubted(Candidate(COMPANY, verdict.value, rule, SIGNED, line.text,
                                            line.index, zone=SIGNATURE), verdict))
        return found

    def _by_position(self, lines: list[Line], named_at: int) -> list[Candidate]:
        """'Jane Doe / Finance Officer / Brightwater': a short line of capitalised words
        right below the name (and title) is the organisation, doubted."""
        for line in lines[named_at + 1 : named_at + 3]:
            parts = segments(line.text)
            if len(parts) != 1 or _CONTACT.search(parts[0]):
                return []
            part = parts[0]
            if judge.job_title(part) or judge.role_words_only(part):
                continue
            verdict = judge.organisation(part, placed=True)
            if verdict is None:
                return []
            # 'Owen Pryce / Ty Glas Pottery': under the name, words that could be a name too
            # are where the person works
            candidate = Candidate(COMPANY, verdict.value, POSITION, SIGNED, line.text,
                                  line.index, zone=SIGNATURE)
            return [_doubted(candidate.doubted("placed only by its position"), verdict)]
        return []


def _as_displayed(name: str, mail: Mail) -> bool:
    return name.lower() == mail.display_name.lower().strip()


def _after_title(part: str) -> str | None:
    """'Site Manager Greystones' → 'Greystones': what follows a job title in one segment."""
    words = part.split()
    for end in range(len(words) - 1, 0, -1):
        head = " ".join(words[:end])
        if judge.role_words_only(head) and judge.job_title(words[end - 1]):
            rest = " ".join(words[end:])
            return rest if not judge.role_words_only(rest) else None
    return None


def _not_the_senders_friends(found: list[Candidate], display_name: str) -> list[Candidate]:
    """'John & Marc' signed by Marc Smith: two people, not a firm called so."""
    first = display_name.split()[0].lower() if display_name.split() else ""
    return [
        c for c in found
        if c.detail != COMPANY or judge.named_organisation(c.value) or not first
        or first not in (w.lower() for w in c.value.split())
    ]


def _registered_first(found: list[Candidate]) -> list[Candidate]:
    """A signature names departments and subjects after a job title too ('Lecturer,
    Engineering & Construction', 'Associate | Residential Property'): where a line names an
    organisation by a legal form or a school word, what follows a title is no employer."""
    registered = [c for c in found if c.detail == COMPANY and judge.registered(c.value)]
    if not registered:
        return found
    return [c for c in found if c.detail != COMPANY or c in registered
            or c.rule != TITLE_ORGANISATION]


def _doubted(candidate: Candidate, verdict: judge.Verdict) -> Candidate:
    return candidate.doubted_for(verdict.doubts)
