"""What a reading rule sees, built as `parsing.reading.reader.read` builds it: the new text laid
out (with the reader's own `starts_signature`), wrapped in a `Mail`. The rule tests call one
rule's `propose` on it and look at the candidates, one rule at a time."""

from __future__ import annotations

from parsing.reading.candidate import Candidate
from parsing.reading.layout import lay_out
from parsing.reading.reader import starts_signature
from parsing.reading.rules import Mail, Rule


def mail(text: str, *, signature: str = "", display_name: str = "", region: str = "GB",
         subject: str = "") -> Mail:
    layout = lay_out(text, signature, subject=subject,
                     starts_signature=lambda line: starts_signature(line, display_name))
    return Mail(layout=layout, display_name=display_name, region=region.upper())


def propose(rule: Rule, text: str, **how: str) -> list[Candidate]:
    """The candidates `rule` alone proposes for the mail `text`."""
    return rule.propose(mail(text, **how))


def seen(candidates: list[Candidate]) -> list[tuple[str, str, str, int]]:
    """(detail, value, rule, strength) of each candidate, in the order proposed."""
    return [(c.detail, c.value, c.rule, c.strength) for c in candidates]


def values(candidates: list[Candidate], detail: str) -> list[str]:
    return [c.value for c in candidates if c.detail == detail]
