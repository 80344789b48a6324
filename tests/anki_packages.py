"""Build real Anki packages with Anki's own library, for the interop tests."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Note:
    """A note read back from a collection (plain data: the collection is closed after)."""

    fields: list[str]
    tags: list[str]
    type: str


REVIEWED = datetime(2025, 1, 1, 9, 0, tzinfo=timezone.utc)


def collection(folder: Path) -> Any:
    from anki.collection import Collection

    return Collection(str(folder / "collection.anki2"))


def build_package(path: Path) -> dict[str, int]:
    """An .apkg with a Basic, a reversed and a cloze note (MathJax, tags), and a review log.

    The Basic card was answered Good, then Good again three days later; the review log rows are
    written with fixed times, as Anki itself records them (id = epoch ms).
    """
    from anki.collection import ExportAnkiPackageOptions

    with tempfile.TemporaryDirectory() as tmp:
        col = collection(Path(tmp))
        try:
            did = col.decks.id("Losses::Regression")
            basic = col.new_note(col.models.by_name("Basic"))
            basic["Front"] = "What is the <b>Huber</b> loss?"
            basic["Back"] = "Quadratic for small residuals: \\(\\tfrac12 r^2\\)<br>linear beyond \\(\\delta\\)."
            basic.tags = ["regression"]
            col.add_note(basic, did)
            rev = col.new_note(col.models.by_name("Basic (and reversed card)"))
            rev["Front"] = "MAE"
            rev["Back"] = "mean absolute error"
            col.add_note(rev, did)
            cloze = col.new_note(col.models.by_name("Cloze"))
            cloze["Text"] = "Focal loss uses {{c1::γ = 2}} and down-weights {{c2::easy}} examples."
            col.add_note(cloze, did)
            card = basic.cards()[0]
            for days, ease in ((0, 3), (3, 3)):
                at = REVIEWED + timedelta(days=days)
                col.db.execute(
                    "insert into revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type)"
                    " values (?,?,?,?,?,?,?,?,?)",
                    int(at.timestamp() * 1000),
                    card.id,
                    -1,
                    ease,
                    3,
                    0,
                    2500,
                    8000,
                    0 if days == 0 else 1,
                )
            col.export_anki_package(
                out_path=str(path),
                options=ExportAnkiPackageOptions(
                    with_scheduling=True, with_deck_configs=False, with_media=False, legacy=False
                ),
                limit=None,
            )
        finally:
            col.close()
    return {"notes": 3, "cards": 5, "reviews": 2}


def import_into(col_dir: Path, package: Path) -> Any:
    """Import a package into the collection kept in `col_dir` (created if new); the import log."""
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    col = collection(col_dir)
    try:
        result = col.import_anki_package(
            ImportAnkiPackageRequest(
                package_path=str(package), options=ImportAnkiPackageOptions(with_scheduling=True, update_notes=1)
            )
        )
        notes = {}
        for nid in col.find_notes(""):
            note = col.get_note(nid)
            notes[note.guid] = Note(list(note.fields), list(note.tags), note.note_type()["name"])
        revlog = col.db.scalar("select count() from revlog")
        return result.log, notes, revlog
    finally:
        col.close()
