"""The history file format (JSON Lines): its header, and validation of every line.

Validation reads the whole file and collects every problem with its line number before
anything is written, so a broken file is fixed in one pass and never half-imported.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import sys
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
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
class Field:
    """One field of a history record: its JSON key, its database column, and its kind.

    The export's SELECT, the JSON it writes, the import's validation and its INSERT are all
    read off these tuples, so a column cannot be exported and then dropped on import.
    """

    key: str  # the JSON key, and the attribute of the record's dataclass
    column: str  # the column in the record's table
    kind: str  # int, bool, text, time, number, slug, mode, rating, count, fsrs
    optional: bool = True
    select: str = ""  # the SELECT expression, when it is not the bare column (a join)

    @property
    def expression(self) -> str:
        """What the export SELECTs for this field."""
        return self.select or self.column


HEADER_FIELDS = (
    Field("format", "", "text", optional=False),
    Field("version", "", "int", optional=False),
    Field("exported_at", "", "time"),
    Field("sessions", "", "count"),
    Field("cards", "", "count"),
    Field("reviews", "", "count"),
    # what the schedules in the file were computed with: import replays with these
    Field("parameters", "", "parameters"),  # fitted by `optimize` (null: the defaults)
    Field("fitted_at", "", "time"),
    Field("fitted_on_reviews", "", "count"),
    Field("retention", "", "retention"),  # the desired retention in use
    Field("retention_stored", "", "bool"),  # chosen with `optimize --apply-retention`
    Field("day_start_hour", "", "hour"),
    Field("deck", "", "text"),  # the deck it holds: "" the built-in one, else its folder (import goes there)
)
SESSION_FIELDS = (
    Field("id", "id", "int", optional=False),
    Field("started_at", "started_at", "time", optional=False),
    Field("ended_at", "ended_at", "time"),
    Field("cram", "cram", "bool"),
)
CARD_FIELDS = (
    Field("card", "slug", "slug", optional=False),
    Field("content_hash", "content_hash", "text"),
    Field("state", "state", "int"),
    Field("due", "due", "time"),
    Field("lapses", "lapses", "count"),
    Field("suspended", "suspended", "bool"),
    Field("fsrs", "fsrs_json", "fsrs"),
)
REVIEW_FIELDS = (
    Field("card", "card_id", "slug", optional=False, select="c.slug"),
    Field("reviewed_at", "reviewed_at", "time", optional=False, select="r.reviewed_at"),
    Field("rating", "rating", "rating", optional=False, select="r.rating"),
    Field("correct", "correct", "bool", select="r.correct"),
    Field("answer", "answer", "text", select="r.answer"),
    Field("expected", "expected", "number", select="r.expected"),
    Field("duration_ms", "duration_ms", "count", optional=False, select="r.duration_ms"),
    Field("cram", "cram", "bool", select="r.cram"),
    Field("undone", "undone", "bool", select="r.undone"),
    Field("mode", "mode", "mode", select="r.mode"),
    Field("session", "session_id", "int", select="r.session_id"),
    # the card's schedule just before this review (true retention counts review-state answers)
    Field("prev_state", "prev_state", "state", select="r.prev_state"),
    Field("prev_due", "prev_due", "time", select="r.prev_due"),
)
_BOOL_DEFAULTS = {"cram": False, "undone": False, "suspended": False, "retention_stored": False}
DEFAULT_MODE = "drill"


def to_json(field: Field, value: Any) -> Any:
    """A stored value as the file spells it."""
    if value is None:
        return None
    if field.kind == "bool":
        return bool(value)
    if field.kind == "fsrs":
        return json.loads(value) if isinstance(value, str) else value
    return value


def to_sql(field: Field, value: Any) -> Any:
    """A validated value as the database stores it."""
    if value is None:
        return None
    if field.kind == "bool":
        return int(value)
    if field.kind == "fsrs":
        return json.dumps(value)
    return value


def record(kind: str, fields: tuple[Field, ...], row: tuple[Any, ...]) -> dict[str, Any]:
    """One line's JSON object from a row SELECTed with these fields, in order."""
    return {"type": kind, **{f.key: to_json(f, v) for f, v in zip(fields, row, strict=True)}}


@dataclass(frozen=True, slots=True)
class Header:
    """The header line: what the file holds and the scheduler its states were computed with."""

    format: str
    version: int
    exported_at: str | None
    sessions: int | None
    cards: int | None
    reviews: int | None
    parameters: tuple[float, ...] | None
    fitted_at: str | None
    fitted_on_reviews: int | None
    retention: float | None
    retention_stored: bool
    day_start_hour: int | None
    deck: str | None = None  # None: a file from before the header named its deck


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

    card: str
    content_hash: str | None
    state: int | None
    due: str | None
    lapses: int | None
    suspended: bool
    fsrs: dict[str, Any] | None

    @property
    def slug(self) -> str:
        """The card id."""
        return self.card


@dataclass(frozen=True, slots=True)
class ReviewLine:
    """A review line, its time normalised so one instant has one spelling."""

    card: str
    reviewed_at: str  # normalised with clock.iso, so one instant has one spelling
    rating: int
    correct: bool | None
    answer: str | None
    expected: float | None
    duration_ms: int
    cram: bool
    undone: bool
    mode: str
    session: int | None
    prev_state: int | None
    prev_due: str | None
    line: int

    @property
    def slug(self) -> str:
        """The card id."""
        return self.card


@dataclass(frozen=True, slots=True)
class Parsed:
    """A validated history file."""

    sessions: tuple[SessionLine, ...]
    cards: tuple[CardLine, ...]
    reviews: tuple[ReviewLine, ...]
    header: Header | None = None


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

    def mode(self, name: str) -> Any:
        value = self.text(name, optional=True)
        if isinstance(value, str) and not _MODE.match(value):
            self.bad(f"'{name}' must be a review mode such as 'drill' or 'code', got {value!r}")
        return DEFAULT_MODE if value is None else value

    def fsrs(self, name: str) -> Any:
        value = self.data.get(name)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.bad(f"'{name}' must be an object (a py-fsrs card) or null")
            return None
        try:
            FsrsCard.from_dict(value)  # type: ignore[arg-type]
        except (KeyError, TypeError, ValueError) as e:
            self.bad(f"'{name}' is not a valid py-fsrs card ({type(e).__name__}: {e})")
            return None
        return value

    def parameters(self, name: str) -> Any:
        value = self.data.get(name)
        if value is None:
            return None
        if (
            not isinstance(value, list)
            or len(value) != 21
            or not all(isinstance(w, (int, float)) and not isinstance(w, bool) and math.isfinite(w) for w in value)
        ):
            self.bad(f"'{name}' must be a list of 21 finite FSRS-6 weights, or null")
            return None
        return tuple(float(w) for w in value)

    def field(self, field: Field) -> Any:
        """Read and check one field by its kind; a missing optional bool is False."""
        name, optional = field.key, field.optional
        if field.kind == "time":
            return self.time(name, optional=optional)
        if field.kind in ("int", "count", "rating", "hour", "state"):
            bounds = {"count": (0, None), "rating": (1, 4), "hour": (0, 23), "state": (0, 3)}
            low, high = bounds.get(field.kind, (None, None))
            return self.integer(name, low=low, high=high, optional=optional)
        if field.kind == "bool":
            value = self.boolean(name, optional=optional)
            return _BOOL_DEFAULTS.get(name, None) if value is None else value
        if field.kind == "text":
            return self.text(name, optional=optional)
        if field.kind == "number":
            return self.number(name)
        if field.kind == "retention":
            value = self.number(name)
            if value is not None and not 0 < value < 1:
                self.bad(f"'{name}' must be between 0 and 1, got {value}")
            return value
        if field.kind == "slug":
            return self.slug(name)
        if field.kind == "mode":
            return self.mode(name)
        if field.kind == "fsrs":
            return self.fsrs(name)
        if field.kind == "parameters":
            return self.parameters(name)
        raise AssertionError(field.kind)

    def fields(self, fields: tuple[Field, ...]) -> dict[str, Any]:
        """Every field of a record, by key."""
        return {f.key: self.field(f) for f in fields}


MAX_INT = 2**62  # below SQLite's 2**63, and any float conversion stays exact enough


def _short(value: Any) -> str:
    """repr of a bad value, cut to one readable length (a 5,000-digit integer is not echoed)."""
    try:
        text = repr(value)
    except ValueError:  # an int too long to print
        return "a huge integer"
    return text if len(text) <= 60 else text[:57] + "..."


_MODE = re.compile(r"^[a-z][a-z-]{0,31}$")
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
    header: Header | None = None
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
            head = _Line(number, data, problems)
            values = head.fields(HEADER_FIELDS)
            if head.ok:
                header = Header(**values)
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
    return Parsed(tuple(sessions.values()), tuple(cards.values()), tuple(reviews), header)


def _parse_session(line: _Line, sessions: dict[int, SessionLine]) -> None:
    values = line.fields(SESSION_FIELDS)
    if line.ok and values["id"] in sessions:
        line.bad(f"session {values['id']} appears twice")
    if line.ok:
        sessions[values["id"]] = SessionLine(**values)


def _parse_card(line: _Line, cards: dict[str, CardLine]) -> None:
    values = line.fields(CARD_FIELDS)
    if line.ok and values["card"] in cards:
        line.bad(f"card '{values['card']}' appears twice")
    if line.ok:
        cards[values["card"]] = CardLine(**values)


def _parse_review(line: _Line) -> ReviewLine | None:
    values = line.fields(REVIEW_FIELDS)
    if not line.ok:
        return None
    return ReviewLine(**values, line=line.lineno)


@dataclass(frozen=True)
class Source:
    """A history file opened once: the deck its header names, read from the first line, and every
    line (that one included) for `read`. Stdin can be read only once, so both come from one read."""

    where: str
    deck: str | None  # "" the built-in deck; None for a file from before headers named it, or no header
    lines: Iterable[str]


@contextmanager
def opened(path: Path) -> Iterator[Source]:
    """Open a history file ('-' is stdin) and read its first line."""
    where = "stdin" if str(path) == "-" else str(path)
    with _reading(where):
        f = sys.stdin if str(path) == "-" else path.open(encoding="utf-8")
    try:
        with _reading(where):
            first = f.readline()
        yield Source(where, _header_deck(first), itertools.chain([first], f))
    finally:
        if f is not sys.stdin:
            f.close()


def read(source: Source, *, known: Collection[str] = ()) -> Parsed:
    """Validate an opened history file (see parse)."""
    with _reading(source.where):
        return parse(source.lines, source.where, known=known)


def _header_deck(first: str) -> str | None:
    try:
        header = json.loads(first)
    except ValueError:
        return None  # not JSON: `read` says so, with the line number
    deck = header.get("deck") if isinstance(header, dict) and header.get("type") == "header" else None
    return deck if isinstance(deck, str) else None


@contextmanager
def _reading(where: str) -> Iterator[None]:
    """A file that cannot be read, or is not text, as one HistoryError (not a traceback)."""
    try:
        yield
    except OSError as e:
        raise HistoryError(where, [f"cannot read: {e.strerror or e}"]) from None
    except UnicodeDecodeError:
        raise HistoryError(where, ["not UTF-8 text (not a lossquiz history file)"]) from None
