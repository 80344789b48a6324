"""Recall graded by numbers, CLI side: grade a typed formula, name a mistaken number, fetch given values.

The numbers are computed in the worker (lossquiz.worker.formula_eval); this module builds the
requests from a card and reads the replies, for the drill, `show --answer` and `check`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lossquiz.deck.cards import Card, Deck
from lossquiz.errors import SnippetError, UsageError
from lossquiz.study.expression import ExpressionError, Parsed, parse
from lossquiz.worker.client import RANDOM_PROBLEMS, SnippetRunner


@dataclass(frozen=True, slots=True)
class FormulaVerdict:
    """How a typed formula fared: right everywhere, or the first case where it is not."""

    right: bool
    wrote: str  # the expression echoed as unicode math
    cases: int
    reference: str  # the card's expression, as unicode math
    disagreement: dict[str, Any] | None = None
    hint: str | None = None
    unstable: dict[str, Any] | None = None  # right on every case but not at the card's stress case: where, what


class Unusable(SnippetError):
    """The card cannot be graded: its bindings, target or reference expression do not evaluate."""


class Retry(ValueError):
    """The typed formula cannot be evaluated on the problem (shapes, axes): ask again, record nothing."""


def names(card: Card) -> list[str]:
    """The variable names a formula card lets the user type."""
    return [name for name, _ in card.variables]


def read(card: Card, text: str) -> Parsed:
    """Parse a typed formula against the card's names (ExpressionError says what is wrong)."""
    return parse(text, names(card))


def formula_card_for(deck: Deck, card: Card) -> Card:
    """`card` if it is a formula card, else the formula card sharing its snippet."""
    if card.grading == "expression":
        return card
    for other in deck.cards:
        if other.grading == "expression" and card.snippet and other.snippet == card.snippet:
            return other
    raise UsageError(f"card '{card.id}' has no formula card (none shares its snippet) to check --answer against")


def checked_against(deck: Deck, asked: Card, card: Card) -> str:
    """` (checked against focal-formula; focal-modulating-factor is another formula card: …)` for an
    --answer error: which formula card was used (unless it is the one asked for), and the others
    sharing its snippet ('' if none, and asked)."""
    others = [o.id for o in deck.cards if o.grading == "expression" and o.snippet == card.snippet and o is not card]
    if asked is card and not others:
        return ""
    verb = "is another formula card" if len(others) == 1 else "are other formula cards"
    more = f"{', '.join(others)} {verb}: lossquiz show {others[0]} --answer …" if others else ""
    if asked is card:  # "checked against" the card asked for says nothing
        return f" ({more})"
    return f" (checked against {card.id}" + (f"; {more})" if more else ")")


def formula_request(card: Card) -> dict[str, Any]:
    """What the worker needs to grade against a formula card: bindings, target, tolerance, reference, stress."""
    return {
        "variables": [list(v) for v in card.variables],
        "target": card.target,
        "grade": card.grade,
        "tolerance": card.tolerance,
        "reference": card.expression,
        **({"stress": [list(s) for s in card.stress]} if card.stress else {}),
    }


def stress_hint(card: Card) -> str:
    """Why a form that fails the card's stress case is wrong: the card's own words, else a generic line."""
    return card.stress_hint or (
        "the answer is finite there: write it so no exp overflows and no log sees 0 (softplus, logsigmoid, logsumexp)"
    )


def seeds(rng: random.Random, problems: int = RANDOM_PROBLEMS) -> list[int | None]:
    """The fixed example and `problems` fresh random problems."""
    return [None, *(rng.randrange(2**31) for _ in range(problems))]


def grade_formula(
    runner: SnippetRunner, path: Path, card: Card, parsed: Parsed, cases: list[int | None]
) -> FormulaVerdict:
    """Evaluate `parsed` on every case in the worker; Retry if it cannot be evaluated there."""
    outcome = runner.recall(path, "formula", expression=parsed.source, seeds=cases, **formula_request(card))
    if outcome.data is None:
        raise SnippetError(f"snippet '{card.snippet}' failed: {outcome.error}")
    data = outcome.data
    if "unusable" in data:
        raise Unusable(f"card '{card.id}' cannot be graded: {data['unusable']}")
    if "error" in data:
        raise Retry(str(data["error"]))
    return FormulaVerdict(
        right=bool(data["right"]),
        wrote=parsed.pretty(),
        cases=int(data.get("cases", len(cases))),
        reference=_pretty_reference(card),
        disagreement=data.get("disagreement"),
        hint=data.get("hint"),
        unstable={**data["unstable"], "hint": stress_hint(card)} if data.get("unstable") else None,
    )


def _pretty_reference(card: Card) -> str:
    try:
        return read(card, card.expression or "").pretty()
    except ExpressionError:
        return card.expression or ""


def validate(runner: SnippetRunner, path: Path, card: Card, cases: list[int | None]) -> str | None:
    """`check` for a formula card: None if its reference expression agrees with the snippet everywhere."""
    try:
        read(card, card.expression or "")
    except ExpressionError as e:
        return f"card '{card.id}': its expression does not parse: {e}"
    outcome = runner.recall(path, "validate", seeds=cases, **formula_request(card))
    if outcome.data is None:
        return f"card '{card.id}': {outcome.error}"
    data = outcome.data
    if "unusable" in data:
        return f"card '{card.id}': {data['unusable']}"
    if not data["right"]:
        d = data.get("disagreement") or {}
        why = d.get("why") or f"expected {d.get('expected')}, the expression gives {d.get('got')}"
        return f"card '{card.id}': its expression disagrees with the snippet on {d.get('case')}: {why}"
    return None


def diagnose(runner: SnippetRunner, path: Path, card: Card, seed: int | None, answer: float) -> str | None:
    """Which classic mistake a wrong typed number reproduces (the snippet's mistakes(), or a factor)."""
    outcome = runner.recall(path, "diagnose", seed=seed, answer=answer, tolerance=card.tolerance, grade=card.grade)
    return None if outcome.data is None else outcome.data.get("hint")


def given(runner: SnippetRunner, path: Path, seed: int | None) -> dict[str, float]:
    """The snippet's given() values for one problem ({} if none, or if it failed)."""
    outcome = runner.recall(path, "given", seed=seed)
    return {} if outcome.data is None else dict(outcome.data.get("given", {}))


def audit(runner: SnippetRunner, path: Path, card: Card, cases: list[int | None]) -> str | None:
    """`check` for a numeric card: None if a hand solver has every exp/log value its problems need."""
    if card.calculator:
        return None
    outcome = runner.recall(path, "audit", seeds=cases, grade=card.grade)
    if outcome.data is None:
        return f"card '{card.id}': {outcome.error}"
    needs = outcome.data["needs"]
    if not needs:
        return None
    first = needs[0]
    calls = ", ".join(first["calls"])
    return (
        f"card '{card.id}': {first['case']} needs values a hand solver cannot know ({calls}) — "
        "supply them in the snippet's given() or mark the card 'calculator: true'"
    )
