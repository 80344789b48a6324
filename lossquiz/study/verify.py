"""`check`: run every snippet on its fixed example and random problems against its reference."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from lossquiz.deck.cards import Card, Deck
from lossquiz.study import recall
from lossquiz.study.grading import graded_value
from lossquiz.worker.client import RANDOM_PROBLEMS, SnippetRunner


@dataclass(frozen=True, slots=True)
class SnippetReport:
    """How one snippet fared: cases run, and the first problem if any."""

    snippet: str
    cards: tuple[str, ...]
    cases: int
    problem: str | None = None
    case: dict[str, Any] | None = None  # the failing case: inputs, value, reference

    @property
    def ok(self) -> bool:
        """No failure and no disagreement."""
        return self.problem is None


def check_snippets(
    deck: Deck, cards: list[Card], runner: SnippetRunner, *, problems: int = RANDOM_PROBLEMS
) -> list[SnippetReport]:
    """One report per snippet used by `cards`, in curriculum order."""
    users: dict[str, list[Card]] = {}
    for card in cards:
        if card.snippet:
            users.setdefault(card.snippet, []).append(card)
    reports = []
    for name, owners in users.items():
        ids = tuple(c.id for c in owners)
        path = deck.snippets_dir / f"{name}.py"
        outcome = runner.check(path, problems=problems)
        if outcome.data is None:
            reports.append(SnippetReport(name, ids, 0, problem=outcome.error))
            continue
        results = outcome.data["results"]
        report = _judge(name, owners, results)
        if report.ok:
            report = _recall(report, path, owners, runner, problems)
        reports.append(report)
    return reports


def _recall(
    report: SnippetReport, path: Path, owners: list[Card], runner: SnippetRunner, problems: int
) -> SnippetReport:
    """Formula cards' expressions agree with the snippet; numeric problems are workable by hand."""
    cases: list[int | None] = [None, *range(problems)]
    for card in owners:
        if card.grading == "expression":
            problem = recall.validate(runner, path, card, cases)
        elif card.grading == "number":
            problem = recall.audit(runner, path, card, cases)
        else:
            continue
        if problem is not None:
            return replace(report, problem=problem)
    return report


def _judge(name: str, owners: list[Card], results: list[dict[str, Any]]) -> SnippetReport:
    ids = tuple(c.id for c in owners)
    for result in results:
        if not result["agree"]:
            label = "fixed example" if result["seed"] is None else f"random problem seed {result['seed']}"
            return SnippetReport(name, ids, len(results), f"disagrees with its reference on the {label}", result)
        for card in owners:
            if card.grading == "number":
                try:
                    graded_value(card, result["value"])
                except ValueError as e:
                    return SnippetReport(name, ids, len(results), f"card '{card.id}': {e}", result)
    return SnippetReport(name, ids, len(results))


def report_dict(report: SnippetReport) -> dict[str, Any]:
    """A report as `check --json` prints it."""
    return {
        "snippet": report.snippet,
        "cards": list(report.cards),
        "cases": report.cases,
        "ok": report.ok,
        "problem": report.problem,
        "case": report.case,
    }
