"""Progress figures for `lossquiz stats`, aggregated in SQL.

Times are stored as UTC text; people live in local days. This module is where the two
meet: each local day becomes a UTC [start, end) range computed in Python (which knows the
DST rules), and the ranges go to SQLite as one JSON array. Every per-day figure is then an
indexed range query, so the cost grows with the days shown, not with the reviews stored.
Per-card work (states, recall probability) is a loop over cards, never over reviews.

Undone reviews never count. Cram reviews count as activity (reviews, streak, heatmap,
answer time, accuracy) but not for retention, whose question is "did the schedule work?".

Reviews come in two modes: 'drill' (an answer in `lossquiz drill`) and 'code' (a checked
implement-it attempt, `lossquiz code CARD --check`). Practice counts as activity (reviews,
streak, heatmap) and for retention: it is rated and moves the card's FSRS schedule like a
drill answer, so it is part of what the schedule is judged on. It is left out of the mean
answer time (a check takes no typing time: its duration is 0 unless an editor was opened)
and of "numeric right" (a pass/fail of written code is not a typed number; `code --list`
reports practice results).
"""

from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from lossquiz.clock import DEFAULT_DAY_START_HOUR, day_of, iso, start_of_day
from lossquiz.deck.cards import Card, Deck, select
from lossquiz.progress.memory import (
    DEFAULT_DECAY,
    DEFAULT_RETENTION,
    LEARNING,
    RELEARNING,
    REVIEW,
    recall_after,
)
from lossquiz.progress.store import CardRow, Store

HEATMAP_WEEKS = 18  # about four months, whole weeks Monday..Sunday like a contribution graph
FORECAST_DAYS = 7
RETENTION_DAYS = 30
WEAKEST = 5
WEAK_FAILURE_DAYS = 7  # "recent failures": Again answers (same-day ones included) in this many days
MATURE_DAYS = 21  # Anki: a card whose interval was 21 days or more is mature
LEECH_LAPSES = 8  # Anki's default leech threshold
_STREAK_CHUNK = 365  # days looked at per query once a streak outlives the heatmap

# The figures are NamedTuples, not dataclasses: a frozen dataclass costs `stats` more to define
# (its methods are compiled at import) than several of the figures cost to compute.
# Recall now is FSRS's forgetting curve in plain Python (progress/memory.py): `stats` never imports
# py-fsrs. Without a history it reads no settings either; this is their name for the algorithm
# (tests/test_stats_totals.py keeps it, and memory's constants, equal to the sources).
ALGORITHM = "FSRS-6"  # settings.ALGORITHM


class DayCount(NamedTuple):
    """How many of something fell on one local day."""

    day: date
    count: int  # type: ignore[assignment]  # the field, not tuple.count (never called on a DayCount)

    def to_dict(self) -> dict[str, Any]:
        """As `stats --json` prints it."""
        return {"date": self.day.isoformat(), "count": self.count}


class TopicStats(NamedTuple):
    """One row of the per-topic table."""

    topic: str
    cards: int
    seen: int
    recall: float | None  # mean FSRS probability of recall now, over seen cards
    graded: int  # auto-graded answers (numeric, gradient)
    correct: int
    seen_today: int = 0  # seen cards last reviewed this study day (their recall now is 1.0)

    @property
    def accuracy(self) -> float | None:
        """Share of auto-graded answers that were right."""
        return self.correct / self.graded if self.graded else None

    def to_dict(self) -> dict[str, Any]:
        """As `stats --json` prints it."""
        return {
            "topic": self.topic,
            "cards": self.cards,
            "seen": self.seen,
            "mean_recall": self.recall,
            "graded": self.graded,
            "correct": self.correct,
            "accuracy": self.accuracy,
        }


class WeakCard(NamedTuple):
    """A card worth drilling now, and how."""

    id: str
    title: str
    topic: str
    lapses: int
    recall: float | None  # None: no schedule (only crammed, or reset), so no memory to measure
    due: str | None
    failures: int = 0  # Again answers in the last WEAK_FAILURE_DAYS days
    leech: bool = False
    seen_today: bool = False  # last reviewed this study day: recall now is 1.0, whatever the answer

    @property
    def command(self) -> str:
        """The command that drills this card right away."""
        return f"lossquiz drill --card {self.id}"

    def to_dict(self) -> dict[str, Any]:
        """As `stats --json` prints it."""
        return {
            "id": self.id,
            "title": self.title,
            "topic": self.topic,
            "lapses": self.lapses,
            "recent_failures": self.failures,
            "leech": self.leech,
            "recall": self.recall,
            "due": self.due,
            "command": self.command,
        }


class SchedulerInUse(NamedTuple):
    """The FSRS parameters and desired retention a drill schedules with now (issue #6)."""

    fitted: bool  # parameters fitted by `lossquiz optimize`, else py-fsrs's defaults
    fitted_at: datetime | None
    fitted_on_reviews: int | None
    desired_retention: float
    retention_stored: bool  # chosen by `optimize --apply-retention`, else the 0.9 default
    algorithm: str = ALGORITHM

    def to_dict(self) -> dict[str, Any]:
        """As `stats --json` prints it (the words `optimize --show --json` uses)."""
        return {
            "algorithm": self.algorithm,
            "parameters": "fitted" if self.fitted else "default",
            "fitted_at": iso(self.fitted_at) if self.fitted_at else None,
            "fitted_on_reviews": self.fitted_on_reviews,
            "desired_retention": self.desired_retention,
            "retention_source": "optimize --apply-retention" if self.retention_stored else "default",
        }


class Stats(NamedTuple):
    """Every figure `lossquiz stats` shows."""

    now: datetime
    today: date
    topics_filter: tuple[str, ...]
    cards_total: int
    cards_new: int
    cards_learning: int
    cards_relearning: int
    cards_review: int
    due_now: int
    due_today: int
    forecast: tuple[DayCount, ...]  # today (overdue included) and the next six days
    reviews_total: int
    reviews_cram: int
    reviews_practice: int  # checked implement-it attempts (mode 'code'), included in reviews_total
    reviews_today: int
    mean_seconds: float | None  # over drill answers only
    streak: int
    retention_reviews: int  # Anki's True Retention: first answer per study day of review-state cards
    retention_passed: int
    retention_young: tuple[int, int]  # (passed, reviews) with an interval under MATURE_DAYS
    retention_mature: tuple[int, int]
    leeches: tuple[str, ...]
    suspended: int
    heatmap: tuple[DayCount, ...]  # from a Monday HEATMAP_WEEKS-1 weeks ago to today
    topics: tuple[TopicStats, ...]
    weakest: tuple[WeakCard, ...]
    scheduler: SchedulerInUse

    @property
    def empty(self) -> bool:
        """No review has been kept yet."""
        return self.reviews_total == 0

    @property
    def retention_window(self) -> int:
        """How many local days true retention looks back."""
        return RETENTION_DAYS

    @property
    def retention(self) -> float | None:
        """True retention over the last RETENTION_DAYS days."""
        return self.retention_passed / self.retention_reviews if self.retention_reviews else None

    def to_dict(self) -> dict[str, Any]:
        """The figures as one JSON-ready object (`stats --json`)."""
        offset = self.now.astimezone().strftime("%z")
        return {
            "empty": self.empty,
            "generated_at": iso(self.now),
            "today": self.today.isoformat(),
            "utc_offset": f"{offset[:3]}:{offset[3:]}" if offset else "+00:00",
            "topics_filter": list(self.topics_filter),
            "cards": {
                "total": self.cards_total,
                "new": self.cards_new,
                "learning": self.cards_learning,
                "relearning": self.cards_relearning,
                "review": self.cards_review,
            },
            "due": {
                "now": self.due_now,
                "today": self.due_today,
                "forecast": [d.to_dict() for d in self.forecast],
            },
            "reviews": {
                "total": self.reviews_total,
                "cram": self.reviews_cram,
                "practice": self.reviews_practice,
                "today": self.reviews_today,
                "mean_answer_seconds": self.mean_seconds,
            },
            "streak_days": self.streak,
            "retention": {
                "window_days": RETENTION_DAYS,
                "definition": "Anki True Retention: first answer per study day of review-state cards",
                "reviews": self.retention_reviews,
                "passed": self.retention_passed,
                "rate": self.retention,
                "young": _split(self.retention_young),
                "mature": _split(self.retention_mature),
            },
            "leeches": list(self.leeches),
            "suspended": self.suspended,
            "heatmap": [d.to_dict() for d in self.heatmap],
            "topics": [t.to_dict() for t in self.topics],
            "weakest": [w.to_dict() for w in self.weakest],
            "scheduler": self.scheduler.to_dict(),
        }


def _split(counts: tuple[int, int]) -> dict[str, Any]:
    passed, reviews = counts
    return {"reviews": reviews, "passed": passed, "rate": passed / reviews if reviews else None}


# -- local days ------------------------------------------------------------------------------

# Study days, as the scheduler counts them: local days starting at the day start hour (config).


def local_date(moment: datetime, hour: int = DEFAULT_DAY_START_HOUR) -> date:
    """The study day at a UTC instant."""
    return day_of(moment, hour=hour)


def day_start(day: date, hour: int = DEFAULT_DAY_START_HOUR) -> datetime:
    """When study day `day` starts, as an aware UTC datetime (DST-correct)."""
    return start_of_day(day, hour=hour)


def _moments(first: date, days: int, hour: int) -> list[datetime]:
    """When each of `days` study days from `first` on starts (UTC); a day ends where the next one
    starts. Computed once for the heatmap, true retention, recall and the forecast, which share
    them (a DST-correct start costs a time-zone lookup)."""
    return [day_start(first + timedelta(days=i), hour) for i in range(days)]


def _starts(first: date, days: int, hour: int) -> list[str]:
    """_moments as stored text (clock.iso: one spelling, sorts as time), to compare with SQLite's."""
    return [iso(moment) for moment in _moments(first, days, hour)]


def _bins(first: date, starts: Sequence[str]) -> str:
    """Study days from `first`, one fewer than `starts`, as a JSON array of [date, utc_start, utc_end] for SQLite."""
    return json.dumps(
        [[(first + timedelta(days=i)).isoformat(), starts[i], starts[i + 1]] for i in range(len(starts) - 1)]
    )


# -- the queries -----------------------------------------------------------------------------

# The card filter is written `+r.card_id` so that SQLite ranges over the time index
# (reviews_stats_time, covering) instead of walking every selected card's reviews. When every
# card in the database is selected (one deck, no --topic: the usual case) `:every` is 1 and
# SQLite skips the filter: it was half the cost of the heatmap's 100,000-review ranges.
# (The heatmap then needs no card filter at all: _DAILY_ALL.)
_SELECTED = "SELECT value FROM json_each(:ids)"

_DAILY_COUNTS = f"""
    SELECT json_extract(d.value, '$[0]'),
           (SELECT count(*) FROM reviews r
             WHERE r.reviewed_at >= json_extract(d.value, '$[1]')
               AND r.reviewed_at < json_extract(d.value, '$[2]')
               AND r.undone = 0 AND +r.card_id IN ({_SELECTED}))
      FROM json_each(:days) d
"""

# Every card selected: each day's reviews counted over the time index alone (m009), less the
# undone ones, which their own small index lists. Reading `undone` from each of four months'
# index entries cost more than counting them.
_DAILY_ALL = """
    SELECT json_extract(d.value, '$[0]'),
           (SELECT count(*) FROM reviews INDEXED BY reviews_time
             WHERE reviewed_at >= json_extract(d.value, '$[1]') AND reviewed_at < json_extract(d.value, '$[2]'))
      FROM json_each(:days) d
"""
_UNDONE_TIMES = """
    SELECT reviewed_at FROM reviews INDEXED BY reviews_undone_time
     WHERE undone = 1 AND reviewed_at >= :since AND reviewed_at < :until
"""

# True retention as Anki's: the first kept, scheduled answer of each card on each study day,
# counted only when the card was in review state before it (new and (re)learning answers left
# out); a pass is any rating above Again. The interval it was answered at (its due date then
# minus its previous kept, scheduled review) splits young from mature at 21 days.
#
# The window is read per card, from reviews_card in time order (its rowid breaks a tie, as ORDER
# BY reviewed_at, id would): one row per card, its window's answer times joined into one text,
# their rating and previous state as one number each (10 * rating + prev_state) and their previous
# due dates, with the card's latest kept, scheduled review before the window (ORDER BY … LIMIT 1
# is one backwards step; max() would read them all). Fetching the answers a row each cost more
# than the rest of `stats`; a card's study days and first answers are found walking its texts.
_RETENTION = """
    SELECT (SELECT group_concat(r.reviewed_at, ',')
                   || ' ' || group_concat(10 * r.rating + coalesce(r.prev_state, 0), ',')
                   || ' ' || group_concat(coalesce(r.prev_due, ''), ',')
              FROM reviews r
             WHERE r.card_id = s.value AND r.reviewed_at >= :since AND r.undone = 0 AND r.cram = 0),
           (SELECT p.reviewed_at FROM reviews p
             WHERE p.card_id = s.value AND p.reviewed_at < :since AND p.undone = 0 AND p.cram = 0
             ORDER BY p.reviewed_at DESC LIMIT 1)
      FROM json_each(:ids) s
"""

# Over the time index (covering: rating is in it), not a walk of every card's reviews.
_FAILURES = f"""
    SELECT card_id, count(*) FROM reviews INDEXED BY reviews_stats_time
     WHERE reviewed_at >= :since AND undone = 0 AND rating = 1 AND (:every OR +card_id IN ({_SELECTED}))
     GROUP BY card_id
"""


_MATURE = timedelta(days=MATURE_DAYS)


def _true_retention(
    store: Store, ids: str, starts: Sequence[str], hour: int
) -> tuple[tuple[int, int], tuple[int, int]]:
    """((young passed, young reviews), (mature passed, mature reviews)) over the study days that
    `starts` begin, the last start ending the window (the heatmap's day boundaries); an answer
    after it (a clock ahead) gets a day of its own."""
    young, mature = [0, 0], [0, 0]
    parse = datetime.fromisoformat
    for window, before in store.query(_RETENTION, {"ids": ids, "since": starts[0]}):
        if not window:
            continue
        times, marks, dues = (part.split(",") for part in window.split(" "))
        # From each study day's first answer straight to the next day's: the day's other answers
        # never count. `previous` is the card's kept, scheduled review before it (one at the same
        # instant is on the same day, so never the first).
        i, count = 0, len(times)
        while i < count:
            mark = int(marks[i])  # 10 * rating + the state before the answer
            previous = times[i - 1] if i else before
            if mark % 10 == REVIEW and dues[i] and previous:
                bucket = mature if parse(dues[i]) - parse(previous) >= _MATURE else young
                bucket[0] += mark > 19  # a pass is any rating above Again
                bucket[1] += 1
            following = bisect_right(starts, times[i])  # the index of the next study day's start
            if following < len(starts):
                i = bisect_left(times, starts[following], i + 1)
                continue
            day, i = local_date(parse(times[i]), hour), i + 1
            while i < count and local_date(parse(times[i]), hour) == day:
                i += 1  # after the last day (a clock ahead): each later local day's first answer
    return (young[0], young[1]), (mature[0], mature[1])


# Each card's stability and last review, read from its stored py-fsrs state as
# `fsrs.Card.from_json` reads them (json_extract: parsing the JSON of every card in Python cost
# more than the recall computed from it).
_MEMORIES = """
    SELECT id, json_extract(fsrs_json, '$.stability'), json_extract(fsrs_json, '$.last_review')
      FROM cards WHERE id IN (SELECT value FROM json_each(:ids)) AND fsrs_json IS NOT NULL
"""

# All-time figures per card, kept by triggers as reviews are written (m008 card_totals): a row
# per card instead of every review. Answer time and accuracy are over drill answers only (see
# the module docstring).
_PER_CARD = """
    SELECT card_id, reviews, cram, practice, drill, drill_ms, graded, correct
      FROM card_totals WHERE card_id IN (SELECT value FROM json_each(:ids))
"""


class _CardTotals(NamedTuple):
    reviews: int = 0
    cram: int = 0
    practice: int = 0  # mode 'code'
    drill: int = 0  # mode 'drill': the answers that have an answer time
    drill_ms: int = 0
    graded: int = 0  # auto-graded drill answers
    correct: int = 0


def compute_stats(
    store: Store,
    deck: Deck,
    *,
    now: datetime,
    topics: Sequence[str] = (),
    day_start_hour: int = DEFAULT_DAY_START_HOUR,
) -> Stats:
    """Every figure for the deck's cards (optionally only some topics), as of `now`."""
    chosen = select(deck, topics=list(topics), kinds=[])
    with store.snapshot():
        return _compute(store, deck, chosen, now=now, topics=topics, hour=day_start_hour)


def _compute(store: Store, deck: Deck, chosen: list[Card], *, now: datetime, topics: Sequence[str], hour: int) -> Stats:
    rows = store.cards()
    stored = {c.id: rows[c.id] for c in chosen if c.id in rows}
    ids = json.dumps(sorted(r.id for r in stored.values()))
    # Every card the database holds (reviews belong to cards: a foreign key): no card filter needed.
    every = len(stored) == store.query("SELECT count(*) FROM cards")[0][0]
    today = local_date(now, hour)

    heat_start = today - timedelta(days=today.weekday() + 7 * (HEATMAP_WEEKS - 1))
    first = min(heat_start, today - timedelta(days=RETENTION_DAYS - 1))
    moments = _moments(first, (today - first).days + FORECAST_DAYS + 1, hour)  # first .. today + FORECAST_DAYS
    starts = [iso(moment) for moment in moments]
    at = (today - first).days  # starts[at]: today's
    by_id = {row.id: slug for slug, row in stored.items()}
    memories = {by_id[int(cid)]: (stable, last) for cid, stable, last in store.query(_MEMORIES, {"ids": ids})}
    if store.readonly and not store.exists:  # no database at all: the defaults, no settings to read
        in_use = SchedulerInUse(False, None, None, DEFAULT_RETENTION, False)
        decay = DEFAULT_DECAY
    else:
        from lossquiz.progress import settings

        parameters, retention = settings.scheduler_settings(store, None)  # what `drill` schedules with
        in_use = _scheduler_in_use(store, fitted=parameters is not None, retention=retention)
        decay = DEFAULT_DECAY if parameters is None else parameters[20]  # recall as the drill's FSRS sees it
    recall = {}
    fresh = set()  # reviewed this study day: FSRS counts whole days, so their recall is 1.0
    for slug, (stable, last) in memories.items():  # what memory.retrievability gives, its day found in `moments`
        if not (stable and last):
            recall[slug] = 0.0
            continue
        reviewed = datetime.fromisoformat(last)
        k = bisect_right(moments, reviewed) - 1
        day = first + timedelta(days=k) if 0 <= k < len(moments) - 1 else local_date(reviewed, hour)
        recall[slug] = recall_after((today - day).days, float(stable), decay)
        if day == today:
            fresh.add(slug)
    stability = {slug: float(stable or 0.0) for slug, (stable, _) in memories.items()}
    states = [stored[c.id].state if c.id in stored and stored[c.id].fsrs_json else None for c in chosen]
    active = {slug: row for slug, row in stored.items() if not row.suspended}
    forecast = _forecast(active.values(), today, starts[at + 1 : at + 1 + FORECAST_DAYS])
    heatmap = _daily(store, ids, heat_start, starts[(heat_start - first).days : at + 2], every=every)
    per_card = {int(r[0]): _CardTotals(*(int(x) for x in r[1:])) for r in store.query(_PER_CARD, {"ids": ids})}
    totals = [per_card.get(row.id, _CardTotals()) for row in stored.values()]
    total = sum(t.reviews for t in totals)
    drilled = sum(t.drill for t in totals)
    young, mature = _true_retention(store, ids, starts[at + 1 - RETENTION_DAYS : at + 2], hour)
    since = starts[at + 1 - WEAK_FAILURE_DAYS]
    failures = {
        by_id[int(cid)]: int(n) for cid, n in store.query(_FAILURES, {"ids": ids, "since": since, "every": every})
    }
    return Stats(
        now=now,
        today=today,
        topics_filter=tuple(topics),
        cards_total=len(chosen),
        cards_new=states.count(None),
        cards_learning=states.count(LEARNING),
        cards_relearning=states.count(RELEARNING),
        cards_review=states.count(REVIEW),
        due_now=sum(1 for r in active.values() if r.fsrs_json and r.due and r.due <= iso(now)),
        due_today=forecast[0].count,
        forecast=tuple(forecast),
        reviews_total=total,
        reviews_cram=sum(t.cram for t in totals),
        reviews_practice=sum(t.practice for t in totals),
        reviews_today=heatmap[-1].count,
        mean_seconds=sum(t.drill_ms for t in totals) / drilled / 1000 if drilled else None,
        streak=_streak(store, ids, heatmap, hour, every=every),
        retention_reviews=young[1] + mature[1],
        retention_passed=young[0] + mature[0],
        retention_young=young,
        retention_mature=mature,
        leeches=tuple(sorted(slug for slug, row in stored.items() if row.lapses >= LEECH_LAPSES)),
        suspended=sum(1 for row in stored.values() if row.suspended),
        heatmap=tuple(heatmap),
        topics=tuple(_topics(deck, chosen, stored, recall, per_card, fresh)),
        weakest=tuple(_weakest(chosen, stored, recall, stability, failures, fresh)),
        scheduler=in_use,
    )


def _scheduler_in_use(store: Store, *, fitted: bool, retention: float) -> SchedulerInUse:
    """Describe what `drill` (without --retention) schedules with: when and on what it was fitted."""
    from lossquiz.progress import settings

    _, fitted_at, n_reviews = settings.fsrs_parameters(store)
    return SchedulerInUse(
        fitted=fitted,
        fitted_at=fitted_at,
        fitted_on_reviews=n_reviews,
        desired_retention=retention,
        retention_stored=settings.desired_retention(store) is not None,
    )


def _daily(store: Store, ids: str, first: date, starts: Sequence[str], *, every: bool = False) -> list[DayCount]:
    """Kept reviews per study day from `first`, one day per start but the last (`every`: the ids
    are every card there is)."""
    days = _bins(first, starts)
    if not every:
        rows = store.query(_DAILY_COUNTS, {"ids": ids, "days": days})
        return [DayCount(date.fromisoformat(day), int(count)) for day, count in rows]
    counts = [[day, int(count)] for day, count in store.query(_DAILY_ALL, {"days": days})]
    for (at,) in store.query(_UNDONE_TIMES, {"since": starts[0], "until": starts[-1]}):
        counts[bisect_right(starts, at) - 1][1] -= 1
    return [DayCount(date.fromisoformat(day), count) for day, count in counts]


def _forecast(rows: Any, today: date, ends: Sequence[str]) -> list[DayCount]:
    """Cards due on each study day from today on, one per end (today includes overdue).

    "Due today" is forecast[0]: due before the next study day starts, as the drill summary counts it.
    """
    counts = [0] * len(ends)
    for row in rows:
        if not (row.fsrs_json and row.due):
            continue
        for i, end in enumerate(ends):
            if row.due < end:
                counts[i] += 1
                break
    return [DayCount(today + timedelta(days=i), n) for i, n in enumerate(counts)]


def _streak(store: Store, ids: str, heatmap: list[DayCount], hour: int, *, every: bool = False) -> int:
    """Consecutive local days with a kept review, ending today (or yesterday if none yet today)."""
    days = [d.count > 0 for d in heatmap]
    if not days[-1]:
        days.pop()
    streak = 0
    for active in reversed(days):
        if not active:
            return streak
        streak += 1
    # The streak is older than the heatmap: keep looking back, a year per query.
    last = heatmap[0].day - timedelta(days=1)
    while True:
        first = last - timedelta(days=_STREAK_CHUNK - 1)
        starts = _starts(first, _STREAK_CHUNK + 1, hour)
        for d in reversed(_daily(store, ids, first, starts, every=every)):
            if not d.count:
                return streak
            streak += 1
        last = first - timedelta(days=1)


def _topics(
    deck: Deck,
    chosen: list[Card],
    stored: dict[str, CardRow],
    recall: dict[str, float],
    per_card: dict[int, _CardTotals],
    fresh: set[str],
) -> list[TopicStats]:
    """Cards seen, mean recall now and numeric accuracy, per topic in curriculum order."""
    out = []
    for topic in deck.topics():
        cards = [c for c in chosen if c.topic == topic]
        if not cards:
            continue
        recalls = [recall[c.id] for c in cards if c.id in recall]
        marks = [per_card[stored[c.id].id] for c in cards if c.id in stored and stored[c.id].id in per_card]
        out.append(
            TopicStats(
                topic=topic,
                cards=len(cards),
                seen=len(recalls),
                recall=sum(recalls) / len(recalls) if recalls else None,
                graded=sum(m.graded for m in marks),
                correct=sum(m.correct for m in marks),
                seen_today=sum(1 for c in cards if c.id in fresh),
            )
        )
    return out


def _weakest(
    chosen: list[Card],
    stored: dict[str, CardRow],
    recall: dict[str, float],
    stability: dict[str, float],
    failures: dict[str, int],
    fresh: set[str],
) -> list[WeakCard]:
    """Cards that were forgotten: most lapses, then most recent failures (same-day ones count).

    A card never failed is not weak, however new: the list is empty until something was
    forgotten. Ties go to the lower recall now, then to the less stable memory. A card failed
    with no schedule (only crammed, or reset since) is weak too, with no recall to show.
    """
    seen = [c for c in chosen if c.id in stored and (stored[c.id].lapses or failures.get(c.id))]
    seen.sort(
        key=lambda c: (
            -stored[c.id].lapses,
            -failures.get(c.id, 0),
            round(recall.get(c.id, 0.0), 4),
            stability.get(c.id, 0.0),
            c.id,
        )
    )
    return [
        WeakCard(
            id=c.id,
            title=c.name,
            topic=c.topic,
            lapses=stored[c.id].lapses,
            recall=recall.get(c.id),
            due=stored[c.id].due,
            failures=failures.get(c.id, 0),
            leech=stored[c.id].lapses >= LEECH_LAPSES,
            seen_today=c.id in fresh,
        )
        for c in seen[:WEAKEST]
    ]
