"""`check`: run every snippet on its fixed example and random problems against its reference."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from lossquiz.deck.cards import Card, Deck
from lossquiz.study import recall
from lossquiz.study.grading import graded_value
from lossquiz.worker.client import RANDOM_PROBLEMS, SnippetRunner

MAX_WORKERS = 4  # each worker holds its own torch (~300 MB); beyond a few, memory costs more than it saves


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


def pool_size(cards: list[Card]) -> int:
    """How many workers `check` runs: one per usable core, at most MAX_WORKERS, at most one per snippet."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    snippets = len({c.snippet for c in cards if c.snippet})
    return max(1, min(cores, MAX_WORKERS, snippets))


def check_snippets(
    deck: Deck, cards: list[Card], runner: SnippetRunner | Sequence[SnippetRunner], *, problems: int = RANDOM_PROBLEMS
) -> list[SnippetReport]:
    """One report per snippet used by `cards`, in curriculum order.

    Given several runners, each works through the snippets still to do on its own thread (a
    worker is a separate process, so they run in parallel); the reports keep curriculum order.
    """
    users: dict[str, list[Card]] = {}
    for card in cards:
        if card.snippet:
            users.setdefault(card.snippet, []).append(card)
    jobs = list(users.items())
    if not jobs:
        return []
    runners = [runner] if isinstance(runner, SnippetRunner) else list(runner)
    for each in runners:
        each.start()  # every worker imports torch at once
    reports: list[SnippetReport | None] = [None] * len(jobs)
    todo = iter(range(len(jobs)))
    lock = threading.Lock()
    failures: list[BaseException] = []  # e.g. SnippetError: a worker did not start

    def work(each: SnippetRunner) -> None:
        while not failures:
            with lock:
                i = next(todo, None)
            if i is None:
                return
            name, owners = jobs[i]
            try:
                reports[i] = _check_one(deck.snippets_dir / f"{name}.py", name, owners, each, problems)
            except BaseException as e:  # noqa: BLE001 - re-raised on the calling thread below
                failures.append(e)

    threads = [threading.Thread(target=work, args=(each,), daemon=True) for each in runners[1:]]
    for thread in threads:
        thread.start()
    work(runners[0])
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return [r for r in reports if r is not None]


def _check_one(path: Path, name: str, owners: list[Card], runner: SnippetRunner, problems: int) -> SnippetReport:
    outcome = runner.check(path, problems=problems)
    if outcome.data is None:
        return SnippetReport(name, tuple(c.id for c in owners), 0, problem=outcome.error)
    report = _judge(name, owners, outcome.data["results"])
    if report.ok:  # formula cards' expressions and the hand-workability audit, in the same worker
        report = _recall(report, path, owners, runner, problems)
    return report


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
