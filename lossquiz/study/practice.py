"""Implement-it practice: `lossquiz code CARD` writes a stub, `--check` grades it against a reference.

The tasks are data next to the deck (lossquiz/practice_tasks.py reads them without torch); the
user's attempts live in <data dir>/practice/<card-id>.py. The check itself runs in the snippet
worker (lossquiz/practice_check.py) with a time limit, so the CLI never imports torch. Each
checked attempt is a review of the card (all cases pass -> Good, else Again) with mode 'code'.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fsrs import Rating

from lossquiz.deck.cards import Card, Deck
from lossquiz.deck.practice_tasks import PRACTICE_DIR, Task
from lossquiz.errors import LossquizError, SnippetError
from lossquiz.progress.store import PracticeHistory, ReviewInput, Store
from lossquiz.worker.client import SnippetRunner, snippet_timeout

if TYPE_CHECKING:
    from lossquiz.deck.trust import TrustedDeck
    from lossquiz.progress.scheduling import Scheduler

IMPORTS = "import math\n\nimport torch\nimport torch.nn.functional as F\nfrom torch import Tensor, nn\n"
WORKER_MARGIN = 5.0  # the worker is stopped at 2 x budget + this, if the in-process alarm failed


class PracticeError(LossquizError):
    """A practice command cannot go on (no attempt yet, solution locked, editor failed)."""

    exit_code = 1


NOT_AN_ATTEMPT = ("not started", "syntax", "signature")


@dataclass(frozen=True, slots=True)
class CheckReport:
    """The outcome of checking one attempt; `failure` describes the first failing case."""

    card_id: str
    attempt: Path
    seed: int
    passed: bool
    total: int
    cases_passed: tuple[str, ...] = ()
    failure: dict[str, Any] | None = None
    reference: str = ""

    builtin: str | None = None  # a passing attempt that calls the built-in the reference uses

    @property
    def started(self) -> bool:
        """False for an untouched stub, a syntax error or a wrong signature: nothing is recorded
        then, so a typo never turns a card into a lapse."""
        return not (self.failure is not None and self.failure.get("check") in NOT_AN_ATTEMPT)

    @property
    def rating(self) -> Rating:
        """All cases pass -> Good, anything else -> Again."""
        return Rating.Good if self.passed else Rating.Again

    def to_dict(self) -> dict[str, Any]:
        """The `code --check --json` object."""
        return {
            "card": self.card_id,
            "attempt": str(self.attempt),
            "seed": self.seed,
            "passed": self.passed,
            "cases": self.total,
            "cases_passed": list(self.cases_passed),
            "reference": self.reference,
            "failure": self.failure,
            "calls_builtin": self.builtin,
        }


@dataclass(frozen=True, slots=True)
class PracticeStatus:
    """One row of `code --list`."""

    card: Card
    task: Task
    attempt: Path
    history: PracticeHistory | None = field(default=None)

    def to_dict(self) -> dict[str, Any]:
        """The `code --list --json` object."""
        h = self.history
        return {
            "id": self.card.id,
            "title": self.card.name,
            "topic": self.card.topic,
            "function": self.task.function,
            "passed": bool(h and h.passed),
            "attempts": h.attempts if h else 0,
            "last_checked": h.last_checked if h else None,
            "last_passed": h.last_passed if h else None,
            "file": str(self.attempt) if self.attempt.exists() else None,
        }


# -- the user's attempt --------------------------------------------------------------------


def attempt_path(data_dir: Path, card_id: str) -> Path:
    """Where the user's attempt for a card lives: <data dir>/practice/<card-id>.py."""
    return data_dir / PRACTICE_DIR / f"{card_id}.py"


def template(task: Task, card: Card) -> str:
    """The practice file: imports, the signature, the conventions, and no solution."""
    doc = "\n".join(("    " + line).rstrip() for line in task.docstring.splitlines())
    quote = 'r"""' if "\\" in task.docstring else '"""'
    return f'''"""lossquiz practice: {card.name} (card '{card.id}').

Implement {task.function}() below with torch, following the docstring exactly (shapes,
dtype, reduction, defaults, numerical stability). Then check it:

    lossquiz code check {card.id}

The check calls {task.function}() with keyword arguments on random inputs of several shapes
and on edge cases, and compares its values and its gradients (autograd) with the reference.
{_builtin_advice(task.builtins)}"""

{IMPORTS}

{task.signature}
    {quote}{doc.lstrip()}
    """
    raise NotImplementedError
'''


# Where a task's BUILTIN lives, to name it unmistakably: the stub's own function has the same name
# (huber_loss), and sigmoid_focal_loss is torchvision's, not torch's. Anything else is in F.
_OWNERS = {"sigmoid_focal_loss": "torchvision.ops.", "logsumexp": "torch.", "kl_divergence": "torch.distributions."}


def builtin_path(name: str) -> str:
    """`F.huber_loss`, `torchvision.ops.sigmoid_focal_loss`: a BUILTIN as the user would call it."""
    return _OWNERS.get(name, "F.") + name


def _builtin_advice(names: tuple[str, ...]) -> str:
    """The stub's word on the built-in being tested: what `code check` says when it is called."""
    if not names:
        return ""
    import textwrap

    called = " or ".join(f"{builtin_path(name)}()" for name in names)
    advice = (
        f"Calling {called}, the built-in being tested, passes but is not recorded as a review: "
        "write it from scratch to learn it. Any other torch function is fine."
    )
    return "\n" + textwrap.fill(advice, width=90) + "\n"


def solution_file(task: Task) -> str:
    """A complete practice file holding the model solution (what a perfect attempt looks like)."""
    return f"{IMPORTS}\n\n{task.solution}\n"


def start_attempt(data_dir: Path, task: Task, card: Card) -> tuple[Path, bool]:
    """Write the practice file unless an attempt exists; returns (path, created)."""
    path = attempt_path(data_dir, card.id)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as f:
            f.write(template(task, card))
    except FileExistsError:
        return path, False
    except OSError as e:
        raise PracticeError(f"cannot write the practice file {path}: {e.strerror}") from None
    return path, True


def editor_command() -> list[str] | None:
    """$VISUAL, else $EDITOR, split like a shell would; None when neither is set."""
    for name in ("VISUAL", "EDITOR"):
        value = os.environ.get(name, "").strip()
        if value:
            try:
                return shlex.split(value)
            except ValueError:
                raise PracticeError(f"cannot parse ${name} ({value!r})") from None
    return None


def edit(command: list[str], path: Path) -> None:
    """Open the attempt in the user's editor and wait for it to close."""
    try:
        done = subprocess.run([*command, str(path)], check=False)
    except OSError as e:
        raise PracticeError(f"cannot start your editor '{command[0]}': {e.strerror}") from None
    if done.returncode != 0:
        raise PracticeError(
            f"your editor exited with status {done.returncode}; not checked "
            f"(when ready: lossquiz code check {path.stem})"
        )


# -- checking --------------------------------------------------------------------------------


def check_attempt(
    task: Task,
    path: Path,
    runner: SnippetRunner,
    *,
    seed: int,
    budget: float | None = None,
) -> CheckReport:
    """Run the attempt against the task in the worker; the first failing case is reported."""
    if not path.is_file():
        raise PracticeError(f"no attempt at {path} yet: start one with `lossquiz code {task.card_id}`")
    limit = snippet_timeout() if budget is None else budget
    report = CheckReport(task.card_id, path, seed, False, len(task.cases), reference=task.reference)
    syntax = _syntax_failure(path)
    if syntax is not None:
        return _with_failure(report, syntax)
    message = {
        "op": "practice",
        "path": str(task.path),
        "attempt": str(path),
        "seed": seed,
        "budget": limit,
    }
    outcome = runner.request(message, timeout=2 * limit + WORKER_MARGIN)
    if outcome.data is None:
        error = outcome.error or "unknown error"
        if error.startswith("timed out"):
            return _with_failure(report, {"check": "timeout", "summary": f"your code did not finish: {error}"})
        if "exited" in error:
            summary = "the checking process died while running your code (os._exit, a crash, or out of memory)"
            return _with_failure(report, {"check": "crash", "summary": summary})
        raise SnippetError(f"the practice checker for '{task.card_id}' failed: {error}")
    data = outcome.data
    return CheckReport(
        task.card_id,
        path,
        seed,
        bool(data["passed"]),
        int(data["total"]),
        tuple(data["cases_passed"]),
        data.get("failure"),
        task.reference,
        builtin=builtin_called(path.read_text(encoding="utf-8", errors="replace"), task.builtins)
        if data["passed"]
        else None,
    )


def builtin_called(code: str, builtins: tuple[str, ...]) -> str | None:
    """The library call that computes the task's whole loss (its BUILTIN, e.g. huber_loss) that the
    attempt makes, if any: such an attempt passes, and is told it practised nothing. A building block
    the conventions recommend (BCE-with-logits inside focal or DPO) is not one. Read with ast, never run."""
    import ast

    names = set(builtins)
    if not names:
        return None
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
            if name in names:
                return name
    return None


def _with_failure(report: CheckReport, failure: dict[str, Any]) -> CheckReport:
    return CheckReport(report.card_id, report.attempt, report.seed, False, report.total, (), failure, report.reference)


def _syntax_failure(path: Path) -> dict[str, Any] | None:
    """A syntax error, found without running anything: one line with the user's line number."""
    try:
        compile(path.read_bytes(), str(path), "exec", dont_inherit=True)
    except SyntaxError as e:
        where = f" ({path.name} line {e.lineno})" if e.lineno else ""
        code = (e.text or "").strip()
        return {
            "check": "syntax",
            "summary": f"SyntaxError: {e.msg}{where}" + (f": {code}" if code else ""),
            "line": e.lineno,
        }
    except (ValueError, UnicodeDecodeError) as e:
        return {"check": "syntax", "summary": f"cannot compile {path.name}: {e}"}
    except OSError as e:
        raise PracticeError(f"cannot read {path}: {e.strerror}") from None
    return None


@dataclass(frozen=True)
class Recorded:
    """What a checked attempt did to the schedule: the next interval, or the check that counts today."""

    interval: Any = None
    counted_at: str | None = None  # set when this check was not recorded: today's check that was
    counted_passed: bool = False

    @property
    def recorded(self) -> bool:
        """True when this check was recorded as a review."""
        return self.counted_at is None


def counts_today(earlier_today: Sequence[bool], passed: bool) -> bool:
    """Whether a check is recorded, given today's recorded checks (passed or not).

    A day's first check is recorded, and so is its first pass after failures (Again, then Good, as a
    relearning step would be). Re-checking while debugging records nothing more, so ten failed runs
    do not push the card's difficulty up ten times, and re-running a passing file is not a new review.
    """
    if not earlier_today:
        return True
    return passed and not any(earlier_today)


def record_check(
    store: Store,
    card: Card,
    report: CheckReport,
    scheduler: Scheduler,
    *,
    now: datetime,
    duration_ms: int = 0,
) -> Recorded:
    """Record a checked attempt as a review with mode 'code', if it counts today (`counts_today`)."""
    from lossquiz.clock import local_day_start
    from lossquiz.progress.reviews import record_rated

    store.sync_cards([(card.id, card.content_hash())])
    today = store.code_checks_since(card.id, local_day_start(now, hour=scheduler.day_start_hour, tz=scheduler.tz))
    if not counts_today([passed for passed, _at in today], report.passed):
        counted = next(((p, at) for p, at in today if p), today[0])
        return Recorded(counted_at=counted[1], counted_passed=counted[0])
    failure = report.failure or {}
    answer = (
        f"pass {report.total}/{report.total}"
        if report.passed
        else f"fail {failure.get('check', '?')}" + (f" in case '{failure['case']}'" if failure.get("case") else "")
    )
    review = ReviewInput(
        slug=card.id,
        rating=int(report.rating),
        reviewed_at=now,
        duration_ms=duration_ms,
        correct=report.passed,
        answer=answer,
        mode="code",
    )
    return Recorded(interval=record_rated(store, scheduler, review))


def check_and_record(
    card: Card,
    task: Task,
    data_dir: Path,
    trusted: TrustedDeck,
    *,
    now: Callable[[], datetime],
    seed: int,
    duration_ms: int = 0,
    deck_key: str = "",
    scheduler_for: Callable[[Store], Scheduler] | None = None,
) -> tuple[CheckReport, Recorded | None]:
    """Check the user's attempt in a fresh worker, then record it (unless never started, or a
    pass that calls the built-in being tested: it would move the schedule for nothing recalled).

    `scheduler_for` gives the scheduler a drill would use (the CLI passes the configured one:
    fitted parameters, retention, day start); by default the stored settings with the defaults.
    """
    from lossquiz.progress import settings

    with SnippetRunner(trusted) as runner:
        report = check_attempt(task, attempt_path(data_dir, card.id), runner, seed=seed)
    if not report.started or report.builtin:  # calling the built-in tested is not recall: no review
        return report, None
    with Store.open(data_dir, deck=deck_key) as store:
        scheduler = scheduler_for(store) if scheduler_for is not None else settings.scheduler_for(store, None)
        return report, record_check(store, card, report, scheduler, now=now(), duration_ms=duration_ms)


# -- listing and the solution ----------------------------------------------------------------


def practice_status(deck: Deck, tasks: dict[str, Task], store: Store, data_dir: Path) -> list[PracticeStatus]:
    """Every practicable card in curriculum order, with its checked attempts."""
    history = store.practice_history()
    return [
        PracticeStatus(card, tasks[card.id], attempt_path(data_dir, card.id), history.get(card.id))
        for card in deck.cards
        if card.id in tasks
    ]


def unlocked_solution(task: Task, store: Store, attempt: Path) -> str:
    """The model solution, once at least one attempt has been checked (the way there names only the
    steps left: with the attempt file written, just the check)."""
    if task.card_id not in store.practice_history():
        start = "" if attempt.exists() else f"lossquiz code start {task.card_id}, then "
        raise PracticeError(
            f"the solution unlocks after your first checked attempt: {start}lossquiz code check {task.card_id}"
        )
    return task.solution
