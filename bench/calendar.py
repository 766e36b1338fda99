"""The business calendar over long spans: what one SLA computation costs.

    .venv/bin/python -m bench.calendar [--rounds 5]

Business seconds across a year and across ten years (with bank holidays), and a year of
business seconds added to a start, best of `--rounds`, each on a fresh calendar (its per-day
cache empty). Target: a year under 5 ms, so a sweep of 1,000 due tickets is not held up by it.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime

from bench.report import Figure
from tickets.calendar import BusinessCalendar

HOLIDAYS = (date(2025, 1, 1), date(2025, 4, 18), date(2025, 4, 21), date(2025, 5, 5),
            date(2025, 5, 26), date(2025, 8, 25), date(2025, 12, 25), date(2025, 12, 26))
START = datetime(2025, 1, 1, tzinfo=UTC)
YEAR_BUSINESS_SECONDS = 253 * 34_200
TARGET_YEAR_MS = 5.0

CASES: dict[str, Callable[[BusinessCalendar], object]] = {
    "business seconds over a year": lambda c: c.business_seconds_between(
        START, datetime(2026, 1, 1, tzinfo=UTC)),
    "business seconds over ten years": lambda c: c.business_seconds_between(
        START, datetime(2035, 1, 1, tzinfo=UTC)),
    "a year of business seconds added": lambda c: c.add_business_seconds(
        START, YEAR_BUSINESS_SECONDS),
}
# the cases over a year, which the target is about
YEAR_CASES = ("business seconds over a year", "a year of business seconds added")


def best_ms(call: Callable[[BusinessCalendar], object], rounds: int) -> float:
    timings = []
    for _ in range(rounds):
        calendar = BusinessCalendar(holidays=HOLIDAYS)
        began = time.perf_counter()
        call(calendar)
        timings.append((time.perf_counter() - began) * 1000)
    return min(timings)


def measure(rounds: int) -> dict[str, float]:
    """Each case's best time in milliseconds over `rounds` fresh calendars."""
    return {name: best_ms(call, rounds) for name, call in CASES.items()}


def figures(quick: bool, kinds: Sequence[str]) -> list[Figure]:
    """No database: `kinds` is ignored. Quick and full differ only in rounds (it takes
    milliseconds either way)."""
    rounds = 5 if quick else 20
    return [
        Figure("calendar", name, value, "ms",
               target=TARGET_YEAR_MS if name in YEAR_CASES else None, lower_is_better=True,
               note=f"best of {rounds}, each on a fresh calendar" if n == 0 else "")
        for n, (name, value) in enumerate(measure(rounds).items())
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    for name, value in measure(args.rounds).items():
        print(f"calendar: {name}: best {value:.2f} ms "
              f"over {args.rounds} runs (target for a year < 5 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
