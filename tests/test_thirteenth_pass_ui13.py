"""The thirteenth newcomer pass's display items (README only, 80 columns): `stats` and `card info`
say `seen today` rather than FSRS's 100% for a card failed minutes ago (N13-04), a drill header
gives a title it would cut to a stub a line of its own (N13-07), `list` says nothing of an empty
hidden snippet column (N13-09), the stats `cards` row fits (N13-18), `card reset` of a new card
says it is new already (N13-19), and `code list` counts recorded checks under `recorded` (N13-15)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from pytest import MonkeyPatch
from typer.testing import CliRunner

from lossquiz.cli import app
from tests.test_card_cli import T0, drill, run
from tests.test_promise import concept_deck

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")

# -- N13-04: FSRS's recall counts whole study days, so it is 100% on the day of any review ---------


def test_a_card_failed_today_reads_seen_today_not_100_percent(
    runner: CliRunner, tmp_path: Path, monkeypatch: MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    deck = concept_deck(tmp_path / "deck", 3)
    drill(runner, deck, "--card", "concept-00", ratings="113")  # Again, Again, then Good when it comes back
    out = run(runner, "stats", "--deck", str(deck)).stdout
    weakest = out.split("weakest cards\n", 1)[1].splitlines()
    assert weakest[1].split() == ["concept-00", "0", "2", "seen", "today"], out
    topic = next(line for line in out.split("by topic\n", 1)[1].splitlines() if line.startswith("regression"))
    assert "seen today" in topic and "100%" not in topic, out
    assert weakest[3:5] == [
        "recall now counts whole study days, as FSRS does: 100% on the day of a review,",
        "whatever the answer (seen today); lapses and failed (7d) say what is weak",
    ], out
    assert "100%" not in out.split("by topic\n", 1)[1].split("recall now counts", 1)[0], out  # in no table

    data = json.loads(run(runner, "stats", "--deck", str(deck), "--json").stdout)
    assert data["weakest"][0]["recall"] == 1.0 and data["topics"][0]["mean_recall"] == 1.0  # the numbers stay

    info = run(runner, "card", "info", "concept-00", "--deck", str(deck)).stdout
    assert "recall now  100% (seen today: FSRS counts recall in whole study days)" in info, info

    tomorrow = T0 + timedelta(hours=12)  # the next study day: a real estimate, and no note
    later = run(runner, "stats", "--deck", str(deck), at=tomorrow).stdout
    row = later.split("weakest cards\n", 1)[1].splitlines()[1]
    assert row.split()[:3] == ["concept-00", "0", "2"] and row.endswith("%") and "seen today" not in later, later
    assert "(seen today" not in run(runner, "card", "info", "concept-00", "--deck", str(deck), at=tomorrow).stdout


# -- N13-07: at 80 columns a title cut below a readable length gets a line of its own --------------


def test_a_mid_length_id_no_longer_cuts_the_title_to_a_stub(runner: CliRunner, monkeypatch: MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    args = ["drill", "--cram", "--card", "ddpm-posterior-variance-formula", "--card", "uncertainty-weighting-formula"]
    out = run(runner, *args, "--time-limit", "60", input="q\n").stdout
    assert "1/2  Write the DDPM posterior variance β̃_t\n" in out, out  # was `1/2  Write the DD…  ddpm-…`
    assert "     ddpm-posterior-variance-formula · diffusion · formula  ⏱ 60s\n" in out, out


def test_no_built_in_title_is_cut_below_24_cells_at_80_columns() -> None:
    import io

    from rich.console import Console

    from lossquiz.deck.cards import load_deck
    from lossquiz.paths import builtin_deck
    from lossquiz.ui.drill_view import drill_card

    for card in load_deck(builtin_deck()).cards:
        out = io.StringIO()
        Console(file=out, width=80, no_color=True).print(drill_card(card, "20/20", 60))
        head = out.getvalue().splitlines()[0].rstrip()
        if head.endswith("⏱ 60s") and f"…  {card.id} · " in head:  # one line, the title cut beside the id
            shown = head.removeprefix("20/20  ").split(f"  {card.id} · ", 1)[0]
            assert len(shown) >= 24, head


# -- N13-09: `list` says the snippet column is hidden only when it has something -------------------


def _long_titled_deck(root: Path) -> Path:
    """Imported-looking cards: long ids and titles, and no snippet."""
    (root / "cards").mkdir(parents=True)
    (root / "snippets").mkdir()
    lines = []
    for i in range(3):
        lines += [
            f"- id: why-is-cross-entropy-preferred-over-mse-{i}",
            f"  title: Why is cross-entropy preferred over MSE for classification, case {i}?",
            "  topic: classification",
            "  kind: concept",
            f"  question: Why is cross-entropy preferred, case {i}?",
            "  answer: Its gradient does not vanish.",
            "  key_points: [one, two]",
            "  source: fixture",
            "",
        ]
    (root / "cards" / "01-notes.yaml").write_text("\n".join(lines), encoding="utf-8")
    return root


def test_list_at_80_columns_says_nothing_of_a_snippet_column_no_card_fills(tmp_path: Path) -> None:
    from tests.test_first_hour_display import _in_a_terminal

    deck = _long_titled_deck(tmp_path / "deck")
    env = {"LOSSQUIZ_HOME": str(tmp_path / "data")}
    lines = _in_a_terminal(["list", "--deck", str(deck), "--no-pager"], env).splitlines()
    assert lines[0].split() == ["id", "title", "topic", "kind"], lines  # the empty column still goes
    assert not any("snippet" in line for line in lines), lines
    assert len(lines) >= 4 and all(len(line) <= 80 for line in lines), lines


def test_the_note_stays_when_the_hidden_snippet_column_has_a_snippet() -> None:
    from dataclasses import replace

    from lossquiz.deck.cards import load_deck
    from lossquiz.paths import builtin_deck
    from lossquiz.ui.card_view import card_table

    cards = load_deck(builtin_deck()).cards
    note = "snippet column hidden at 80 columns; widen the terminal or use --json"
    assert card_table(cards, 80).plain.splitlines()[-1] == note
    assert note not in card_table([replace(card, snippet=None) for card in cards], 80).plain


# -- N13-18: the stats `cards` row leaves out states no card is in, and fits at 80 columns ----------


def test_the_cards_row_fits_at_80_columns_without_zero_counts(runner: CliRunner, monkeypatch: MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    run(runner, "drill", "--card", "mse", "--card", "mae", "--time-limit", "0", input="\n1\n\n1\nq\n")
    out = run(runner, "stats").stdout
    row = next(line for line in out.splitlines() if line.startswith("│ cards "))
    counts = json.loads(run(runner, "stats", "--json").stdout)["cards"]
    total = counts["total"]
    assert counts == {"total": total, "new": total - 2, "learning": 2, "relearning": 0, "review": 0}  # all kept
    assert " ".join(row.split("│")[1].split()) == f"cards {total} total · {total - 2} new · 2 learning", out
    assert out.splitlines()[out.splitlines().index(row) + 1].startswith("│ due "), out  # one line, not wrapped


# -- N13-19: `card reset` on a card that is new already says so and writes nothing -----------------


def test_resetting_a_card_never_reviewed_says_it_is_already_new(runner: CliRunner, tmp_path: Path) -> None:
    import os

    home = Path(os.environ["LOSSQUIZ_HOME"])
    out = run(runner, "card", "reset", "label smoothing").stdout
    assert out == "label-smoothing is already new: nothing to reset\n"
    assert not (home / "progress.db").exists() and not any(home.glob("*.db")), list(home.iterdir())

    deck = concept_deck(tmp_path / "deck", 2)
    drill(runner, deck, "--card", "concept-00", ratings="3")
    reset = run(runner, "card", "reset", "concept-00", "--deck", str(deck)).stdout
    assert reset == "concept-00 reset: its schedule starts again as a new card (history kept)\n"
    again = run(runner, "card", "reset", "concept-00", "--deck", str(deck)).stdout
    assert again == "concept-00 is already new: nothing to reset\n"  # reset once: nothing left to reset
    assert run(runner, "card", "reset", "concept-01", "--deck", str(deck)).stdout.endswith(
        "already new: nothing to reset\n"
    )


# -- N13-15: `code list` counts recorded checks, and its header and the README say so ---------------


def test_code_list_counts_recorded_checks_under_a_header_that_says_so(runner: CliRunner, env: Path) -> None:
    import re

    from lossquiz.study.practice import attempt_path
    from tests.test_practice import HUBER_OK, _write

    _write(attempt_path(env, "huber"), "def huber_loss(y, y_hat, delta=1.0):\n    return (y - y_hat).abs().sum()\n")
    first = runner.invoke(app, ["code", "check", "huber"])
    second = runner.invoke(app, ["code", "check", "huber"])
    assert first.exit_code == second.exit_code == 1 and "not recorded" in second.stdout, second.output
    _write(attempt_path(env, "huber"), HUBER_OK)
    assert runner.invoke(app, ["code", "check", "huber"]).exit_code == 0  # three checks, two recorded

    table = runner.invoke(app, ["code", "list"], env={"COLUMNS": "80"}).stdout
    header = next(line for line in table.splitlines() if " implement " in line)
    assert header.split()[:3] == ["id", "implement", "recorded"], table
    huber = next(line for line in table.splitlines() if line.split()[1:2] == ["huber"])
    assert huber.split()[:4] == ["✓", "huber", "huber_loss()", "2"], table
    paragraph = " ".join(README.split("**`code list`**", 1)[1].split("**`code solution`**", 1)[0].split())
    assert "the number of recorded checks" in paragraph and "checked attempts" not in paragraph, paragraph
    assert re.search(r"`recorded`", paragraph), paragraph


def test_suspending_twice_or_unsuspending_a_card_not_suspended_says_so(runner: CliRunner) -> None:
    """N20-5: a second `card suspend huber` said "huber suspended" again; `unsuspend` of a card that
    was not suspended said "unsuspended: back in drills"."""
    import os

    home = Path(os.environ["LOSSQUIZ_HOME"])
    assert run(runner, "card", "unsuspend", "huber").stdout == "huber is not suspended: nothing to do\n"
    assert not (home / "progress.db").exists()  # and nothing was written
    said = [run(runner, "card", action, "huber").stdout for action in ("suspend", "suspend", "unsuspend", "unsuspend")]
    assert said == [
        "huber suspended: left out of drills until lossquiz card unsuspend huber\n",
        "huber is already suspended: lossquiz card unsuspend huber brings it back\n",
        "huber unsuspended: back in drills with its schedule\n",
        "huber is not suspended: nothing to do\n",
    ]
