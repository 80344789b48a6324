"""`show`'s formula, remembered across runs (deck/latex_cache.py): pylatexenc only on a miss, and
an edited formula, a changed renderer or caching turned off never shows a stale rendering."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lossquiz.deck.latex import to_unicode

FORMULA = r"\frac{1}{N}\sum_i (y_i-\hat y_i)^2"  # card `square` of the mini deck

# `show` as the user runs it (a real process, so what it imports is what a user's run imports)
PROBE = """
import sys
from lossquiz.cli import app
try:
    app({args!r})
except SystemExit as e:
    pass
print("IMPORTED:" + ",".join(m for m in {watched!r} if m in sys.modules), file=sys.stderr)
"""
WATCHED = ("pylatexenc", "yaml", "lossquiz.worker.client", "lossquiz.deck.trust", "lossquiz.deck.answers")


def _show(deck: Path, env: dict[str, str], card: str = "square") -> tuple[str, str]:
    """(stdout, the watched modules it imported) of `show CARD --no-run`."""
    code = PROBE.format(args=["show", card, "--no-run", "--deck", str(deck)], watched=WATCHED)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, env=env)
    imported = done.stderr.strip().splitlines()[-1]
    assert imported.startswith("IMPORTED:"), done.stderr
    return done.stdout, imported.removeprefix("IMPORTED:")


def test_a_second_show_draws_the_formula_without_pylatexenc(deck_dir: Path) -> None:
    env = dict(os.environ)
    first, imported = _show(deck_dir, env)
    assert "pylatexenc" in imported.split(",")  # first run: parsed the deck and rendered the formula
    assert to_unicode(FORMULA) in first
    again, imported = _show(deck_dir, env)
    assert again == first
    assert imported == ""  # nor PyYAML, the worker client, trust or the answers module


def test_the_cached_text_is_what_is_shown(deck_dir: Path) -> None:
    """A planted entry under the right key is shown as it is: the cache, not a re-render, draws it."""
    env = dict(os.environ)
    _show(deck_dir, env)
    cache = Path(env["LOSSQUIZ_CACHE_DIR"]) / "formulas.json"
    stored = json.loads(cache.read_text(encoding="utf-8"))
    assert stored["text"] == {FORMULA: to_unicode(FORMULA)}
    stored["text"][FORMULA] = "PLANTED"
    cache.write_text(json.dumps(stored), encoding="utf-8")
    shown, _ = _show(deck_dir, env)
    assert "PLANTED" in shown


@pytest.mark.parametrize(
    "changed",
    [
        lambda key: key.__setitem__(1, key[1] - 1),  # latex.py's mtime: an edit of the renderer
        lambda key: key[3].__setitem__(0, key[3][0] - 1),  # pylatexenc's: an upgrade of the library
    ],
    ids=["latex.py", "pylatexenc"],
)
def test_a_changed_renderer_drops_every_entry(deck_dir: Path, changed: Callable[[list[Any]], None]) -> None:
    env = dict(os.environ)
    _show(deck_dir, env)
    cache = Path(env["LOSSQUIZ_CACHE_DIR"]) / "formulas.json"
    stored = json.loads(cache.read_text(encoding="utf-8"))
    changed(stored["key"])
    stored["text"][FORMULA] = "PLANTED"
    cache.write_text(json.dumps(stored), encoding="utf-8")
    shown, imported = _show(deck_dir, env)
    assert "PLANTED" not in shown and to_unicode(FORMULA) in shown
    assert "pylatexenc" in imported.split(",")
    assert json.loads(cache.read_text(encoding="utf-8"))["text"] == {FORMULA: to_unicode(FORMULA)}


def test_an_edited_formula_is_rendered_afresh(deck_dir: Path) -> None:
    env = dict(os.environ)
    _show(deck_dir, env)
    cards = deck_dir / "cards" / "01-basics.yaml"
    edited = r"\sqrt{\frac{1}{N}\sum_i (y_i-\hat y_i)^2}"
    cards.write_text(cards.read_text(encoding="utf-8").replace(FORMULA, edited), encoding="utf-8")
    shown, _ = _show(deck_dir, env)
    assert to_unicode(edited) in shown and to_unicode(edited) != to_unicode(FORMULA)
    stored = json.loads((Path(env["LOSSQUIZ_CACHE_DIR"]) / "formulas.json").read_text(encoding="utf-8"))
    assert set(stored["text"]) == {FORMULA, edited}


def test_a_corrupt_cache_file_is_rendered_again_and_replaced(deck_dir: Path) -> None:
    env = dict(os.environ)
    cache = Path(env["LOSSQUIZ_CACHE_DIR"]) / "formulas.json"
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text("{not json", encoding="utf-8")
    shown, imported = _show(deck_dir, env)
    assert to_unicode(FORMULA) in shown and "pylatexenc" in imported.split(",")
    assert json.loads(cache.read_text(encoding="utf-8"))["text"] == {FORMULA: to_unicode(FORMULA)}


def test_with_caching_off_nothing_is_written(deck_dir: Path, tmp_path: Path) -> None:
    env = {**os.environ, "LOSSQUIZ_CACHE_DIR": ""}
    for _ in range(2):
        shown, imported = _show(deck_dir, env)
        assert to_unicode(FORMULA) in shown and "pylatexenc" in imported.split(",")
    assert not list(tmp_path.rglob("formulas.json"))
