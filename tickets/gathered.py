"""The details gathered for one request: a value, passed between the pipeline's stages."""

from __future__ import annotations

from dataclasses import dataclass, field

from parsing.details import COMPANY, DESCRIPTION, NAME, PHONE, has_description
from parsing.phones import Phone


@dataclass(frozen=True, slots=True)
class Gathered:
    name: str = ""
    company: str = ""
    phones: tuple[Phone, ...] = ()
    description: str = ""
    # detail -> the evidence it was read from: "labelled field ('Name: Jane Doe')"
    sources: dict[str, str] = field(default_factory=dict)
    unconfirmed: tuple[str, ...] = ()  # details read on weak evidence only
    own: tuple[str, ...] = ()  # details the sender stated of themselves (choose.OWN_WORDS)

    @property
    def phone(self) -> Phone | None:
        return self.phones[0] if self.phones else None

    def missing(self, required: tuple[str, ...]) -> tuple[str, ...]:
        present = {
            NAME: bool(self.name),
            COMPANY: bool(self.company),
            PHONE: bool(self.phones),
            DESCRIPTION: has_description(self.description),
        }
        return tuple(kind for kind in required if not present.get(kind, True))

    def explain(self) -> str:
        """'name 'Jane Doe' from labelled field ('Name: Jane Doe'); company …' for the
        decision log and the ticket's history."""
        shown = {NAME: self.name, COMPANY: self.company,
                 PHONE: self.phone.original if self.phone else ""}
        return "; ".join(
            f"{detail} '{shown[detail]}' from {source}"
            + (" (unconfirmed)" if detail in self.unconfirmed else "")
            for detail, source in self.sources.items() if detail in shown
        )
