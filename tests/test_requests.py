"""The whole reader on the labelled requests (tests/requests/) and the real-world corpus.

The set was written and labelled by people who had not seen the reader (its README says how);
these tests hold the reader to the issue's targets on it, and to no loss on the corpus. The
per-mail misreads are printed by `python -m bench.details --show`.
"""

from __future__ import annotations

import pytest

from bench.details import (
    DETAILS,
    TARGET_ACCURACY,
    Labelled,
    Verdict,
    corpus_set,
    labelled_set,
    score,
)

# Per-detail results of the reader this one replaced, on tests/corpus/details.toml (the labels
# were written before either reader was measured on them): the new reader may not read fewer.
CORPUS_BEFORE = {"name": 84, "company": 86, "phone": 89, "description": 72}


@pytest.fixture(scope="module")
def requests() -> tuple[list[Labelled], list[Verdict]]:
    mails = labelled_set()
    return mails, score(mails)


@pytest.fixture(scope="module")
def corpus() -> tuple[list[Labelled], list[Verdict]]:
    mails = corpus_set()
    return mails, score(mails)


def test_the_set_is_large_and_diverse(requests: tuple[list[Labelled], list[Verdict]]) -> None:
    mails, _ = requests
    assert len(mails) >= 200
    batches = {m.key.split("/")[0] for m in mails}
    assert {"outlook", "schools", "international", "threads"} <= batches
    assert {m.region for m in mails} >= {"GB", "US", "DE", "FR", "ES", "NL"}
    # requests where a detail is really missing are part of it: the desk must still ask
    assert sum(1 for m in mails if not (m.name and m.company and m.phone)) >= 20


@pytest.mark.parametrize("detail", DETAILS)
def test_each_detail_is_read_right_in_98_percent_of_requests(
    requests: tuple[list[Labelled], list[Verdict]], detail: str
) -> None:
    _, verdicts = requests
    wrong = [f"{v.key}: {v.wrong[detail]!r}" for v in verdicts if detail in v.wrong]
    right = len(verdicts) - len(wrong)
    assert right / len(verdicts) >= TARGET_ACCURACY, "\n".join(wrong)


def test_no_customer_is_asked_for_a_detail_they_gave(
    requests: tuple[list[Labelled], list[Verdict]],
) -> None:
    _, verdicts = requests
    asked = {v.key: v.wrongly_asked for v in verdicts if v.wrongly_asked}
    assert asked == {}


@pytest.mark.parametrize("detail", DETAILS)
def test_no_loss_on_the_real_world_corpus(
    corpus: tuple[list[Labelled], list[Verdict]], detail: str
) -> None:
    mails, verdicts = corpus
    assert len(mails) >= 80
    right = sum(detail not in v.wrong for v in verdicts)
    assert right >= CORPUS_BEFORE[detail], [
        f"{v.key}: {v.wrong[detail]!r}" for v in verdicts if detail in v.wrong
    ]
