"""The validated cards of an unchanged deck, so a command does not re-validate 273 cards to list them.

Keyed on everything validation reads: each card file's name, mtime and size, the names in
`snippets/` (a card's snippet must exist), the Card fields and lossquiz's version. A missing,
stale, corrupt or unwritable cache means validating again (`cards.load_deck`), never an error;
only a deck that validated is written.
"""

from __future__ import annotations

import json
import os
import zlib
from dataclasses import asdict, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lossquiz import __version__

if TYPE_CHECKING:
    from lossquiz.deck.cards import Card

_TUPLES = ("key_points", "aliases", "factcheck")


def key(root: Path, files: list[Path]) -> list[Any] | None:
    """What the cards of `root` depend on; None when caching is off or a file cannot be read (then
    nothing is cached, and nothing is stat'ed for it)."""
    from lossquiz.deck.cards import Card
    from lossquiz.deck.yaml_files import cache_root

    if cache_root() is None:
        return None
    try:
        stats = [[p.name, (s := p.stat()).st_mtime_ns, s.st_size] for p in files]
        snippets_dir = root / "snippets"
        snippets = sorted(os.listdir(snippets_dir)) if snippets_dir.is_dir() else []
        return [__version__, [f.name for f in fields(Card)], str(root), str(root.resolve()), stats, snippets]
    except OSError:
        return None


def read(root: Path, wanted: list[Any]) -> list[Card] | None:
    """The cached cards if the cache was written for exactly `wanted`."""
    from lossquiz.deck.cards import Card

    path = _path(root)
    if path is None:
        return None
    try:
        cached = json.loads(path.read_text(encoding="utf-8"))
        if cached["key"] != wanted:
            return None
        cards = []
        for raw in cached["cards"]:
            for name in _TUPLES:
                raw[name] = tuple(raw[name])
            raw["variables"] = tuple(tuple(pair) for pair in raw["variables"])
            raw["stress"] = tuple(tuple(pair) for pair in raw["stress"])
            cards.append(Card(**raw))
        return cards
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write(root: Path, wanted: list[Any], cards: list[Card]) -> None:
    """Remember a validated deck's cards (silently skipped when the cache cannot be written)."""
    path = _path(root)
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"key": wanted, "cards": [asdict(c) for c in cards]}), encoding="utf-8")
        tmp.replace(path)  # atomic: a concurrent reader sees the old or the new copy
    except (OSError, TypeError, ValueError):
        pass


def _path(root: Path) -> Path | None:
    from lossquiz.deck.yaml_files import cache_root

    base = cache_root()
    if base is None:
        return None
    resolved = root.resolve()
    return base / "decks" / f"{zlib.crc32(str(resolved).encode()):08x}-{resolved.name}.json"
