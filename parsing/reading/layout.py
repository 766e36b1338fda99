"""The parts of a mail's new text: greeting, body, sign-off, signature and boilerplate.

The reply parser (parsing.reply) has cut quoted history and, where it saw one, the signature.
What it cannot know is where a signature stands that has no sign-off above it, that a
signature sits above a confidentiality notice, or which trailing lines are boilerplate a mail
program or a mail server appended. Reading the details needs all of that: a signature is read
wherever it stands, and boilerplate never reaches the description.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from parsing.greetings import after_greeting
from parsing.lexicon import alternation
from parsing.lexicon.people import FIRST_PERSON
from parsing.lexicon.phrases import BOILERPLATE_OPENINGS, MOBILE_SIGNATURES, SIGN_OFFS

GREETING, BODY, SIGN_OFF, SIGNATURE, BOILERPLATE, SUBJECT = (
    "greeting", "body", "sign-off", "signature", "boilerplate", "subject")

# a sign-off is looked for this far from the end: German and Dutch signatures carry the
# company's legal footer (register, directors, VAT number) below the name
SIGNATURE_LINES = 40
# a signature line is short; a longer one is a sentence
SIGNATURE_LINE_CHARS = 80
# a signature without a sign-off starts this near the end (its footer included)
TAIL_LINES = 16

# 'Kind regards,', 'Thank you in advance and kind regards'
_SIGN_OFF_WORDS = alternation(SIGN_OFFS)
_SIGN_OFF = re.compile(
    rf"^[ \t>]*+(?P<words>{_SIGN_OFF_WORDS}(?:[ \t]*+(?:,|and|&)[ \t]*+{_SIGN_OFF_WORDS})?)"
    r"[ \t]*+[,.!:;–-]*+[ \t]*+$",
    re.IGNORECASE,
)
# 'Cheers, Dave Smith', 'Mfg Eike', 'Thanks - Jo': the sign-off and the name on one line
_SIGN_OFF_NAMED = re.compile(
    rf"^[ \t]*+(?P<words>(?i:{alternation(SIGN_OFFS)}))(?:[ \t]*+[,.!–-][ \t]*+|[ \t]++)"
    r"(?P<name>[A-Z][\w'’.-]*(?:[ \t]+[A-Za-z][\w'’.-]*){0,3}|[a-z][\w'’.-]*"
    r"(?:[ \t]+[a-z][\w'’.-]*){0,2})[ \t]*[.!]?$"
)
_BOILERPLATE = re.compile(rf"^[\W_]*{alternation(BOILERPLATE_OPENINGS)}", re.IGNORECASE)
# (the words the phrases open with, below: a cheap look before the long alternations)
_SEPARATOR = re.compile(r"^[ \t]*(?:--[ \t]?|_{3,}|-{3,}|={3,}|\*{3,})[ \t]*$")
_SENTENCE_END = re.compile(r"[.?!:]$")
# what a phone's mail app appends, even right under the words: 'Sent from my iPhone'
_MOBILE = re.compile(rf"^{alternation(MOBILE_SIGNATURES)}\b", re.IGNORECASE)
# the sender's own words (prose, not a footer): 'I', 'my', 'we' — the pronoun 'I' as a capital
# ('i' only as the capital pronoun: a lower-case 'i' is a list item or a typo as often)
_FIRST_PERSON = re.compile(
    rf"(?<![\w'])(?:I|I['’]m|(?i:{alternation(w for w in FIRST_PERSON if w[0] != 'i')}))(?![\w'])"
)
_FIRST_NAME = re.compile(r"[A-Z][\w'’-]{1,20}[,.!]?")


@dataclass(frozen=True, slots=True)
class Line:
    index: int
    text: str  # stripped
    zone: str


@dataclass(frozen=True, slots=True)
class Layout:
    lines: tuple[Line, ...]
    sign_off_name: str = ""  # the name on the sign-off's line ('Cheers, Dave Smith')
    sign_off_line: int = -1  # where that line is

    def text_of(self, *zones: str) -> str:
        return "\n".join(line.text for line in self.lines if line.zone in zones)


def _opening_word(line: str) -> str:
    """The first word, lower case, without the marks around it ('> Thanks,' → 'thanks')."""
    stripped = line[:60].lstrip(" \t>*-–—•·(\"'_|")
    if stripped.startswith("["):
        return "["
    words = stripped.split(None, 1)
    return words[0].lower().rstrip(",.:;!?*\"')").replace("’", "'") if words else ""


_SIGN_OFF_OPENINGS = frozenset(_opening_word(phrase) for phrase in SIGN_OFFS)
_BOILERPLATE_OPENINGS = frozenset(_opening_word(phrase) for phrase in BOILERPLATE_OPENINGS)


def sign_off(line: str) -> bool:
    return len(line) <= SIGNATURE_LINE_CHARS and _opening_word(line) in _SIGN_OFF_OPENINGS and (
        bool(_SIGN_OFF.match(line))
    )


def sign_off_with_name(line: str) -> tuple[str, str] | None:
    """('Cheers', 'Dave Smith') for 'Cheers, Dave Smith'; None for anything else."""
    if len(line) > SIGNATURE_LINE_CHARS or _opening_word(line) not in _SIGN_OFF_OPENINGS:
        return None
    found = _SIGN_OFF_NAMED.match(line)
    return (found.group("words"), found.group("name")) if found else None


def boilerplate(line: str) -> bool:
    return _opening_word(line) in _BOILERPLATE_OPENINGS and bool(_BOILERPLATE.match(line))


def _paragraphs(lines: list[str]) -> list[tuple[int, int]]:
    """(first, end) line index of each run of non-blank lines."""
    runs, start = [], None
    for index, line in enumerate([*lines, ""]):
        if line.strip() and start is None:
            start = index
        elif not line.strip() and start is not None:
            runs.append((start, index))
            start = None
    return runs


def _boilerplate_lines(lines: list[str]) -> set[int]:
    """Lines of appended boilerplate: a paragraph that opens like a notice (and the long
    paragraphs that continue it), and single lines a mail program adds ('Sent from my
    iPhone'). The first paragraph is the customer's: a notice never opens a mail."""
    found: set[int] = set()
    runs = _paragraphs(lines)
    in_notice = False
    for number, (first, end) in enumerate(runs):
        block = [line.strip() for line in lines[first:end]]
        opens = number > 0 and boilerplate(block[0])
        prose = sum(len(line) for line in block) / len(block) > 60
        if opens or (in_notice and prose):
            found.update(range(first, end))
            in_notice = True
            continue
        in_notice = False
        for offset, line in enumerate(block):
            if offset and (number > 0 or _MOBILE.match(line)) and boilerplate(line):
                found.add(first + offset)
    return found


def _short(line: str) -> bool:
    return len(line) <= SIGNATURE_LINE_CHARS and not line.endswith("?")


def _tail_block(lines: list[str], kept: list[int], starts_signature: Callable[[str], bool]
                ) -> int | None:
    """Where a signature without a sign-off starts: a paragraph of short lines near the end
    whose first line `starts_signature` (a person's name, a 'name, organisation' line); what
    follows it is the signature's (addresses, a company's footer)."""
    content = [i for i in kept if lines[i].strip()]
    if len(content) < 2:
        return None
    for start in content[-TAIL_LINES:]:
        if start == content[0] or not starts_signature(lines[start].strip()):
            continue  # the first line is the request itself
        paragraph = [i for i in content if i >= start]
        for number, index in enumerate(paragraph):
            if number and index != paragraph[number - 1] + 1:
                paragraph = paragraph[:number]
                break
        below = [lines[i].strip() for i in content if i > start]
        if all(_short(lines[i].strip()) for i in paragraph) and not any(
            _FIRST_PERSON.search(line) for line in below if not _short(line)
        ):
            return start  # the sender's own words go on below: no signature yet
    return None


def lay_out(text: str, signature: str = "", *,
            starts_signature: Callable[[str], bool] | None = None,
            subject: str = "") -> Layout:
    """The zones of a mail's new text (`text`) and the signature the reply parser cut off.
    `starts_signature(line)` says whether a line can open a signature block that has no
    sign-off above it (the reader knows names; this module knows only layout)."""
    text_lines = text.splitlines()
    lines = [*text_lines, *([""] if signature.strip() else []), *signature.splitlines()]
    bare = [line.strip() for line in lines]
    cut_at = len(text_lines) + 1 if signature.strip() else None
    noise = _boilerplate_lines(lines)
    kept = [i for i in range(len(lines)) if i not in noise]
    content = [i for i in kept if bare[i]]
    zones = dict.fromkeys(range(len(lines)), BODY)
    zones.update(dict.fromkeys(noise, BOILERPLATE))
    named = ""
    # the sign-off: the lowest one within reach of the end
    off = None
    for index in reversed(content[-SIGNATURE_LINES:]):
        line = bare[index]
        closing = sign_off(line)
        if index == content[0] and len(content) > 1 and not closing:
            break
        if closing:
            off = index
            break
        if (pair := sign_off_with_name(line)) and all(
            _short(bare[i]) and not _SENTENCE_END.search(bare[i]) for i in content if i > index
        ):
            off, named = index, pair[1]
            break
    if off is not None and off != content[0]:
        zones[off] = SIGN_OFF
        for index in kept:
            if index > off:
                zones[index] = SIGNATURE
    elif cut_at is not None:
        for index in kept:
            if index >= cut_at:
                zones[index] = SIGNATURE
    if off is None and SIGNATURE not in zones.values() and starts_signature is not None and (
        start := _tail_block(lines, [i for i in kept if zones[i] == BODY], starts_signature)
    ) is not None:
        for index in kept:
            if index >= start and zones[index] == BODY:
                zones[index] = SIGNATURE
    # a first name alone right above the signature signs off ('Peter' over 'Peter Yeo FCCA')
    body_lines = [i for i in content if zones[i] == BODY]
    signed = [i for i in content if zones[i] == SIGNATURE]
    if body_lines and signed and body_lines[-1] < signed[0] and len(body_lines) > 1 and (
        _FIRST_NAME.fullmatch(bare[body_lines[-1]])
    ):
        zones[body_lines[-1]] = SIGN_OFF
    # a separator ('--', '____') above a signature belongs to it
    for index in kept:
        if bare[index][:1] in "-_=*" and zones[index] == BODY and _SEPARATOR.match(bare[index]):
            after = next((zones[i] for i in content if i > index), SIGNATURE)
            if after in (SIGNATURE, BOILERPLATE):
                zones[index] = SIGNATURE
    # the greeting: the first line, when it opens with one ('Hello, the wifi is down' keeps
    # the rest as body text: Line.text is then that rest)
    out: list[Line] = [Line(-1, subject.strip(), SUBJECT)] if subject.strip() else []
    greeted = False
    for index, stripped in enumerate(bare):
        zone = zones[index]
        if not greeted and stripped and zone == BODY:
            greeted = True
            rest = after_greeting(stripped)
            if rest == "":
                zone = GREETING
            elif rest is not None:
                out.append(Line(index, stripped[: len(stripped) - len(rest)].strip(), GREETING))
                stripped = rest
        out.append(Line(index, stripped, zone))
    return Layout(tuple(out), named, off if off is not None else -1)
