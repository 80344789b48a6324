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
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from lossquiz.deck import export as ex
from lossquiz.deck.answers import key_points, recall_kind, title_of
from lossquiz.deck.cards import Deck
from lossquiz.deck.formats import GAP, TooManyDeletions, cloze_cards
from lossquiz.deck.notes import NoteCard, Notes, topic_for
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


@dataclass(frozen=True, slots=True)
class Package:
    notes: Notes
    reviews: tuple[PackageReview, ...]


@dataclass(frozen=True, slots=True)
class HistoryCard:
    """What `write_package --with-history` needs of one card's progress (plain data, no SQL here)."""

    reviews: tuple[tuple[datetime, int, int], ...]  # (when, rating 1-4, duration ms), oldest first
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
            return _package(col, path.name)
        finally:
            col.close()


def _package(col: Any, name: str) -> Package:
    cards: list[NoteCard] = []
    where: dict[int, int] = {}  # Anki card id -> index in cards
    unreadable: list[tuple[int, str]] = []
    for number, nid in enumerate(sorted(col.find_notes("")), start=1):
        note = col.get_note(nid)
        model = note.note_type()
        deck = col.decks.name(note.cards()[0].did) if note.cards() else ""
        context = [part for part in deck.split("::") if part][-1:] + [t.replace("_", " ") for t in note.tags]
        by_ord = {c.ord: c.id for c in note.cards()}
        fields = [to_markdown(f) for f in note.fields]
        if model["type"] == _MODEL_CLOZE:
            made = _cloze_note(note.fields[0], fields[1:], context, number)
            if not made:
                unreadable.append((number, f"cloze note {note.guid}: no {{{{c1::…}}}} deletion, or too many"))
            for ord_, card in made:
                if ord_ in by_ord:
                    where[by_ord[ord_]] = len(cards)
                cards.append(card)
            continue
        if len(fields) < 2 or not fields[0].strip() or not fields[1].strip():
            unreadable.append((number, f"note {note.guid} ({model['name']}) has an empty front or back"))
            continue
        front, back = fields[0], fields[1]
        for ord_ in sorted(by_ord):
            q, a = (front, back) if ord_ == 0 else (back, front)
            where[by_ord[ord_]] = len(cards)
            cards.append(_basic(q, a, context, number))
    reviews = []
    for rid, cid, ease, ms, kind in col.db.all("select id, cid, ease, time, type from revlog order by id"):
        if cid in where and 1 <= ease <= 4 and kind in (0, 1, 2, 3):  # 4, 5: rescheduled by hand, not answered
            when = datetime.fromtimestamp(rid / 1000, UTC)
            reviews.append(PackageReview(where[cid], when, int(ease), max(0, int(ms))))
    notes = Notes(name, tuple(cards), (), (), "apkg", tuple(unreadable), ())
    return Package(notes, tuple(reviews))


def _basic(question: str, answer: str, context: list[str], number: int) -> NoteCard:
    from lossquiz.deck.answers import extract_formula

    formula, answer = extract_formula(answer)
    points = key_points(answer, formula=formula)
    return NoteCard(
        question=question,
        answer=answer,
        kind=recall_kind("quickfire" if "\n" not in answer and len(answer) <= 120 else "concept", points),
        topic=topic_for(context, question),
        section=context[0] if context else "",
        heading="",
        line=number,
        title=title_of(question),
        key_points=tuple(points),
        formula=formula,
    )


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
    deck: Deck, path: Path, *, name: str, history: dict[str, HistoryCard] | None = None, now: datetime | None = None
) -> int:
    """Write the deck as an `.apkg` (with genanki); the number of notes written.

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
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        _writer(genanki, anki_deck, space, history or {}, now or datetime.now(UTC)).write_to_file(str(out))
    except OSError as e:
        raise LossquizError(f"cannot write {path}: {e.strerror or e}") from None
    return len(anki_deck.notes)


def _deck_id(name: str) -> int:
    """A stable deck id from the deck's name (Anki files notes under the same deck on re-import)."""
    import hashlib

    return 1_000_000_000 + int(hashlib.sha256(name.encode()).hexdigest()[:12], 16) % 1_000_000_000


def _writer(genanki: Any, anki_deck: Any, space: str, history: dict[str, HistoryCard], now: datetime) -> Any:
    class _Package(genanki.Package):  # type: ignore[misc,name-defined]
        """genanki's package plus, per card, its review log and current schedule."""

        def write_to_db(self, cursor: Any, timestamp: float, id_gen: Any) -> None:
            super().write_to_db(cursor, timestamp, id_gen)
            for slug, past in history.items():
                if past.reviews:
                    _schedule(cursor, f"{space}::{slug}", past, now)

    return _Package(anki_deck)


def _schedule(cursor: Any, note_guid: str, past: HistoryCard, now: datetime) -> None:
    """One card's review log and schedule in the collection genanki is writing (genanki has no
    call for either, hence the statements on Anki's `revlog` and `cards` tables)."""
    row = cursor.execute(
        "SELECT c.id FROM cards c JOIN notes n ON n.id = c.nid WHERE n.guid = ? ORDER BY c.ord", (note_guid,)
    ).fetchone()
    if row is None:
        return
    card_id, last_ivl = row[0], 0
    for at, rating, ms in past.reviews:
        cursor.execute(
            "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) VALUES (?,?,?,?,?,?,?,?,?)",
            (int(at.timestamp() * 1000), card_id, -1, rating, 1, last_ivl, 2500, min(ms, 60_000), 1 if last_ivl else 0),
        )
        last_ivl = 1
    if past.due is None:
        return
    last = past.reviews[-1][0]
    lapses = sum(1 for _, r, _ in past.reviews if r == 1)
    data = (
        json.dumps({"s": round(past.stability, 4), "d": round(past.difficulty, 4)})
        if past.stability is not None and past.difficulty is not None
        else ""
    )
    kind, queue, due, ivl, left = _anki_state(past, last, now)
    cursor.execute(
        "UPDATE cards SET type = ?, queue = ?, due = ?, ivl = ?, factor = 2500, reps = ?, lapses = ?, left = ?,"
        " data = ? WHERE id = ?",
        (kind, queue, due, ivl, len(past.reviews), lapses, left, data, card_id),
    )


# Anki's card type and queue (rslib/src/card/mod.rs CardType, CardQueue): type 1 learn, 2 review,
# 3 relearn; queue 1 learn (due: epoch seconds), 2 review (due: day number), 3 day-learn (a learning
# card due on a later day; due: day number).
_LEARN, _REVIEW, _RELEARN = 1, 2, 3
_QUEUE_LEARN, _QUEUE_REVIEW, _QUEUE_DAY_LEARN = 1, 2, 3
_STEPS = {_LEARN: 2, _RELEARN: 1}  # py-fsrs's default steps: learning (1 min, 10 min), relearning (10 min)


def _anki_state(past: HistoryCard, last: datetime, now: datetime) -> tuple[int, int, int, int, int]:
    """(type, queue, due, ivl, left) of a card in Anki for its FSRS state: a learning or
    relearning card stays one in Anki (due at its step's time), a review card is due on its day."""
    assert past.due is not None
    due_day = int((past.due.timestamp() - _CRT) // 86_400)
    days = max(1, (past.due - last).days)
    kind = past.state if past.state in (_LEARN, _RELEARN) else _REVIEW
    if kind == _REVIEW:
        return _REVIEW, _QUEUE_REVIEW, due_day, days, 0
    left = max(1, _STEPS[kind] - (past.step or 0))
    ivl = 0 if kind == _LEARN else max(1, round(past.stability or 1))  # a relearning card keeps an interval
    if past.due - now < timedelta(days=1):
        return kind, _QUEUE_LEARN, int(past.due.timestamp()), ivl, left
    return kind, _QUEUE_DAY_LEARN, due_day, ivl, left
