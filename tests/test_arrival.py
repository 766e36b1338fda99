"""Who is on duty for auto-assignment, and config errors for [[technicians]]."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from tickets.arrival import on_duty
from tickets.desk import DeskPolicy, Technician

POLICY = DeskPolicy()


def at(day: int, hh: int, mm: int = 0) -> datetime:
    return datetime(2026, 11, day, hh, mm, tzinfo=UTC)  # November: London is UTC


@pytest.mark.parametrize(
    ("technician", "when", "expected"),
    [
        pytest.param(Technician(address="a@x.example"), at(23, 7, 30), True, id="opening"),
        pytest.param(Technician(address="a@x.example"), at(23, 17), False, id="closing"),
        pytest.param(Technician(address="a@x.example"), at(28, 10), False, id="saturday"),
        pytest.param(Technician(address="a@x.example", days=("sat",), hours=("09:00-12:00",)),
                     at(28, 10), True, id="own saturday hours"),
        pytest.param(Technician(address="a@x.example", hours=("22:00-24:00",)), at(23, 23, 59),
                     True, id="until midnight"),
        pytest.param(Technician(address="a@x.example", hours=("08:00-12:00", "13:00-16:00")),
                     at(23, 12, 30), False, id="lunch"),
        pytest.param(Technician(address="a@x.example", days=("tue",)), at(23, 10), False,
                     id="not a working day"),
    ],
)
def test_on_duty(technician: Technician, when: datetime, expected: bool) -> None:
    assert on_duty(POLICY, technician, when) is expected


def test_bad_technician_config_names_the_key() -> None:
    with pytest.raises(ValidationError, match=r"technicians\.0\.hours"):
        DeskPolicy.model_validate({"technicians": [{"address": "a@x.example",
                                                    "hours": ["9-5"]}]})
    with pytest.raises(ValidationError, match=r"technicians\.0\.days"):
        DeskPolicy.model_validate({"technicians": [{"address": "a@x.example",
                                                    "days": ["someday"]}]})


def test_technicians_are_staff() -> None:
    policy = DeskPolicy.model_validate({"technicians": [{"address": "Alice@X.example"}]})
    assert policy.is_staff("alice@x.example")
