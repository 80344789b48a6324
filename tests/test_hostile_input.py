"""Issue 12: hostile input gets one clear line (or a re-prompt), never a traceback or a hang."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lossquiz.errors import LossquizError
from lossquiz.progress import history_format
from lossquiz.study.grading import parse_number

HEADER = json.dumps({"type": "header", "format": history_format.FORMAT, "version": 1})


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("1e308/1e-308", None),
        ("1" * 5000 + "/3", None),
        ("1e99999999/1", None),
        ("0,25", 0.25),
        ("1,000", None),  # 1.000 or 1000: asked again (eighth newcomer pass F3)
        ("1,595", None),
        ("-1,595", None),
        ("1,000,000", 1e6),
        ("1,000.5", 1000.5),
        ("0,5", 0.5),
        ("1,2,3", None),
        ("3/4", 0.75),
    ],
)
def test_typed_answers(typed: str, value: float | None) -> None:
    assert parse_number(typed) == value


@settings(deadline=2000, max_examples=300)
@given(st.text(max_size=200))
def test_parse_number_fuzz(text: str) -> None:
    result = parse_number(text)
    assert result is None or isinstance(result, float)


def _review(**fields: object) -> str:
    base: dict[str, object] = {
        "type": "review",
        "card": "huber",
        "reviewed_at": "2025-01-01T09:00:00.000000+00:00",
        "rating": 3,
        "duration_ms": 10,
    }
    base.update(fields)
    return json.dumps(base)


@pytest.mark.parametrize(
    "line",
    [
        _review(duration_ms=2**63),
        _review(expected=10**4000),
        _review(reviewed_at="9999-12-31T23:59:59-05:00"),
        _review(reviewed_at="0001-01-01T00:00:00+05:00"),
        _review(reviewed_at="0001-01-01T00:00:00.000000+00:00"),
        "[" * 100_000,
    ],
)
def test_hostile_history_lines_are_one_clear_problem(line: str) -> None:
    with pytest.raises(LossquizError) as caught:
        history_format.parse([HEADER, line], "h.jsonl", known={"huber"})
    assert "line 2" in str(caught.value)


@settings(deadline=2000, max_examples=200)
@given(st.one_of(st.text(max_size=300), st.binary(max_size=300).map(lambda b: b.decode("latin-1"))))
def test_history_line_fuzz(line: str) -> None:
    try:
        history_format.parse([HEADER, line], "h.jsonl", known={"huber"})
    except LossquizError:
        pass


def test_a_yaml_bomb_and_deep_nesting_are_deck_errors(tmp_path: Path) -> None:
    from lossquiz.deck.cards import load_deck
    from lossquiz.errors import DeckError

    for body in (
        "[" * 20_000 + "]" * 20_000,
        "a: &a [x]\n" + "".join(f"a{i}: &a{i} [*a,*a,*a,*a,*a,*a,*a,*a]\n" for i in range(1)),
    ):
        deck = tmp_path / "d"
        (deck / "cards").mkdir(parents=True, exist_ok=True)
        (deck / "cards" / "x.yaml").write_text(body)
        with pytest.raises(DeckError):
            load_deck(deck)


_ITEMS = ["&a0 [lol]"] + [f"&a{n} [" + ",".join([f"*a{n - 1}"] * 9) + "]" for n in range(1, 8)]  # 9**7 once expanded


@pytest.mark.parametrize(
    "bomb",
    [
        "\n".join(f"- {item}" for item in _ITEMS),  # after a blank
        "[" + ",".join(_ITEMS) + "]",  # after '[' and ','
        "{" + ",".join(f'"k{n}":{item}' for n, item in enumerate(_ITEMS)) + "}",  # JSON-like key: after ':'
        "{" + ",".join(f"'k{n}':{item}" for n, item in enumerate(_ITEMS)) + "}",
        "{" + ",".join(f"k{n}:\t{item}" for n, item in enumerate(_ITEMS)) + "}",  # after a tab
        "\n".join(f"- !!seq {item}" for item in _ITEMS),  # after a tag
    ],
)
def test_every_place_an_anchor_can_start_is_bounded(tmp_path: Path, bomb: str) -> None:
    """The node count is skipped for files with no anchor; each way of writing one still counts."""
    from lossquiz.deck.cards import load_deck
    from lossquiz.errors import DeckError

    deck = tmp_path / "d"
    (deck / "cards").mkdir(parents=True)
    (deck / "cards" / "x.yaml").write_text(bomb)
    with pytest.raises(DeckError, match="alias bomb"):
        load_deck(deck)


def test_an_ampersand_in_prose_is_not_taken_for_an_anchor() -> None:
    from lossquiz.deck.yaml_files import _ANCHOR

    assert not _ANCHOR.search("source: Koenker & Bassett (1978); \\frac12 r^2 & |r|\\le\\delta; Q&A")
    assert _ANCHOR.search("x: &a 1") and _ANCHOR.search("\ufeff&a [1]")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("What is it?:: $" + "\\frac{" * 3000 + "x" + "}{2}" * 3000 + "$\n", 0),
        ("What is it?:: a" + " " * 80_000 + "b\n", 0),
        ("".join("  " * i + "- item\n" for i in range(5000)), 1),
    ],
    ids=["frac-3000-deep", "80000-spaces", "5000-level-bullets"],
)
def test_pathological_notes_import_quickly_or_fail_in_one_line(tmp_path: Path, body: str, code: int) -> None:
    from typer.testing import CliRunner

    from lossquiz.cli import app

    notes = tmp_path / "n.md"
    notes.write_text("# T\n\n" + body)
    result = CliRunner().invoke(app, ["import", str(notes), "--into", str(tmp_path / "deck")])
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    if code:
        assert len(result.output.strip().splitlines()) == 1
    else:
        shown = CliRunner().invoke(app, ["export", "--deck", str(tmp_path / "deck"), "--format", "md", "-"])
        assert shown.exit_code == 0, shown.output


def test_a_read_does_not_wait_for_a_writer(env: Path) -> None:
    """stats while another process holds the write lock (a long history import): no busy error."""
    import sqlite3

    from typer.testing import CliRunner

    from lossquiz.cli import app
    from lossquiz.progress.store import DB_NAME, Store

    with Store.open(env):
        pass
    writer = sqlite3.connect(env / DB_NAME, isolation_level=None)
    writer.execute("PRAGMA busy_timeout=0")
    writer.execute("BEGIN IMMEDIATE")
    try:
        result = CliRunner().invoke(app, ["stats", "--json"], env={"LOSSQUIZ_HOME": str(env)})
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert result.exit_code == 0, result.output


def test_invalid_utf8_typed_at_the_prompt_is_stored(env: Path) -> None:
    from datetime import datetime, timezone

    from lossquiz.progress.store import ReviewInput, Store

    typed = b"0.5\xff\xfe".decode("utf-8", "surrogateescape")  # what the terminal hands over
    with Store.open(env) as store:
        store.sync_cards([("huber", "h")])
        session = store.start_session(datetime(2025, 1, 1, tzinfo=timezone.utc), cram=False)
        review = ReviewInput(
            slug="huber",
            rating=1,
            reviewed_at=datetime(2025, 1, 1, tzinfo=timezone.utc),
            duration_ms=10,
            session_id=session,
            correct=False,
            answer=typed,
            expected=0.5,
        )
        store.record_review(review, None)  # raised UnicodeEncodeError before
