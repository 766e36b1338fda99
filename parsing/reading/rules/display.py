"""The From display name: what the sender's mail program calls them ('Smith, Jane' is Jane
Smith). A role ('Head Teacher'), a team ('IT Support') or a robot ('Mail Delivery System') is
no one."""

from __future__ import annotations

from parsing.reading import judge
from parsing.reading.candidate import NAME, SIGNED, Candidate
from parsing.reading.rules import Mail

RULE = "display name"


class DisplayName:
    name = RULE

    def propose(self, mail: Mail) -> list[Candidate]:
        verdict = judge.display_person(mail.display_name)
        if verdict is None:
            return []
        candidate = Candidate(NAME, verdict.value, RULE, SIGNED, mail.display_name, -1)
        candidate = candidate.doubted_for(verdict.doubts)
        return [candidate]
