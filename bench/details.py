"""How well the four details are read: accuracy on the labelled requests, and what it costs.

    .venv/bin/python -m bench.details [--set tests/requests] [--corpus] [--rounds 3] [--show]

Accuracy: each mail of the labelled set (`tests/requests/*/labels.toml`, see its README) is parsed
and read; a detail is right when the value read is one of the accepted spellings, or nothing was
read where the label says the mail does not give it. "Wrongly asked" counts the requests where the
desk would ask the customer for a detail they gave. `--corpus` scores the real-world corpus
(`tests/corpus/details.toml`) the same way. Target: at least 98% per detail and 0 wrongly asked.

Cost: parse + details beside `mailparser.parse_from_bytes` alone, on the same mails in the same
run (the labelled set, and bench.corpus's mixed mail). Target: at least 0.5x.
"""

from __future__ import annotations

import argparse
import re
import time
import tomllib
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from bench.report import Figure
from parsing.details import Details
from parsing.lexicon import alternation
from parsing.lexicon.people import HONORIFICS

REPO = Path(__file__).resolve().parent.parent
REQUESTS = REPO / "tests" / "requests"
CORPUS = REPO / "tests" / "corpus"
DETAILS = ("name", "company", "phone", "description")
TARGET_ACCURACY = 0.98
# honorifics are not part of the name a desk files: 'Mr John Smith' is John Smith
_HONORIFICS = re.compile(rf"^{alternation(HONORIFICS)}\.?\s+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Labelled:
    path: Path
    key: str  # the mail's name in its labels file
    region: str
    name: tuple[str, ...]
    company: tuple[str, ...]
    phone: tuple[str, ...]
    description: str
    not_in_description: tuple[str, ...] = ()
    note: str = ""


@dataclass
class Verdict:
    key: str
    wrong: dict[str, str] = field(default_factory=dict)  # detail -> what was read instead
    wrongly_asked: tuple[str, ...] = ()


def load(labels_file: Path) -> Iterator[Labelled]:
    """Every labelled mail of one labels file; skipped ones (`skip = "why"`) left out."""
    tables = tomllib.loads(labels_file.read_text(encoding="utf-8"))
    for key, table in sorted(tables.items()):
        if "skip" in table:
            continue
        yield Labelled(
            path=labels_file.parent / key,
            key=f"{labels_file.parent.name}/{key}",
            region=table.get("region", "GB"),
            name=tuple(table.get("name", ())),
            company=tuple(table.get("company", ())),
            phone=tuple(table.get("phone", ())),
            description=table.get("description", ""),
            not_in_description=tuple(table.get("not_in_description", ())),
            note=table.get("note", ""),
        )


def labelled_set(root: Path = REQUESTS) -> list[Labelled]:
    return [mail for labels in sorted(root.glob("*/labels.toml")) for mail in load(labels)]


def corpus_set() -> list[Labelled]:
    labels = CORPUS / "details.toml"
    if not labels.exists():
        return []
    # the corpus labels are keyed by path under tests/corpus, sub-folders included
    return [
        replace(m, path=CORPUS / m.key.split("/", 1)[1])
        for m in load(labels)
    ]


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[\s\u00a0]+", " ", text).strip(" .,;:'\"")
    return _HONORIFICS.sub("", text)


def _company_norm(text: str) -> str:
    return re.sub(r"^the\s+", "", _norm(text)).replace(".", "").replace(",", "")


def judge(mail: Labelled, read: Details) -> Verdict:
    """Compare what the reader made of `mail` with its labels."""
    verdict = Verdict(mail.key)
    missing = set(read.missing())
    name, company, phones, description = read.name, read.company, read.phones, read.description
    checks = {
        "name": (mail.name, lambda: _norm(name) in {_norm(n) for n in mail.name}, name),
        "company": (mail.company,
                    lambda: _company_norm(company) in {_company_norm(c) for c in mail.company},
                    company),
        "phone": (mail.phone, lambda: bool(phones) and phones[0].e164 in mail.phone,
                  ", ".join(p.original for p in phones)),
    }
    for detail, (expected, right, shown) in checks.items():
        # a detail the mail gives must be read right; one it does not give, not read at all
        if not (right() if expected else detail in missing):
            verdict.wrong[detail] = shown or "(nothing)"
    flat = _norm(description)
    ok = (not mail.description or _norm(mail.description) in flat) and not any(
        _norm(unwanted) in flat for unwanted in mail.not_in_description
    )
    if mail.description and "description" in missing:
        ok = False
    if not ok:
        verdict.wrong["description"] = description[:300] or "(nothing)"
    given = {
        "name": bool(mail.name),
        "company": bool(mail.company),
        "phone": bool(mail.phone),
        "description": bool(mail.description),
    }
    verdict.wrongly_asked = tuple(d for d in DETAILS if given[d] and d in missing)
    return verdict


def read_mail(raw: bytes, region: str) -> Details:
    from parsing import parse_message
    from parsing.details import extract_details

    return extract_details(parse_message(raw), region=region)


def score(
    mails: list[Labelled], reader: Callable[[bytes, str], Details] = read_mail
) -> list[Verdict]:
    return [judge(mail, reader(mail.path.read_bytes(), mail.region)) for mail in mails]


@dataclass(frozen=True, slots=True)
class Tally:
    total: int
    right: dict[str, int]  # detail -> mails where it was read right
    all_right: int
    wrongly_asked: int  # requests where the desk would ask for a detail given

    def share(self, detail: str) -> float:
        return self.right[detail] / self.total if self.total else 1.0

    @property
    def met(self) -> bool:
        return (all(self.share(d) >= TARGET_ACCURACY for d in DETAILS)
                and not self.wrongly_asked)


def tally(verdicts: list[Verdict]) -> Tally:
    return Tally(
        total=len(verdicts),
        right={d: sum(d not in v.wrong for v in verdicts) for d in DETAILS},
        all_right=sum(not v.wrong for v in verdicts),
        wrongly_asked=sum(bool(v.wrongly_asked) for v in verdicts),
    )


def report(title: str, mails: list[Labelled], verdicts: list[Verdict], *, show: bool) -> bool:
    """Print per-detail accuracy and the misreads; True when the targets are met."""
    counts = tally(verdicts)
    total = counts.total
    print(f"{title}: {total} mails")
    for detail in DETAILS:
        print(f"  {detail:<12} {counts.right[detail]:4d}/{total}  {counts.share(detail):6.1%}")
    print(f"  all four right   {counts.all_right:4d}/{total}")
    print(f"  wrongly asked    {counts.wrongly_asked:4d}  "
          "(requests where the desk asks for a detail given)")
    if show:
        by_key = {m.key: m for m in mails}
        for verdict in verdicts:
            for detail, got in verdict.wrong.items():
                mail = by_key[verdict.key]
                want = {"name": mail.name, "company": mail.company, "phone": mail.phone,
                        "description": (mail.description,)}[detail]
                print(f"  ✗ {verdict.key} {detail}: read {got!r}, want {list(want)}")
    return counts.met


def rate(work: Callable[[Any], object], mails: Sequence[Any], rounds: int) -> float:
    """Mails per second, the best of `rounds`, each round from cold."""
    from parsing.reading.judge import clear_caches

    best = 0.0
    for _ in range(rounds):
        clear_caches()  # each round from cold: the same mails again would find every verdict
        started = time.perf_counter()
        for mail in mails:
            work(mail)
        best = max(best, len(mails) / (time.perf_counter() - started))
    return best


TARGET_COST = 0.5  # parse + details at least this times mail-parser's rate


@dataclass(frozen=True, slots=True)
class Cost:
    title: str
    mails: int
    baseline: float  # mailparser.parse_from_bytes, msg/s
    ours: float  # parse + four details, msg/s


def cost_rates(mails: list[Labelled], rounds: int, corpus_size: int = 1000) -> list[Cost]:
    """The cost on the mails scored (each read in its own desk's region) and on `corpus_size`
    mails of bench.corpus's mixed mail, beside mail-parser's in the same run."""
    import mailparser

    from bench.corpus import make_corpus

    sets = {
        "labelled set": [(m.path.read_bytes(), m.region) for m in mails],
        "bench.corpus mixed mail": [(raw, "GB") for raw in make_corpus(corpus_size)],
    }
    costs = []
    for title, pairs in sets.items():
        if not pairs:
            continue
        raws = [raw for raw, _ in pairs]
        read_mail(*pairs[0])  # imports and caches warm before timing
        baseline = rate(mailparser.parse_from_bytes, raws, rounds)
        ours = rate(lambda pair: read_mail(*pair), pairs, rounds)
        costs.append(Cost(title, len(raws), baseline, ours))
    return costs


def cost(mails: list[Labelled], rounds: int) -> None:
    for c in cost_rates(mails, rounds):
        ratio = c.ours / c.baseline
        print(f"cost on the {c.title} ({c.mails} mails, best of {rounds}):")
        print(f"  mailparser.parse_from_bytes   {c.baseline:8.0f} msg/s")
        print(f"  parse + four details          {c.ours:8.0f} msg/s   {ratio:5.2f}x"
              f"   target >= 0.5x: {'met' if ratio >= TARGET_COST else 'MISSED'}")


def figures(quick: bool, kinds: Sequence[str]) -> list[Figure]:
    """No database: `kinds` is ignored. Accuracy on the whole labelled set (absolute, with
    its targets), and the cost beside mail-parser: quick, best of 2 and 300 corpus mails;
    full, best of 3 and 1,000."""
    mails = labelled_set()
    counts = tally(score(mails))
    rows = [
        Figure("details", f"{detail} read right", 100 * counts.share(detail), "%",
               target=100 * TARGET_ACCURACY,
               note=(f"{counts.all_right} of {counts.total} labelled requests read right"
                     if detail == DETAILS[0] else ""))
        for detail in DETAILS
    ]
    rows.append(Figure("details", "wrongly asked", counts.wrongly_asked, "requests", target=0,
                       lower_is_better=True,
                       note="requests where the desk would ask for a detail they gave"))
    rounds, corpus_size = (2, 300) if quick else (3, 1000)
    for c in cost_rates(mails, rounds, corpus_size):
        rows.append(Figure("details", f"parse + four details, {c.title}", c.ours, "msg/s",
                           "mailparser.parse_from_bytes", c.baseline, target=TARGET_COST,
                           note=f"{c.mails} mails, best of {rounds}"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", type=Path, default=REQUESTS, help="folder of labelled batches")
    parser.add_argument("--corpus", action="store_true", help="also score tests/corpus")
    parser.add_argument("--show", action="store_true", help="list every misread")
    parser.add_argument("--rounds", type=int, default=3, help="timing rounds (0: no timing)")
    args = parser.parse_args()
    mails = labelled_set(args.set)
    met = report("labelled requests", mails, score(mails), show=args.show)
    if args.corpus:
        corpus = corpus_set()
        report("real-world corpus", corpus, score(corpus), show=args.show)
    if args.rounds:
        cost(mails, args.rounds)
    print(f"targets ({TARGET_ACCURACY:.0%} per detail, 0 wrongly asked): "
          f"{'met' if met else 'MISSED'}")


if __name__ == "__main__":
    main()
