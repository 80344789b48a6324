"""Every numeric card of the real deck: a constant guess passes on few of 400 random problems.

A relative tolerance alone does not stop `0` passing a card whose answer is often exactly 0
(lasso-prox was 0 on 29% of problems). For each numeric/gradient card this draws 400 problems
from its snippet and counts how often the most tempting constants — 0, 1, and the card's own
most common answer — are graded right. The bound is stated here, not tuned per card.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from lossquiz.deck.cards import Card, load_deck
from lossquiz.study.grading import is_correct
from lossquiz.worker.client import SnippetRunner
from tests.conftest import REPO, builtin_trusted

pytestmark = pytest.mark.torch

DRAWS = 400
BOUND = 0.10  # a constant may pass on fewer than 10% of problems (content brief, DESIGN.md)
DECK = load_deck(REPO / "content")
NUMERIC = [c for c in DECK.cards if c.grading == "number"]


@pytest.fixture(scope="module")
def worker() -> Iterator[SnippetRunner]:
    pytest.importorskip("torch")
    with SnippetRunner(builtin_trusted(), timeout=60) as runner:
        yield runner


def pass_rates(card: Card, values: list[float]) -> dict[str, float]:
    """The fraction of `values` each tempting constant is graded right on."""
    common = Counter(round(v, 3) for v in values).most_common(1)[0][0]
    guesses = {"0": 0.0, "1": 1.0, f"the most common answer {common:g}": common}
    return {name: sum(is_correct(g, v, card.tolerance) for v in values) / len(values) for name, g in guesses.items()}


def test_pass_rates_count_what_they_claim() -> None:
    card = NUMERIC[0]
    assert pass_rates(card, [0.0] * 30 + [5.0] * 70)["0"] == pytest.approx(0.3)
    assert pass_rates(card, [0.0] * 30 + [5.0] * 70)["the most common answer 5"] == pytest.approx(0.7)


@pytest.mark.parametrize("card", NUMERIC, ids=[c.id for c in NUMERIC])
def test_a_constant_guess_rarely_passes(worker: SnippetRunner, card: Card) -> None:
    path = DECK.snippet_path(card)
    assert path is not None
    outcome = worker.recall(path, "values", seeds=list(range(DRAWS)), grade=card.grade)
    assert outcome.data is not None, outcome.error
    values = [v for v in outcome.data["values"] if v is not None]
    assert len(values) == DRAWS, "every problem has a scalar graded value"
    rates = pass_rates(card, values)
    worst = max(rates, key=lambda k: rates[k])
    assert rates[worst] < BOUND, f"'{worst}' passes {rates[worst]:.0%} of {DRAWS} problems (bound {BOUND:.0%})"
