"""The validated cards of an unchanged deck, so a command does not re-validate 273 cards to list them.

Keyed on everything validation reads: each card file's name, mtime and size, the names in
`snippets/` (a card's snippet must exist), the Card fields and lossquiz's version. A missing,
stale, corrupt or unwritable cache means validating again (`cards.load_deck`), never an error;
only a deck that validated is written.

The file is marshal, not JSON: a deck's 273 cards came back from JSON in 5.5 ms (json.loads and
Card(**dict) with lists turned back into tuples), from marshal in 1.3 ms (tuples stay tuples,
cards are built positionally), most of what `stats` spent beyond the floor on loading the deck.
marshal reads only plain values (never code it would run), its format is the running Python's
(the file name has its cache tag), and a CRC of the payload turns a torn or corrupt file into a
miss rather than a bad read.
"""

from __future__ import annotations

import marshal
import os
import sys
import zlib
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lossquiz import __version__

if TYPE_CHECKING:
    from lossquiz.deck.cards import Card

_MAGIC = b"LQDK"  # then the payload's CRC-32, 4 bytes big-endian, then the payload


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
        data = path.read_bytes()
        payload = data[8:]
        if data[:4] != _MAGIC or int.from_bytes(data[4:8], "big") != zlib.crc32(payload):
            return None
        cached_key, rows = marshal.loads(payload)
        if cached_key != wanted:
            return None
        return [Card(*row) for row in rows]
    except (OSError, ValueError, EOFError, TypeError):
        return None


def write(root: Path, wanted: list[Any], cards: list[Card]) -> None:
    """Remember a validated deck's cards (silently skipped when the cache cannot be written)."""
    path = _path(root)
    if path is None or not cards:
        return
    names = [f.name for f in fields(cards[0])]
    try:
        payload = marshal.dumps((wanted, [tuple(getattr(card, name) for name in names) for card in cards]))
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(_MAGIC + zlib.crc32(payload).to_bytes(4, "big") + payload)
        tmp.replace(path)  # atomic: a concurrent reader sees the old or the new copy
    except (OSError, ValueError):  # ValueError: a value marshal cannot write
        pass


def _path(root: Path) -> Path | None:
    from lossquiz.deck.yaml_files import cache_root

    base = cache_root()
    if base is None:
        return None
    resolved = root.resolve()
    tag = sys.implementation.cache_tag  # marshal's format is this Python's
    return base / "decks" / f"{zlib.crc32(str(resolved).encode()):08x}-{resolved.name}.{tag}.marshal"
