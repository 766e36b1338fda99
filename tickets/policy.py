"""The service-desk policy: statuses, priorities and SLA targets, business hours, triage, schedule.

`Policy` is the config schema of them all: its fields are `config.toml` sections, checked against
each other (a key that names an unknown status is an error naming the key), with the lookups the
ticket rules use. `Policy()` with no arguments is the Lourdes IT help desk policy.

Where the parts are:
- the sections (`Status`, `Priority`, `BusinessHours`, …) and `Section`, the base of every config
  section: `tickets.policy_sections`;
- the default statuses, priorities, SLA profiles and triage rules, as data:
  `tickets/default_policy.toml` (read by `tickets.default_policy`);
- durations ("30m", "1 business day") and how they are read: `tickets.durations`.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from typing import Any

from pydantic import Field, PrivateAttr, model_validator

from tickets import default_policy
from tickets.calendar import BusinessCalendar
from tickets.durations import Duration
from tickets.policy_sections import (
    AlternateHours,
    BusinessHours,
    Period,
    Priority,
    Schedule,
    Section,
    Status,
    StatusCategory,
    Targets,
    TriageRule,
    bare_address,
)

# the sections and Duration are importable from here too, as before the split
__all__ = [
    "AlternateHours",
    "BusinessHours",
    "Duration",
    "Period",
    "Policy",
    "Priority",
    "Schedule",
    "Section",
    "Status",
    "StatusCategory",
    "Targets",
    "TriageRule",
    "bare_address",
    "name_key",
]


class Policy(Section):
    """Everything the ticket rules need from config; the defaults are Lourdes IT's policy."""

    initial_status: str = "open"
    working_status: str = "open"
    default_priority: str = "medium"
    sla_profile: str = "default"
    statuses: tuple[Status, ...] = default_policy.STATUSES
    priorities: tuple[Priority, ...] = default_policy.PRIORITIES
    sla_profiles: dict[str, dict[str, Targets]] = Field(
        default_factory=lambda: {k: dict(v) for k, v in default_policy.SLA_PROFILES.items()}
    )
    business_hours: BusinessHours = BusinessHours()
    triage: tuple[TriageRule, ...] = default_policy.TRIAGE
    schedule: Schedule = Schedule()

    _status_index: dict[str, Status] = PrivateAttr(default_factory=dict)
    _priority_index: dict[str, Priority] = PrivateAttr(default_factory=dict)
    _triage_patterns: tuple[re.Pattern[str], ...] = PrivateAttr(default=())

    @model_validator(mode="after")
    def _cross_check(self) -> Policy:
        problems: list[str] = []
        status_keys = [s.key for s in self.statuses]
        priority_keys = [p.key for p in self.priorities]
        known_statuses = ", ".join(status_keys)
        known_priorities = ", ".join(priority_keys)
        problems += _duplicates("statuses", status_keys, "key")
        problems += _duplicates("statuses", [name_key(s.label) for s in self.statuses], "label")
        problems += _duplicates("priorities", [name_key(p.label) for p in self.priorities], "label")
        problems += _duplicates("priorities", priority_keys, "key")
        problems += _duplicates("triage", [r.name for r in self.triage], "name")
        by_key = {s.key: s for s in self.statuses}
        by_name_key = {name_key(s.key): s for s in self.statuses}
        for i, s in enumerate(self.statuses):
            other = by_name_key.get(name_key(s.label))
            if other is not None and other is not s:
                problems.append(f"statuses[{i}].label: {s.label!r} is the key of another status")
        categories = Counter(s.category for s in self.statuses)
        if categories["resolved"] != 1:
            problems.append(
                f"statuses: need exactly one status of category 'resolved', "
                f"found {categories['resolved']}"
            )
        if categories["closed"] < 1:
            problems.append("statuses: need at least one status of category 'closed'")
        for name in ("initial_status", "working_status"):
            key = getattr(self, name)
            if key not in by_key:
                problems.append(f"{name}: unknown status {key!r}; known: {known_statuses}")
            elif by_key[key].category not in ("new", "working"):
                problems.append(
                    f"{name}: status {key!r} has category {by_key[key].category!r}; "
                    "it must be 'new' or 'working'"
                )
        if self.default_priority not in priority_keys:
            problems.append(
                f"default_priority: unknown priority {self.default_priority!r}; "
                f"known: {known_priorities}"
            )
        for i, rule in enumerate(self.triage):
            if rule.priority is not None and rule.priority not in priority_keys:
                problems.append(
                    f"triage[{i}].priority: unknown priority {rule.priority!r}; "
                    f"known: {known_priorities}"
                )
        if "default" in self.sla_profiles:
            problems.append(
                "sla_profiles.default: 'default' is the targets given in [[priorities]]; "
                "pick another name"
            )
        for name, profile in self.sla_profiles.items():
            unknown = [k for k in profile if k not in priority_keys]
            missing = [k for k in priority_keys if k not in profile]
            if unknown:
                problems.append(
                    f"sla_profiles.{name}: unknown priorities {', '.join(unknown)}; "
                    f"known: {known_priorities}"
                )
            if missing:
                problems.append(f"sla_profiles.{name}: missing priorities {', '.join(missing)}")
        profiles = ["default", *self.sla_profiles]
        if self.sla_profile not in profiles:
            problems.append(
                f"sla_profile: unknown SLA profile {self.sla_profile!r}; "
                f"known: {', '.join(profiles)}"
            )
        if problems:
            raise ValueError("\n".join(problems))  # one line each, each naming its key
        return self

    def model_post_init(self, context: Any, /) -> None:
        self._status_index = {name_key(s.label): s for s in self.statuses}
        self._status_index |= {name_key(s.key): s for s in self.statuses}
        self._priority_index = {name_key(p.label): p for p in self.priorities}
        self._priority_index |= {name_key(p.key): p for p in self.priorities}
        self._triage_patterns = tuple(rule.pattern() for rule in self.triage)

    # --- lookups -------------------------------------------------------------------------------

    def status(self, name: str) -> Status | None:
        """The status with this key or label (any case, any punctuation: "Escalated – needs
        action", "escalated-needs-action"), or None."""
        return self._status_index.get(name_key(name))

    def priority(self, name: str) -> Priority | None:
        """The priority with this key or label (any case, any punctuation), or None."""
        return self._priority_index.get(name_key(name))

    def priority_rank(self, key: str) -> int:
        """Position in `priorities` (listed least to most urgent); KeyError if unknown."""
        for i, p in enumerate(self.priorities):
            if p.key == key:
                return i
        raise KeyError(f"unknown priority {key!r}")

    def statuses_in(self, category: StatusCategory) -> tuple[Status, ...]:
        return tuple(s for s in self.statuses if s.category == category)

    @property
    def resolved_status(self) -> Status:
        return self.statuses_in("resolved")[0]

    @property
    def closed_status(self) -> Status:
        """The status auto-closure uses: the first of category 'closed'."""
        return self.statuses_in("closed")[0]

    def profile_names(self) -> tuple[str, ...]:
        return ("default", *self.sla_profiles)

    def targets(self, profile: str | None, priority: str) -> Targets:
        """Targets of `priority` under `profile` (None: the desk's `sla_profile`); KeyError
        naming the known ones if either is unknown."""
        name = self.sla_profile if profile is None else profile
        if name != "default" and name not in self.sla_profiles:
            raise KeyError(
                f"unknown SLA profile {name!r}; known: {', '.join(self.profile_names())}"
            )
        chosen = self.priority(priority)
        if chosen is None:
            known = ", ".join(p.key for p in self.priorities)
            raise KeyError(f"unknown priority {priority!r}; known: {known}")
        if name == "default":
            return chosen.targets
        return self.sla_profiles[name][chosen.key]

    def triage_matches(self, text: str) -> list[TriageRule]:
        """Every triage rule with a keyword in `text`, in configured order."""
        return [
            rule
            for rule, pattern in zip(self.triage, self._triage_patterns, strict=True)
            if pattern.search(text)
        ]

    def calendar(self) -> BusinessCalendar:
        """The business-hours calendar built from `business_hours`."""
        return self.business_hours.calendar()

    def local_time(self, value: datetime | str) -> str:
        """An instant (or its ISO text) as the desk reads it: 'Mon 23 Nov 2026 10:30 GMT',
        'Tue 14 Jul 2026 15:00 BST'; the one format of every mail and listing."""
        instant = datetime.fromisoformat(value) if isinstance(value, str) else value
        return instant.astimezone(self.calendar().tz).strftime("%a %d %b %Y %H:%M %Z")


def name_key(name: str) -> str:
    """How a status or priority is looked up: lower case, every run of spaces, dashes (also
    typographic ones) and punctuation one '_'. 'On Hold (Awaiting Change)' →
    'on_hold_awaiting_change'."""
    return re.sub(r"[\W_]+", "_", name.lower()).strip("_")


def _duplicates(section: str, values: list[str], what: str) -> list[str]:
    seen: dict[str, int] = {}
    problems = []
    for i, value in enumerate(values):
        if value in seen:
            problems.append(
                f"{section}[{i}].{what}: duplicate {value!r} (also {section}[{seen[value]}])"
            )
        seen.setdefault(value, i)
    return problems
