"""The deck: cards from `cards/*.yaml`, validated, plus lookup by id, alias or title.

A deck is a folder with `cards/*.yaml` (one file per section, in curriculum order by file
name) and `snippets/*.py`. Validation collects every problem before raising, and names the
file, the line and the card id, so a broken deck can be fixed in one pass.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lossquiz.deck import deck_cache, yaml_files
from lossquiz.deck.kinds import KINDS, TOPICS
from lossquiz.errors import DeckError, UnknownCardError

REQUIRED = ("id", "topic", "kind", "question", "answer", "key_points", "source")
KINDS_WITHOUT_POINTS = ("quickfire", "cloze")  # one-line answers: `key_points: []` is allowed
_LIST_FIELDS = ("aliases", "key_points")
_TEXT_FIELDS = (
    "id",
    "title",
    "question",
    "answer",
    "formula",
    "snippet",
    "source",
    "grade",
    "grade_label",
    "expression",
    "target",
    "review",
)
SNIPPET_NAME = re.compile(r"[a-z0-9_]+")  # a snippet is a file snippets/<name>.py, never a path
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
DEFAULT_TOLERANCE = 0.01


@dataclass(frozen=True, slots=True)
class Card:
    """One question/answer card."""

    id: str
    topic: str
    kind: str
    question: str
    answer: str
    key_points: tuple[str, ...]
    source: str
    title: str = ""
    aliases: tuple[str, ...] = ()
    formula: str | None = None
    snippet: str | None = None
    family: str = ""
    grade: str | None = None  # key of a multi-part snippet value that numeric drills ask for
    grade_label: str = ""  # that part in words, as the drill names it ("the mean pinball loss")
    tolerance: float = DEFAULT_TOLERANCE
    variables: tuple[tuple[str, str], ...] = ()  # formula cards: name -> binding over snippet inputs
    expression: str | None = None  # formula cards: the reference expression
    target: str = "value"  # formula cards: "value", a step name, or "grad:<input>"
    stress: tuple[tuple[str, float], ...] = ()  # formula cards: variable -> magnitude a stable form must survive
    stress_hint: str = ""  # formula cards: why a form that fails the stress case is wrong, in the card's words
    calculator: bool = False  # numeric cards whose problems need a calculator
    review: str = ""  # why a content review's finding was answered rather than applied
    factcheck: tuple[int, ...] = ()  # docs/FACTCHECK.md part-A items this card corrects
    order: int = 0  # position in the curriculum
    path: str = ""
    line: int = 0

    @property
    def auto_graded(self) -> bool:
        """Graded against the live snippet (a typed number or expression), not self-rated."""
        return KINDS[self.kind].grading != "self"

    @property
    def grading(self) -> str:
        """How this card's answer is graded: self, number or expression (deck.kinds)."""
        return KINDS[self.kind].grading

    @property
    def name(self) -> str:
        """Title if given, else the id."""
        return self.title or self.id

    def content_hash(self) -> str:
        """Hash of what the card teaches; flags edited cards without resetting progress."""
        import hashlib

        payload = [self.question, self.answer, list(self.key_points), self.formula, self.snippet]
        return hashlib.sha256(json.dumps(payload).encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Deck:
    """The cards of one deck folder, in curriculum order."""

    root: Path
    cards: tuple[Card, ...]
    by_id: dict[str, Card] = field(repr=False, compare=False)

    @property
    def snippets_dir(self) -> Path:
        """Folder of the deck's snippets."""
        return self.root / "snippets"

    def snippet_path(self, card: Card) -> Path | None:
        """The file of a card's snippet, if it has one."""
        return self.snippets_dir / f"{card.snippet}.py" if card.snippet else None

    def topics(self) -> list[str]:
        """Topics present, in curriculum order."""
        return [t for t in TOPICS if any(c.topic == t for c in self.cards)]


def _parse_card(raw: Any, where: str, order: int, problems: list[str]) -> Card | None:
    """Validate one raw mapping; append problems and return None if it is unusable."""
    if not isinstance(raw, dict):
        problems.append(f"{where}: each entry must be a mapping of card fields")
        return None
    line = raw.pop("__line__", 0)
    for value in raw.values():  # nested mappings (a formula card's `variables`) carry a line too
        if isinstance(value, dict):
            value.pop("__line__", None)
    cid = raw.get("id")
    label = f"{where}:{line}: card '{cid}'" if isinstance(cid, str) else f"{where}:{line}: card"
    before = len(problems)
    optional_points = raw.get("kind") in KINDS_WITHOUT_POINTS
    for name in REQUIRED:
        if name == "key_points" and optional_points and isinstance(raw.get(name), list):
            continue  # a one-line answer is its own checkpoint
        if raw.get(name) in (None, "", []):
            problems.append(f"{label}: missing '{name}'")
    for name in _TEXT_FIELDS:
        if name in raw and raw[name] is not None and not isinstance(raw[name], str):
            problems.append(f"{label}: '{name}' must be text")
    for name in _LIST_FIELDS:
        value = raw.get(name)
        if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            problems.append(f"{label}: '{name}' must be a list of text")
    if isinstance(cid, str) and not _SLUG.match(cid):
        problems.append(f"{label}: id must be a lowercase slug (a-z, 0-9, '-')")
    for key in ("topic", "kind"):  # looked up in registries below: a list or mapping here is not a name
        if raw.get(key) is not None and not isinstance(raw[key], str):
            problems.append(f"{label}: '{key}' must be text")
            raw[key] = None
    if raw.get("topic") is not None and raw.get("topic") not in TOPICS:
        problems.append(f"{label}: unknown topic '{raw['topic']}' (one of: {', '.join(TOPICS)})")
    if raw.get("kind") is not None and raw.get("kind") not in KINDS:
        problems.append(f"{label}: unknown kind '{raw['kind']}' (one of: {', '.join(KINDS)})")
    points = raw.get("key_points")
    low = 0 if optional_points else 2
    if isinstance(points, list) and points and not low <= len(points) <= 5:
        problems.append(f"{label}: 'key_points' must have {low} to 5 items, has {len(points)}")
    if isinstance(raw.get("variables"), dict):
        raw["variables"].pop("__line__", None)  # the line-recording loader marks every mapping
    if raw.get("kind") == "formula":
        variables = raw.get("variables")
        if not (isinstance(variables, dict) and variables and all(isinstance(v, str) for v in variables.values())):
            problems.append(f"{label}: a formula card needs 'variables': a mapping of name -> binding")
        if not raw.get("expression") or not raw.get("snippet"):
            problems.append(f"{label}: a formula card needs a 'snippet' and a reference 'expression'")
    stress, stress_hint = _stress(raw, label, problems)
    if "calculator" in raw and not isinstance(raw["calculator"], bool):
        problems.append(f"{label}: 'calculator' must be true or false")
    snippet = raw.get("snippet")
    if snippet and not (isinstance(snippet, str) and SNIPPET_NAME.fullmatch(snippet)):
        problems.append(f"{label}: 'snippet' must be a plain name ([a-z0-9_]+, a file in snippets/), not {snippet!r}")
    if raw.get("kind") in KINDS and KINDS[raw["kind"]].needs_snippet and not raw.get("snippet"):
        problems.append(f"{label}: a {raw['kind']} card needs a 'snippet' to grade against")
    fixes = raw.get("factcheck", [])
    if not (isinstance(fixes, list) and all(isinstance(n, int) for n in fixes)):
        problems.append(f"{label}: 'factcheck' must be a list of item numbers")
    tolerance = raw.get("tolerance", DEFAULT_TOLERANCE)
    if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)) or tolerance <= 0:
        problems.append(f"{label}: 'tolerance' must be a positive number")
    if len(problems) > before or not isinstance(cid, str):
        return None
    return Card(
        id=cid,
        topic=raw["topic"],
        kind=raw["kind"],
        question=raw["question"].strip(),
        answer=raw["answer"].strip(),
        key_points=tuple(raw["key_points"]),
        source=raw["source"],
        title=raw.get("title") or "",
        aliases=tuple(raw.get("aliases") or ()),
        formula=(raw.get("formula") or "").strip() or None,
        snippet=raw.get("snippet") or None,
        family=str(raw.get("family") or cid),
        grade=raw.get("grade") or None,
        grade_label=(raw.get("grade_label") or "").strip(),
        tolerance=float(tolerance),
        variables=tuple((str(k), v) for k, v in (raw.get("variables") or {}).items()),
        expression=(raw.get("expression") or "").strip() or None,
        target=raw.get("target") or "value",
        stress=stress,
        stress_hint=stress_hint,
        calculator=bool(raw.get("calculator", False)),
        review=(raw.get("review") or "").strip(),
        factcheck=tuple(fixes),
        order=order,
        path=where,
        line=line,
    )


def _stress(raw: dict[str, Any], label: str, problems: list[str]) -> tuple[tuple[tuple[str, float], ...], str]:
    """A formula card's `stress: {z: 1000, hint: "..."}`: each named variable is also scaled so its
    values reach ±magnitude, where a stable form stays finite and a naive one overflows."""
    if raw.get("stress") is None:
        return (), ""
    given = raw["stress"]
    usage = "a mapping of variable -> magnitude, e.g. {z: 1000}, with an optional hint"
    if raw.get("kind") != "formula":
        problems.append(f"{label}: 'stress' is only for formula cards")
        return (), ""
    if not isinstance(given, dict):
        problems.append(f"{label}: 'stress' must be {usage}, not {given!r}")
        return (), ""
    given = {k: v for k, v in given.items() if k != "__line__"}
    hint = given.pop("hint", "")
    variables = raw["variables"] if isinstance(raw.get("variables"), dict) else {}
    before = len(problems)
    if not isinstance(hint, str):
        problems.append(f"{label}: 'stress' hint must be text")
    if not given:
        problems.append(f"{label}: 'stress' must be {usage}; it names no variable")
    for name, magnitude in given.items():
        if name not in variables:
            known = ", ".join(map(str, variables)) or "none"
            problems.append(f"{label}: 'stress' names '{name}', which is not one of the card's variables ({known})")
        elif isinstance(magnitude, bool) or not isinstance(magnitude, (int, float)) or not 0 < magnitude < math.inf:
            problems.append(f"{label}: 'stress' {name} must be a positive number (the magnitude), not {magnitude!r}")
    if len(problems) > before:
        return (), ""
    return tuple((str(k), float(v)) for k, v in given.items()), " ".join(str(hint).split())


def _read_file(path: Path, where: str, problems: list[str]) -> list[Any]:
    try:
        data = yaml_files.read(path)
    except yaml_files.YamlFileError as e:
        problems.append(f"{where}{f':{e.line}' if e.line else ''}: {e.message}")
        return []
    if data is None:
        return []
    if not isinstance(data, list):
        problems.append(f"{where}: the file must be a list of cards")
        return []
    return data


def load_deck(root: Path) -> Deck:
    """Load and validate a deck folder; raise DeckError listing every problem."""
    cards_dir = root / "cards"
    if not cards_dir.is_dir():
        raise DeckError([f"{root}: " + ("not a deck (no cards/ folder)" if root.is_dir() else "no such folder")])
    files = sorted(cards_dir.glob("*.yaml"))
    wanted = deck_cache.key(root, files)
    cached = deck_cache.read(root, wanted) if wanted is not None else None
    if cached:  # validated before, and nothing validation reads has changed since
        return Deck(root=root, cards=tuple(cached), by_id={c.id: c for c in cached})
    problems: list[str] = []
    cards: list[Card] = []
    for path in files:
        where = _display(path, root)
        for raw in _read_file(path, where, problems):
            card = _parse_card(raw, where, len(cards), problems)
            if card is not None:
                cards.append(card)
    by_id = _index(cards, root, problems)
    if problems:
        raise DeckError(problems)
    if not cards:
        raise DeckError([f"{_display(cards_dir, root)}: no cards found"])
    if wanted is not None:
        deck_cache.write(root, wanted, cards)
    return Deck(root=root, cards=tuple(cards), by_id=by_id)


def _index(cards: list[Card], root: Path, problems: list[str]) -> dict[str, Card]:
    """Check ids and aliases are unique and snippets exist; return the id index."""
    by_id: dict[str, Card] = {}
    names: dict[str, Card] = {}
    for card in cards:
        at = f"{card.path}:{card.line}: card '{card.id}'"
        if card.id in by_id:
            first = by_id[card.id]
            problems.append(f"{at}: duplicate id (first at {first.path}:{first.line})")
            continue
        by_id[card.id] = card
        for alias in card.aliases:
            other = names.get(alias)
            if other is not None and other.id != card.id:
                problems.append(f"{at}: alias '{alias}' is also used by card '{other.id}'")
            names[alias] = card
        if (
            card.snippet
            and SNIPPET_NAME.fullmatch(card.snippet)
            and not (root / "snippets" / f"{card.snippet}.py").is_file()
        ):
            problems.append(f"{at}: unknown snippet '{card.snippet}' (no snippets/{card.snippet}.py)")
    for card in cards:
        other = names.get(card.id)
        if other is not None and other.id != card.id:
            problems.append(f"{card.path}:{card.line}: card '{card.id}': id is an alias of '{other.id}'")
    return by_id


def _display(path: Path, root: Path) -> str:
    """Path as the user should see it: relative to the deck's parent when possible."""
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def _normalise(text: str) -> str:
    """A slug for matching: lower case, Greek letters spelt out (β -> beta), runs of other signs -> '-'."""
    text = text.lower()
    if not text.isascii():  # deck.answers (and its regexes) only for the Greek letters it spells out
        from lossquiz.deck.answers import GREEK

        text = "".join(GREEK.get(ch, ch) for ch in text)
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def find_card(deck: Deck, query: str, *, suggest: Mapping[str, str] | None = None) -> Card:
    """A card by id, alias, or title words; an ambiguous query lists its matches, a near miss suggests names
    (from `suggest`, name -> card id, when given: `code` suggests only cards with a practice task)."""
    key = _normalise(query)
    if key in deck.by_id:
        return deck.by_id[key]
    for card in deck.cards:
        if key in card.aliases or key == _normalise(card.title):
            return card
    words = set(key.split("-"))
    searchable = {c.id: set(_normalise(f"{c.name} {c.id} {' '.join(c.aliases)}").split("-")) for c in deck.cards}
    titled = [c for c in deck.cards if words and words <= searchable[c.id]]
    if len(titled) == 1:
        return titled[0]
    if titled:
        listed = ", ".join(c.id for c in titled[:8]) + (f", … ({len(titled)} in all)" if len(titled) > 8 else "")
        raise UnknownCardError(f"'{query}' matches {len(titled)} cards: {listed}; give one id")
    owner = {n: c.id for c in deck.cards for n in (c.id, *c.aliases)} if suggest is None else dict(suggest)
    close = difflib.get_close_matches(key, list(owner), n=8, cutoff=0.6)
    ids = list(dict.fromkeys(owner[n] for n in close))[:3]  # one suggestion per card
    hint = f"; did you mean {', '.join(repr(c) for c in ids)}?" if ids else ""
    raise UnknownCardError(f"no card matches '{query}'{hint}")


def select(deck: Deck, *, topics: list[str], kinds: list[str]) -> list[Card]:
    """Cards filtered by topic and kind (empty filter = all); unknown names are errors."""
    topics, kinds = [t.strip().lower() for t in topics], [k.strip().lower() for k in kinds]
    for name, given, allowed in (("topic", topics, TOPICS), ("kind", kinds, tuple(KINDS))):
        bad = [g for g in given if g not in allowed]
        if bad:
            close = difflib.get_close_matches(bad[0], allowed, n=1, cutoff=0.6)
            if close:  # as `show hubr` does
                raise UnknownCardError(f"unknown {name} '{bad[0]}'; did you mean '{close[0]}'?")
            raise UnknownCardError(f"unknown {name} '{bad[0]}' (one of: {', '.join(allowed)})")
    return [c for c in deck.cards if (not topics or c.topic in topics) and (not kinds or c.kind in kinds)]


def card_summary(card: Card) -> dict[str, Any]:
    """A card as `list --json` prints it."""
    return {
        "id": card.id,
        "title": card.title,
        "aliases": list(card.aliases),
        "topic": card.topic,
        "kind": card.kind,
        "snippet": card.snippet,
        "source": card.source,
    }
