"""One row of `python -m bench`'s table: a figure beside its baseline from the same run.

Every benchmark module that reports into the table returns a list of `Figure`s; `print_table`
prints them and `write_json` keeps them for comparison between runs.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Figure:
    """`value` measured by `bench`, beside `baseline` (what `baseline_name` did in the same run).

    `target`: the goal as a ratio of value to baseline (≥ 5.0 means at least five times the
    baseline; for `lower_is_better` figures ≤ 2.0 means at most twice the baseline) or, with no
    baseline, as an absolute bound in `unit`. None: reported, no goal.
    """

    bench: str
    name: str
    value: float
    unit: str
    baseline_name: str = ""
    baseline: float | None = None
    target: float | None = None
    lower_is_better: bool = False
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.baseline == 0:
            return None
        return self.value / self.baseline

    @property
    def compared(self) -> float:
        """What the target is checked against: the ratio, or the value when there is no
        baseline."""
        return self.ratio if self.ratio is not None else self.value

    @property
    def met(self) -> bool | None:
        if self.target is None:
            return None
        if self.lower_is_better:
            return self.compared <= self.target
        return self.compared >= self.target

    def target_text(self) -> str:
        if self.target is None:
            return ""
        sign = "≤" if self.lower_is_better else "≥"
        unit = "×" if self.baseline is not None else f" {self.unit}"
        return f"{sign} {self.target:g}{unit}"


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    if float(value).is_integer():  # a count: 0 replies on the wrong ticket, not 0.00
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def table(figures: Sequence[Figure]) -> str:
    rows = [("bench", "figure", "value", "unit", "baseline", "baseline value", "ratio",
             "target", "met")]
    for f in figures:
        met = {None: "", True: "yes", False: "NO"}[f.met]
        ratio = f"{f.ratio:.2f}×" if f.ratio is not None else ""
        rows.append((f.bench, f.name, _number(f.value), f.unit, f.baseline_name,
                     _number(f.baseline) if f.baseline is not None else "", ratio,
                     f.target_text(), met))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    notes = [f"- {f.bench} / {f.name}: {f.note}" for f in figures if f.note]
    return "\n".join(lines + (["", *notes] if notes else []))


def write_json(figures: Sequence[Figure], path: Path, meta: dict[str, object]) -> None:
    rows = [{**asdict(f), "ratio": f.ratio, "met": f.met} for f in figures]
    path.write_text(json.dumps({"meta": meta, "figures": rows}, indent=2) + "\n")


def run_alone(
    name: str, description: str, figures: Callable[[bool, list[str], int | None], list[Figure]],
    *, quick: str, count: str, argv: Sequence[str] | None = None,
) -> int:
    """`python -m bench.NAME`: one benchmark on its own, `--quick`, `--count N`, `--postgres`,
    its table printed; a benchmark's RuntimeError said on one line (exit 1)."""
    parser = argparse.ArgumentParser(description=description,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help=quick)
    parser.add_argument("--count", type=int, default=None, help=count)
    parser.add_argument("--postgres", action="store_true", help="also on 127.0.0.1:5432")
    args = parser.parse_args(argv)
    kinds = ["sqlite", *(["postgresql"] if args.postgres else [])]
    try:
        print(table(figures(args.quick, kinds, args.count)))
    except RuntimeError as exc:
        print(f"bench.{name}: {exc}", file=sys.stderr)
        return 1
    return 0
