"""The default policy's lists, read from the data file shipped with the package
(`tickets/default_policy.toml`): the Lourdes IT help desk's statuses, priorities and triage
rules, and Concero's SLA profile. `Policy()` takes them as its defaults."""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any

from pydantic import TypeAdapter

from tickets.policy_sections import Priority, Status, Targets, TriageRule

__all__ = ["DEFAULT_POLICY_FILE", "PRIORITIES", "SLA_PROFILES", "STATUSES", "TRIAGE"]

DEFAULT_POLICY_FILE = resources.files("tickets") / "default_policy.toml"

_DATA: dict[str, Any] = tomllib.loads(DEFAULT_POLICY_FILE.read_text(encoding="utf-8"))

STATUSES = TypeAdapter(tuple[Status, ...]).validate_python(_DATA["statuses"])
PRIORITIES = TypeAdapter(tuple[Priority, ...]).validate_python(_DATA["priorities"])
SLA_PROFILES = TypeAdapter(dict[str, dict[str, Targets]]).validate_python(_DATA["sla_profiles"])
TRIAGE = TypeAdapter(tuple[TriageRule, ...]).validate_python(_DATA["triage"])
