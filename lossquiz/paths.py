"""Where things live: the built-in deck, the user's deck choice, the data directory."""

from __future__ import annotations

import os
from pathlib import Path


def builtin_deck() -> Path:
    """The deck shipped with lossquiz (inside the wheel, or content/ in a checkout)."""
    here = Path(__file__).resolve().parent
    installed = here / "content"
    if (installed / "cards").is_dir():
        return installed
    return here.parent / "content"


def deck_dir(option: Path | None = None) -> Path:
    """--deck, else $LOSSQUIZ_DECK, else `deck` in config.toml, else the built-in deck."""
    if option is not None:
        return option
    env = os.environ.get("LOSSQUIZ_DECK")
    if env:
        return Path(env)
    from lossquiz import config

    chosen = config.load()["deck"]
    return Path(chosen) if chosen else builtin_deck()


def deck_key(root: Path) -> str:
    """How progress names a deck: '' for the built-in one (wherever it is installed), else its resolved path."""
    resolved = root.resolve()
    return "" if resolved == builtin_deck().resolve() else str(resolved)


def data_dir(option: Path | None = None) -> Path:
    """--data-dir, else $LOSSQUIZ_HOME, else the platform's user data directory."""
    if option is not None:
        return option
    env = os.environ.get("LOSSQUIZ_HOME")
    if env:
        return Path(env)
    import platformdirs  # deferred: only commands that store progress need it

    return Path(platformdirs.user_data_dir("lossquiz", appauthor=False))
