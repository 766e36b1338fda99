"""Every word list mailgate reads mail with, once, per concept and per language.

The lists are data: tuples of lower-case words or phrases, one per concept and language
(`en`, `de`, `fr`, `es`, `nl`: the languages of `parsing.reply.LANGUAGES`), combined by union
where a rule wants all languages. Nothing else in `parsing/` spells out a word list; a rule
imports the concept it needs and, where it needs a regular expression, builds it with
`alternation` so that the longest phrase wins and words match whole.

- `organisations`: legal forms, organisation nouns, school words, departments.
- `people`: job titles, honorifics, name particles, words that are no one's name, robot and
  product words.
- `phrases`: greetings, sign-offs, call-back phrases, field labels, number labels that are no
  call-back number, reply-header words, boilerplate openings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable


def union(*lists: Iterable[str]) -> tuple[str, ...]:
    """The words of several lists, each once, in first-seen order."""
    return tuple(dict.fromkeys(word for words in lists for word in words))


def alternation(words: Iterable[str]) -> str:
    """A regex alternation of `words`, longest first, blanks matching any run of blanks
    (possessive, so a line of 20,000 blanks cannot make a match quadratic) and a trailing dot
    optional ('ltd' matches 'Ltd.')."""
    parts = []
    for word in sorted(set(words), key=len, reverse=True):
        escaped = re.escape(word.replace("’", "'")).replace(r"\ ", r"[ \t]++")
        escaped = escaped.replace("'", "['’]")
        parts.append(escaped)
    return "(?:" + "|".join(parts) + ")"


def word_pattern(words: Iterable[str], flags: int = re.IGNORECASE) -> re.Pattern[str]:
    """Any of `words` as a whole word (no letter or digit on either side)."""
    return re.compile(r"(?<![\w])" + alternation(words) + r"(?![\w])", flags)
