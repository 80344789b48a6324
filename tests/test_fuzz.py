"""Property and fuzz tests: arbitrary input never produces a traceback."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lossquiz.deck.cards import load_deck
from lossquiz.errors import DeckError
from lossquiz.study.grading import parse_number

FIXTURE = Path(__file__).parent / "fixtures" / "decks" / "mini"

# YAML-ish text: structure characters, keys the loader knows, and arbitrary unicode.
yaml_text = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.sampled_from(list("-:[]{}#&*!|>'\"\n  ,?%@`\\abcxyz019")), max_size=300),
    st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=20)),
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(
                st.sampled_from(
                    [
                        "id",
                        "topic",
                        "kind",
                        "question",
                        "answer",
                        "key_points",
                        "snippet",
                        "source",
                        "aliases",
                        "tolerance",
                        "grade",
                        "factcheck",
                        "formula",
                        "x",
                    ]
                ),
                children,
                max_size=8,
            ),
        ),
        max_leaves=25,
    ).map(lambda data: yaml.safe_dump(data, allow_unicode=True)),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=yaml_text)
def test_deck_loader_on_arbitrary_yaml_is_a_deck_or_a_deck_error(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    deck = tmp_path_factory.mktemp("deck")
    shutil.copytree(FIXTURE, deck, dirs_exist_ok=True)
    (deck / "cards" / "99-fuzz.yaml").write_text(text, encoding="utf-8")
    try:
        loaded = load_deck(deck)
    except DeckError as e:
        assert e.problems and all(isinstance(p, str) and p for p in e.problems)
        assert all("99-fuzz.yaml" in p or "duplicate id" in p or "alias" in p for p in e.problems), e.problems
    else:
        assert {"square", "absolute"} <= set(loaded.by_id)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=40))
def test_answer_parser_on_arbitrary_text(text: str) -> None:
    value = parse_number(text)
    assert value is None or math.isfinite(value)


@settings(max_examples=300, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12))
def test_answer_parser_reads_back_any_printed_number(x: float) -> None:
    for text in (repr(x), f"{x:.6f}", f"{x:e}"):
        value = parse_number(text)
        assert value is not None and math.isclose(value, float(text))


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=-999, max_value=999), st.integers(min_value=1, max_value=999))
def test_answer_parser_fractions(num: int, den: int) -> None:
    value = parse_number(f"{num}/{den}")
    assert value is not None and math.isclose(value, num / den)


# A valid header, then arbitrary lines: JSON objects with the fields the importer knows, or junk.
HEADER = '{"type": "header", "format": "lossquiz-history", "version": 1, "exported_at": "2025-01-01T00:00:00+00:00"}'
history_value = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 10),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.sampled_from(["2025-01-01T09:00:00.000000+00:00", "square", "review", "card", "session", "yesterday"]),
)
history_line = st.one_of(
    st.text(max_size=60),
    st.dictionaries(
        st.sampled_from(
            [
                "type",
                "card",
                "reviewed_at",
                "rating",
                "correct",
                "answer",
                "duration_ms",
                "cram",
                "undone",
                "session",
                "started_at",
                "fsrs",
                "due",
                "state",
                "lapses",
                "content_hash",
            ]
        ),
        history_value,
        max_size=10,
    ).map(json.dumps),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(history_line, max_size=8))
def test_history_import_on_arbitrary_lines_is_all_or_nothing(
    tmp_path_factory: pytest.TempPathFactory, lines: list[str]
) -> None:
    from lossquiz.errors import HistoryError
    from lossquiz.progress.history import import_file
    from lossquiz.progress.store import Store

    home = tmp_path_factory.mktemp("home")
    path = home / "history.jsonl"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    with Store.open(home) as store:
        try:
            import_file(store, path)
        except HistoryError as e:
            assert e.problems and all(p.startswith("line ") or "history" in p for p in e.problems), e.problems
            assert store.conn.execute("SELECT count(*) FROM reviews").fetchone()[0] == 0  # nothing imported
