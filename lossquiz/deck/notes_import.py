"""`lossquiz import`: Markdown notes -> a deck folder (cards/*.yaml, no snippets).

The deck is built in a temporary folder beside the target, validated with the deck loader,
then moved into place, so a failed import leaves nothing half-written. Re-importing the same
notes updates the deck; any other existing deck is replaced only with `force`.

Ids are stable: a question keeps the id it had in the deck being replaced when its text is
unchanged or lightly edited (same words, or at least 80 % similar), so progress, which is
keyed on the id, is kept. The old deck's own cards are the id map: no extra state to drift.
An Anki package lossquiz exported names each card's id in its note's GUID (`lossquiz::huber`),
and that id is used, so a package exported with history imports back under the same ids.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from lossquiz import __version__
from lossquiz.deck import anki_package, formats
from lossquiz.deck.anki_package import PackageReview
from lossquiz.deck.answers import normalise, slug
from lossquiz.deck.cards import load_deck
from lossquiz.deck.manifest import MANIFEST, read_manifest
from lossquiz.deck.notes import NoteCard, Notes
from lossquiz.errors import LossquizError, NotesError

SIMILAR = 0.8  # difflib ratio above which an edited question keeps its old id


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import did."""

    deck: Path
    notes: Path
    cards: int
    files: tuple[str, ...]
    topics: dict[str, int]
    kept: int  # ids carried over from the deck that was there
    new: tuple[str, ...]  # ids given to questions the old deck did not have
    dropped: tuple[str, ...]  # ids of the old deck that no question has any more
    fixed_lines: tuple[int, ...]  # lines whose broken encoding was repaired
    skipped: tuple[tuple[int, str], ...]  # sections with text but no question: (its text's line, heading)
    replaced: str  # "" (new deck), "updated" (same notes) or "replaced" (--force)
    format: str = "lossquiz"
    kinds: dict[str, tuple[int, ...]] = field(default_factory=dict)  # kind -> the lines its cards came from
    unreadable: tuple[tuple[int, str], ...] = ()  # (line, why), imported past with --skip-unreadable
    text_blocks: tuple[int, ...] = ()  # first lines of blocks that are notes, not cards
    unbulleted: tuple[int, ...] = ()  # skipped lines that a `- ` in front would make quick-fire cards
    ungraded: dict[str, int] = field(default_factory=dict)  # kind exported -> cards recalled as concept: no snippet
    now_introductions: tuple[tuple[str, int], ...] = ()  # (gone id, line): its section's text is now skipped
    reviews: tuple[PackageReview, ...] = ()  # an Anki package's review log, by lossquiz card id
    card_ids: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The `import --json` object."""
        return {
            "deck": str(self.deck),
            "notes": str(self.notes),
            "cards": self.cards,
            "files": list(self.files),
            "topics": self.topics,
            "kept_ids": self.kept,
            "new_ids": list(self.new),
            "dropped_ids": list(self.dropped),
            "fixed_lines": list(self.fixed_lines),
            "skipped_sections": [{"line": line, "heading": text} for line, text in self.skipped],
            "mode": self.replaced or "created",
            "format": self.format,
            "kinds": {k: {"cards": len(lines), "lines": list(lines)} for k, lines in self.kinds.items()},
            "unreadable": [{"line": line, "why": why} for line, why in self.unreadable],
            "text_blocks": list(self.text_blocks),
            "unbulleted_quickfire_lines": list(self.unbulleted),
            "dropped_as_introductions": [{"id": i, "line": line} for i, line in self.now_introductions],
            "ungraded": self.ungraded,
            "reviews": len(self.reviews),
        }


def import_notes(
    notes_path: Path, target: Path, *, force: bool = False, fmt: str | None = None, skip_unreadable: bool = False
) -> ImportResult:
    """Parse the notes (in `fmt`, else the format their content shows) and write them as a deck at
    `target`; raise LossquizError on any problem, and NotesError if a block could not be read
    (unless `skip_unreadable`)."""
    reviews: list[PackageReview] = []
    named: dict[int, str] = {}
    if fmt == "apkg" or (fmt is None and anki_package.is_package(notes_path)):
        package = anki_package.read_package(notes_path)
        notes, reviews, named = package.notes, list(package.reviews), package.ids
    else:
        _refuse_own_export(notes_path)
        notes = formats.load(notes_path, fmt)
    if notes.unreadable and not skip_unreadable:
        where = [f"{notes.name}:{line}: {why}" for line, why in notes.unreadable]
        raise NotesError(
            where,
            hint=f"nothing imported; fix those lines, or add --skip-unreadable to import the other {len(notes.cards)}"
            f" card{'' if len(notes.cards) == 1 else 's'}",
        )
    if not notes.cards:
        raise NotesError([f"{notes.name}: no cards left to import"])
    mode = _check_target(target, notes_path, force=force)
    old = _old_cards(target) if mode else []
    ids = assign_ids([c.question for c in notes.cards], old, named=named)
    files = _files(notes, ids)
    _write_deck(target, files, notes_path, cards=len(notes.cards), carry_over=mode == "updated")
    old_ids = {oid for oid, _ in old}
    topics: dict[str, int] = {}
    kinds: dict[str, list[int]] = {}
    ungraded: dict[str, int] = {}
    for card in notes.cards:
        topics[card.topic] = topics.get(card.topic, 0) + 1
        kinds.setdefault(card.kind, []).append(card.line)
        if card.was:
            ungraded[card.was] = ungraded.get(card.was, 0) + 1
    by_index = dict(enumerate(ids))
    dropped = tuple(sorted(old_ids - set(ids)))
    return ImportResult(
        deck=target,
        notes=notes_path,
        cards=len(notes.cards),
        files=tuple(files),
        topics=topics,
        kept=sum(1 for i in ids if i in old_ids),
        new=tuple(i for i in ids if i not in old_ids),
        dropped=dropped,
        fixed_lines=notes.fixed_lines,
        skipped=notes.skipped,
        replaced=mode,
        format=notes.format,
        kinds={k: tuple(v) for k, v in kinds.items()},
        unreadable=notes.unreadable,
        text_blocks=notes.text_blocks,
        unbulleted=notes.unbulleted,
        ungraded=ungraded,
        now_introductions=_now_introductions(dropped, old, notes.skipped),
        reviews=tuple(replace(r, slug=by_index[r.card_index]) for r in reviews),
        card_ids=tuple(ids),
    )


def _now_introductions(
    dropped: tuple[str, ...], old: list[tuple[str, str]], skipped: tuple[tuple[int, str], ...]
) -> tuple[tuple[str, int], ...]:
    """(id, line) of each gone card that was a section's text ("Explain temperature scaling.") whose
    section now has sub-headings: its text is an introduction, skipped at that line."""
    sections: dict[str, int] = {}
    for line, heading in skipped:
        sections.setdefault(normalise(heading), line)
        sections.setdefault(normalise(f"Explain {heading}"), line)
    questions = dict(old)
    return tuple((i, sections[q]) for i in dropped if (q := normalise(questions.get(i, ""))) in sections)


# -- the target folder --------------------------------------------------------------------


# What lossquiz's own exports begin with (deck/export.py), and what each is: a cheat sheet's title
# and counts (to_markdown), a JSON export's deck name and cards.
_OWN_EXPORTS = (
    (
        re.compile(r"# .+ — cheat sheet\n\n\d+ cards? in \d+ topics?, in curriculum order;"),
        "cheat sheet (export … .md), written for reading",
    ),
    (
        re.compile(r'\{\s*"deck":\s*"(?:[^"\\]|\\.)*",\s*"cards":\s*\['),
        "JSON export (export … .json), data for scripts",
    ),
)


def _refuse_own_export(notes_path: Path) -> None:
    """A cheat sheet read as notes turns every card into a concept card holding the next card's
    text (its `**Question**` labels are not the note rules), and a JSON export read as notes had
    "no questions found" of 263: each is refused in one line, and the way named."""
    try:
        with notes_path.open(encoding="utf-8", errors="replace") as f:
            head = f.read(400)
    except OSError:
        return  # formats.load reports it
    for start, what in _OWN_EXPORTS:
        if start.match(head):
            raise LossquizError(
                f"{notes_path.name} is a lossquiz {what}, and does not import back; to move a deck,"
                " export it as .apkg, which lossquiz import reads whole"
            )


def _check_target(target: Path, notes_path: Path, *, force: bool) -> str:
    """'' for a new deck, 'updated' for a re-import, 'replaced' for --force; raise otherwise."""
    if not target.exists():
        return ""
    if not target.is_dir():
        raise LossquizError(f"cannot import: {target} exists and is not a folder")
    if not any(target.iterdir()):
        return ""
    source = read_manifest(target).get("notes")
    if source == str(notes_path.resolve()):
        return "updated"
    if not (target / "cards").is_dir():
        raise LossquizError(f"cannot import: {target} is a folder that is not empty and not a deck; pick another")
    if not force:
        origin = f" imported from {source}" if source else ""
        raise LossquizError(f"cannot import: {target} already holds a deck{origin}; add --force to replace it")
    return "replaced"


def _old_cards(deck: Path) -> list[tuple[str, str]]:
    """(id, question) of every card the existing deck has, read leniently (it may be broken)."""
    found = []
    for path in sorted((deck / "cards").glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        for raw in data if isinstance(data, list) else []:
            if isinstance(raw, dict) and isinstance(raw.get("id"), str) and isinstance(raw.get("question"), str):
                found.append((raw["id"], raw["question"]))
    return found


# -- ids ----------------------------------------------------------------------------------


def assign_ids(questions: list[str], old: list[tuple[str, str]], *, named: dict[int, str] | None = None) -> list[str]:
    """One unique id per question: the old id of the same question, else the id its note names
    (`named`: an Anki note lossquiz exported carries the card id in its GUID), else the old id of a
    lightly edited question, else a new slug."""
    ids: list[str | None] = [None] * len(questions)
    norms = [normalise(q) for q in questions]
    by_norm: dict[str, str] = {}
    for oid, question in old:
        by_norm.setdefault(normalise(question), oid)
    used: set[str] = set()
    for i, norm in enumerate(norms):
        same = by_norm.get(norm)
        if same is not None and same not in used:
            ids[i] = same
            used.add(same)
    for i, named_id in sorted((named or {}).items()):
        if 0 <= i < len(questions) and ids[i] is None and named_id not in used:
            ids[i] = named_id
            used.add(named_id)
    free = [(oid, normalise(q)) for oid, q in old if oid not in used]
    pairs = []
    for i, norm in enumerate(norms):
        if ids[i] is None:
            for oid, old_norm in free:
                matcher = difflib.SequenceMatcher(None, norm, old_norm, autojunk=False)
                if matcher.real_quick_ratio() >= SIMILAR and matcher.quick_ratio() >= SIMILAR:
                    pairs.append((matcher.ratio(), -i, oid))
    for ratio, neg_i, oid in sorted(pairs, reverse=True):
        if ratio >= SIMILAR and ids[-neg_i] is None and oid not in used:
            ids[-neg_i] = oid
            used.add(oid)
    old_ids = {oid for oid, _ in old}
    for i, question in enumerate(questions):
        base = slug(question)
        if ids[i] is None and base in old_ids and base not in used:  # the same key words: the same card
            ids[i] = base
            used.add(base)
    taken = used | old_ids  # a dropped card's id (and its progress) is not handed to another question
    out = []
    for i, question in enumerate(questions):
        given = ids[i]
        if given is None:
            base = slug(question)
            given, n = base, 2
            while given in taken:
                given, n = f"{base}-{n}", n + 1
            taken.add(given)
        out.append(given)
    return out


# -- writing ------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Multi-line text as `|` blocks, so the YAML reads like the notes."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def card_dict(card: NoteCard, cid: str, notes_name: str) -> dict[str, Any]:
    """A note card as a deck card (the YAML mapping)."""
    where = f"{notes_name} L{card.line}"
    if card.source:
        source = card.source
    elif card.heading and card.heading != card.section:
        source = f"{where} — {card.section} › {card.heading}" if card.section else f"{where} — {card.heading}"
    else:
        source = f"{where} — {card.section}" if card.section else where
    data: dict[str, Any] = {
        "id": cid,
        "title": card.title,
        "topic": card.topic,
        "kind": card.kind,
        "family": card.family or (slug(card.section) if card.section else cid),
        "question": card.question,
        "answer": card.answer,
        "key_points": list(card.key_points),
    }
    if card.formula:
        data["formula"] = card.formula
    data["source"] = source
    return data


def _files(notes: Notes, ids: list[str]) -> dict[str, str]:
    """cards/*.yaml text by file name: one file per section of the notes, in the notes' order."""
    sections: dict[str, list[dict[str, Any]]] = {}
    for card, cid in zip(notes.cards, ids, strict=True):
        sections.setdefault(card.section, []).append(card_dict(card, cid, notes.name))
    files = {}
    for number, (section, cards) in enumerate(sections.items(), start=1):
        stem = slug(section, max_words=5, max_chars=40) if section else "notes"
        head = (
            f"# Imported by `lossquiz import` from {notes.name}"
            + (f", section: {section}" if section else "")
            + ".\n# Edit the notes and import again: this file is regenerated.\n"
        )
        body = yaml.dump(cards, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10_000)
        files[f"{number:02d}-{stem}.yaml"] = head + body
    return files


def _write_deck(target: Path, files: dict[str, str], notes_path: Path, *, cards: int, carry_over: bool) -> None:
    """Build the deck in a temporary folder, validate it, then move it into place."""
    parent = target.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.import-", dir=parent))
    except OSError as e:
        raise LossquizError(f"cannot import: cannot write in {parent}: {e.strerror}") from None
    try:
        if carry_over:  # files the user added beside an imported deck (snippets, notes) survive a re-import
            for entry in target.iterdir():
                if entry.name not in ("cards", MANIFEST):
                    copy = shutil.copytree if entry.is_dir() and not entry.is_symlink() else shutil.copy2
                    copy(entry, tmp / entry.name)
        (tmp / "cards").mkdir()
        for name, text in files.items():
            (tmp / "cards" / name).write_text(text, encoding="utf-8")
        # The deck's name in Anki GUIDs (export.note_guid): the folder's name at its first import,
        # kept by every re-import, so a renamed folder's next export updates the same Anki notes.
        anki_id = read_manifest(target).get("anki_id") if target.is_dir() else None
        manifest = {
            "notes": str(notes_path.resolve()),
            "imported_by": f"lossquiz {__version__}",
            "anki_id": anki_id if isinstance(anki_id, str) and anki_id else target.name,
            "cards": cards,
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        load_deck(tmp)  # never move an invalid deck into place
        _set_mode(tmp, target)
        _move_into_place(tmp, target)
    except BaseException as e:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(e, OSError):
            raise LossquizError(f"cannot import: cannot write the deck {target}: {e.strerror or e}") from None
        raise


def _set_mode(tmp: Path, target: Path) -> None:
    """mkdtemp makes a private folder; give the deck the mode the old one had, else the umask's."""
    if target.is_dir():
        mode = target.stat().st_mode & 0o777
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o777 & ~umask
    os.chmod(tmp, mode)


def _move_into_place(tmp: Path, target: Path) -> None:
    """Rename the new deck over the target; an old deck is moved aside first and removed after."""
    if not target.exists() or (target.is_dir() and not any(target.iterdir())):
        os.replace(tmp, target)  # atomic; replaces an empty folder
        return
    aside = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=tmp.parent))
    aside.rmdir()
    os.rename(target, aside)
    try:
        os.rename(tmp, target)
    except OSError:
        os.rename(aside, target)  # put the old deck back
        raise
    shutil.rmtree(aside, ignore_errors=True)
