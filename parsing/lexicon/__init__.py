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


_TOKEN = re.compile(r"[^\W_]+(?:['’.&-][^\W_]+)*\.?|&")


def tokens(text: str) -> list[str]:
    """The words of `text` as the vocabularies compare them: lower case, ’ as ', no dot at
    the end ('S.L.' → 's.l', 'Co.' → 'co'), '&' a word of its own."""
    return [t.lower().replace("’", "'").rstrip(".") for t in _TOKEN.findall(text)]


def openings(*groups: Iterable[str]) -> frozenset[str]:
    """The words the phrases of `groups` open with (as `tokens` writes them): where none of
    them stands in a text, no phrase can, and a set lookup is far cheaper than a regex."""
    return frozenset(tokens(phrase)[0] for group in groups for phrase in group if tokens(phrase))


def key(phrase: str) -> str:
    """A phrase as a word list holds it: lower case, single spaces, ' for ’ ('Full  Name',
    'Requester’s name' → 'full name', "requester's name")."""
    return " ".join(phrase.lower().replace("’", "'").split())


class Vocabulary:
    """A word list asked whether a text holds one of its words or phrases, by set lookups of
    the text's runs of words: a regex alternation of hundreds of phrases is tried at every
    position of the text, which is what made reading slow."""

    def __init__(self, phrases: Iterable[str]) -> None:
        keys = {tuple(tokens(phrase)) for phrase in phrases}
        self._keys = frozenset(k for k in keys if k)
        self._longest = max((len(k) for k in self._keys), default=0)
        # the lengths of the phrases each word opens, longest first: most words open none
        lengths: dict[str, set[int]] = {}
        for key in self._keys:
            lengths.setdefault(key[0], set()).add(len(key))
        self._opening = {w: tuple(sorted(n, reverse=True)) for w, n in lengths.items()}

    def found(self, text: str) -> list[tuple[str, str]]:
        """(phrase, as written) of every phrase in `text`, in order."""
        written = _TOKEN.findall(text)
        words = [t.lower().replace("’", "'").rstrip(".") for t in written]
        hits = []
        for start, word in enumerate(words):
            for size in self._opening.get(word, ()):
                if tuple(words[start : start + size]) in self._keys:
                    hits.append((" ".join(words[start : start + size]),
                                 " ".join(written[start : start + size])))
                    break
        return hits

    def search(self, text: str) -> bool:
        """Whether `text` holds a word or phrase of the list."""
        words = tokens(text)
        for start, word in enumerate(words):
            for size in self._opening.get(word, ()):
                if tuple(words[start : start + size]) in self._keys:
                    return True
        return False

    def fullmatch(self, text: str) -> bool:
        """Whether `text` is one of the list's words or phrases and nothing else."""
        return tuple(tokens(text)) in self._keys
