"""Trust for foreign decks: their code runs only with the user's say, through one gate.

What trust covers (DESIGN.md "Trust and isolation"): every `*.py` anywhere under the deck
folder (the deck root, helpers, `__pycache__/` included), every file under `snippets/` and
`practice/` (data files too), and each card YAML file that names a snippet. `lossquiz trust
DECK` records the deck's resolved path and a SHA-256 over those files (names relative to the
deck, and bytes) in the `trusted_decks` table of the progress database (its `snippets_hash`
column predates practice/ and now holds this digest).

The gate: `gate()` is the only way to obtain a `TrustedDeck`, and the snippet worker
(`lossquiz.worker.client.SnippetRunner`) runs nothing without one. `gate()` reads every
covered file once, hashes those bytes, compares the digest with the trust record and keeps
the bytes: the worker is sent exactly these bytes and compiles them; it never reads a deck
file itself, so a file swapped after the check, a re-pointed `LOSSQUIZ_DECK` or a
`__pycache__/*.pyc` can never run. The built-in deck is always trusted (its bytes still go
through the same path).

Reading is bounded: only regular files are read (a FIFO or a link to /dev/zero is refused,
not waited on), each file and the whole deck have a size cap, and symlinked folders are not
followed below the deck root.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from lossquiz import paths
from lossquiz.deck.files import read_regular
from lossquiz.errors import DeckFileError, LossquizError, UntrustedDeckError

if TYPE_CHECKING:
    from lossquiz.progress.store import Store


@dataclass(frozen=True, slots=True)
class Verdict:
    """May this deck's code run? If not, `reason` says why in one line."""

    trusted: bool
    reason: str


CODE_DIRS = ("snippets", "practice")  # the deck's folders of Python code, in hashing order
MAX_DECK_BYTES = 64 * 1024 * 1024  # all covered files together
MAX_FILES = 5000
_GATE = object()  # only gate() holds it: a TrustedDeck cannot be made anywhere else


@dataclass(frozen=True, slots=True)
class Digest:
    """The hash of the covered files and their names (relative to the deck, e.g. snippets/huber.py)."""

    sha256: str
    files: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Covered:
    """The covered files as read once: their digest and their bytes, by deck-relative name."""

    digest: Digest
    data: dict[str, bytes] = field(repr=False)


class TrustedDeck:
    """Proof that a deck passed the gate, with the exact bytes that were checked.

    `code` maps each runnable file (`snippets/*.py`, `practice/**.py`, deck-relative) to its
    bytes; the worker gets these and nothing else.
    """

    __slots__ = ("root", "sha256", "code")

    def __init__(self, root: Path, covered: Covered, key: object) -> None:
        if key is not _GATE:
            raise TypeError("a TrustedDeck comes only from lossquiz.deck.trust.gate()")
        self.root = root
        self.sha256 = covered.digest.sha256
        self.code = {
            name: data
            for name, data in covered.data.items()
            if name.endswith(".py") and name.split("/", 1)[0] in CODE_DIRS and "__pycache__" not in name.split("/")
        }

    def name_of(self, path: Path | str) -> str:
        """The deck-relative name of a file of this deck (lexically: links are not followed)."""
        rel = os.path.relpath(os.path.abspath(path), os.path.abspath(self.root))
        return Path(rel).as_posix()


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


def _covered_names(deck: Path) -> list[tuple[str, Path]]:
    """(deck-relative name, path) of every covered file, sorted by name."""
    found: dict[str, Path] = {}

    def walk(top: Path, *, everything: bool) -> None:
        for folder, dirs, files in os.walk(top):  # symlinked folders are listed, not followed
            dirs.sort()
            for name in files:
                path = Path(folder, name)
                rel = os.path.relpath(path, deck).replace(os.sep, "/")
                if everything or name.endswith(".py"):
                    found.setdefault(rel, path)
                if len(found) > MAX_FILES:
                    raise DeckFileError(f"deck {deck} has more than {MAX_FILES} code files")

    walk(deck, everything=False)  # every *.py anywhere, __pycache__ and the deck root included
    for top in CODE_DIRS:
        if (deck / top).is_dir():
            walk(deck / top, everything=True)  # helpers, data files (and the folder itself may be a link)
    cards_dir = deck / "cards"
    if cards_dir.is_dir():
        for path in sorted(cards_dir.rglob("*.y*ml")):
            found.setdefault(os.path.relpath(path, deck).replace(os.sep, "/"), path)  # filtered in read_covered
    return sorted(found.items())


def read_covered(deck: Path) -> Covered:
    """Read every covered file once; the digest and the bytes that were hashed."""
    h = hashlib.sha256()
    names: list[str] = []
    data: dict[str, bytes] = {}
    left = MAX_DECK_BYTES
    for rel, path in _covered_names(deck):
        if rel.startswith("cards/") and not rel.endswith(".py"):
            if path.is_symlink() or not path.is_file():
                continue
            body = read_regular(path, rel, deck, left)
            if b"snippet" not in body:  # a card file that names no snippet is not code
                continue
        else:
            body = read_regular(path, rel, deck, left)
        left -= len(body)
        h.update(rel.encode() + b"\0" + len(body).to_bytes(8, "big") + body)
        names.append(rel)
        data[rel] = body
    return Covered(Digest(h.hexdigest(), tuple(names)), data)


def code_digest(deck: Path) -> Digest:
    """SHA-256 over the deck-relative name and bytes of every covered file (see the module doc)."""
    return read_covered(deck).digest


def _runs_code(digest: Digest) -> bool:
    return any(f.endswith(".py") or not f.startswith("cards/") for f in digest.files)


def _verdict(deck: Path, digest: Digest, store: Store | None) -> Verdict:
    if is_builtin(deck):
        return Verdict(True, "the built-in deck")
    if not _runs_code(digest):
        return Verdict(True, "the deck has no snippets or practice tasks")
    where = str(deck.resolve())
    entry = next((t for t in store.trusted_decks() if t.path == where), None) if store else None
    tops = [f"{top}/" for top in CODE_DIRS if any(f.startswith(f"{top}/") for f in digest.files)]
    where_code = " and ".join(tops) or "its folder"
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


def _decide(deck: Path, data_dir: Path, store: Store | None) -> tuple[Covered, Verdict]:
    covered = read_covered(deck)
    if is_builtin(deck) or not _runs_code(covered.digest) or store is not None:
        return covered, _verdict(deck, covered.digest, store)
    from lossquiz.progress.store import DB_NAME, Store  # deferred: browsing needs no database

    if not (data_dir / DB_NAME).exists():
        return covered, _verdict(deck, covered.digest, None)  # no database yet: nothing trusted
    with Store.open(data_dir, readonly=True) as opened:
        return covered, _verdict(deck, covered.digest, opened)


def gate(deck: Path, data_dir: Path, *, store: Store | None = None) -> TrustedDeck:
    """The one gate before any of a deck's code runs: read once, hash, compare, keep the bytes.

    Raises UntrustedDeckError (one line) when the deck is not trusted or changed since, and
    DeckError when a covered file cannot be read safely.
    """
    covered, verdict = _decide(deck, data_dir, store)
    if not verdict.trusted:
        raise UntrustedDeckError(f"not running the deck's code: {verdict.reason}")
    return TrustedDeck(deck, covered, _GATE)


def reason_of(error: UntrustedDeckError) -> str:
    """The reason in an UntrustedDeckError from gate(), without its prefix."""
    return str(error).removeprefix("not running the deck's code: ")


def is_trusted(deck: Path, data_dir: Path) -> Verdict:
    """Whether the deck's code may run now, without keeping its bytes (for notes and listings)."""
    try:
        return _decide(deck, data_dir, None)[1]
    except LossquizError as e:
        return Verdict(False, str(e))


def require_trusted(deck: Path, data_dir: Path) -> None:
    """Raise UntrustedDeckError (one line) unless the deck's code may run."""
    gate(deck, data_dir)


def trust(deck: Path, store: Store, *, now: datetime) -> Digest:
    """Trust the deck's code as it is now; returns what was trusted (every covered file)."""
    if not (deck / "cards").is_dir():
        raise LossquizError(f"{deck}: " + ("not a deck (no cards/ folder)" if deck.is_dir() else "no such folder"))
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
