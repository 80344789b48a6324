"""`lossquiz stats`: figures with known answers on a seeded database, local days, the CLI.

The seeded history is written through Store.record_review with py-fsrs computing each new
state (fuzz off), exactly as a drill does, so the expected FSRS figures are recomputed here
straight from py-fsrs rather than through lossquiz.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler, State
from typer.testing import CliRunner

from lossquiz.cli import app
from lossquiz.clock import iso
from lossquiz.deck.cards import Deck, load_deck
from lossquiz.paths import deck_key
from lossquiz.progress.stats import HEATMAP_WEEKS, DayCount, Stats, compute_stats, day_start
from lossquiz.progress.store import Advance, CardRow, ReviewInput, Store

NOW = datetime(2025, 1, 10, 12, 0, tzinfo=timezone.utc)  # a Friday


@pytest.fixture
def tz(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Set the process time zone for one test (TZ + tzset), and put it back afterwards."""

    def set_zone(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    set_zone("UTC")
    yield set_zone
    monkeypatch.undo()
    time.tzset()


def _fsrs() -> Scheduler:
    return Scheduler(enable_fuzzing=False)


def record(
    store: Store,
    slug: str,
    rating: int,
    at: datetime,
    *,
    ms: int = 1000,
    correct: bool | None = None,
    cram: bool = False,
    session: int | None = None,
    mode: str = "drill",
) -> None:
    """Commit one review the way a drill does (py-fsrs moves the schedule unless cramming)."""
    scheduler = _fsrs()

    def advance(row: CardRow) -> Advance:
        before = FsrsCard.from_json(row.fsrs_json) if row.fsrs_json else FsrsCard(card_id=row.id, due=at)
        after, _ = scheduler.review_card(before, Rating(rating), review_datetime=at)
        lapse = before.state == State.Review and rating == Rating.Again
        return Advance(after.to_json(), iso(after.due), int(after.state), lapse)

    review = ReviewInput(slug, rating, at, ms, session_id=session, correct=correct, cram=cram, mode=mode)
    store.record_review(review, None if cram else advance)


def at(day: int, hour: int, minute: int = 0, month: int = 1, year: int = 2025) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=timezone.utc)


def seed(store: Store, deck: Deck) -> None:
    """The history the known answers below are worked out from (times UTC).

    kept reviews per day: Dec 1, Jan 5, Jan 7, Jan 8 (2), Jan 9 (2), Jan 10 (2: one cram);
    one more on Jan 10 is undone. logistic only ever had a cram review, so it is still new.
    """
    store.sync_cards((c.id, c.content_hash()) for c in deck.cards)
    record(store, "bias-variance", 1, at(1, 9, month=12, year=2024), ms=1000)  # outside the 30 days
    record(store, "absolute", 3, at(5, 9), ms=2000, correct=True)  # pass
    record(store, "bias-variance", 1, at(7, 9), ms=3000)  # fail
    record(store, "square", 1, at(8, 9), ms=4000, correct=False)  # fail: first of the day
    record(store, "square", 3, at(8, 9, 5), ms=5000, correct=True)  # same-day repeat: not counted
    record(store, "square", 3, at(9, 9), ms=6000, correct=True)  # pass
    record(store, "absolute", 3, at(9, 9, 10), ms=7000, correct=True)  # pass
    record(store, "bias-variance", 2, at(10, 8), ms=8000)  # pass (Hard is above Again)
    record(store, "logistic", 1, at(10, 8, 10), ms=9000, cram=True)  # cram: activity only
    session = store.start_session(at(10, 8, 19), cram=False)
    record(store, "absolute", 1, at(10, 8, 20), ms=100_000, correct=False, session=session)
    assert store.undo_last(session) == "absolute"  # undone: never counts


def replayed(reviews: list[tuple[int, datetime]]) -> FsrsCard:
    """What py-fsrs itself makes of a card's kept, scheduled reviews."""
    card = FsrsCard(card_id=1, due=reviews[0][1])
    for rating, moment in reviews:
        card, _ = _fsrs().review_card(card, Rating(rating), review_datetime=moment)
    return card


@pytest.fixture
def seeded(tmp_path: Path, deck_dir: Path, tz: Any) -> Iterator[tuple[Store, Deck]]:
    deck = load_deck(deck_dir)
    with Store.open(tmp_path / "data") as store:
        seed(store, deck)
        yield store, deck


def test_known_answers_on_seeded_history(seeded: tuple[Store, Deck]) -> None:
    store, deck = seeded
    s = compute_stats(store, deck, now=NOW)
    assert not s.empty
    assert (s.cards_total, s.cards_new) == (4, 1)  # logistic: only a cram review
    assert s.reviews_total == 9 and s.reviews_cram == 1  # 10 recorded, 1 undone
    assert s.reviews_today == 2  # bias-variance + the cram review; the undone one is not
    assert s.streak == 4  # Jan 10, 9, 8, 7; Jan 6 is empty
    # Anki's True Retention counts review-state cards only: every answer above was to a new or
    # learning card (first-attempt accuracy on new cards is not retention)
    assert (s.retention_passed, s.retention_reviews) == (0, 0)
    assert s.retention is None
    assert s.mean_seconds == pytest.approx(5.0)  # 1..9 s; the undone 100 s is left out

    regression, classification = s.topics
    assert (regression.topic, regression.cards, regression.seen) == ("regression", 3, 3)
    assert (regression.graded, regression.correct) == (5, 4)  # square F,T,T; absolute T,T
    assert (classification.cards, classification.seen, classification.recall) == (1, 0, None)
    assert classification.accuracy is None

    histories = {
        "square": [(1, at(8, 9)), (3, at(8, 9, 5)), (3, at(9, 9))],
        "absolute": [(3, at(5, 9)), (3, at(9, 9, 10))],
        "bias-variance": [(1, at(1, 9, month=12, year=2024)), (1, at(7, 9)), (2, at(10, 8))],
    }
    expected = {slug: replayed(h) for slug, h in histories.items()}
    recall = {slug: _fsrs().get_card_retrievability(c, current_datetime=NOW) for slug, c in expected.items()}
    assert regression.recall == pytest.approx(sum(recall.values()) / 3)
    states = [int(c.state) for c in expected.values()]
    assert s.cards_learning == states.count(State.Learning)
    assert s.cards_relearning == states.count(State.Relearning)
    assert s.cards_review == states.count(State.Review)
    assert s.cards_learning + s.cards_relearning + s.cards_review == 3

    # due: every seen card's py-fsrs due date, bucketed by (UTC here) day
    dues = [c.due for c in expected.values()]
    assert s.due_now == sum(d <= NOW for d in dues)
    assert s.due_today == sum(d < datetime(2025, 1, 11, tzinfo=timezone.utc) for d in dues)
    assert [d.day for d in s.forecast] == [date(2025, 1, 10) + timedelta(days=i) for i in range(7)]
    assert sum(d.count for d in s.forecast) == sum(d < datetime(2025, 1, 17, tzinfo=timezone.utc) for d in dues)

    # weakest: only cards that were forgotten (no lapses here, but square and bias-variance were
    # failed within the week, and logistic in cram; absolute's Again was undone), then the lower
    # recall — logistic has none (no schedule), so it comes first
    assert [w.id for w in s.weakest] == [
        "logistic",
        *sorted(["square", "bias-variance"], key=lambda slug: recall[slug]),
    ]
    assert [w.failures for w in s.weakest] == [1, 1, 1]
    assert s.weakest[0].recall is None
    assert s.weakest[0].command == f"lossquiz drill --card {s.weakest[0].id}"


def seed_practice(store: Store) -> None:
    """Two checked implement-it attempts on top of `seed`: one without an editor (0 ms), one after 10 minutes in it."""
    record(store, "absolute", 1, at(6, 10), ms=600_000, correct=False, mode="code")  # Jan 6 was empty
    record(store, "square", 3, at(10, 9), ms=0, correct=True, mode="code")


def test_practice_reviews_are_activity_but_not_answer_time(seeded: tuple[Store, Deck]) -> None:
    """Mean answer time and numeric accuracy are over drill answers; practice counts everywhere else."""
    store, deck = seeded
    seed_practice(store)
    s = compute_stats(store, deck, now=NOW)
    assert s.mean_seconds == pytest.approx(5.0)  # neither the 0 ms check nor the 600 s in the editor
    assert (s.reviews_total, s.reviews_practice, s.reviews_cram) == (11, 2, 1)
    assert s.reviews_today == 3  # bias-variance, the cram review, square's check
    assert s.streak == 6  # Jan 10 .. Jan 5: the practice check fills Jan 6
    assert [d.count for d in s.heatmap[-6:]] == [1, 1, 1, 2, 2, 3]
    # both checks were recorded (out of time order) after their card reached review state, so both are
    # review-state first answers of their day: square's passed, absolute's failed
    assert (s.retention_passed, s.retention_reviews) == (1, 2)
    regression = s.topics[0]
    assert (regression.graded, regression.correct) == (5, 4)  # drill answers only, as without practice
    assert s.to_dict()["reviews"] == {"total": 11, "cram": 1, "practice": 2, "today": 3, "mean_answer_seconds": 5.0}


def test_only_practice_has_no_mean_answer_time(tmp_path: Path, deck_dir: Path, tz: Any) -> None:
    deck = load_deck(deck_dir)
    with Store.open(tmp_path / "data") as store:
        store.sync_cards((c.id, c.content_hash()) for c in deck.cards)
        seed_practice(store)
        s = compute_stats(store, deck, now=NOW)
    assert (s.reviews_total, s.reviews_practice, s.mean_seconds) == (2, 2, None)
    assert s.topics[0].graded == 0 and s.topics[0].accuracy is None


def test_stats_queries_read_rows_per_card_and_index_ranges(seeded: tuple[Store, Deck]) -> None:
    """No stats query scans the reviews: totals are a row per card (m008), windows are index ranges."""
    from lossquiz.progress import stats

    store, _ = seeded
    days = stats._bins(NOW.date(), stats._starts(NOW.date(), 2, 4))
    params = {"ids": "[1, 2]", "since": iso(NOW), "until": iso(NOW), "days": days, "every": False}

    def plan(sql: str) -> str:
        return " | ".join(str(row[-1]) for row in store.query("EXPLAIN QUERY PLAN " + sql, params))

    assert "SEARCH card_totals USING INTEGER PRIMARY KEY" in plan(stats._PER_CARD), plan(stats._PER_CARD)
    # m009: the window is read from the index alone, no review's row
    assert "SEARCH r USING COVERING INDEX reviews_card (card_id=? AND reviewed_at>?)" in plan(stats._RETENTION)
    assert "SEARCH p USING COVERING INDEX reviews_card (card_id=? AND reviewed_at<?)" in plan(stats._RETENTION)
    assert "TEMP B-TREE" not in plan(stats._RETENTION), plan(stats._RETENTION)  # index order: no sort
    assert "COVERING INDEX reviews_stats_time (reviewed_at>?)" in plan(stats._FAILURES), plan(stats._FAILURES)
    assert "COVERING INDEX reviews_stats_time (reviewed_at>? AND reviewed_at<?)" in plan(stats._DAILY_COUNTS)
    assert "COVERING INDEX reviews_time (reviewed_at>? AND reviewed_at<?)" in plan(stats._DAILY_ALL)
    assert "SEARCH reviews USING INDEX reviews_undone_time" in plan(stats._UNDONE_TIMES), plan(stats._UNDONE_TIMES)
    queries = (
        stats._PER_CARD,
        stats._RETENTION,
        stats._FAILURES,
        stats._DAILY_COUNTS,
        stats._DAILY_ALL,
        stats._UNDONE_TIMES,
    )
    for sql in queries:
        assert "SCAN reviews" not in plan(sql) and "SCAN r " not in plan(sql) + " ", plan(sql)


def test_heatmap_covers_whole_weeks_up_to_today(seeded: tuple[Store, Deck]) -> None:
    store, deck = seeded
    s = compute_stats(store, deck, now=NOW)
    days = [d.day for d in s.heatmap]
    assert days[0].weekday() == 0 and days[-1] == date(2025, 1, 10)
    assert days == [days[0] + timedelta(days=i) for i in range(len(days))]
    assert (HEATMAP_WEEKS - 1) * 7 < len(days) <= HEATMAP_WEEKS * 7
    counts = {d.day: d.count for d in s.heatmap}
    assert [counts[date(2025, 1, n)] for n in range(5, 11)] == [1, 0, 1, 2, 2, 2]
    assert counts[date(2024, 12, 1)] == 1  # 18 weeks reach back into September
    assert sum(counts.values()) == 9  # every kept review, cram included; not the undone one


def test_streak_ends_yesterday_when_nothing_yet_today(seeded: tuple[Store, Deck]) -> None:
    store, deck = seeded
    tomorrow = NOW + timedelta(days=1)
    assert compute_stats(store, deck, now=tomorrow).streak == 4  # Jan 10 back to Jan 7
    assert compute_stats(store, deck, now=tomorrow + timedelta(days=1)).streak == 0


def test_streak_longer_than_the_heatmap(tmp_path: Path, deck_dir: Path, tz: Any) -> None:
    deck = load_deck(deck_dir)
    with Store.open(tmp_path / "data") as store:
        store.sync_cards((c.id, c.content_hash()) for c in deck.cards)
        for n in range(400):  # every day for 400 days, then a gap before
            record(store, "logistic", 3, NOW - timedelta(days=n, hours=1), cram=True)
        record(store, "logistic", 3, NOW - timedelta(days=402), cram=True)
        assert compute_stats(store, deck, now=NOW).streak == 400


def test_local_days_follow_the_time_zone(tmp_path: Path, deck_dir: Path, tz: Any) -> None:
    """Tokyo is UTC+9: at 16:00 UTC on Jan 10 it is already 01:00 on Jan 11 there."""
    now = at(10, 16)
    deck = load_deck(deck_dir)
    with Store.open(tmp_path / "data") as store:
        store.sync_cards((c.id, c.content_hash()) for c in deck.cards)
        record(store, "logistic", 3, at(10, 14), cram=True)  # 23:00 on Jan 10 in Tokyo
        card = FsrsCard(card_id=1, due=now, state=State.Review, stability=5.0, difficulty=5.0, last_review=now)
        dues = {
            "square": now - timedelta(hours=1),  # overdue
            "absolute": at(11, 14, 30),  # Tokyo: 23:30 Jan 11, today    | UTC: tomorrow
            "bias-variance": at(11, 15, 30),  # Tokyo: 00:30 Jan 12, tomorrow | UTC: tomorrow
            "logistic": at(13, 14),  # Tokyo: 23:00 Jan 13, in 2 days | UTC: in 3 days
        }
        for slug, due in dues.items():
            card.due = due
            store.conn.execute(
                "UPDATE cards SET fsrs_json = ?, due = ?, state = 2 WHERE slug = ?", (card.to_json(), iso(due), slug)
            )

        tz("Asia/Tokyo")  # days starting at midnight here; the 04:00 rule has its own test
        s = compute_stats(store, deck, now=now, day_start_hour=0)
        assert s.today == date(2025, 1, 11)
        assert (s.due_now, s.due_today) == (1, 2)
        assert [d.count for d in s.forecast] == [2, 1, 1, 0, 0, 0, 0]
        assert (s.reviews_today, s.streak) == (0, 1)  # the review was yesterday, Tokyo time
        assert s.heatmap[-2] == DayCount(date(2025, 1, 10), 1)
        assert day_start(date(2025, 1, 11), 0) == datetime(2025, 1, 10, 15, tzinfo=timezone.utc)
        assert day_start(date(2025, 1, 11)) == datetime(2025, 1, 10, 19, tzinfo=timezone.utc)  # 04:00 Tokyo

        tz("UTC")
        s = compute_stats(store, deck, now=now, day_start_hour=0)
        assert s.today == date(2025, 1, 10)
        assert (s.due_now, s.due_today) == (1, 1)
        assert [d.count for d in s.forecast] == [1, 2, 0, 1, 0, 0, 0]
        assert (s.reviews_today, s.streak) == (1, 1)


def test_local_days_across_a_dst_change(tmp_path: Path, deck_dir: Path, tz: Any) -> None:
    """New York springs forward on 2025-03-09: that local day is 23 hours long."""
    tz("America/New_York")
    assert day_start(date(2025, 3, 9), 0) == datetime(2025, 3, 9, 5, tzinfo=timezone.utc)
    assert day_start(date(2025, 3, 10), 0) == datetime(2025, 3, 10, 4, tzinfo=timezone.utc)
    assert day_start(date(2025, 3, 10)) == datetime(2025, 3, 10, 8, tzinfo=timezone.utc)  # 04:00 EDT
    deck = load_deck(deck_dir)
    with Store.open(tmp_path / "data") as store:
        store.sync_cards((c.id, c.content_hash()) for c in deck.cards)
        record(store, "logistic", 3, datetime(2025, 3, 10, 4, 30, tzinfo=timezone.utc), cram=True)  # 00:30 EDT
        record(store, "logistic", 3, datetime(2025, 3, 10, 3, 30, tzinfo=timezone.utc), cram=True)  # 23:30 EDT 9th
        s = compute_stats(store, deck, now=datetime(2025, 3, 10, 12, tzinfo=timezone.utc), day_start_hour=0)
        counts = {d.day: d.count for d in s.heatmap}
        assert (counts[date(2025, 3, 9)], counts[date(2025, 3, 10)]) == (1, 1)
        s = compute_stats(store, deck, now=datetime(2025, 3, 10, 12, tzinfo=timezone.utc))
        counts = {d.day: d.count for d in s.heatmap}
        assert (counts[date(2025, 3, 9)], counts[date(2025, 3, 10)]) == (2, 0)  # both before 04:00 EDT


def test_topic_filter_restricts_every_figure(seeded: tuple[Store, Deck]) -> None:
    store, deck = seeded
    s = compute_stats(store, deck, now=NOW, topics=["classification"])
    assert (s.cards_total, s.cards_new) == (1, 1)
    assert (s.reviews_total, s.reviews_cram, s.reviews_today) == (1, 1, 1)
    assert s.retention_reviews == 0 and s.retention is None  # cram never counts for retention
    assert [t.topic for t in s.topics] == ["classification"]
    assert [w.id for w in s.weakest] == ["logistic"]  # its one (cram) answer was Again


def test_empty_history(tmp_path: Path, deck_dir: Path, tz: Any) -> None:
    with Store.open(tmp_path / "data") as store:
        s = compute_stats(store, load_deck(deck_dir), now=NOW)
    assert s.empty and s.cards_new == s.cards_total == 4
    assert (s.streak, s.reviews_today, s.retention, s.mean_seconds) == (0, 0, None, None)
    assert s.to_dict()["empty"] is True


# -- the CLI ---------------------------------------------------------------------------------

SCHEMA: dict[str, Any] = {
    "empty": bool,
    "generated_at": str,
    "today": str,
    "utc_offset": str,
    "topics_filter": list,
    "cards": {"total": int, "new": int, "learning": int, "relearning": int, "review": int},
    "due": {"now": int, "today": int, "forecast": list},
    "reviews": {"total": int, "cram": int, "practice": int, "today": int, "mean_answer_seconds": (float, type(None))},
    "streak_days": int,
    "retention": {
        "window_days": int,
        "definition": str,
        "reviews": int,
        "passed": int,
        "rate": (float, type(None)),
        "young": dict,
        "mature": dict,
    },
    "leeches": list,
    "suspended": int,
    "heatmap": list,
    "topics": list,
    "weakest": list,
    "scheduler": {
        "algorithm": str,
        "parameters": str,
        "fitted_at": (str, type(None)),
        "fitted_on_reviews": (int, type(None)),
        "desired_retention": float,
        "retention_source": str,
    },
}
TOPIC_KEYS = {"topic", "cards", "seen", "mean_recall", "graded", "correct", "accuracy"}
WEAK_KEYS = {"id", "title", "topic", "lapses", "recent_failures", "leech", "recall", "due", "command"}


def _check_schema(data: dict[str, Any], schema: dict[str, Any]) -> None:
    assert set(data) == set(schema)
    for key, kind in schema.items():
        if isinstance(kind, dict):
            _check_schema(data[key], kind)
        else:
            assert isinstance(data[key], kind), (key, data[key])


def _drill(runner: CliRunner, deck_dir: Path, keys: str, *cards: str) -> None:
    args = ["drill", "--deck", str(deck_dir)] + [a for c in cards for a in ("--card", c)]
    result = runner.invoke(app, args, input=keys)
    assert result.exit_code == 0, result.output


def test_stats_after_a_few_drills_shows_every_figure(runner: CliRunner, deck_dir: Path) -> None:
    # Enter reveals, then a rating; logistic is failed, comes back, and is passed.
    _drill(runner, deck_dir, "\n3\n\n1\n\n3\n", "bias-variance", "logistic")
    result = runner.invoke(app, ["stats", "--deck", str(deck_dir)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    for needle in (
        "4 total · 2 new",
        "now · ",
        "3 today · 3 in all",
        "streak            1 day",
        "true retention    — (no reviews of learned cards in the last 30 days)",
        "mean answer time",
        "due, next 7 days",
        "today",
        "reviews, last 18 weeks",
        "less · ░ ▒ ▓ █ more",
        "regression       1/3",
        "classification   1/1",
        "weakest cards",
        "lossquiz drill --card logistic",  # failed today: weak, although it has no lapse
    ):
        assert needle in out, needle
    assert "lossquiz drill --card bias-variance" not in out  # never failed: not weak
    assert "\x1b[" not in out  # plain text when not a terminal
    narrow = runner.invoke(app, ["stats", "--deck", str(deck_dir)], env={"COLUMNS": "80"}).stdout
    weakest = narrow.split("weakest cards")[1]
    assert "logistic" in weakest and "lossquiz drill --card logistic" in weakest  # whole, at 80 columns
    assert all(len(line.rstrip()) <= 80 for line in weakest.splitlines())

    data = json.loads(runner.invoke(app, ["stats", "--deck", str(deck_dir), "--json"]).stdout)
    _check_schema(data, SCHEMA)
    assert data["empty"] is False
    assert data["cards"] == {"total": 4, "new": 2, "learning": data["cards"]["learning"], "relearning": 0, "review": 0}
    assert data["reviews"]["today"] == data["reviews"]["total"] == 3
    assert data["streak_days"] == 1
    assert (data["retention"]["reviews"], data["retention"]["rate"]) == (0, None)  # no learned card yet
    assert len(data["due"]["forecast"]) == 7 and data["due"]["forecast"][0]["date"] == data["today"]
    assert data["heatmap"][-1] == {"date": data["today"], "count": 3}
    assert {t["topic"]: (t["seen"], t["cards"]) for t in data["topics"]} == {
        "regression": (1, 3),
        "classification": (1, 1),
    }
    assert all(set(t) == TOPIC_KEYS for t in data["topics"])
    assert all(set(w) == WEAK_KEYS for w in data["weakest"])
    assert {w["id"] for w in data["weakest"]} == {"logistic"}  # the one failed
    assert data["weakest"][0]["command"].startswith("lossquiz drill --card ")


def test_stats_json_matches_core_figures(runner: CliRunner, deck_dir: Path, env: Path, tz: Any) -> None:
    with Store.open(env, deck=deck_key(deck_dir)) as store:
        seed(store, load_deck(deck_dir))
    data = json.loads(runner.invoke(app, ["stats", "--deck", str(deck_dir), "--json"]).stdout)
    _check_schema(data, SCHEMA)
    # Far in the past for the real clock: only the timeless figures are compared.
    assert data["reviews"] == {"total": 9, "cram": 1, "practice": 0, "today": 0, "mean_answer_seconds": 5.0}
    assert data["cards"]["total"] == 4 and data["cards"]["new"] == 1
    assert [(t["graded"], t["correct"]) for t in data["topics"]] == [(5, 4), (0, 0)]


def test_stats_empty_history_is_kind(runner: CliRunner, deck_dir: Path) -> None:
    result = runner.invoke(app, ["stats", "--deck", str(deck_dir)])
    assert result.exit_code == 0, result.output
    assert "No reviews yet" in result.stdout and "lossquiz drill" in result.stdout
    assert "4 cards are waiting" in result.stdout
    data = json.loads(runner.invoke(app, ["stats", "--deck", str(deck_dir), "--json"]).stdout)
    _check_schema(data, SCHEMA)
    assert data["empty"] is True and data["reviews"]["total"] == 0 and data["streak_days"] == 0
    assert data["retention"]["rate"] is None and data["weakest"] == []


def test_stats_topic_filter_and_unknown_topic(runner: CliRunner, deck_dir: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "elsewhere"
    _drill(runner, deck_dir, "\n3\n", "bias-variance")
    base = ["stats", "--deck", str(deck_dir)]
    assert "No reviews yet" in runner.invoke(app, [*base, "--data-dir", str(data_dir)]).stdout
    result = runner.invoke(app, [*base, "--topic", "classification"])
    assert result.exit_code == 0 and "No reviews yet in classification" in result.stdout
    assert "lossquiz drill --topic classification" in result.stdout
    data = json.loads(runner.invoke(app, [*base, "-t", "regression", "-t", "classification", "--json"]).stdout)
    assert data["topics_filter"] == ["regression", "classification"] and data["reviews"]["total"] == 1
    bad = runner.invoke(app, [*base, "--topic", "nope"])
    assert bad.exit_code == 2 and bad.stderr.startswith("error: unknown topic 'nope'")


def test_stats_on_a_corrupt_database_is_one_line(runner: CliRunner, deck_dir: Path, env: Path) -> None:
    env.mkdir(parents=True)
    (env / "progress.db").write_bytes(b"not a database at all\n" * 50)
    result = runner.invoke(app, ["stats", "--deck", str(deck_dir)])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1


def test_stats_on_a_synthetic_history(tmp_path: Path, deck_dir: Path, tz: Any) -> None:
    from lossquiz.progress.synthetic import generate_history

    deck = load_deck(deck_dir)
    with Store.open(tmp_path / "data") as store:
        made = generate_history(store, deck, 2000, seed=7, now=NOW)
        s: Stats = compute_stats(store, deck, now=NOW)
        kept = store.query("SELECT count(*) FROM reviews WHERE undone = 0")[0][0]
    assert made.reviews == 2000 and s.reviews_total == kept and 1900 < kept < 2000
    assert s.streak >= 7 and s.reviews_today > 0 and s.retention is not None
    assert s.cards_new == 0 and sum(t.seen for t in s.topics) == 4


def test_stats_text_tells_practice_apart(runner: CliRunner, deck_dir: Path, env: Path, tz: Any) -> None:
    with Store.open(env, deck=deck_key(deck_dir)) as store:
        seed(store, load_deck(deck_dir))
        seed_practice(store)
    result = runner.invoke(app, ["stats", "--deck", str(deck_dir)])
    assert result.exit_code == 0, result.output
    assert "11 in all (1 cram, 2 practice)" in result.stdout
    assert "mean answer time  5.0 s (drill answers)" in result.stdout
    data = json.loads(runner.invoke(app, ["stats", "--deck", str(deck_dir), "--json"]).stdout)
    assert data["reviews"]["practice"] == 2 and data["reviews"]["mean_answer_seconds"] == 5.0


# -- which FSRS parameters are in use (issue #6) -----------------------------------------------

FITTED_AT = datetime(2025, 1, 8, 18, 30, tzinfo=timezone.utc)


def _fitted_parameters() -> list[float]:
    """py-fsrs's defaults with a slower forgetting curve (w20, FSRS-6's decay), as a fit might give."""
    from lossquiz.progress.settings import default_parameters

    parameters = default_parameters()
    parameters[20] = 0.6
    return parameters


def test_stats_names_the_default_scheduler(runner: CliRunner, deck_dir: Path, env: Path, tz: Any) -> None:
    with Store.open(env, deck=deck_key(deck_dir)) as store:
        seed(store, load_deck(deck_dir))
    result = runner.invoke(app, ["stats", "--deck", str(deck_dir)])
    assert result.exit_code == 0, result.output
    assert "scheduler         FSRS-6 default parameters" in result.stdout
    assert "target retention  90% (default)" in result.stdout
    data = json.loads(runner.invoke(app, ["stats", "--deck", str(deck_dir), "--json"]).stdout)
    assert data["scheduler"] == {
        "algorithm": "FSRS-6",
        "parameters": "default",
        "fitted_at": None,
        "fitted_on_reviews": None,
        "desired_retention": 0.9,
        "retention_source": "default",
    }


def test_stats_names_fitted_parameters_and_uses_them(runner: CliRunner, deck_dir: Path, env: Path, tz: Any) -> None:
    """As `lossquiz optimize --apply-retention` leaves them: fitted parameters and a chosen retention."""
    from lossquiz.progress import settings

    deck = load_deck(deck_dir)
    with Store.open(env, deck=deck_key(deck_dir)) as store:
        seed(store, deck)
        before = compute_stats(store, deck, now=NOW)
        settings.save_fsrs_parameters(store, _fitted_parameters(), n_reviews=1234, now=FITTED_AT)
        settings.save_desired_retention(store, 0.85, FITTED_AT)
        after = compute_stats(store, deck, now=NOW)
        rows = store.cards()
    assert after.scheduler.fitted and after.scheduler.fitted_on_reviews == 1234
    # recall now is computed with the parameters the drill uses, not py-fsrs's defaults
    fitted = Scheduler(parameters=_fitted_parameters(), enable_fuzzing=False)
    seen = ["square", "absolute", "bias-variance"]
    expected = [
        fitted.get_card_retrievability(FsrsCard.from_json(rows[slug].fsrs_json), current_datetime=NOW) for slug in seen
    ]
    assert after.topics[0].recall == pytest.approx(sum(expected) / 3)
    assert after.topics[0].recall != pytest.approx(before.topics[0].recall)

    result = runner.invoke(app, ["stats", "--deck", str(deck_dir)])
    assert result.exit_code == 0, result.output
    assert "scheduler         FSRS-6 parameters fitted on 1,234 reviews at 2025-01-08 (lossquiz optimize)" in (
        result.stdout
    )
    assert "target retention  85% (set by lossquiz optimize --apply-retention)" in result.stdout
    data = json.loads(runner.invoke(app, ["stats", "--deck", str(deck_dir), "--json"]).stdout)
    _check_schema(data, SCHEMA)
    assert data["scheduler"] == {
        "algorithm": "FSRS-6",
        "parameters": "fitted",
        "fitted_at": "2025-01-08T18:30:00.000000+00:00",
        "fitted_on_reviews": 1234,
        "desired_retention": 0.85,
        "retention_source": "optimize --apply-retention",
    }


def test_stats_on_an_empty_history_still_names_the_scheduler(runner: CliRunner, deck_dir: Path) -> None:
    result = runner.invoke(app, ["stats", "--deck", str(deck_dir)])
    assert result.exit_code == 0, result.output
    assert "scheduler: FSRS-6 default parameters · target retention 90% (default)" in result.stdout


def test_stats_with_unusable_stored_parameters_is_one_line(runner: CliRunner, deck_dir: Path, env: Path) -> None:
    from lossquiz.progress.settings import PARAMETERS_KEY

    with Store.open(env, deck=deck_key(deck_dir)) as store:
        store.set_setting(PARAMETERS_KEY, json.dumps({"parameters": [1.0, 2.0], "fitted_at": "x"}), FITTED_AT)
    result = runner.invoke(app, ["stats", "--deck", str(deck_dir)])
    assert result.exit_code == 1 and result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: the stored FSRS parameters are unusable") and "optimize --reset" in line


def test_a_card_failed_with_no_schedule_is_weak_too(tmp_path: Path, deck_dir: Path, tz: Any) -> None:
    """N19-1: a card failed only in cram (or reset after failing) has no FSRS state, so no recall,
    and was left out of the weakest cards though the README counts cram answers and "one Again"."""
    deck = load_deck(deck_dir)
    with Store.open(tmp_path / "data") as store:
        store.sync_cards((c.id, c.content_hash()) for c in deck.cards)
        record(store, "logistic", 1, NOW - timedelta(hours=2), cram=True)
        record(store, "square", 1, NOW - timedelta(hours=1))
        assert store.reset_card("square")
        s = compute_stats(store, deck, now=NOW)
    assert {w.id: (w.failures, w.recall) for w in s.weakest} == {"logistic": (1, None), "square": (1, None)}
    assert all(w.to_dict()["recall"] is None for w in s.weakest)
