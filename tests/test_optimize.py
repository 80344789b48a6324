"""`optimize`: FSRS parameters fitted to the user's own history, stored, and used by the next drill.

The history is synthetic but goes through the real scheduler and the real Store (see
tests/simulated_history.py); the fit is fsrs-rs's (no torch), run once per module.
"""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from fsrs import Rating
from typer.testing import CliRunner

from lossquiz import paths
from lossquiz.cli import app
from lossquiz.clock import SystemClock
from lossquiz.progress import fitting as optimizing
from lossquiz.progress import scheduling, settings
from lossquiz.progress.migrations import MIGRATIONS, migrate
from lossquiz.progress.store import DB_NAME, ReviewInput, Store
from lossquiz.ui import drill_view
from tests.conftest import FIXTURES
from tests.simulated_history import simulate

START = datetime(2024, 1, 1, 9, 0, tzinfo=timezone.utc)
MINI_CARDS = ["square", "absolute", "bias-variance", "logistic"]
DRILLED = "bias-variance"  # a concept card without a snippet: its drill needs no torch
MINI_KEY = paths.deck_key(FIXTURES / "decks" / "mini")  # the drills below use that deck: progress is per deck


def _copy(source: Path, target: Path) -> Path:
    target.mkdir(parents=True)
    shutil.copy(source / DB_NAME, target / DB_NAME)
    return target


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir with ~2,000 synthetic reviews over 300 days (fixed seed), not fitted."""
    home = tmp_path_factory.mktemp("history")
    with Store.open(home, deck=MINI_KEY) as store:
        made = simulate(store, MINI_CARDS + [f"synthetic-{i:03d}" for i in range(96)], start=START, days=300, seed=7)
    assert made > 1500
    return home


@pytest.fixture(scope="module")
def fitted(history: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """A copy of `history` after `lossquiz optimize --apply-retention --json` (the one real fit)."""
    home = _copy(history, tmp_path_factory.mktemp("fitted") / "home")
    result = CliRunner().invoke(app, ["optimize", "--apply-retention", "--json", "--data-dir", str(home)])
    assert result.exit_code == 0, result.output
    return home, json.loads(result.stdout)


def _preview(runner: CliRunner, home: Path, *extra: str) -> str:
    """The interval preview a drill shows for DRILLED (reveal, then quit without rating)."""
    deck = FIXTURES / "decks" / "mini"
    random.seed(0)  # py-fsrs fuzzes intervals with the global random: same draws in every run
    args = ["drill", "--card", DRILLED, "--time-limit", "0", "--deck", str(deck), "--data-dir", str(home), *extra]
    result = runner.invoke(app, args, input="\nq\n")
    assert result.exit_code == 0, result.output
    (line,) = [ln for ln in result.stdout.splitlines() if "1 Again" in ln]
    return line.strip()


def _expected_preview(state_json: str | None, parameters: list[float] | None, retention: float) -> str:
    """The preview line for a stored state, computed here (the drill ran a moment ago)."""
    now = SystemClock().now()
    random.seed(0)
    scheduler = scheduling.make_scheduler(retention=retention, parameters=parameters)
    intervals = scheduling.preview(scheduler, scheduling.load(state_json, 0, now), now=now)
    return drill_view.rating_choices(intervals, cram=False).plain.strip()


def test_fit_differs_from_defaults_and_is_stored(history: Path, fitted: tuple[Path, dict[str, Any]]) -> None:
    home, report = fitted
    defaults = settings.default_parameters()
    assert report["default_parameters"] == defaults
    assert max(abs(a - b) for a, b in zip(report["parameters"], defaults, strict=True)) > 0.05
    with Store.open(history) as store:
        kept = optimizing.load_history(store)
    assert report["reviews"] == kept.reviews and report["training_reviews"] == kept.training >= 512
    assert report["log_loss"]["fitted"] < report["log_loss"]["default"]  # it predicts this learner better
    with Store.open(home) as store:
        parameters, fitted_at, n_reviews = settings.fsrs_parameters(store)
        retention = settings.desired_retention(store)
    assert parameters == report["parameters"]
    assert n_reviews == kept.reviews and fitted_at is not None
    assert report["applied_retention"] is True and retention == report["optimal_retention"]
    assert 0.7 <= report["optimal_retention"] <= 0.95
    with Store.open(history) as store:  # the unfitted copy knows nothing of it
        assert settings.fsrs_parameters(store) == (None, None, None)


def test_next_drill_schedules_with_the_fitted_parameters(
    runner: CliRunner, history: Path, fitted: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    home, report = fitted
    before = _preview(runner, _copy(history, tmp_path / "a"), "--retention", "0.9")
    after = _preview(runner, _copy(home, tmp_path / "b"), "--retention", "0.9")  # same retention: only w changed
    assert before != after, before
    # ... and it is what a scheduler built with the stored parameters previews for that card
    with Store.open(home, deck=MINI_KEY) as store:
        parameters, chosen = settings.scheduler_settings(store, 0.9)
        retention_default = settings.scheduler_settings(store, None)[1]
        row = store.cards()[DRILLED]
    assert parameters == report["parameters"] and chosen == 0.9
    assert retention_default == report["optimal_retention"]  # no --retention: the applied one
    assert after == _expected_preview(row.fsrs_json, parameters, 0.9)
    assert before == _expected_preview(row.fsrs_json, None, 0.9)


def test_show_reports_fitted_parameters(runner: CliRunner, fitted: tuple[Path, dict[str, Any]]) -> None:
    home, report = fitted
    result = runner.invoke(app, ["optimize", "--show", "--data-dir", str(home)])
    assert result.exit_code == 0, result.output
    assert f"fitted on {report['reviews']:,} reviews" in result.stdout
    assert f"desired retention: {report['optimal_retention']:g} (set by optimize --apply-retention" in result.stdout
    assert "w0" in result.stdout and "w20" in result.stdout and f"{report['parameters'][9]:.4f}" in result.stdout
    data = json.loads(runner.invoke(app, ["optimize", "--show", "--json", "--data-dir", str(home)]).stdout)
    assert data["in_use"] == "fitted" and data["parameters"] == report["parameters"]
    assert data["fitted_on_reviews"] == report["reviews"]


def test_reset_restores_the_defaults(
    runner: CliRunner, history: Path, fitted: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    home = _copy(fitted[0], tmp_path / "fitted")
    result = runner.invoke(app, ["optimize", "--reset", "--data-dir", str(home)])
    assert result.exit_code == 0, result.output
    assert "reset: back to the defaults" in result.stdout and "FSRS-6 defaults" in result.stdout
    with Store.open(home) as store:
        assert settings.fsrs_parameters(store) == (None, None, None)
        assert settings.desired_retention(store) is None
        assert settings.scheduler_settings(store, None) == (None, 0.9)
    # the drill is back to what it showed before fitting
    assert _preview(runner, home) == _preview(runner, _copy(history, tmp_path / "unfitted"))
    again = runner.invoke(app, ["optimize", "--reset", "--data-dir", str(home)])
    assert again.exit_code == 0 and "nothing to reset" in again.stdout


def test_too_little_history_is_one_line_and_nonzero(runner: CliRunner, tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        simulate(store, MINI_CARDS, start=START, days=20, seed=1)
        history = optimizing.load_history(store)
    assert 0 < history.training < 512
    result = runner.invoke(app, ["optimize", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(
        f"error: not enough review history to fit FSRS: {history.training} of the 512 reviews needed "
        f"({512 - history.training} more;"
    )
    with Store.open(tmp_path) as store:
        assert settings.fsrs_parameters(store) == (None, None, None)


def test_only_kept_scheduled_reviews_count(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        store.sync_cards([("a", "h"), ("b", "h")])
        session = store.start_session(START, cram=False)
        for day in range(3):  # three reviews of 'a' on three days: two count
            at = START + timedelta(days=day)
            store.record_review(ReviewInput("a", int(Rating.Good), at, 1000, session_id=session), None)
        for day in range(3):  # cram reviews never count
            at = START + timedelta(days=10 + day)
            store.record_review(ReviewInput("b", int(Rating.Good), at, 1000, cram=True), None)
        late = ReviewInput("a", int(Rating.Again), START + timedelta(days=30), 1000, session_id=session)
        store.record_review(late, None)
        store.undo_last(session)  # undone: does not count
        same_day = ReviewInput("a", int(Rating.Good), START + timedelta(days=2, hours=3), 1000)
        store.record_review(same_day, None)  # same day as the previous one: kept, but py-fsrs ignores it
        history = optimizing.load_history(store)
    assert history.reviews == 4
    assert history.training == 2
    assert [rating for rating, _gap in history.cards[1]] == [Rating.Good] * 4


def test_flag_conflicts_are_usage_errors(runner: CliRunner) -> None:
    for args in (["--show", "--reset"], ["--apply-retention", "--no-retention"], ["--reset", "--apply-retention"]):
        assert runner.invoke(app, ["optimize", *args]).exit_code == 2, args


def test_show_without_a_fit_says_defaults(runner: CliRunner) -> None:
    result = runner.invoke(app, ["optimize", "--show"])
    assert result.exit_code == 0, result.output
    assert "FSRS parameters in use: FSRS-6 defaults\n" in result.stdout
    assert "not fitted yet: 0 of the 512 training reviews lossquiz optimize needs so far\n" in result.stdout
    assert "desired retention: 0.9 (default" in result.stdout


def test_unusable_stored_parameters_are_a_clear_error(runner: CliRunner, tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        stored = {"parameters": [1.0, 2.0], "fitted_at": START.isoformat(), "n_reviews": 3}
        store.set_setting(settings.PARAMETERS_KEY, json.dumps(stored), START)
    result = runner.invoke(app, ["optimize", "--show", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: the stored FSRS parameters are unusable (Expected 21 parameters")
    assert "optimize --reset" in result.stderr
    assert runner.invoke(app, ["optimize", "--reset", "--data-dir", str(tmp_path)]).exit_code == 0
    assert runner.invoke(app, ["optimize", "--show", "--data-dir", str(tmp_path)]).exit_code == 0


def test_settings_migration_upgrades_an_m001_database(tmp_path: Path) -> None:
    path = tmp_path / DB_NAME
    conn = sqlite3.connect(path, isolation_level=None)
    saved = list(MIGRATIONS)
    try:
        MIGRATIONS[:] = saved[:1]  # a database written before m005_settings existed
        assert migrate(conn) == ["m001_initial"]
    finally:
        MIGRATIONS[:] = saved
    conn.close()
    with Store(path) as store:
        assert store.setting("anything") is None
        store.set_setting("k", "1", START)
        assert store.setting("k") == ("1", "2024-01-01T09:00:00.000000+00:00")
        names = [r[0] for r in store.conn.execute("SELECT name FROM _migrations ORDER BY name")]
    assert names == [m.__name__ for m in MIGRATIONS]  # every later migration, m005_settings included


def test_config_shows_the_retention_optimize_applied_as_the_one_in_force(
    runner: CliRunner, fitted: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    """Eighteenth newcomer pass N18-3: after `optimize --apply-retention` drills and stats used 0.7
    while `config` said `retention 0.9 default`."""
    home, report = fitted
    env = {"LOSSQUIZ_HOME": str(home), "LOSSQUIZ_CONFIG": str(tmp_path / "none.toml")}
    result = runner.invoke(app, ["config", "--json"], env=env)
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)["values"]["retention"]
    assert shown == {"value": report["optimal_retention"], "source": "optimize --apply-retention"}, shown
    text = runner.invoke(app, ["config"], env={**env, "COLUMNS": "200"}).stdout
    row = next(line for line in text.splitlines() if line.startswith("retention"))
    assert row.split()[1:3] == [f"{report['optimal_retention']:g}", "optimize"], row
    fresh = runner.invoke(app, ["config", "--json"], env={**env, "LOSSQUIZ_HOME": str(tmp_path / "empty")})
    assert json.loads(fresh.stdout)["values"]["retention"] == {"value": 0.9, "source": "default"}
    assert not (tmp_path / "empty" / "progress.db").exists()  # config created nothing
