"""Deck loading and validation: every error class, reported with file, line and card."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from lossquiz.cli import app
from lossquiz.deck.cards import find_card, load_deck
from lossquiz.errors import DeckError, UnknownCardError


def _write(deck: Path, text: str, name: str = "03-extra.yaml") -> None:
    (deck / "cards" / name).write_text(text)


def _problems(deck: Path) -> list[str]:
    with pytest.raises(DeckError) as info:
        load_deck(deck)
    return info.value.problems


CARD = """
- id: {id}
  topic: {topic}
  kind: {kind}
  question: Q?
  answer: A.
  key_points: [one, two]
  source: test
"""


def test_loads_fixture_deck_in_curriculum_order(deck_dir: Path) -> None:
    deck = load_deck(deck_dir)
    assert [c.id for c in deck.cards] == ["square", "absolute", "bias-variance", "logistic"]
    assert [c.order for c in deck.cards] == [0, 1, 2, 3]
    assert deck.by_id["square"].line == 1
    assert deck.by_id["absolute"].line == 15


def test_yaml_syntax_error_names_file_and_line(deck_dir: Path) -> None:
    _write(deck_dir, "- id: broken\n  topic: [unclosed\n  kind: concept\n")
    (problem,) = _problems(deck_dir)
    assert problem.startswith("deck/cards/03-extra.yaml:")
    assert "YAML syntax error" in problem
    line = int(problem.split(":")[1])
    assert line in (2, 3, 4)


def test_missing_field_names_card_and_field(deck_dir: Path) -> None:
    _write(
        deck_dir,
        "- id: lonely\n  topic: regression\n  kind: concept\n  question: Q?\n  source: s\n",
    )
    problems = _problems(deck_dir)
    assert "deck/cards/03-extra.yaml:1: card 'lonely': missing 'answer'" in problems
    assert "deck/cards/03-extra.yaml:1: card 'lonely': missing 'key_points'" in problems


def test_duplicate_id_points_at_both(deck_dir: Path) -> None:
    _write(deck_dir, CARD.format(id="square", topic="regression", kind="concept"))
    (problem,) = _problems(deck_dir)
    assert "card 'square': duplicate id (first at deck/cards/01-basics.yaml:1)" in problem


def test_unknown_snippet(deck_dir: Path) -> None:
    _write(deck_dir, CARD.format(id="x", topic="regression", kind="concept") + "  snippet: nope\n")
    (problem,) = _problems(deck_dir)
    assert "card 'x': unknown snippet 'nope'" in problem


def test_unknown_topic_and_kind_both_reported(deck_dir: Path) -> None:
    _write(deck_dir, CARD.format(id="x", topic="astrology", kind="essay"))
    problems = _problems(deck_dir)
    assert any("unknown topic 'astrology'" in p for p in problems)
    assert any("unknown kind 'essay'" in p for p in problems)


def test_numeric_card_needs_snippet(deck_dir: Path) -> None:
    _write(deck_dir, CARD.format(id="x", topic="regression", kind="numeric"))
    (problem,) = _problems(deck_dir)
    assert "a numeric card needs a 'snippet'" in problem


def test_key_points_count_and_types(deck_dir: Path) -> None:
    text = CARD.format(id="x", topic="regression", kind="concept").replace("[one, two]", "[one]")
    text += CARD.format(id="y", topic="regression", kind="concept").replace("[one, two]", "just text")
    _write(deck_dir, text)
    problems = _problems(deck_dir)
    assert any("card 'x': 'key_points' must have 2 to 5 items" in p for p in problems)
    assert any("card 'y': 'key_points' must be a list of text" in p for p in problems)


def test_every_problem_in_every_file_is_listed(deck_dir: Path) -> None:
    _write(deck_dir, CARD.format(id="a", topic="nope", kind="concept"), "03-a.yaml")
    _write(deck_dir, "- id: b\n  topic: [x\n", "04-b.yaml")
    problems = _problems(deck_dir)
    assert len(problems) == 2
    assert any("03-a.yaml" in p for p in problems) and any("04-b.yaml" in p for p in problems)


def test_file_must_be_a_list(deck_dir: Path) -> None:
    _write(deck_dir, "id: x\ntopic: regression\n")
    (problem,) = _problems(deck_dir)
    assert "must be a list of cards" in problem


def test_unsafe_yaml_tags_are_refused(deck_dir: Path) -> None:
    _write(deck_dir, "- !!python/object/apply:os.system ['echo pwned']\n")
    (problem,) = _problems(deck_dir)
    assert "YAML" in problem


def test_not_a_deck(tmp_path: Path) -> None:
    with pytest.raises(DeckError, match="not a deck"):
        load_deck(tmp_path)


def test_cli_reports_invalid_deck_with_exit_3_and_no_traceback(deck_dir: Path, runner: CliRunner) -> None:
    _write(deck_dir, "- id: broken\n  topic: [unclosed\n")
    result = runner.invoke(app, ["list", "--deck", str(deck_dir)])
    assert result.exit_code == 3, result.output
    assert "03-extra.yaml:" in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_deck_from_environment(deck_dir: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOSSQUIZ_DECK", str(deck_dir))
    result = runner.invoke(app, ["list", "--json"])
    assert result.exit_code == 0, result.output
    assert "square" in result.stdout


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("square", "square"),
        ("SQ", "square"),
        ("Squared error", "square"),
        ("absolute", "absolute"),
        ("bias", "bias-variance"),
    ],
)
def test_find_card_by_id_alias_or_title(deck_dir: Path, query: str, expected: str) -> None:
    assert find_card(load_deck(deck_dir), query).id == expected


def test_near_miss_suggests(deck_dir: Path) -> None:
    with pytest.raises(UnknownCardError, match="did you mean 'square'"):
        find_card(load_deck(deck_dir), "sqare")


def test_parsed_deck_is_cached_until_the_file_changes(deck_dir: Path, env: Path) -> None:
    import json
    import os

    load_deck(deck_dir)
    caches = list((Path(os.environ["LOSSQUIZ_CACHE_DIR"]) / "yaml").glob("*.json"))
    assert len(caches) == 2  # one per YAML file
    for cache in caches:  # prove the next load reads the cache: rename a card inside it
        data = json.loads(cache.read_text())
        for raw in data["data"]:
            raw["title"] = "from the cache"
        cache.write_text(json.dumps(data))
    for validated in (Path(os.environ["LOSSQUIZ_CACHE_DIR"]) / "decks").glob("*.marshal"):
        validated.unlink()  # the validated-deck cache would answer first (next test)
    assert {c.title for c in load_deck(deck_dir).cards} == {"from the cache"}
    path = deck_dir / "cards" / "01-basics.yaml"
    path.write_text(path.read_text().replace("Squared error", "Squared error, edited"))
    titles = {c.id: c.title for c in load_deck(deck_dir).cards}
    assert titles["square"] == "Squared error, edited"  # the edited file is parsed again


def _rewrite_deck_cache(cache: Path, title: str) -> None:
    """Give every card in a validated-deck cache file another title, with a CRC that matches."""
    import marshal
    import zlib

    from lossquiz.deck.cards import Card

    key, rows = marshal.loads(cache.read_bytes()[8:])
    at = [f.name for f in fields(Card)].index("title")
    payload = marshal.dumps((key, [(*row[:at], title, *row[at + 1 :]) for row in rows]))
    cache.write_bytes(b"LQDK" + zlib.crc32(payload).to_bytes(4, "big") + payload)


def test_a_validated_deck_is_reused_until_anything_validation_reads_changes(deck_dir: Path, env: Path) -> None:
    import os

    first = load_deck(deck_dir)
    (cache,) = (Path(os.environ["LOSSQUIZ_CACHE_DIR"]) / "decks").glob("*.marshal")
    _rewrite_deck_cache(cache, "from the deck cache")
    again = load_deck(deck_dir)
    assert {c.title for c in again.cards} == {"from the deck cache"}  # read, not re-validated
    assert [(c.id, c.key_points, c.variables, c.order) for c in again.cards] == [
        (c.id, c.key_points, c.variables, c.order) for c in first.cards
    ]  # tuples come back as tuples
    snippet = next(c.snippet for c in first.cards if c.snippet)
    (deck_dir / "snippets" / f"{snippet}.py").unlink()  # a card's snippet is gone: validation must run
    with pytest.raises(DeckError, match="unknown snippet"):
        load_deck(deck_dir)


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # torn: a write cut short
        lambda data: data.replace(b"deck cache", b"deck cachf", 1),  # one bit flipped in a card's title
        lambda data: b"",
        lambda data: b'{"key": []}',  # the JSON cache of an earlier version, at this path
    ],
)
def test_a_damaged_deck_cache_is_a_miss_not_a_wrong_deck(deck_dir: Path, env: Path, damage: Any) -> None:
    import os

    first = load_deck(deck_dir)
    (cache,) = (Path(os.environ["LOSSQUIZ_CACHE_DIR"]) / "decks").glob("*.marshal")
    _rewrite_deck_cache(cache, "from the deck cache")
    cache.write_bytes(damage(cache.read_bytes()))
    again = load_deck(deck_dir)  # validated again from the YAML
    assert [c.title for c in again.cards] == [c.title for c in first.cards]
    assert not any(c.title.startswith("from the deck cach") for c in again.cards)


def test_unusable_cache_only_means_parsing_again(
    deck_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    monkeypatch.setenv("LOSSQUIZ_CACHE_DIR", str(blocker))
    assert len(load_deck(deck_dir).cards) == 4
    monkeypatch.setenv("LOSSQUIZ_CACHE_DIR", "")
    assert len(load_deck(deck_dir).cards) == 4
