"""The rules a stored message passes through, in order, each in its own module.

parse (done by the caller) → screen → identify → details → match → authorize → decide →
rate_limit → apply.
Each stage records why it decided what it did in `Intake.decisions`.
"""

from __future__ import annotations

from tickets.pipeline import (
    apply,
    authorize,
    decide,
    details,
    identify,
    match,
    rate_limit,
    screen,
)
from tickets.pipeline.context import Intake, Stage

STAGES: tuple[Stage, ...] = (
    screen.Screen(),
    identify.Identify(),
    details.Details(),
    match.Match(),
    authorize.Authorize(),
    decide.Decide(),
    rate_limit.RateLimit(),
    apply.Apply(),
)


def run(intake: Intake) -> Intake:
    for stage in STAGES:
        stage.run(intake)
        if intake.finished:
            break
    return intake


__all__ = ["STAGES", "Intake", "Stage", "run"]
