"""history export -> import round-trips every field, with the fitted parameters in use.

Issue 13 and the issue-11 regression: `mode` (a practice check, 'code') used to come back as a
drill review, and import replayed schedules with the default parameters after `optimize`.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from lossquiz.cli import app
from lossquiz.clock import iso
from lossquiz.deck.cards import load_deck
from lossquiz.progress import scheduling, settings
from lossquiz.progress.history_format import REVIEW_FIELDS, ReviewLine
from lossquiz.progress.reviews import record_rated
from lossquiz.progress.store import ReviewInput, Store
from lossquiz.progress.synthetic import generate_history

NOW = datetime(2025, 1, 10, 12, 0, tzinfo=timezone.utc)
FITTED = [0.5, 1.5, 3.5, 15.0, 6.8, 0.6, 2.5, 0.005, 1.6, 0.2, 0.9, 1.7, 0.08, 0.3, 1.9, 0.5, 2.2, 0.5, 0.1, 0.07, 0.25]


pytestmark = pytest.mark.usefixtures("utc")  # conftest: local time is UTC


def _rows(path: Path) -> dict[str, list[Any]]:
    """Every stored field of every review, card and session, independent of row ids."""
    conn = sqlite3.connect(path)
    try:
        cards = conn.execute("SELECT slug, fsrs_json, due, state, lapses, suspended FROM cards ORDER BY slug")
        return {
            "cards": [(slug, _no_id(f), *rest) for slug, f, *rest in cards.fetchall()],
            "reviews": conn.execute(
                """SELECT c.slug, r.reviewed_at, r.rating, r.correct, r.answer, r.expected, r.duration_ms,
                          r.cram, r.undone, r.mode, r.prev_state, r.prev_due, s.started_at
                     FROM reviews r JOIN cards c ON c.id = r.card_id LEFT JOIN sessions s ON s.id = r.session_id
                    ORDER BY c.slug, r.reviewed_at"""
            ).fetchall(),
            "sessions": conn.execute("SELECT started_at, ended_at, cram FROM sessions ORDER BY started_at").fetchall(),
        }
    finally:
        conn.close()


def _no_id(state: str | None) -> Any:
    if state is None:
        return None
    data = json.loads(state)
    data.pop("card_id")
    return data


@pytest.fixture
def source(tmp_path: Path, deck_dir: Path) -> Path:
    """A history fitted by `optimize` (non-default parameters), then drilled and practised with them."""
    data = tmp_path / "source"
    with Store.open(data) as store:
        generate_history(store, load_deck(deck_dir), 300, seed=5, now=NOW - timedelta(days=20))
        settings.save_fsrs_parameters(store, FITTED, n_reviews=300, now=NOW - timedelta(days=19))
        settings.save_desired_retention(store, 0.85, NOW - timedelta(days=19))
        fitted = settings.scheduler_for(store, None)
        for day in range(1, 19, 3):
            record_rated(store, fitted, ReviewInput("bias-variance", 3, NOW - timedelta(days=19 - day), 1500))
        practice = ReviewInput("square", 3, NOW - timedelta(days=2), 9000, correct=True, answer="def f", mode="code")
        record_rated(store, fitted, practice)
        record_rated(store, fitted, ReviewInput("square", 1, NOW - timedelta(days=1), 900, correct=False))
        store.conn.execute("UPDATE cards SET suspended = 1 WHERE slug = 'absolute'")
    return data


def _cli(runner: CliRunner, *args: str) -> Any:
    result = runner.invoke(app, list(args), env={"LOSSQUIZ_NOW": iso(NOW)})
    assert result.exit_code == 0, result.output
    return result


def test_the_review_schema_is_the_review_line() -> None:
    assert [f.key for f in REVIEW_FIELDS] + ["line"] == list(ReviewLine.__dataclass_fields__)


def test_round_trip_keeps_every_field_and_the_fitted_schedule(
    runner: CliRunner, source: Path, tmp_path: Path, deck_dir: Path
) -> None:
    file, fresh = tmp_path / "history.jsonl", tmp_path / "fresh"
    _cli(runner, "history", "export", str(file), "--data-dir", str(source))
    header = json.loads(file.read_text().splitlines()[0])
    assert header["parameters"] == pytest.approx(FITTED) and header["retention"] == 0.85
    assert header["day_start_hour"] == 4
    modes = {json.loads(line).get("mode") for line in file.read_text().splitlines()[1:]}
    assert {"drill", "code"} <= modes

    _cli(runner, "history", "import", str(file), "--data-dir", str(fresh))
    a, b = _rows(fresh / "progress.db"), _rows(source / "progress.db")
    for key in a:
        diff = [(x, y) for x, y in zip(a[key], b[key], strict=False) if x != y]
        assert not diff, (key, diff[:3])
    assert a == b
    with sqlite3.connect(fresh / "progress.db") as conn:  # the practice check came back as one
        assert conn.execute("SELECT count(*) FROM reviews WHERE mode = 'code'").fetchone()[0] == 1

    for extra in ([], ["--topic", "regression"]):
        a = _cli(runner, "stats", "--json", "--deck", str(deck_dir), "--data-dir", str(source), *extra).stdout
        b = _cli(runner, "stats", "--json", "--deck", str(deck_dir), "--data-dir", str(fresh), *extra).stdout
        assert json.loads(a) == json.loads(b)
        assert json.loads(b)["scheduler"]["fitted_on_reviews"] == 300


def test_a_second_import_changes_nothing(runner: CliRunner, source: Path, tmp_path: Path) -> None:
    file, fresh = tmp_path / "history.jsonl", tmp_path / "fresh"
    _cli(runner, "history", "export", str(file), "--data-dir", str(source))
    _cli(runner, "history", "import", str(file), "--data-dir", str(fresh))
    before = _rows(fresh / "progress.db")
    again = json.loads(_cli(runner, "history", "import", str(file), "--data-dir", str(fresh), "--json").stdout)
    assert again["reviews_added"] == 0 and again["cards_rebuilt"] == 0
    assert _rows(fresh / "progress.db") == before
    # and into the source itself: nothing moves either (its fitted schedule is kept, not replayed with defaults)
    _cli(runner, "history", "import", str(file), "--data-dir", str(source))
    assert _rows(source / "progress.db") == _rows(fresh / "progress.db")


def test_a_new_review_is_replayed_with_the_files_parameters(runner: CliRunner, source: Path, tmp_path: Path) -> None:
    file = tmp_path / "history.jsonl"
    _cli(runner, "history", "export", str(file), "--data-dir", str(source))
    lines = file.read_text().splitlines()
    extra = {
        "type": "review",
        "card": "bias-variance",
        "reviewed_at": iso(NOW),
        "rating": 3,
        "duration_ms": 1000,
        "mode": "drill",
    }
    file.write_text("\n".join([*lines, json.dumps(extra)]) + "\n")
    fresh = tmp_path / "fresh"
    _cli(runner, "history", "import", str(file), "--data-dir", str(fresh))
    with Store.open(fresh) as store:
        row = store.cards()["bias-variance"]
    expected = scheduling.make_scheduler(retention=0.85, parameters=FITTED, fuzz=True)
    with Store.open(source) as store:
        state = scheduling.load(store.cards()["bias-variance"].fsrs_json, 1, NOW)
    replayed = scheduling.review(expected, state, scheduling.Rating.Good, now=NOW)
    got = scheduling.load(row.fsrs_json, 1, NOW)
    assert got.stability == pytest.approx(replayed.stability, rel=1e-9)
    default = scheduling.review(scheduling.make_scheduler(), state, scheduling.Rating.Good, now=NOW)
    assert got.stability != pytest.approx(default.stability, rel=1e-3)
