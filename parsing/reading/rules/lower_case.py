"""Mail written without capitals ('hi its lauren hale from thorpe lea infants, i cant get
into…'): where the sender says where they are from, an organisation's words still tell the
organisation ('infants', 'floristeria'), and the two words they introduce themselves with
just before it are their name. Only in such mail: elsewhere a lower-case phrase after 'from'
is no name."""

from __future__ import annotations

import re

from parsing.lexicon import alternation
from parsing.lexicon.organisations import ORGANISATION_JOINERS
from parsing.lexicon.people import NOT_NAME_WORDS
from parsing.lexicon.phrases import (
    AFFILIATION_LINKS,
    ARTICLES,
    PLACE_LINKS,
    SELF_NAMING,
    SELF_NAMING_WEAK,
    SENTENCE_OPENINGS,
)
from parsing.reading import judge
from parsing.reading.candidate import COMPANY, NAME, STATED, Candidate
from parsing.reading.layout import BODY, GREETING
from parsing.reading.letters import CAPITAL
from parsing.reading.rules import Mail

RULE = "prose in lower case"
_WORD = r"[a-zà-öø-ÿ][\w'’&-]*"
_FROM = re.compile(
    rf"(?<![\w'])(?:{alternation(AFFILIATION_LINKS)})[ \t]+(?P<org>{_WORD}(?:[ \t]+{_WORD}){{0,6}})"
)
# a place after the organisation's name: 'floristeria el jardin de lola en triana'
_PLACE = re.compile(rf"[ \t]+{alternation(PLACE_LINKS)}[ \t]+\S+$")
_ARTICLE = re.compile(rf"^{alternation(ARTICLES)}[ \t]+")
_COMMON = (frozenset(NOT_NAME_WORDS) - frozenset(ORGANISATION_JOINERS)) | frozenset(
    SENTENCE_OPENINGS)
_CAPITAL = re.compile(rf"(?!I\b){CAPITAL}")  # a capital, the pronoun 'I' aside
# a self-introduction with a first name right before 'from': 'its liam', 'this is jo'
_INTRODUCED = re.compile(
    rf"(?:^|\W)(?:{alternation((*SELF_NAMING, *SELF_NAMING_WEAK))})[ \t]+{_WORD}[ \t]+$"
)

_NAMED = re.compile(
    rf"(?:^|\W)(?:{alternation((*SELF_NAMING, *SELF_NAMING_WEAK))})[ \t]+"
    rf"(?P<name>{_WORD}[ \t]+{_WORD})[ \t]+$"
)


def written_in_lower_case(mail: Mail) -> bool:
    lines = [line.text for line in mail.layout.lines if line.zone in (BODY, GREETING)]
    return any(lines) and not any(_CAPITAL.search(line) for line in lines)


def _until_common_word(words: str) -> str:
    """'greenbank nursery the tablet we use' → 'greenbank nursery': a name ends where the
    sentence goes on without capitals to mark it (at its first article, pronoun or verb-ish
    common word)."""
    kept = []
    for word in words.split():
        if kept and word.lower() in _COMMON:
            break
        kept.append(word)
    return " ".join(kept)


class LowerCaseProse:
    name = RULE

    def propose(self, mail: Mail) -> list[Candidate]:
        if not written_in_lower_case(mail):
            return []
        found = []
        for line in mail.layout.lines:
            if line.zone not in (BODY, GREETING):
                continue
            for match in _FROM.finditer(line.text):
                org = _ARTICLE.sub("", _PLACE.sub("", _until_common_word(match.group("org"))))
                before = line.text[: match.start()]
                introduced = bool(_INTRODUCED.search(before))
                found.extend(_introduced_name(before, line.index, line.zone))
                verdict = judge.organisation(org, any_case=True, placed=introduced)
                if verdict is None:
                    continue
                candidate = Candidate(COMPANY, verdict.value, RULE, STATED, match.group(0),
                                      line.index, zone=line.zone).doubted("written in lower case")
                if not judge.named_organisation(verdict.value):
                    if not introduced:
                        continue
                    # 'its liam from copperleaf': where the sender says they are from
                    candidate = candidate.weakest("no organisation word in it")
                found.append(candidate)
        return found


def _introduced_name(before: str, where: int, zone: str) -> list[Candidate]:
    """'hi its jo smith at greenbank nursery': two words between a self-introduction and
    where the sender is from name them, when neither is a common word."""
    named = _NAMED.search(before)
    if named is None or any(w.lower() in _COMMON for w in named.group("name").split()):
        return []
    verdict = judge.person(named.group("name"), any_case=True)
    if verdict is None:
        return []
    return [Candidate(NAME, verdict.value, RULE, STATED, named.group(0).strip(), where,
                      zone=zone).doubted_for(verdict.doubts)]
