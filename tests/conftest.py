"""Shared fixtures: a temp home for every test, a pinned width, a copy of the test deck."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lossquiz.clock import FixedClock
from lossquiz.deck.trust import TrustedDeck

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent


@pytest.fixture(autouse=True)
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Progress goes to a temp dir; Rich gets a fixed width and no colour."""
    home = tmp_path / "home"
    monkeypatch.setenv("LOSSQUIZ_HOME", str(home))
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("LOSSQUIZ_DECK", raising=False)
    monkeypatch.setenv("LOSSQUIZ_CONFIG", str(tmp_path / "config.toml"))  # never the developer's own config
    for name in ("LOSSQUIZ_NOW", "LOSSQUIZ_TIME_LIMIT", "LOSSQUIZ_NEW_PER_DAY", "LOSSQUIZ_RETENTION"):
        monkeypatch.delenv(name, raising=False)
    for name in ("LOSSQUIZ_DAY_START_HOUR", "LOSSQUIZ_FUZZ"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LOSSQUIZ_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("VISUAL", raising=False)  # `lossquiz code` must never open the developer's editor
    monkeypatch.delenv("EDITOR", raising=False)
    return home


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time is UTC for the test (study days start at a local hour)."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2025, 1, 1, 9, 0, tzinfo=timezone.utc))


@pytest.fixture
def deck_dir(tmp_path: Path) -> Path:
    """A writable copy of tests/fixtures/decks/mini."""
    target = tmp_path / "deck"
    shutil.copytree(FIXTURES / "decks" / "mini", target)
    return target


def trust_deck(deck: Path, data_dir: Path | None = None) -> None:
    """Trust a test deck's snippets as they are now, as `lossquiz trust DECK` does."""
    from lossquiz import paths
    from lossquiz.deck import trust
    from lossquiz.progress.store import Store

    with Store.open(paths.data_dir(data_dir)) as store:
        trust.trust(deck, store, now=datetime(2025, 1, 1, tzinfo=timezone.utc))


def write_snippet(deck: Path, name: str, body: str) -> Path:
    """Add a snippet file to a deck."""
    path = deck / "snippets" / f"{name}.py"
    path.write_text(body)
    return path


def trusted(deck: Path) -> TrustedDeck:
    """Any test deck through the trust gate (trusted first, in a data dir of its own)."""
    import tempfile

    from lossquiz.deck import trust

    data = Path(tempfile.mkdtemp())
    trust_deck(deck, data)
    return trust.gate(deck, data)


def builtin_trusted() -> TrustedDeck:
    """The built-in deck through the trust gate, as every command gets it."""
    import tempfile

    from lossquiz import paths
    from lossquiz.deck import trust

    return trust.gate(paths.builtin_deck(), Path(tempfile.mkdtemp()))
