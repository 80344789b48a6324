"""Trust for foreign decks: their code runs only with the user's say.

A deck holds Python code in two folders: `snippets/` (run by show, check, drill, export) and
`practice/` (the implement-it tasks whose reference and inputs `code --check` runs).
`lossquiz trust DECK` records the deck's resolved path and a SHA-256 over every file under
both folders (names relative to the deck, and bytes; helpers, data files and sub-folders
included), in the `trusted_decks` table of the progress database (its `snippets_hash` column
predates practice/ and now holds this digest). Before any of a deck's code runs, the hash is
computed again: a changed, added or removed file means the deck must be trusted again. The
built-in deck is always trusted, and a deck with no files in either folder has no code to trust.

Bytecode caches (`__pycache__`) are left out of the hash because the snippet worker never
reads them (it compiles from source), so a cache shipped inside a deck cannot run either.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from lossquiz import paths
from lossquiz.errors import LossquizError, UntrustedDeckError

if TYPE_CHECKING:
    from lossquiz.progress.store import Store


@dataclass(frozen=True, slots=True)
class Verdict:
    """May this deck's code run? If not, `reason` says why in one line."""

    trusted: bool
    reason: str


CODE_DIRS = ("snippets", "practice")  # the deck's folders of Python code, in hashing order


@dataclass(frozen=True, slots=True)
class Digest:
    """The hash of a deck's code files and their names (relative to the deck, e.g. snippets/huber.py)."""

    sha256: str
    files: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TrustEntry:
    """A trusted deck as `trust --list` shows it; status is ok, changed or missing."""

    path: str
    files: int
    trusted_at: str
    status: str


def is_builtin(deck: Path) -> bool:
    """True for the deck shipped with lossquiz."""
    return deck.resolve() == paths.builtin_deck().resolve()


def code_digest(deck: Path) -> Digest:
    """SHA-256 over the deck-relative name and bytes of every file under `snippets/` and `practice/`."""
    h = hashlib.sha256()
    names: list[str] = []
    for top in CODE_DIRS:
        seen: set[str] = set()  # per folder: a practice/ linked to snippets/ still lists its files
        for folder, dirs, files in os.walk(deck / top, followlinks=True):
            real = os.path.realpath(folder)
            if real in seen:  # a symlink loop
                dirs.clear()
                continue
            seen.add(real)
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                path = Path(folder, name)
                rel = path.relative_to(deck).as_posix()
                try:
                    data = path.read_bytes()
                except OSError as e:
                    raise LossquizError(f"cannot read {rel} of deck {deck}: {e.strerror}") from None
                h.update(rel.encode() + b"\0" + len(data).to_bytes(8, "big") + data)
                names.append(rel)
    return Digest(h.hexdigest(), tuple(names))


def check(deck: Path, store: Store | None) -> Verdict:
    """Whether the deck's code (snippets, practice tasks) may run now (store None: nothing trusted yet)."""
    if is_builtin(deck):
        return Verdict(True, "the built-in deck")
    try:
        digest = code_digest(deck)
    except LossquizError as e:
        return Verdict(False, str(e))
    if not digest.files:
        return Verdict(True, "the deck has no snippets or practice tasks")
    where = str(deck.resolve())
    entry = next((t for t in store.trusted_decks() if t.path == where), None) if store else None
    where_code = " and ".join(f"{top}/" for top in CODE_DIRS if any(f.startswith(f"{top}/") for f in digest.files))
    if entry is None:
        return Verdict(
            False,
            f"deck {deck} is not trusted (it has Python code in {where_code}): read it, "
            f"then run `lossquiz trust {deck}`",
        )
    if entry.snippets_hash != digest.sha256:
        return Verdict(
            False,
            f"the code of deck {deck} (in {where_code}) changed since you trusted it: read it, "
            f"then run `lossquiz trust {deck}`",
        )
    return Verdict(True, "trusted")


def is_trusted(deck: Path, data_dir: Path) -> Verdict:
    """The one check the commands call before running a deck's snippets or practice tasks."""
    if is_builtin(deck):
        return Verdict(True, "the built-in deck")
    from lossquiz.progress.store import DB_NAME, Store  # deferred: browsing the built-in deck needs no database

    if not (data_dir / DB_NAME).exists():
        return check(deck, None)  # no database yet: nothing trusted, and nothing created just to look
    with Store.open(data_dir) as store:
        return check(deck, store)


def require_trusted(deck: Path, data_dir: Path) -> None:
    """Raise UntrustedDeckError (one line) unless the deck's code may run (`check`, `code --check`)."""
    verdict = is_trusted(deck, data_dir)
    if not verdict.trusted:
        raise UntrustedDeckError(f"not running the deck's code: {verdict.reason}")


def trust(deck: Path, store: Store, *, now: datetime) -> Digest:
    """Trust the deck's code (snippets/ and practice/) as it is now; returns what was trusted."""
    if not (deck / "cards").is_dir():
        raise LossquizError(f"{deck} is not a deck (no cards/ folder)")
    digest = code_digest(deck)
    if not is_builtin(deck):
        store.trust_deck(str(deck.resolve()), digest.sha256, len(digest.files), now)
    return digest


def untrust(deck: Path, store: Store) -> None:
    """Forget trust in a deck; raise if it was not trusted."""
    if is_builtin(deck):
        raise LossquizError("the built-in deck is always trusted")
    if not store.untrust_deck(str(deck.resolve())):
        raise LossquizError(f"deck {deck} is not trusted (see `lossquiz trust --list`)")


def entries(store: Store) -> list[TrustEntry]:
    """Every trusted deck with whether its code is still as trusted."""
    out = []
    for t in store.trusted_decks():
        deck = Path(t.path)
        if not (deck / "cards").is_dir():
            status = "missing"
        else:
            try:
                status = "ok" if code_digest(deck).sha256 == t.snippets_hash else "changed"
            except LossquizError:
                status = "unreadable"
        out.append(TrustEntry(t.path, t.files, t.trusted_at, status))
    return out
