"""The twelfth newcomer pass's drill items (80x24 and 120x40, README only): the drill header never
cuts a card's id, a cram drill previews no intervals, the daily-limit notes count one card in the
singular, the formula echo writes `y_hat` as ŷ, and the countdown sits just under the prompt."""

from __future__ import annotations

import asyncio
import io
import re
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from pytest import MonkeyPatch
from rich.console import Console
from typer.testing import CliRunner

from lossquiz.deck.cards import Card, load_deck
from lossquiz.paths import builtin_deck
from lossquiz.ui.drill_view import drill_card
from tests.test_card_cli import T0, drill, run
from tests.test_promise import concept_deck

DECKS = Path(__file__).parent / "fixtures" / "decks"
CLOZE = DECKS / "lows2"  # two imported cloze cards with ids of 46 and 56 characters


def _drawn(card: Card, width: int, position: str = "4/9") -> list[str]:
    out = io.StringIO()
    Console(file=out, width=width, no_color=True).print(drill_card(card, position, 60))
    return [line.rstrip() for line in out.getvalue().splitlines()]


# -- N12-2: the drill header keeps the whole id: the title is cut first, then the header wraps ---


def test_a_drill_at_80_columns_shows_every_imported_id_whole(runner: CliRunner, monkeypatch: MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    out = run(runner, "drill", "--deck", str(CLOZE), "--time-limit", "60", input="the temperature\n3\nm\n3\n").stdout
    lines = out.splitlines()
    for card_id in (
        "infonce-loss-divides-similarities-by-temperature-before",
        "temperature-tau-scales-logits-margin-additive",
    ):
        assert any(line.split()[:1] == [card_id] for line in lines), out  # whole, and copyable on its own
    assert all(len(line) <= 80 for line in lines), out
    assert "     infonce-loss-divides-similarities-by-temperature-before\n     metric · cloze  ⏱ 60s" in out, out
    assert "1/2  InfoNCE divides similarities by […] before the softmax.\n" in out, out  # the title whole too


@pytest.mark.parametrize("width", [80, 40])
def test_a_60_character_id_is_never_cut(width: int) -> None:
    base = load_deck(builtin_deck()).cards[0]
    card_id = "retinanet-uses-gamma-2-and-alpha-0-25-for-dense-detection-c1"
    assert len(card_id) == 60
    card = replace(base, id=card_id, title="RetinaNet uses γ = […].", kind="cloze", topic="classification")
    lines = _drawn(card, width)
    assert lines[0] == "4/9  RetinaNet uses γ = […]."
    if width == 80:
        assert lines[1] == f"     {card_id}"  # indented under the title, on a line of its own
    else:  # wider than the terminal: the whole id, folded, from the first column
        assert lines[1] + lines[2] == card_id
    assert "     classification · cloze  ⏱ 60s" in lines


def test_every_built_in_header_at_80_columns_keeps_its_id_and_as_much_title_as_fits() -> None:
    for card in load_deck(builtin_deck()).cards:
        lines = _drawn(card, 80, position="20/20")
        title = " ".join(card.name.split())
        head = lines[0]
        assert len(head) <= 80, head
        if head.endswith(" ⏱ 60s"):  # one line: the id whole beside a title cut only as far as it must be
            assert f"  {card.id} · {card.topic} · {card.kind}  ⏱ 60s" in head, head
            assert head.startswith(f"20/20  {title}  ") or len(head) == 80, head
        else:  # wrapped: the title on a line of its own, then the id and the rest
            assert head == f"20/20  {title}"[:80] or head.endswith("…"), head
            assert lines[1] == f"       {card.id} · {card.topic} · {card.kind}  ⏱ 60s", lines


# -- N12-14: a cram drill previews no intervals, which it never applies ---------------------------


def test_cram_rating_line_shows_the_ratings_without_intervals(runner: CliRunner) -> None:
    out = run(runner, "drill", "--cram", "--card", "cross-entropy", input="\n3\nq\n").stdout
    line = next(line for line in out.splitlines() if line.startswith("1 Again"))
    assert line == "1 Again · 2 Hard · 3 Good · 4 Easy   (cram: the schedule will not change)", line
    plain = run(runner, "drill", "--card", "cross-entropy", input="\n3\nq\n").stdout  # not cramming: previewed
    assert re.search(r"^1 Again \d+m · 2 Hard \d+\w · 3 Good \d+\w · 4 Easy \d+\w$", plain, re.M), plain


# -- N12-11 (drill half): one card is "1 new card", not "1 new cards" ------------------------------


def test_the_daily_limit_notes_say_one_card_in_the_singular(
    runner: CliRunner, tmp_path: Path, monkeypatch: MonkeyPatch
) -> None:
    deck = concept_deck(tmp_path / "deck", 30)
    drill(runner, deck, "-n", "9", ratings="4" * 9)  # 9 of the day's 10 new cards, Easy: not due again today
    text = " ".join(drill(runner, deck, "-n", "5", ratings="4", at=T0 + timedelta(minutes=5)).stdout.split())
    assert "1 card, not 5: the daily new-card limit leaves 1 new card today (new_per_day 10, 9 introduced)." in text
    monkeypatch.setenv("LOSSQUIZ_NEW_PER_DAY", "1")
    pair = concept_deck(tmp_path / "pair", 2)
    text = " ".join(drill(runner, pair, ratings="4").stdout.split())
    assert "daily new-card limit reached: 1 new card introduced today, limit 1 (new_per_day)" in text, text
    text = " ".join(drill(runner, pair, ratings="", at=T0 + timedelta(minutes=5)).stdout.split())
    assert (
        "1 new card already introduced today (daily limit 1, new_per_day in lossquiz config); 1 unseen remains" in text
    )


# -- N12-15 (echo half): the formula echo writes y_hat as ŷ, as the card's prose does --------------


def test_the_formula_echo_writes_a_hatted_name_with_its_hat(runner: CliRunner) -> None:
    typed = "max(tau*(y - y_hat), (tau - 1)*(y - y_hat))"
    out = run(runner, "drill", "--card", "pinball-formula", "--time-limit", "0", input=f"{typed}\n3\n").stdout
    assert "you wrote: max(τ·(y − ŷ), (τ − 1)·(y − ŷ))" in out, out
    out = run(runner, "show", "ddpm-eps-loss-formula", "--answer", "mean((eps - eps_hat)^2)").stdout
    assert "you wrote: mean((ε − ε̂)²)" in out, out  # the card's answer writes ε̂


# -- N12-13: the countdown sits just under the prompt, however tall the terminal ------------------


def test_the_countdown_is_drawn_just_under_the_prompt_in_a_40_row_terminal() -> None:
    """What prompt_toolkit draws once the terminal has said the cursor has 38 rows below it (a short
    card at the top of a 120x40 terminal): the bar was on the last of them, 37 rows under the prompt."""
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.application.current import set_app
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.layout.mouse_handlers import MouseHandlers
    from prompt_toolkit.layout.screen import Screen, WritePosition
    from prompt_toolkit.output import DummyOutput

    from lossquiz.ui.prompts import countdown_session

    screen = Screen()

    async def draw() -> None:  # drawing starts prompt_toolkit's background tasks: they need a loop
        session = countdown_session(lambda: " ⏱ 56s left")
        session.message = "answer (s skip · u undo · q quit) > "
        with set_app(session.app):
            session.layout.container.write_to_screen(
                screen, MouseHandlers(), WritePosition(0, 0, 120, 38), "", False, None
            )

    with create_pipe_input() as keys, create_app_session(input=keys, output=DummyOutput()):
        asyncio.run(draw())
    rows = ["".join(screen.data_buffer[y][x].char for x in range(120)).rstrip() for y in range(38)]
    assert rows[0] == "answer (s skip · u undo · q quit) >", rows
    assert rows[1].strip() == "⏱ 56s left", rows
    assert not any(row.strip() for row in rows[2:]), rows
