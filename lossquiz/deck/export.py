"""`lossquiz export`: a deck as an Anki import file, a Markdown cheat sheet, or JSON.

- anki: Anki's plain-text import format with its file headers (tab separated, HTML fields,
  note type Basic, deck, tags and GUID columns), one note per card; math becomes MathJax
  `\\(…\\)` / `\\[…\\]`, which Anki renders. The GUID is `lossquiz::<card id>` for the built-in
  deck and `lossquiz::<folder>::<card id>` for another (note_guid), so importing again updates the
  notes instead of duplicating them, and two decks that share a card id never overwrite each other.
- apkg: a real Anki package (deck/anki_package.py).
- md: a cheat sheet regenerated from the deck, by topic in curriculum order, with each
  snippet's worked example computed live (unless told not to run snippets).
- json: the cards with every deck field; writing them back as YAML gives the same deck.
"""

from __future__ import annotations

import html
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from lossquiz.deck import mathtext
from lossquiz.deck.cards import Card, Deck
from lossquiz.deck.kinds import TOPIC_TITLES
from lossquiz.errors import LossquizError
from lossquiz.numbers import counted, fmt
from lossquiz.worker.client import Outcome, SnippetRunner

FORMATS = ("anki", "apkg", "md", "json")
ANKI_COLUMNS = ("GUID", "Front", "Back", "Tags")


def deck_name(deck: Deck, *, builtin: bool) -> str:
    """`lossquiz` for the built-in deck, `lossquiz::<folder>` for another."""
    return "lossquiz" if builtin else _under_lossquiz(deck.root.resolve().name)


def _under_lossquiz(name: str) -> str:
    """`lossquiz::<name>`, the name made safe in a file header, a GUID and an Anki deck path."""
    return "lossquiz::" + re.sub(r'[\s"#:]+', "_", name)


def by_topic(deck: Deck) -> list[tuple[str, list[Card]]]:
    """Cards grouped by topic in curriculum order (cards keep their deck order)."""
    return [(t, [c for c in deck.cards if c.topic == t]) for t in deck.topics()]


# -- json ---------------------------------------------------------------------------------


def card_record(card: Card) -> dict[str, Any]:
    """Every field of a card as the deck's YAML has it."""
    return {
        "id": card.id,
        "title": card.title,
        "aliases": list(card.aliases),
        "topic": card.topic,
        "kind": card.kind,
        "family": card.family,
        "question": card.question,
        "answer": card.answer,
        "key_points": list(card.key_points),
        "formula": card.formula,
        "snippet": card.snippet,
        "grade": card.grade,
        **({"grade_label": card.grade_label} if card.grade_label else {}),
        "tolerance": card.tolerance,
        "factcheck": list(card.factcheck),
        "source": card.source,
        **({"calculator": True} if card.calculator else {}),
        **({"review": card.review} if card.review else {}),
        **(
            {"target": card.target, "variables": dict(card.variables), "expression": card.expression}
            if card.kind == "formula"
            else {}
        ),
        **(
            {"stress": {**dict(card.stress), **({"hint": card.stress_hint} if card.stress_hint else {})}}
            if card.stress
            else {}
        ),
    }


def to_json(deck: Deck, *, name: str) -> dict[str, Any]:
    """The deck as one JSON document."""
    return {"deck": name, "cards": [card_record(c) for c in deck.cards]}


# -- anki ---------------------------------------------------------------------------------


def markdown_html(text: str) -> str:
    """Markdown to one line of HTML, math kept intact as MathJax delimiters.

    A line break inside a paragraph is the YAML's hard wrap, not the author's: it becomes a space
    (`breaks` off), so no `<br />` lands mid-sentence; blank lines and lists still make blocks.
    """
    from markdown_it import MarkdownIt  # deferred: only the Anki export needs it

    found: list[mathtext.Math] = []

    def hold(m: mathtext.Math) -> str:
        found.append(m)
        return f"LQMATH{len(found) - 1}X"

    held = mathtext.replace(text, hold)
    rendered = MarkdownIt("commonmark", {"breaks": False, "html": False}).render(held)
    rendered = re.sub(r"<pre>.*?</pre>", lambda m: m.group(0).replace("\n", "<br>"), rendered, flags=re.S)
    rendered = rendered.replace("\n", " ").replace("\t", "    ").strip()

    def put(m: re.Match[str]) -> str:
        math = found[int(m.group(1))]
        tex = html.escape(math.tex)
        return f"\\[{tex}\\]" if math.display else f"\\({tex}\\)"

    return re.sub(r"LQMATH(\d+)X", put, rendered)


def _field(text: str) -> str:
    """A field with no tab or newline left (they would split the note)."""
    return re.sub(r"[\t\r\n]+", " ", text)


def formula_in_answer(card: Card) -> bool:
    """True if the answer already shows the card's formula as math (an imported note's answer
    keeps the formula it was written with): the back then shows it once, not twice."""

    if not card.formula:
        return False
    formula = re.sub(r"\s+", "", card.formula)
    return any(re.sub(r"\s+", "", m.tex) == formula for m in mathtext.spans(card.answer))


def anki_note(card: Card, *, name: str, space: str | None = None) -> tuple[str, str, str, str]:
    """GUID, front, back and tags of one Anki note."""
    front = markdown_html(card.question)
    if card.auto_graded:
        front += "<br><i>(lossquiz draws fresh numbers for this card; here, recall the method)</i>"
    back = markdown_html(card.answer)
    if card.key_points:  # no heading over an empty list
        back += "<hr><b>Key points</b><ul>" + "".join(f"<li>{html.escape(p)}</li>" for p in card.key_points) + "</ul>"
    if card.formula and not formula_in_answer(card):
        back += f"<div>\\[{html.escape(card.formula)}\\]</div>"
    # The card's kind, title and family ride on the footer's attributes (Anki shows none), so an
    # import of this package gives the card back as it was, not a concept card titled by its
    # question in a family named after the package; its source is the footer's text.
    own = (
        f' data-lossquiz-kind="{card.kind}" data-lossquiz-title="{html.escape(card.title)}"'
        f' data-lossquiz-family="{html.escape(card.family)}"'
    )
    back += f"<div{own}><small>{html.escape(card.source)} · lossquiz card {card.id}</small></div>"
    return _field(f"{space or name}::{card.id}"), _field(front), _field(back), card.topic


def guid_space(deck: Deck, *, name: str) -> str:
    """What a deck's Anki note GUIDs start with, before `::<card id>`: `lossquiz` for the built-in
    deck (name `lossquiz`), `lossquiz::<anki id>` for another — the id an import recorded in the
    deck's manifest (the folder's first name, so renaming the folder keeps the notes), else the
    folder's name. From the card id alone, your deck's `mse` overwrote the built-in deck's note."""
    if name == "lossquiz":
        return name
    from lossquiz.deck.manifest import read_manifest

    anki_id = read_manifest(deck.root).get("anki_id")
    return _under_lossquiz(anki_id if isinstance(anki_id, str) and anki_id else deck.root.resolve().name)


def to_anki(deck: Deck, *, name: str) -> str:
    """Anki's text import format: file headers, then one tab-separated note per card."""
    headers = [
        "#separator:tab",
        "#html:true",
        "#notetype:Basic",
        f"#deck:{name}",
        "#columns:" + "\t".join(ANKI_COLUMNS),
        f"#guid column:{ANKI_COLUMNS.index('GUID') + 1}",
        f"#tags column:{ANKI_COLUMNS.index('Tags') + 1}",
    ]
    space = guid_space(deck, name=name)
    rows = ["\t".join(anki_note(card, name=name, space=space)) for card in deck.cards]
    return "\n".join(headers + rows) + "\n"


# -- markdown -----------------------------------------------------------------------------


def live_examples(deck: Deck, runner: SnippetRunner) -> dict[str, Outcome]:
    """Each snippet's fixed worked example, run once per snippet in the worker."""
    outcomes: dict[str, Outcome] = {}
    for card in deck.cards:
        path = deck.snippet_path(card)
        if card.snippet and path is not None and card.snippet not in outcomes:
            outcomes[card.snippet] = runner.run(path)
    return outcomes


def _example_lines(card: Card, outcome: Outcome | None, why_not: str) -> list[str]:
    if not card.snippet:
        return []
    head = f"**Worked example** (`snippets/{card.snippet}.py`"
    if outcome is None:
        return [f"{head}): not computed — {why_not}."]
    if outcome.data is None:
        return [f"{head}): the snippet failed: {outcome.error}"]
    data = outcome.data
    ref = data["reference"]
    mark = "✓ agrees" if data["agree"] else "✗ DISAGREES"
    inputs = "; ".join(f"`{k}` = {fmt(v, 6)}" for k, v in data["inputs"].items())
    return [
        f"{head}, computed live): {inputs} → **{fmt(data['value'], 6)}**;",
        f"reference `{ref['how']}` = {fmt(ref['value'], 6)} ({mark}).",
    ]


def to_markdown(deck: Deck, *, name: str, examples: dict[str, Outcome] | None, why_not: str = "") -> str:
    """The cheat sheet: every card by topic, with its live worked example when `examples` is given."""
    groups = by_topic(deck)
    lines = [f"# {name} — cheat sheet", ""]
    run = "worked examples computed live by each card's snippet" if examples is not None else why_not
    lines += [f"{counted(len(deck.cards), 'card')} in {counted(len(groups), 'topic')}, in curriculum order; {run}.", ""]
    lines += [
        f"- [{TOPIC_TITLES[t]}](#{_anchor(TOPIC_TITLES[t])}) — {len(cs)} card{'' if len(cs) == 1 else 's'}"
        for t, cs in groups
    ]
    for topic, cards in groups:
        lines += ["", f"## {TOPIC_TITLES[topic]}"]
        for card in cards:
            lines += ["", f"### {card.name}", "", f"`{card.id}` · {card.kind} · {card.source}"]
            lines += ["", "**Question**", "", card.question.strip(), "", "**Answer**", "", card.answer.strip(), ""]
            if card.key_points:
                lines += ["**Key points**", "", *[f"- {p}" for p in card.key_points]]
            if card.formula and not formula_in_answer(card):
                lines += ["", "**Formula**", "", "$$", card.formula.strip(), "$$"]
            outcome = examples.get(card.snippet) if examples is not None and card.snippet else None
            example = _example_lines(card, outcome, why_not)
            if example:
                lines += ["", *example]
    return "\n".join(lines) + "\n"


def _anchor(title: str) -> str:
    """The GitHub-style anchor of a heading."""
    return re.sub(r"[^\w\- ]", "", title.lower()).strip().replace(" ", "-")


def failed_snippets(examples: dict[str, Outcome] | None) -> list[str]:
    """Snippets whose worked example failed or disagreed with its reference."""
    if not examples:
        return []
    return [name for name, o in examples.items() if o.data is None or not o.data["agree"]]


# -- output -------------------------------------------------------------------------------

_SUFFIX_FORMATS = {".txt": "anki", ".tsv": "anki", ".apkg": "apkg", ".md": "md", ".markdown": "md", ".json": "json"}


def format_hint() -> str:
    """What to say when FILE names no format: every format and every suffix `guess_format` reads."""
    kinds = list(dict.fromkeys(_SUFFIX_FORMATS.values()))
    suffixes = ", ".join(f"*{suffix}" for suffix in _SUFFIX_FORMATS)
    return f"say --format {', '.join(kinds[:-1])} or {kinds[-1]} (or name FILE {suffixes})"


def guess_format(file: str | None) -> str | None:
    """The format a file name implies (deck.txt -> anki, sheet.md -> md, cards.json -> json)."""
    if file is None or file == "-":
        return None
    return _SUFFIX_FORMATS.get(Path(file).suffix.lower())


def export_text(
    deck: Deck, fmt: str, *, name: str, examples: dict[str, Outcome] | None = None, why_not: str = ""
) -> str:
    """The whole export in one format."""
    if fmt == "json":
        return json.dumps(to_json(deck, name=name), indent=2, ensure_ascii=False) + "\n"
    if fmt == "anki":
        return to_anki(deck, name=name)
    return to_markdown(deck, name=name, examples=examples, why_not=why_not)


def write_text(path: Path, text: str) -> None:
    """Write a file atomically (a temp file beside it, then a rename)."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.resolve().parent)
    except OSError as e:
        raise LossquizError(f"cannot write {path}: {e.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.chmod(tmp, _file_mode(path))
        os.replace(tmp, path)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise LossquizError(f"cannot write {path}: {e.strerror or e}") from None


def _file_mode(path: Path) -> int:
    """The mode the file has, else what the umask gives a new file (mkstemp makes it private)."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
