"""`card info|suspend|unsuspend|reset`, `due`, `config`, leeches, `--new`, and LOSSQUIZ_NOW, end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from lossquiz.cli import app
from lossquiz.clock import iso
from lossquiz.progress.store import Store
from tests.test_promise import concept_deck

T0 = datetime(2026, 3, 1, 21, 0, tzinfo=timezone.utc)


def run(runner: CliRunner, *args: str, at: datetime = T0, input: str | None = None, code: int = 0) -> Any:
    result = runner.invoke(app, list(args), input=input, env={"LOSSQUIZ_NOW": iso(at), "TZ": "UTC"})
    assert result.exit_code == code, result.output
    return result


def drill(runner: CliRunner, deck: Path, *extra: str, ratings: str, at: datetime = T0) -> Any:
    keys = "".join(f"\n{r}\n" for r in ratings)
    return run(runner, "drill", "--deck", str(deck), "--time-limit", "0", *extra, input=keys, at=at)


def test_card_info_suspend_unsuspend_reset(runner: CliRunner, tmp_path: Path) -> None:
    deck = concept_deck(tmp_path / "deck", 3)
    drill(runner, deck, "--card", "concept-00", ratings="3")
    drill(runner, deck, "--card", "concept-00", ratings="3", at=T0 + timedelta(minutes=15))
    info = json.loads(run(runner, "card", "info", "concept-00", "--deck", str(deck), "--json").stdout)
    assert [r["rating_name"] for r in info["reviews"]] == ["Good", "Good"]
    assert info["state"] == "review" and info["stability_days"] > 1 and 1 <= info["difficulty"] <= 10
    assert 0 < info["retrievability"] <= 1 and info["due"] > iso(T0)
    text = run(runner, "card", "info", "concept-00", "--deck", str(deck)).stdout
    assert "stability" in text and "recall now" in text and "next due" in text

    run(runner, "card", "suspend", "concept-00", "--deck", str(deck))
    later = T0 + timedelta(days=60)
    out = drill(runner, deck, "--new", "0", ratings="", at=later).stdout
    assert "Nothing is due" in out  # concept-00 is long due, but suspended
    assert json.loads(run(runner, "card", "info", "concept-00", "--deck", str(deck), "--json").stdout)["suspended"]
    run(runner, "card", "unsuspend", "concept-00", "--deck", str(deck))
    assert "1 due" in run(runner, "due", "--deck", str(deck), at=later).stdout
    run(runner, "card", "suspend", "concept-00", "--deck", str(deck))
    asked = drill(runner, deck, "--card", "concept-00", ratings="3", at=later).stdout
    assert "'concept-00' is suspended: drilling it because you asked" in asked  # --card overrides, but says so

    run(runner, "card", "reset", "concept-00", "--deck", str(deck))
    info = json.loads(run(runner, "card", "info", "concept-00", "--deck", str(deck), "--json").stdout)
    assert info["state"] == "new" and info["stability_days"] is None and len(info["reviews"]) == 3  # history kept
    assert run(runner, "card", "info", "nope", "--deck", str(deck), code=2).stderr.startswith("error:")


def test_due_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    deck = concept_deck(tmp_path / "deck", 12)
    assert run(runner, "due", "--deck", str(deck)).stdout == "0 due · 10 new today\n"
    drill(runner, deck, "--cards", "3", ratings="333")
    line = run(runner, "due", "--deck", str(deck), at=T0 + timedelta(minutes=1)).stdout
    assert line == "0 due · 7 new today · next in 9m\n"
    data = json.loads(run(runner, "due", "--deck", str(deck), "--json").stdout)
    assert data["introduced_today"] == 3 and data["new_today"] == 7


def test_new_is_this_sessions_count_and_the_daily_limit_says_so(runner: CliRunner, tmp_path: Path) -> None:
    deck = concept_deck(tmp_path / "deck", 20)
    first = drill(runner, deck, ratings="4" * 10).stdout  # Easy: out of the way for days
    assert "daily new-card limit reached: 10 new cards introduced today, limit 10" in first
    empty = drill(runner, deck, ratings="", at=T0 + timedelta(minutes=30)).stdout
    assert "10 new cards already introduced today (daily limit 10" in empty and "--new 5" in empty
    more = drill(runner, deck, "--new", "5", ratings="44444", at=T0 + timedelta(minutes=40)).stdout
    assert more.count("recorded Easy") == 5
    # the config file sets the daily limit; a new study day (after 04:00) starts the count again
    (tmp_path / "config.toml").write_text("new_per_day = 2\n")
    next_day = drill(runner, deck, ratings="44", at=T0 + timedelta(hours=8)).stdout
    assert next_day.count("recorded Easy") == 2


def test_the_drill_flags_a_leech(runner: CliRunner, tmp_path: Path) -> None:
    deck = concept_deck(tmp_path / "deck", 1)
    home = Path(os.environ["LOSSQUIZ_HOME"])
    drill(runner, deck, ratings="3")
    with Store.open(home, deck=str(deck.resolve())) as store:
        store.conn.execute("UPDATE cards SET lapses = 8 WHERE slug = 'concept-00'")
    out = drill(runner, deck, "--card", "concept-00", ratings="3", at=T0 + timedelta(minutes=20)).stdout
    assert "leech: forgotten 8 times — lossquiz card suspend concept-00" in out
    stats = json.loads(run(runner, "stats", "--deck", str(deck), "--json").stdout)
    assert stats["leeches"] == ["concept-00"]
    info = json.loads(run(runner, "card", "info", "concept-00", "--deck", str(deck), "--json").stdout)
    assert info["leech"] and not info["suspended"]  # flagged, never suspended unasked


def test_config_shows_each_value_and_its_source(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("time_limit = 45\nday_start_hour = 6\n")
    result = runner.invoke(app, ["config", "--json"], env={"LOSSQUIZ_NEW_PER_DAY": "15"})
    values = json.loads(result.stdout)["values"]
    assert values["time_limit"] == {"value": 45.0, "source": "file"}
    assert values["day_start_hour"] == {"value": 6, "source": "file"}
    assert values["new_per_day"] == {"value": 15, "source": "env"}
    assert values["retention"] == {"value": 0.9, "source": "default"}
    assert "day_start_hour  6      file" in runner.invoke(app, ["config"]).stdout
    (tmp_path / "config.toml").write_text("day_start_hour = 25\n")
    bad = runner.invoke(app, ["config"])
    assert bad.exit_code == 2 and "'day_start_hour' must be between 0 and 23" in bad.stderr
    (tmp_path / "config.toml").write_text("colour = 'red'\n")
    assert "unknown setting 'colour'" in runner.invoke(app, ["due"]).stderr


def test_lossquiz_now_drives_a_real_process_and_is_refused_unless_it_parses(tmp_path: Path) -> None:
    deck = concept_deck(tmp_path / "deck", 2)
    env = {**os.environ, "TZ": "UTC", "LOSSQUIZ_NOW": "2026-03-01T22:00:00+00:00"}

    def cli(*args: str, stdin: str = "", **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "lossquiz", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env={**env, **extra},
            timeout=120,
        )

    done = cli("drill", "--deck", str(deck), "--card", "concept-00", "--time-limit", "0", stdin="\n3\n")
    assert done.returncode == 0, done.stderr
    later = cli("card", "info", "concept-00", "--deck", str(deck), "--json", LOSSQUIZ_NOW="2026-03-01T22:05:00Z")
    info = json.loads(later.stdout)
    assert info["reviews"][0]["reviewed_at"] == "2026-03-01T22:00:00.000000+00:00"
    assert info["due"] == "2026-03-01T22:10:00.000000+00:00"  # the 10-minute step, from the pinned time
    bad = cli("due", "--deck", str(deck), LOSSQUIZ_NOW="tomorrow")
    assert bad.returncode == 2 and bad.stderr.strip() == (
        "error: LOSSQUIZ_NOW='tomorrow' is not an ISO-8601 time (e.g. 2026-03-01T08:00:00+01:00)"
    )
    naive = cli("due", "--deck", str(deck), LOSSQUIZ_NOW="2026-03-01T22:00:00")
    assert naive.returncode == 2 and "has no UTC offset" in naive.stderr
