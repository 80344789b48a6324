"""The drill loop end to end (in process): real deck, real SQLite, real snippet worker.

A FixedClock advances as answers are typed, so ratings from answer times, the reviews'
timestamps and the FSRS states can be compared exactly with what py-fsrs computes.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fsrs import Card as FsrsCard
from fsrs import Rating
from rich.console import Console

from lossquiz.clock import FixedClock
from lossquiz.deck import trust
from lossquiz.deck.cards import load_deck
from lossquiz.progress.scheduling import make_scheduler
from lossquiz.progress.store import Store
from lossquiz.study.drill import Drill
from lossquiz.study.queue import DrillOptions
from lossquiz.ui.drill_view import DrillScreen
from lossquiz.worker.client import Outcome, SnippetRunner
from tests.conftest import trust_deck, write_snippet

pytestmark = pytest.mark.torch
pytest.importorskip("torch")

Answer = str | Callable[["RecordingRunner"], str]


class RecordingRunner(SnippetRunner):
    """The real runner, remembering the last problem so a test can answer it right."""

    last: dict[str, Any] | None = None

    def run(self, path: Path, *, seed: int | None = None) -> Outcome:
        outcome = super().run(path, seed=seed)
        self.last = outcome.data
        return outcome


class Script:
    """Types the given answers, each after `seconds` on the FixedClock."""

    def __init__(self, clock: FixedClock, runner: RecordingRunner, answers: list[tuple[Answer, float]]) -> None:
        self.clock, self.runner, self.answers = clock, runner, list(answers)
        self.prompts: list[str] = []

    def warm_up(self) -> None:  # the first card is on screen: nothing to load
        pass

    def ask(self, message: str, *, deadline: datetime | None = None, graded: bool = True) -> str:
        self.prompts.append(message)
        if not self.answers:
            raise EOFError
        answer, seconds = self.answers.pop(0)
        self.clock.advance(timedelta(seconds=seconds))
        if isinstance(answer, BaseException):
            raise answer
        return answer(self.runner) if callable(answer) else answer


def _review(scheduler: Any, card: FsrsCard, rating: Rating, *, review_datetime: datetime) -> tuple[FsrsCard, None]:
    """lossquiz's scheduler (py-fsrs on study days, due at the day start), shaped like py-fsrs's review_card."""
    from lossquiz.progress import scheduling

    return scheduling.review(scheduler, card, rating, now=review_datetime), None


def right(runner: RecordingRunner) -> str:
    assert runner.last is not None
    return f"{runner.last['value']:.6f}"


def wrong(runner: RecordingRunner) -> str:
    return "-1"


def _drill(
    deck_dir: Path,
    data: Path,
    clock: FixedClock,
    answers: list[tuple[Any, float]],
    *,
    terminal: bool = False,
    **options: Any,
) -> tuple[Drill, Script, str]:
    out = io.StringIO()
    console = Console(file=out, width=100, no_color=True, force_terminal=terminal)
    trust_deck(deck_dir, data)
    runner = RecordingRunner(trust.gate(deck_dir, data), timeout=5)
    script = Script(clock, runner, answers)
    opts = DrillOptions(seed=1, **options)
    with Store.open(data) as store, runner:
        drill = Drill(load_deck(deck_dir), store, runner, DrillScreen(console), script, clock, opts)
        drill.scheduler = make_scheduler(fuzz=False)
        drill.result = drill.run()  # type: ignore[attr-defined]
    return drill, script, out.getvalue()


def _reviews(data: Path) -> list[tuple[Any, ...]]:
    with Store.open(data) as store:
        return store.conn.execute(
            "SELECT c.slug, r.rating, r.correct, r.answer, r.duration_ms, r.reviewed_at, r.undone, r.cram "
            "FROM reviews r JOIN cards c ON c.id = r.card_id ORDER BY r.id"
        ).fetchall()


def test_session_records_exactly_the_answers_with_fsrs_states(
    deck_dir: Path, clock: FixedClock, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    start = clock.now()
    # Queue: square (numeric), bias-variance (concept), absolute (numeric), logistic (quickfire).
    answers = [
        (right, 5),  # square: right in 5 s of 60 → Good (Easy needs this card's own history)
        ("", 10),  # bias-variance: reveal
        ("3", 2),  # ... rated Good
        (wrong, 30),  # absolute: wrong → Again, comes back later
        ("I think BCE", 4),  # logistic: typed answer, then reveal
        ("h", 1),  # ... rated Hard
        (right, 45),  # absolute again: right in 45 s → Good
    ]
    drill, script, out = _drill(deck_dir, data, clock, answers)
    rows = _reviews(data)
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("square", 3, 1),
        ("bias-variance", 3, None),
        ("absolute", 1, 0),
        ("logistic", 2, None),
        ("absolute", 3, 1),
    ]
    assert rows[3][3] == "I think BCE" and rows[2][3] == "-1"
    assert rows[0][4] == 5000 and rows[1][4] == 10000
    assert "✓ right" in out and "✗ wrong" in out and "1 Again" in out
    # FSRS states equal what py-fsrs computes for the same ratings at the same times.
    scheduler = make_scheduler(fuzz=False)
    with Store.open(data) as store:
        cards = store.cards()
    times = [datetime.fromisoformat(r[5]) for r in rows]
    expected_absolute = FsrsCard(card_id=cards["absolute"].id, due=times[2])
    expected_absolute, _ = _review(scheduler, expected_absolute, Rating.Again, review_datetime=times[2])
    expected_absolute, _ = _review(scheduler, expected_absolute, Rating.Good, review_datetime=times[4])
    assert FsrsCard.from_json(cards["absolute"].fsrs_json).to_dict() == expected_absolute.to_dict()
    expected_square, _ = _review(
        scheduler, FsrsCard(card_id=cards["square"].id, due=times[0]), Rating.Good, review_datetime=times[0]
    )
    assert FsrsCard.from_json(cards["square"].fsrs_json).to_dict() == expected_square.to_dict()
    assert times[0] == start + timedelta(seconds=5)


LOADING = "preparing the problem (loading torch)…"


@pytest.mark.parametrize("terminal", [False, True], ids=["pipe", "terminal"])
def test_the_torch_loading_line_is_erased_and_a_pipe_never_gets_it(
    deck_dir: Path, clock: FixedClock, tmp_path: Path, terminal: bool
) -> None:
    """Eleventh newcomer pass F6: the first numeric card printed that line between its question
    and its inputs, and it stayed. On a terminal it is erased once the problem is drawn; a pipe
    (a log, a script) gets nothing."""
    _, _, out = _drill(deck_dir, tmp_path / "data", clock, [(right, 5)], max_cards=1, terminal=terminal)
    assert "✓ right" in out  # square: the first card, numeric, answered while the worker was new
    if not terminal:
        assert LOADING not in out and "loading torch" not in out
        return
    before, after = out.split(LOADING, 1)
    assert "square" in before and "\r\x1b[2K" in after  # under the question, then erased
    erased = after.split("\r\x1b[2K", 1)
    assert erased[0] in ("", "\x1b[0m") and "y_hat" in erased[1]  # nothing in between; then the inputs
    assert out.count(LOADING) == 1


def test_late_right_answer_is_hard_and_due_cards_come_first_days_later(
    deck_dir: Path, clock: FixedClock, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    _drill(deck_dir, data, clock, [(right, 90), ("", 1), ("4", 1)], max_cards=3)
    assert [(r[0], r[1]) for r in _reviews(data)] == [("square", 2), ("bias-variance", 4)]
    clock.advance(timedelta(days=30))
    # Both are due now; square (Hard, shorter interval) is the most overdue, new cards follow.
    _drill(deck_dir, data, clock, [(right, 30), ("", 1), ("3", 1), ("q", 1)], max_cards=5)
    assert [r[0] for r in _reviews(data)[2:]] == ["square", "bias-variance"]


def test_nonsense_reprompts_and_records_nothing(deck_dir: Path, clock: FixedClock, tmp_path: Path) -> None:
    data = tmp_path / "data"
    answers = [("twelve", 1), ("1/0", 1), ("", 1), ("1,595", 1), (right, 1), ("", 1), ("7", 1), ("maybe", 1), ("g", 1)]
    _, script, out = _drill(deck_dir, data, clock, answers, max_cards=3)
    assert out.count("type a number such as") == 3
    assert "1,595 could be 1.595 or 1595" in out  # a comma read either way is asked again, not guessed
    assert out.count("type one of 1 Again, 2 Hard, 3 Good or 4 Easy") == 2
    assert [(r[0], r[1]) for r in _reviews(data)] == [("square", 3), ("bias-variance", 3)]


def test_undo_restores_previous_schedule_and_asks_again(deck_dir: Path, clock: FixedClock, tmp_path: Path) -> None:
    data = tmp_path / "data"
    answers = [(wrong, 1), ("u", 1), (right, 1), ("q", 1)]
    _, _, out = _drill(deck_dir, data, clock, answers)
    rows = _reviews(data)
    assert [(r[0], r[1], r[6]) for r in rows] == [("square", 1, 1), ("square", 3, 0)]
    assert "undone: last rating of 'square'" in out
    with Store.open(data) as store:
        state = FsrsCard.from_json(store.cards()["square"].fsrs_json)
    expected, _ = _review(
        make_scheduler(fuzz=False),
        FsrsCard(card_id=state.card_id, due=datetime.fromisoformat(rows[1][5])),
        Rating.Good,
        review_datetime=datetime.fromisoformat(rows[1][5]),
    )
    assert state.to_dict() == expected.to_dict(), "the undone Again left no trace in the schedule"


def test_skip_and_quit(deck_dir: Path, clock: FixedClock, tmp_path: Path) -> None:
    data = tmp_path / "data"
    _, _, out = _drill(deck_dir, data, clock, [("s", 1), ("", 1), ("2", 1), ("q", 1)])
    assert [(r[0], r[1]) for r in _reviews(data)] == [("bias-variance", 2)]
    assert "skipped" in out


def test_ctrl_c_keeps_answers_and_reports_interrupted(deck_dir: Path, clock: FixedClock, tmp_path: Path) -> None:
    data = tmp_path / "data"
    drill, _, _ = _drill(deck_dir, data, clock, [(right, 1), ("", 1), (KeyboardInterrupt(), 1)])
    assert drill.result.interrupted  # type: ignore[attr-defined]
    assert [r[0] for r in _reviews(data)] == ["square"]


def test_cram_records_but_leaves_schedule(deck_dir: Path, clock: FixedClock, tmp_path: Path) -> None:
    data = tmp_path / "data"
    _drill(deck_dir, data, clock, [(right, 1), ("", 1), ("3", 1)], max_cards=3)
    with Store.open(data) as store:
        before = {k: v.fsrs_json for k, v in store.cards().items()}
    # Cramming the concept cards: bias-variance (seen, not due) and logistic (new).
    _drill(deck_dir, data, clock, [("", 1), ("1", 1), ("", 1), ("4", 1)], cram=True, kinds=("concept", "quickfire"))
    with Store.open(data) as store:
        after = {k: v.fsrs_json for k, v in store.cards().items()}
    assert before == after
    assert [(r[0], r[7]) for r in _reviews(data)] == [
        ("square", 0),
        ("bias-variance", 0),
        ("bias-variance", 1),
        ("logistic", 1),
    ]


def test_failing_snippet_skips_card_and_session_goes_on(deck_dir: Path, clock: FixedClock, tmp_path: Path) -> None:
    source = (deck_dir / "snippets" / "square.py").read_text()
    write_snippet(deck_dir, "square", source.replace("residual = y - y_hat", "raise RuntimeError('broken')"))
    data = tmp_path / "data"
    _, _, out = _drill(deck_dir, data, clock, [("", 1), ("3", 1), (right, 1)], max_cards=3)
    assert "snippet 'square' failed: RuntimeError: broken" in out
    assert [r[0] for r in _reviews(data)] == ["bias-variance", "absolute"]


def test_hanging_snippet_is_stopped_and_session_goes_on(deck_dir: Path, clock: FixedClock, tmp_path: Path) -> None:
    source = (deck_dir / "snippets" / "square.py").read_text()
    write_snippet(deck_dir, "square", source.replace("residual = y - y_hat", "import time; time.sleep(60)"))
    data = tmp_path / "data"
    _, _, out = _drill(deck_dir, data, clock, [("", 1), ("3", 1)], max_cards=3)
    assert "snippet 'square' failed: timed out" in out
    assert [r[0] for r in _reviews(data)] == ["bias-variance"]


def test_only_an_auto_graded_answer_is_told_late_counts_as_hard(clock: FixedClock) -> None:
    from datetime import timedelta

    from lossquiz.ui.prompts import CountdownPrompter

    prompter = CountdownPrompter(clock)
    late = clock.now() - timedelta(seconds=4)
    assert "counts as Hard" in prompter._toolbar(late, graded=True)
    assert "over the limit" in prompter._toolbar(late, graded=False)
    assert "counts as Hard" not in prompter._toolbar(late, graded=False)
