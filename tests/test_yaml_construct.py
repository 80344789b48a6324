"""The one-pass constructor of deck/yaml_files.py builds exactly what PyYAML's safe constructor
builds (with each mapping's `__line__`), and hands anything unusual back to PyYAML."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from lossquiz.deck import yaml_files
from lossquiz.progress.synthetic import write_deck
from tests.conftest import FIXTURES, REPO


def _pyyaml(text: str) -> Any:
    """PyYAML's own construction of the document, with the same line-recording loader."""
    loader = yaml_files._loader()(text)
    try:
        return loader.construct_document(loader.get_single_node())
    finally:
        loader.dispose()


def _one_pass(text: str) -> Any:
    loader = yaml_files._loader()(text)
    try:
        return yaml_files._construct_plain(loader.get_single_node(), loader)
    finally:
        loader.dispose()


def _same(a: Any, b: Any) -> bool:
    """Equal, with the same types all the way down (True is not 1) and nan equal to nan."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


DECK_FILES = sorted((REPO / "content" / "cards").glob("*.yaml")) + sorted(FIXTURES.rglob("*.yaml"))


@pytest.mark.parametrize("path", DECK_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_deck_file_in_the_repository_is_built_as_pyyaml_builds_it(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    if yaml_files._ANCHOR.search(text):
        pytest.skip("has anchors: PyYAML's constructor builds it")
    try:
        expected = _pyyaml(text)
    except Exception:
        pytest.skip("not a document PyYAML builds (a hostile fixture)")
    assert _same(_one_pass(text), expected)


def test_the_generated_bench_deck_is_built_as_pyyaml_builds_it(tmp_path: Path) -> None:
    deck = write_deck(tmp_path / "deck", 200, seed=1)
    for path in sorted((deck / "cards").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        built = _one_pass(text)
        assert _same(built, _pyyaml(text))
        assert built[0]["__line__"] == 1 and built[1]["__line__"] > 1


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\nb: [1, 2.5, yes, no, null, ~, 0x1F, 0o17, 1_000, .inf, -.inf, .nan]\n",
        "when: [2001-12-14, 2001-12-14t21:59:43.10-05:00]\nraw: !!binary aGVsbG8=\n",
        "- !!str 12\n- !!int '7'\n- !!float 1\n- !!seq [a]\n- !!map {a: b}\n",
        "{1: a, 2.5: b, null: c, true: d, '': e}\n",
        "__line__: 5\na: 1\n",  # a key of that name is overwritten in place, as PyYAML's loader does
        "a: 1\na: 2\n",  # a repeated key: the last wins
        "- id: x\n  nested:\n    deeper: [{k: v}]\n",
        "'quoted': \"with\\nescapes\"\nplain: text, with # no comment\nblock: |\n  kept\n  lines\n",
    ],
)
def test_ordinary_yaml_is_built_as_pyyaml_builds_it(text: str) -> None:
    assert _same(_one_pass(text), _pyyaml(text))


@pytest.mark.parametrize(
    "text",
    [
        "<<: {a: 1}\nb: 2\n",  # a merge key
        "a: =\n",  # the value tag
        "? [1]\n: x\n",  # a non-scalar key
        "!!set {a, b}\n",
        "!!omap [a: 1]\n",
        "a: !foo x\n",  # an unknown tag
        "x: !!map a\n",  # a collection tag on a scalar
        "a: !!timestamp not-a-date\n",  # a constructor's own error
        "? {a: 1}\n: x\n",
    ],
)
def test_anything_unusual_goes_back_to_pyyaml(text: str) -> None:
    with pytest.raises(yaml_files._Unusual):
        _one_pass(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- <<: {a: 1}\n  b: 2\n", [{"a": 1, "b": 2, "__line__": 1}]),
        ("- a: =\n", None),  # PyYAML cannot construct the value tag: a deck error, as before
        ("- a: !foo x\n", None),
    ],
)
def test_read_gives_pyyaml_results_and_errors_for_unusual_files(tmp_path: Path, text: str, expected: Any) -> None:
    path = tmp_path / "cards.yaml"
    path.write_text(text, encoding="utf-8")
    if expected is None:
        with pytest.raises(yaml_files.YamlFileError):
            yaml_files.read(path)
    else:
        assert yaml_files.read(path) == expected
