"""The queue: due first (most overdue first), then new in curriculum order, families apart."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from lossquiz.clock import iso
from lossquiz.deck.cards import Card
from lossquiz.progress.store import CardRow
from lossquiz.study.queue import DrillOptions, Session, build_queue, spread

NOW = datetime(2025, 1, 10, tzinfo=timezone.utc)


def _card(cid: str, family: str = "", topic: str = "regression", kind: str = "concept") -> Card:
    return Card(
        id=cid,
        topic=topic,
        kind=kind,
        question="q",
        answer="a",
        key_points=("x", "y"),
        source="s",
        family=family or cid,
    )


def _row(cid: str, due_in_days: float | None) -> CardRow:
    due = None if due_in_days is None else iso(NOW + timedelta(days=due_in_days))
    return CardRow(1, cid, "{}" if due else None, due, 2 if due else None, 0)


def test_due_first_most_overdue_first_then_new_in_order() -> None:
    cards = [_card(c) for c in "abcdef"]
    rows = {"a": _row("a", None), "b": _row("b", -1), "c": _row("c", 2), "d": _row("d", -5), "e": _row("e", None)}
    queue = build_queue(cards, rows, now=NOW, options=DrillOptions(new_per_day=10), introduced_today=0)
    assert [c.id for c in queue] == ["d", "b", "a", "e", "f"]


def test_new_allowance_counts_cards_introduced_today() -> None:
    cards = [_card(c) for c in "abcd"]
    queue = build_queue(cards, {}, now=NOW, options=DrillOptions(new_per_day=3), introduced_today=2)
    assert [c.id for c in queue] == ["a"]


def test_cram_reviews_ahead() -> None:
    cards = [_card("a"), _card("b")]
    rows = {"a": _row("a", 3), "b": _row("b", 1)}
    queue = build_queue(cards, rows, now=NOW, options=DrillOptions(cram=True), introduced_today=0)
    assert [c.id for c in queue] == ["b", "a"]


def test_filters_and_card_limit() -> None:
    cards = [_card("a", topic="gan"), _card("b", kind="numeric"), _card("c"), _card("d")]
    options = DrillOptions(topics=("regression",), kinds=("concept",), max_cards=1)
    assert [c.id for c in build_queue(cards, {}, now=NOW, options=options, introduced_today=0)] == ["c"]


def test_spread_keeps_families_apart() -> None:
    cards = [
        _card("mse", "reg"),
        _card("mae", "reg"),
        _card("huber", "reg"),
        _card("ce", "cls"),
        _card("focal", "cls"),
        _card("dpo", "dpo"),
    ]
    order = [c.id for c in spread(cards)]
    assert order == ["mse", "ce", "mae", "focal", "huber", "dpo"]


def test_failed_card_returns_later_and_not_forever() -> None:
    cards = [_card(c) for c in "abcde"]
    session = Session(list(cards), started=NOW)
    first = session.next_card(NOW)
    assert first is not None and first.id == "a"
    assert session.failed(first)
    assert [c.id for c in session.queue] == ["b", "c", "d", "a", "e"]
    assert session.failed(first) and not session.failed(first)


def test_time_budget_ends_session() -> None:
    session = Session([_card("a"), _card("b")], started=NOW, minutes=5)
    assert session.next_card(NOW + timedelta(minutes=1)) is not None
    assert session.next_card(NOW + timedelta(minutes=5)) is None


def test_explicit_cards_are_drilled_due_or_not() -> None:
    cards = [_card(c) for c in "abc"]
    rows = {"c": _row("c", 10)}
    options = DrillOptions(card_ids=("c", "a"))
    assert [x.id for x in build_queue(cards, rows, now=NOW, options=options, introduced_today=99)] == ["c", "a"]


def test_a_session_cut_by_its_card_count_does_not_blame_the_new_card_limit() -> None:
    from lossquiz.study.queue import plan

    cards = [_card(f"c{i}", family=f"f{i}") for i in range(6)]
    cut = plan(cards, {}, now=NOW, options=DrillOptions(max_cards=2, new_per_day=10), introduced_today=0)
    assert cut.new == 2 and cut.stopped_by is None
    daily = plan(cards, {}, now=NOW, options=DrillOptions(max_cards=20, new_per_day=3), introduced_today=0)
    assert daily.new == 3 and daily.stopped_by == "daily"
    session = plan(
        cards, {}, now=NOW, options=DrillOptions(max_cards=20, new_per_day=10, session_new=2), introduced_today=0
    )
    assert session.stopped_by == "session"
