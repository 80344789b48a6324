"""Anki packages both ways, with Anki's own library (`pip install 'lossquiz[anki]'`).

- `read_package`: an `.apkg` / `.colpkg` (any Anki version's schema: the library imports it into
  a scratch collection) -> notes as lossquiz cards: Basic (one card), Basic-and-reversed (two),
  Cloze (one per deletion); fields become Markdown, MathJax `\\(…\\)` / `\\[…\\]` become `$…$` /
  `$$…$$`; and the review log, by card.
- `write_package`: a deck -> an `.apkg` Anki imports (written with genanki): one note per card,
  GUID from the deck's Anki name and the card id (export.note_guid), tags per topic,
  math as MathJax; with history, the review log and each card's current schedule.

Reading uses Anki's library because it reads every schema Anki has used (old `.anki2`, zstd
`.anki21b`, `.colpkg`); writing uses genanki because its note types keep fixed ids (see
`write_package`). The only statements on Anki's tables here are the review log and schedule
genanki cannot express.
"""

from __future__ import annotations

import html
import json
import re
import tempfile
import zipfile
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from lossquiz.clock import DEFAULT_DAY_START_HOUR, day_of
from lossquiz.deck import export as ex
from lossquiz.deck.answers import key_points, recall_kind, title_of
from lossquiz.deck.cards import Deck
from lossquiz.deck.formats import GAP, TooManyDeletions, cloze_cards
from lossquiz.deck.kinds import KINDS
from lossquiz.deck.notes import NoteCard, Notes, both_ways, topic_for
from lossquiz.errors import LossquizError, NotesError

SUFFIXES = (".apkg", ".colpkg")
_NEEDS = "Anki packages need Anki's library: pip install 'lossquiz[anki]' (or: pip install anki)"
_MODEL_CLOZE = 1


@dataclass(frozen=True, slots=True)
class PackageReview:
    """One answer from Anki's review log, for the card at `card_index` in the imported notes."""

    card_index: int
    reviewed_at: datetime
    rating: int  # 1-4
    duration_ms: int
    slug: str = ""  # the lossquiz id, once the import has given ids
    cram: bool = False  # a cram answer (Anki: filtered, rescheduling off): kept, but it moves no schedule


@dataclass(frozen=True, slots=True)
class Package:
    notes: Notes
    reviews: tuple[PackageReview, ...]
    ids: dict[int, str] = field(default_factory=dict)  # card index -> the id its `lossquiz::` GUID names


@dataclass(frozen=True, slots=True)
class PastReview:
    """One kept answer of a card, with the schedule the card had when it was answered."""

    at: datetime
    rating: int  # 1-4
    ms: int
    state: int | None = None  # py-fsrs State before the answer: None new, 1 learning, 2 review, 3 relearning
    due: datetime | None = None  # when the card was due before the answer (None: new)
    cram: bool = False  # answered with `drill --cram`: recorded, but it moved no schedule


@dataclass(frozen=True, slots=True)
class HistoryCard:
    """What `write_package --with-history` needs of one card's progress (plain data, no SQL here)."""

    reviews: tuple[PastReview, ...]  # oldest first, cram answers included
    due: datetime | None
    stability: float | None
    difficulty: float | None
    state: int | None = None  # py-fsrs State: 1 learning, 2 review, 3 relearning (None: review)
    step: int | None = None  # py-fsrs learning/relearning step the card is on


def is_package(path: Path) -> bool:
    """An Anki package by name, or a zip holding an Anki collection."""
    if path.suffix.lower() in SUFFIXES:
        return True
    try:
        with zipfile.ZipFile(path) as z:
            return any(n.startswith("collection.anki") for n in z.namelist())
    except (OSError, zipfile.BadZipFile):
        return False


def _collection(folder: Path) -> Any:
    try:
        from anki.collection import Collection
    except ImportError:
        raise LossquizError(_NEEDS) from None
    return Collection(str(folder / "collection.anki2"))


# -- reading ------------------------------------------------------------------------------

_MATH_INLINE = re.compile(r"\\\((.+?)\\\)", re.S)
_MATH_DISPLAY = re.compile(r"\\\[(.+?)\\\]", re.S)
_ANKI_CLOZE = re.compile(r"\{\{c(\d+)::(.*?)(?:::([^{}]*?))?\}\}", re.S)
# A note lossquiz wrote: GUID `lossquiz::<id>` (built-in deck) or `lossquiz::<deck>::<id>`
# (export.anki_note); the id is a card id as the deck loader takes it (cards._SLUG).
_LOSSQUIZ_GUID = re.compile(r"lossquiz(?:::[^:]+)?::([a-z0-9][a-z0-9-]*)")


def to_markdown(field: str) -> str:
    """An Anki field (HTML, MathJax) as Markdown with `$…$` math."""
    from markdownify import markdownify  # deferred: only package import needs it

    held: list[str] = []

    def hold(text: str) -> str:
        held.append(text)
        return f"LQMATH{len(held) - 1}X"

    text = _MATH_DISPLAY.sub(lambda m: hold("$$" + html.unescape(m.group(1)).strip() + "$$"), field)
    text = _MATH_INLINE.sub(lambda m: hold("$" + html.unescape(m.group(1)).strip() + "$"), text)
    md = markdownify(text, heading_style="ATX", bullets="-", escape_underscores=False, escape_asterisks=False)
    md = re.sub(r"\n{3,}", "\n\n", re.sub(r"[ \t]+\n", "\n", md)).strip()
    return re.sub(r"LQMATH(\d+)X", lambda m: held[int(m.group(1))], md)


def read_package(path: Path) -> Package:
    """The notes and review log of an Anki package; raise NotesError if it cannot be read."""
    if not path.is_file():
        raise NotesError([f"{path}: no such file"])
    with tempfile.TemporaryDirectory(prefix="lossquiz-anki-") as tmp:
        col = _collection(Path(tmp))
        try:
            from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

            try:
                col.import_anki_package(
                    ImportAnkiPackageRequest(
                        package_path=str(path.resolve()),
                        options=ImportAnkiPackageOptions(with_scheduling=True, with_deck_configs=False),
                    )
                )
            except Exception as e:  # the library raises its own error types for a bad package
                raise NotesError([f"{path.name}: not an Anki package Anki can read: {e}"]) from None
            return _package(col, path.name, v1=_scheduler_version(path, Path(tmp)) == 1)
        finally:
            col.close()


def _scheduler_version(path: Path, tmp: Path) -> int:
    """The scheduler the package's collection was written for (col conf `schedVer`; absent: 1).

    A `.anki21b` collection is written by Anki 2.1.50 or later into a fresh collection, which is
    v2 or later (rslib apkg/export.rs new_minimal, config/schema11.rs); an older package's plain
    `.anki21` / `.anki2` collection says it in its conf, read here with Anki's library.
    """
    from anki.collection import Collection

    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        inner = next((n for n in ("collection.anki21", "collection.anki2") if n in names), None)
        if "collection.anki21b" in names or inner is None:
            return 2
        copy = tmp / "package" / "collection.anki2"
        copy.parent.mkdir()
        copy.write_bytes(z.read(inner))
    col = Collection(str(copy))
    try:
        return int(col.get_config("schedVer", 1))
    finally:
        col.close()


def _package(col: Any, name: str, *, v1: bool = False) -> Package:
    cards: list[NoteCard] = []
    where: dict[int, int] = {}  # Anki card id -> index in cards
    ids: dict[int, str] = {}  # index in cards -> the card id a lossquiz GUID names (its note's first card)
    unreadable: list[tuple[int, str]] = []
    for number, nid in enumerate(sorted(col.find_notes("")), start=1):
        note = col.get_note(nid)
        model = note.note_type()
        deck = col.decks.name(note.cards()[0].did) if note.cards() else ""
        context = [part for part in deck.split("::") if part][-1:] + [t.replace("_", " ") for t in note.tags]
        by_ord = {c.ord: c.id for c in note.cards()}
        named = _LOSSQUIZ_GUID.fullmatch(note.guid)
        raw, own = _own_note(list(note.fields)) if named else (list(note.fields), None)
        fields = [to_markdown(f) for f in raw]
        if named:
            ids[len(cards)] = named.group(1)  # the note's first card (dropped below if it has none)
        if model["type"] == _MODEL_CLOZE:
            made = _cloze_note(note.fields[0], fields[1:], context, number)
            if made and own is not None:  # the card the GUID names: as lossquiz wrote it
                ord_, first = made[0]
                made[0] = (ord_, _owned(first, own))
            if not made:
                ids.pop(len(cards), None)
                unreadable.append((number, f"cloze note {note.guid}: no {{{{c1::…}}}} deletion, or too many"))
            for ord_, card in made:
                if ord_ in by_ord:
                    where[by_ord[ord_]] = len(cards)
                cards.append(card)
            continue
        if len(fields) < 2 or not fields[0].strip() or not fields[1].strip():
            unreadable.append((number, f"note {note.guid} ({model['name']}) has an empty front or back"))
            ids.pop(len(cards), None)
            continue
        front, back = fields[0], fields[1]
        sides: list[NoteCard] = []
        for ord_ in sorted(by_ord):
            q, a = (front, back) if ord_ == 0 else (back, front)
            where[by_ord[ord_]] = len(cards) + len(sides)
            sides.append(_basic(q, a, context, number, own=own if ord_ == 0 else None))
        cards += both_ways(*sides) if len(sides) == 2 else sides
    # Anki's importer upgrades a v1 package's review log to v2's buttons only when a card in it
    # is scheduled (apkg/import/mod.rs maybe_upgrade_scheduler); else its learning eases are v1's.
    as_v1 = v1 and col.db.scalar("select count() from cards where queue != 0") == 0
    reviews = []
    query = "select id, cid, ease, time, type, factor from revlog order by id"
    for rid, cid, ease, ms, kind, factor in col.db.all(query):
        if cid not in where or not 1 <= ease <= 4 or kind not in (0, 1, 2, 3):  # 4, 5: rescheduled by hand
            continue
        if as_v1 and kind in (0, 2) and ease in (2, 3):  # v1 learning: 2 Good, 3 Easy (v2_upgrade.sql)
            ease += 1
        when = datetime.fromtimestamp(rid / 1000, UTC)
        cram = kind == 3 and factor == 0  # revlog/mod.rs is_cramming: moves no schedule
        reviews.append(PackageReview(where[cid], when, int(ease), max(0, int(ms)), cram=cram))
    notes = Notes(name, tuple(cards), (), (), "apkg", tuple(unreadable), ())
    return Package(notes, tuple(reviews), ids)


# What `export.anki_note` adds to a card's fields, read back from a note lossquiz wrote (its GUID
# says so): the key points are the card's own, the rest is not part of its question or answer.
_OWN_POINTS = re.compile(r"<hr><b>Key points</b><ul>(.*?)</ul>", re.S)
_OWN_FOOTER = re.compile(
    r'<div(?: data-lossquiz-kind="([a-z]+)" data-lossquiz-title="([^"]*)"'  # older packages: a bare <div>,
    r'(?: data-lossquiz-family="([^"]*)")?)?>'  # or kind and title only
    r"<small>([^<]*?) ?· lossquiz card [^<]*</small></div>"  # the card's source, then its id
)
_OWN_NOTICE = re.compile(r"<br><i>\(lossquiz draws fresh numbers for this card; here, recall the method\)</i>")


@dataclass(frozen=True, slots=True)
class _Own:
    """What a note lossquiz wrote says of its card beyond front and back."""

    points: list[str]
    kind: str | None = None  # the card's kind, when the package says it (older ones do not)
    title: str | None = None
    family: str = ""  # "" when the package does not say it
    source: str = ""


def _own_note(fields: list[str]) -> tuple[list[str], _Own | None]:
    """A lossquiz-written note's fields without what the export added, and what that said."""
    if len(fields) < 2:
        return fields, None
    footer = _OWN_FOOTER.search(fields[1])
    front, back = _OWN_NOTICE.sub("", fields[0]), _OWN_FOOTER.sub("", fields[1])
    found = _OWN_POINTS.search(back)
    points = [html.unescape(p) for p in re.findall(r"<li>(.*?)</li>", found.group(1), re.S)] if found else []
    kind, title = (footer.group(1), html.unescape(footer.group(2))) if footer and footer.group(1) else (None, None)
    family, source = (
        (html.unescape(footer.group(3) or ""), html.unescape(footer.group(4)).strip()) if footer else ("", "")
    )
    return [front, _OWN_POINTS.sub("", back), *fields[2:]], _Own(points, kind, title or None, family, source)


def _basic(question: str, answer: str, context: list[str], number: int, *, own: _Own | None = None) -> NoteCard:
    """A Basic note's card; `own` is what a note lossquiz wrote says of it (key points, kind, title)."""
    from lossquiz.deck.answers import extract_formula

    formula, answer = extract_formula(answer)
    short = "\n" not in answer and len(answer) <= 120
    if own is None:
        points = key_points(answer, formula=formula)
        kind = recall_kind("quickfire" if short else "concept", points)
    else:  # lossquiz's own card: its kind when a recall kind (a numeric or formula card has no
        # snippet here, so it is recalled as a concept), else concept when it has the key points
        points = own.points
        kind = own.kind if own.kind == "quickfire" else recall_kind("concept", points)
    return NoteCard(
        question=question,
        answer=answer,
        kind=kind,
        topic=topic_for(context, question),
        section=context[0] if context else "",
        heading="",
        line=number,
        title=own.title if own is not None and own.title else title_of(question),
        key_points=tuple(points),
        formula=formula,
        family=own.family if own is not None else "",
        source=own.source if own is not None else "",
        was=own.kind if own is not None and own.kind in KINDS and KINDS[own.kind].needs_snippet else "",
    )


def _owned(card: NoteCard, own: _Own) -> NoteCard:
    """A cloze card with the title, family and source its note's footer gives."""
    return replace(card, title=own.title or card.title, family=own.family or card.family, source=own.source)


def _cloze_note(raw: str, extra: list[str], context: list[str], number: int) -> list[tuple[int, NoteCard]]:
    """(card ord, card) for each `cN` group of a cloze note's text."""
    text = to_markdown(_ANKI_CLOZE.sub(lambda m: f"LQC{m.group(1)}S{m.group(2)}LQH{m.group(3) or ''}LQE", raw))
    spans = list(re.finditer(r"LQC(\d+)S(.*?)LQH(.*?)LQE", text, re.S))
    dels = [(m.start(), m.end(), m.group(1), m.group(2).strip(), m.group(3).strip()) for m in spans]
    if not dels:
        return []
    try:
        made = cloze_cards(text, dels, context=context, line=number)
    except TooManyDeletions:
        return []
    groups = list(dict.fromkeys(d[2] for d in dels))
    return [(int(g) - 1, c) for g, c in zip(groups, made, strict=True)]


# -- writing ------------------------------------------------------------------------------


_BASIC_ID, _CLOZE_ID = 1_607_392_319, 1_607_392_320  # fixed note-type ids: a re-import updates, never adds
_CSS = ".card { font-family: sans-serif; font-size: 20px; text-align: left; }"
_CRT = 1_411_124_400  # genanki's collection creation time: a review card's `due` counts days from it


def _models() -> tuple[Any, Any]:
    import genanki

    basic = genanki.Model(
        _BASIC_ID,
        "lossquiz Basic",
        fields=[{"name": "Front"}, {"name": "Back"}],
        templates=[{"name": "Card 1", "qfmt": "{{Front}}", "afmt": "{{FrontSide}}<hr id=answer>{{Back}}"}],
        css=_CSS,
    )
    cloze = genanki.Model(
        _CLOZE_ID,
        "lossquiz Cloze",
        fields=[{"name": "Text"}, {"name": "Back Extra"}],
        templates=[{"name": "Cloze", "qfmt": "{{cloze:Text}}", "afmt": "{{cloze:Text}}<br>{{Back Extra}}"}],
        css=_CSS,
        model_type=genanki.Model.CLOZE,
    )
    return basic, cloze


def write_package(
    deck: Deck,
    path: Path,
    *,
    name: str,
    history: dict[str, HistoryCard] | None = None,
    now: datetime | None = None,
    day_start_hour: int = DEFAULT_DAY_START_HOUR,
) -> Written:
    """Write the deck as an `.apkg` (with genanki); the notes and review-log rows it holds.

    genanki rather than Anki's library here: its note types keep fixed ids, so importing a new
    export updates the notes Anki has (Anki's library gives every collection's note types fresh
    ids, and a re-import then conflicts). The review log and schedule, which genanki does not
    model, are written by `_Package` into the same collection file.
    """
    try:
        import genanki
    except ImportError:
        raise LossquizError("export --format apkg needs genanki: pip install genanki") from None
    basic, cloze = _models()
    anki_deck = genanki.Deck(_deck_id(name), name)
    space = ex.guid_space(deck, name=name)
    for card in deck.cards:
        _, front, back, _ = ex.anki_note(card, name=name, space=space)
        guid = f"{space}::{card.id}"
        if card.kind == "cloze" and GAP in card.question and card.key_points:
            text = card.question.replace(GAP, "{{c1::" + card.key_points[0] + "}}", 1)
            note = genanki.Note(model=cloze, fields=[ex.markdown_html(text), back], guid=guid, tags=[card.topic])
        else:
            note = genanki.Note(model=basic, fields=[front, back], guid=guid, tags=[card.topic])
        anki_deck.add_note(note)
    out = path.resolve()
    days = _Days(day_start_hour)
    written: list[int] = []  # review-log rows, per card, as written (a review of a card gone is not)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        package = _writer(genanki, anki_deck, space, history or {}, now or datetime.now(UTC), days, written)
        package.write_to_file(str(out))
    except OSError as e:
        raise LossquizError(f"cannot write {path}: {e.strerror or e}") from None
    return Written(notes=len(anki_deck.notes), reviews=sum(written))


@dataclass(frozen=True, slots=True)
class Written:
    """What an `.apkg` written by `write_package` holds."""

    notes: int
    reviews: int  # review-log rows: the history's reviews of cards the deck still has


def _deck_id(name: str) -> int:
    """A stable deck id from the deck's name (Anki files notes under the same deck on re-import)."""
    import hashlib

    return 1_000_000_000 + int(hashlib.sha256(name.encode()).hexdigest()[:12], 16) % 1_000_000_000


@dataclass(frozen=True, slots=True)
class _Days:
    """Anki's day numbers in the written collection, which counts days as lossquiz does.

    The collection says it runs the v2/v3 scheduler with a `rollover` hour and a `creationOffset`
    (rslib/src/config/mod.rs ConfigKey), so Anki counts a day as the local calendar day from
    crt's date, starting at the rollover hour (scheduler/timing.rs sched_timing_today_v2_new),
    which is lossquiz's `day_of`. A review card's `due` is that day number; the importer moves it
    by the days between the package's today and the collection's (apkg/import/cards.rs).
    """

    hour: int

    def number(self, moment: datetime) -> int:
        """The Anki day number of `moment` (days since the collection was created)."""
        created = datetime.fromtimestamp(_CRT).astimezone().date()  # crt's local calendar date, as Anki reads it
        return (day_of(moment, hour=self.hour) - created).days

    def between(self, start: datetime, end: datetime) -> int:
        """Whole study days from `start` to `end` (at least 1: Anki's shortest review interval)."""
        return max(1, (day_of(end, hour=self.hour) - day_of(start, hour=self.hour)).days)

    def conf(self) -> dict[str, Any]:
        """The col conf keys that make Anki read the package as the v3 scheduler's."""
        offset = datetime.fromtimestamp(_CRT).astimezone().utcoffset() or timedelta()
        return {
            "schedVer": 2,  # absent means v1 (config/mod.rs scheduler_version), whose eases differ
            "sched2021": True,  # v3 (config/mod.rs v3_enabled)
            "rollover": self.hour,
            "creationOffset": -int(offset.total_seconds() // 60),  # minutes west of UTC
        }


def _writer(
    genanki: Any,
    anki_deck: Any,
    space: str,
    history: dict[str, HistoryCard],
    now: datetime,
    days: _Days,
    written: list[int],
) -> Any:
    class _Package(genanki.Package):  # type: ignore[misc,name-defined]
        """genanki's package plus the v3 scheduler's conf and, per card, its review log and schedule."""

        def write_to_db(self, cursor: Any, timestamp: float, id_gen: Any) -> None:
            super().write_to_db(cursor, timestamp, id_gen)
            (conf,) = cursor.execute("SELECT conf FROM col").fetchone()
            cursor.execute("UPDATE col SET conf = ?", (json.dumps({**json.loads(conf), **days.conf()}),))
            for slug, past in history.items():
                if past.reviews:
                    written.append(_schedule(cursor, f"{space}::{slug}", past, now, days))

    return _Package(anki_deck)


# Anki's review log (rslib/src/revlog/mod.rs RevlogEntry, RevlogReviewKind):
# - `type` is the kind of state the card was in when answered: 0 learning (a new card's first
#   answer too), 1 review, 2 relearning, 3 filtered; 4 and 5 are manual reschedules, not answers.
# - `ease` is the button. In the v2/v3 scheduler 1 Again, 2 Hard, 3 Good, 4 Easy everywhere; in v1
#   a learning answer had three buttons (1 Again, 2 Good, 3 Easy), and Anki's upgrade, which its
#   importer runs on a v1 package with scheduled cards (apkg/import/mod.rs maybe_upgrade_scheduler),
#   adds 1 to ease 2 and 3 on type 0 and 2 (storage/revlog/v2_upgrade.sql).
# - `ivl` / `lastIvl`: the interval after / before the answer, days if positive, seconds if
#   negative (a learning step) (scheduler/answering/revlog.rs: next and current state's interval).
# - `factor` 0 on a type 3 entry is a cram answer (`is_cramming`: a filtered deck with rescheduling
#   off), which Anki leaves out of scheduling, FSRS and retention (`has_rating_and_affects_scheduling`).
#   That is what `drill --cram` is, so a cram answer is written so.
_KIND_LEARNING, _KIND_REVIEW, _KIND_RELEARNING, _KIND_FILTERED = 0, 1, 2, 3
_REVLOG_KIND = {None: _KIND_LEARNING, 1: _KIND_LEARNING, 2: _KIND_REVIEW, 3: _KIND_RELEARNING}  # by py-fsrs State
_SM2_FACTOR = 2500  # SM-2's starting ease (250%); Anki's learning answers carry 0


def _free_revlog_id(cursor: Any, at: datetime) -> int:
    """The review's time in epoch milliseconds, Anki's revlog id, moved on a millisecond while it is
    taken (as Anki itself does): two answers in one millisecond — cards drilled under a frozen
    LOSSQUIZ_NOW — failed the export with 'UNIQUE constraint failed: revlog.id'."""
    ms = int(at.timestamp() * 1000)
    while cursor.execute("SELECT 1 FROM revlog WHERE id = ?", (ms,)).fetchone() is not None:
        ms += 1
    return ms


def _schedule(cursor: Any, note_guid: str, past: HistoryCard, now: datetime, days: _Days) -> int:
    """One card's review log and schedule in the collection genanki is writing (genanki has no
    call for either, hence the statements on Anki's `revlog` and `cards` tables); the number of
    review-log rows written (none for a card the deck no longer has)."""
    row = cursor.execute(
        "SELECT c.id FROM cards c JOIN notes n ON n.id = c.nid WHERE n.guid = ? ORDER BY c.ord", (note_guid,)
    ).fetchone()
    if row is None:
        return 0
    card_id = row[0]
    kept = [r for r in past.reviews if not r.cram]
    # the schedule after each kept answer: the next answer's "before", or the card's as it is now
    after = [(r.state, r.due) for r in kept[1:]] + [(past.state, past.due)] if kept else []
    following = dict(zip((id(r) for r in kept), after, strict=True))
    last_ivl = 0
    for review in past.reviews:
        if review.cram:
            entry = (review.rating, last_ivl, last_ivl, 0, _KIND_FILTERED)
        else:
            state, due = following[id(review)]
            ivl = _revlog_interval(review.at, state, due, days)
            kind = _REVLOG_KIND.get(review.state, _KIND_REVIEW)
            entry = (review.rating, ivl, last_ivl, 0 if kind == _KIND_LEARNING else _SM2_FACTOR, kind)
            last_ivl = ivl
        ease, ivl, before, factor, kind = entry
        cursor.execute(
            "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) VALUES (?,?,?,?,?,?,?,?,?)",
            (_free_revlog_id(cursor, review.at), card_id, -1, ease, ivl, before, factor, min(review.ms, 60_000), kind),
        )
    if past.due is None or not kept:
        return len(past.reviews)  # never answered outside a cram: still a new card in Anki
    lapses = sum(1 for r in kept if r.rating == 1 and r.state == _REVIEW)  # Anki's lapse: Again on a review card
    data = (
        json.dumps({"s": round(past.stability, 4), "d": round(past.difficulty, 4)})
        if past.stability is not None and past.difficulty is not None
        else ""
    )
    kind, queue, anki_due, ivl, left = _anki_state(past, kept[-1].at, now, days=days)
    cursor.execute(
        "UPDATE cards SET type = ?, queue = ?, due = ?, ivl = ?, factor = ?, reps = ?, lapses = ?, left = ?,"
        " data = ? WHERE id = ?",
        (kind, queue, anki_due, ivl, _SM2_FACTOR, len(kept), lapses, left, data, card_id),
    )
    return len(past.reviews)


def _revlog_interval(at: datetime, state: int | None, due: datetime | None, days: _Days) -> int:
    """A revlog `ivl`: whole days for a review card (or a step that ends on a later day, as Anki's
    IntervalKind::maybe_as_days), minus the seconds to the step for a learning one."""
    if due is None:
        return 0
    if state in (_LEARN, _RELEARN) and day_of(due, hour=days.hour) == day_of(at, hour=days.hour):
        return -max(1, round((due - at).total_seconds()))
    return days.between(at, due)


# Anki's card type and queue (rslib/src/card/mod.rs CardType, CardQueue): type 1 learn, 2 review,
# 3 relearn; queue 1 learn (due: epoch seconds), 2 review (due: day number), 3 day-learn (a learning
# card due on a later day; due: day number).
_LEARN, _REVIEW, _RELEARN = 1, 2, 3
_QUEUE_LEARN, _QUEUE_REVIEW, _QUEUE_DAY_LEARN = 1, 2, 3
_STEPS = {_LEARN: 2, _RELEARN: 1}  # py-fsrs's default steps: learning (1 min, 10 min), relearning (10 min)


def _anki_state(
    past: HistoryCard, last: datetime, now: datetime, *, days: _Days | None = None
) -> tuple[int, int, int, int, int]:
    """(type, queue, due, ivl, left) of a card in Anki for its FSRS state: a learning or
    relearning card stays one in Anki (due at its step's time), a review card is due on its day."""
    assert past.due is not None
    days = days or _Days(DEFAULT_DAY_START_HOUR)
    due_day = days.number(past.due)
    kind = past.state if past.state in (_LEARN, _RELEARN) else _REVIEW
    if kind == _REVIEW:
        return _REVIEW, _QUEUE_REVIEW, due_day, days.between(last, past.due), 0
    left = max(1, _STEPS[kind] - (past.step or 0))
    ivl = 0 if kind == _LEARN else max(1, round(past.stability or 1))  # a relearning card keeps an interval
    if day_of(past.due, hour=days.hour) == day_of(last, hour=days.hour):  # a step within the day it was set
        return kind, _QUEUE_LEARN, int(past.due.timestamp()), ivl, left
    return kind, _QUEUE_DAY_LEARN, due_day, ivl, left
