"""The history file format (JSON Lines): its header, and validation of every line.

Validation reads the whole file and collects every problem with its line number before
anything is written, so a broken file is fixed in one pass and never half-imported.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from fsrs import Card as FsrsCard

from lossquiz.clock import iso
from lossquiz.errors import HistoryError

FORMAT = "lossquiz-history"
FORMAT_VERSION = 1
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True, slots=True)
class SessionLine:
    """A session line."""

    id: int
    started_at: str
    ended_at: str | None
    cram: bool


@dataclass(frozen=True, slots=True)
class CardLine:
    """A card line: its id and, if it has one, its FSRS state."""

    slug: str
    content_hash: str
    fsrs: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class ReviewLine:
    """A review line, its time normalised so one instant has one spelling."""

    slug: str
    reviewed_at: str  # normalised with clock.iso, so one instant has one spelling
    rating: int
    correct: bool | None
    answer: str | None
    expected: float | None
    duration_ms: int
    cram: bool
    undone: bool
    session: int | None
    line: int


@dataclass(frozen=True, slots=True)
class Parsed:
    """A validated history file."""

    sessions: tuple[SessionLine, ...]
    cards: tuple[CardLine, ...]
    reviews: tuple[ReviewLine, ...]


class _Line:
    """Field checks for one line; each failure becomes one problem naming the line."""

    def __init__(self, number: int, data: dict[str, Any], problems: list[tuple[int, str]]) -> None:
        self.lineno, self.data, self.problems = number, data, problems
        self.ok = True

    def bad(self, message: str) -> None:
        self.problems.append((self.lineno, message))
        self.ok = False

    def _get(self, name: str, *, optional: bool) -> Any:
        if name not in self.data:
            if not optional:
                self.bad(f"missing '{name}'")
            return None
        return self.data[name]

    def time(self, name: str, *, optional: bool = False) -> str | None:
        value = self._get(name, optional=optional)
        if value is None:
            return None
        if isinstance(value, str) and _CANONICAL_TIME.fullmatch(value) and "1970" <= value[:4] <= "9998":
            try:
                datetime.fromisoformat(value)
                return value
            except ValueError:
                pass
        moment = _parse_time(value)
        if moment is None:
            self.bad(f"'{name}' must be an ISO-8601 time with a UTC offset in 1970-9998, got {_short(value)}")
            return None
        return iso(moment)

    def integer(self, name: str, *, low: int | None = None, high: int | None = None, optional: bool = False) -> Any:
        value = self._get(name, optional=optional)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.bad(f"'{name}' must be an integer, got {_short(value)}")
        elif not -MAX_INT <= value <= MAX_INT:  # SQLite stores 64-bit integers
            self.bad(f"'{name}' is out of range ({len(str(abs(value)))} digits)")
        elif (low is not None and value < low) or (high is not None and value > high):
            span = f"{low} to {high}" if high is not None else f"at least {low}"
            self.bad(f"'{name}' must be {span}, got {value}")
        return value

    def boolean(self, name: str, *, optional: bool = False) -> Any:
        value = self._get(name, optional=optional)
        if value is not None and not isinstance(value, bool):
            self.bad(f"'{name}' must be true or false, got {value!r}")
        return value

    def text(self, name: str, *, optional: bool = False) -> Any:
        value = self._get(name, optional=optional)
        if value is not None and not isinstance(value, str):
            self.bad(f"'{name}' must be text, got {value!r}")
        return value

    def number(self, name: str) -> Any:
        value = self._get(name, optional=True)
        if value is not None and (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or (isinstance(value, int) and not -MAX_INT <= value <= MAX_INT)
            or not math.isfinite(value)
        ):
            self.bad(f"'{name}' must be a finite number, got {_short(value)}")
            return None
        return None if value is None else float(value)

    def slug(self, name: str) -> Any:
        value = self.text(name)
        if isinstance(value, str) and not _SLUG.match(value):
            self.bad(f"'{name}' must be a card id (lowercase slug), got {value!r}")
        return value


MAX_INT = 2**62  # below SQLite's 2**63, and any float conversion stays exact enough


def _short(value: Any) -> str:
    """repr of a bad value, cut to one readable length (a 5,000-digit integer is not echoed)."""
    try:
        text = repr(value)
    except ValueError:  # an int too long to print
        return "a huge integer"
    return text if len(text) <= 60 else text[:57] + "..."


_CANONICAL_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00")


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    text = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    try:
        utc = moment.astimezone(timezone.utc)
    except OverflowError:  # year 1 with a positive offset, year 9999 with a negative one
        return None
    if not 1970 <= utc.year <= 9998:  # reviews happen in this era; the edges do not round-trip
        return None
    return utc


def _check_header(first: Any) -> str | None:
    """Why line 1 is not a usable header, or None."""
    if not isinstance(first, dict) or first.get("type") != "header" or first.get("format") != FORMAT:
        return f"not a lossquiz history file (line 1 is not a '{FORMAT}' header)"
    version = first.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        return "line 1: 'version' must be a positive integer"
    if version > FORMAT_VERSION:
        return (
            f"line 1: format version {version} is newer than this lossquiz reads ({FORMAT_VERSION}); upgrade lossquiz"
        )
    return None


def parse(lines: Iterable[str], where: str, *, known: Collection[str] = ()) -> Parsed:
    """Validate a whole history file; raise HistoryError naming every bad line.

    `known` are card ids already stored: a review may refer to them without a card line.
    """
    problems: list[tuple[int, str]] = []
    sessions: dict[int, SessionLine] = {}
    cards: dict[str, CardLine] = {}
    reviews: list[ReviewLine] = []
    refs: list[tuple[int, Any, Any]] = []  # (line, card, session) of every review line
    header_seen = False
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
        except RecursionError:
            if not header_seen:
                raise HistoryError(where, [f"not a lossquiz history file (line {number} is not JSON)"]) from None
            problems.append((number, "not valid JSON (nested too deeply)"))
            continue
        except ValueError as e:
            if not header_seen:
                raise HistoryError(where, [f"not a lossquiz history file (line {number} is not JSON)"]) from None
            problems.append((number, f"not valid JSON ({e})"))
            continue
        if not header_seen:
            header_seen = True
            why = _check_header(data)
            if why:
                raise HistoryError(where, [why])
            continue
        if not isinstance(data, dict):
            problems.append((number, "expected a JSON object"))
            continue
        kind = data.get("type")
        line = _Line(number, data, problems)
        if kind == "session":
            _parse_session(line, sessions)
        elif kind == "card":
            _parse_card(line, cards)
        elif kind == "review":
            review = _parse_review(line)
            if review is not None:
                reviews.append(review)
            refs.append((number, data.get("card"), data.get("session")))
        elif kind == "header":
            line.bad("a second header")
        else:
            line.bad(f"unknown type {kind!r} (expected session, card or review)")
    if not header_seen:
        raise HistoryError(where, ["the file is empty (not a lossquiz history file)"])
    for number, slug, session in refs:  # references may point forward: checked once all is read
        if isinstance(session, int) and not isinstance(session, bool) and session not in sessions:
            problems.append((number, f"review refers to session {session}, which has no session line"))
        if isinstance(slug, str) and _SLUG.match(slug) and slug not in cards and slug not in known:
            problems.append((number, f"review of card '{slug}', which has no card line and is not stored"))
    if problems:
        raise HistoryError(where, [f"line {n}: {message}" for n, message in sorted(problems, key=lambda p: p[0])])
    return Parsed(tuple(sessions.values()), tuple(cards.values()), tuple(reviews))


def _parse_session(line: _Line, sessions: dict[int, SessionLine]) -> None:
    sid = line.integer("id")
    started = line.time("started_at")
    ended = line.time("ended_at", optional=True)
    cram = line.boolean("cram", optional=True)
    if line.ok and sid in sessions:
        line.bad(f"session {sid} appears twice")
    if line.ok:
        sessions[sid] = SessionLine(sid, str(started), ended, bool(cram))


def _parse_card(line: _Line, cards: dict[str, CardLine]) -> None:
    slug = line.slug("card")
    content_hash = line.text("content_hash", optional=True)
    fsrs = line.data.get("fsrs")
    if fsrs is not None:
        if not isinstance(fsrs, dict):
            line.bad("'fsrs' must be an object (a py-fsrs card) or null")
        else:
            try:
                FsrsCard.from_dict(fsrs)  # type: ignore[arg-type]
            except (KeyError, TypeError, ValueError) as e:
                line.bad(f"'fsrs' is not a valid py-fsrs card ({type(e).__name__}: {e})")
    if line.ok and slug in cards:
        line.bad(f"card '{slug}' appears twice")
    if line.ok:
        cards[slug] = CardLine(slug, content_hash or "", fsrs)


def _parse_review(line: _Line) -> ReviewLine | None:
    slug = line.slug("card")
    at = line.time("reviewed_at")
    rating = line.integer("rating", low=1, high=4)
    correct = line.boolean("correct", optional=True)
    answer = line.text("answer", optional=True)
    expected = line.number("expected")
    ms = line.integer("duration_ms", low=0)
    cram = line.boolean("cram", optional=True)
    undone = line.boolean("undone", optional=True)
    session = line.integer("session", optional=True)
    if not line.ok:
        return None
    return ReviewLine(
        slug, str(at), rating, correct, answer, expected, ms, bool(cram), bool(undone), session, line.lineno
    )


def read_file(path: Path, *, known: Collection[str] = ()) -> Parsed:
    """Read and validate a history file ('-' is stdin)."""
    where = "stdin" if str(path) == "-" else str(path)
    try:
        if str(path) == "-":
            return parse(sys.stdin, where, known=known)
        with path.open(encoding="utf-8") as f:
            return parse(f, where, known=known)
    except OSError as e:
        raise HistoryError(where, [f"cannot read: {e.strerror or e}"]) from None
    except UnicodeDecodeError:
        raise HistoryError(where, ["not UTF-8 text (not a lossquiz history file)"]) from None
