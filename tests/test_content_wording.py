"""The built-in deck's wording as a user reads it once rendered: a multi-part card names its part
in words (first-hour P13), and a question names each input once, as the inputs table does (N15)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lossquiz.cli import app
from lossquiz.deck.cards import load_deck
from lossquiz.paths import builtin_deck

DECK = load_deck(builtin_deck())
SHOWN_PART = [c for c in DECK.cards if c.grade and c.kind != "formula"]  # the drill prints the part to type


@pytest.mark.parametrize("card", SHOWN_PART, ids=lambda c: c.id)
def test_a_multi_part_card_names_its_part_in_words(card: object) -> None:
    from lossquiz.deck.cards import Card

    assert isinstance(card, Card) and card.grade
    label = card.grade_label
    assert label, f"{card.id}: grade '{card.grade}' needs a grade_label (the part in words)"
    bare = {card.grade, card.grade.replace("_", " "), "the " + card.grade.replace("_", " ")}
    assert label.lower() not in bare and ("_" not in card.grade or card.grade not in label), (
        f"{card.id}: '{label}' is only the code name"
    )


@pytest.mark.torch
def test_the_drill_says_the_part_in_words_never_its_code_name(runner: CliRunner) -> None:
    pytest.importorskip("torch")
    result = runner.invoke(app, ["drill", "--card", "ce-vs-mse-gradient", "--time-limit", "0"], input="1\n")
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "type ∂L/∂z of the squared error (p − y)²;" in text
    assert "type the mse" not in text and "grading 'mse'" not in text


# -- N15: each input named once, as the inputs table names it --------------------------------


def _rendered(text: str) -> str:
    """A question as the drill shows it, markup stripped (`temperature` reads temperature)."""
    from lossquiz.deck import mathtext
    from lossquiz.deck.answers import strip_markup

    return " ".join(mathtext.plain(strip_markup(text)).split())


def _named_twice(card_question: str) -> list[str]:
    """Places where the rendered question says a name twice in a row: "temperature temperature",
    "margin m = margin", "μ = mu", "x_t = x_t"."""
    from lossquiz.deck.answers import GREEK

    text = _rendered(card_question)
    found = [m.group(0) for m in re.finditer(r"\b([A-Za-z]\w*)\s+\1\b", text, re.IGNORECASE)]
    found += [m.group(0) for m in re.finditer(r"\b([A-Za-z]\w{2,})\s+\S{1,3}\s*=\s*\1\b", text, re.IGNORECASE)]
    for m in re.finditer(r"(\S+)\s*=\s*`([A-Za-z_]\w*)`", card_question):
        symbol, code = m.group(1).strip("(`"), m.group(2)
        if symbol == code or GREEK.get(symbol.lower()) == code.lower():
            found.append(m.group(0))
    return found


def _input_names(snippet_file: Path) -> list[str]:
    """The inputs table's labels: the keys of the snippet's problem() (else example()) dict."""
    import ast

    tree = ast.parse(snippet_file.read_text(encoding="utf-8"))
    for name in ("problem", "example"):
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name == name:
                returns = [
                    n.value for n in ast.walk(node) if isinstance(n, ast.Return) and isinstance(n.value, ast.Dict)
                ]
                if returns:
                    return [
                        k.value for k in returns[-1].keys if isinstance(k, ast.Constant) and isinstance(k.value, str)
                    ]
    return []


@pytest.mark.parametrize(
    ("question", "twice"),
    [
        ("with temperature `temperature`.", True),
        ("with margin m = `margin`.", True),
        ("with μ = `mu`, σ = `sigma`.", True),
        ("with logit `logit` = l.", True),
        ("at x_t = `x_t`.", True),
        ("with the temperature τ (`temperature` below).", False),
        ("with ε = `clip_eps` and λ = `lam`.", False),
    ],
)
def test_the_named_twice_rule_itself(question: str, twice: bool) -> None:
    assert bool(_named_twice(question)) is twice


def test_no_question_names_an_input_twice_once_rendered() -> None:
    bad = {c.id: found for c in DECK.cards if (found := _named_twice(c.question))}
    assert not bad, f"rewrite as 'the temperature τ (`temperature` below)': {bad}"


def test_a_formula_card_names_each_variable_as_the_inputs_table_does() -> None:
    bad = {
        c.id: missing
        for c in DECK.cards
        if c.kind == "formula" and (missing := [name for name, _ in c.variables if f"`{name}`" not in c.question])
    }
    assert not bad, f"each variable of a formula card appears in its question as `name`: {bad}"


def test_a_question_naming_an_input_in_words_also_gives_its_table_label() -> None:
    """ "logit z" while the table says `logits`: the user must be told which row is z."""
    bad = {}
    for card in DECK.cards:
        path = DECK.snippet_path(card)
        if card.kind not in ("numeric", "gradient") or path is None:
            continue
        text = _rendered(card.question)
        for name in _input_names(path):
            singular = name[:-1] if name.endswith("s") and len(name) > 3 else None
            if singular and re.search(rf"\b{singular}\s+\S\b(?!\w)", text) and f"`{name}`" not in card.question:
                bad[card.id] = f"'{singular} …' but the table says {name}"
    assert not bad, bad


@pytest.mark.parametrize("path", sorted((builtin_deck() / "cards").glob("*.yaml")), ids=lambda p: p.name)
def test_no_card_text_is_cut_by_a_yaml_comment(path: Path) -> None:
    """`- normalise by # positives` is read by YAML as "normalise by" and a comment: the card
    taught half a sentence. No plain (unquoted) scalar of the deck is followed by `#` on its line."""
    import yaml

    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    stack = [yaml.compose(text, Loader=yaml.SafeLoader)]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            end = node.end_mark
            rest = lines[end.line][end.column :] if end.line < len(lines) else ""
            assert not (node.style is None and rest.strip().startswith("#")), f"{path.name}:{end.line + 1}: {rest}"
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            stack.extend(n for pair in node.value for n in pair)


# -- issue 17: no internal review label reaches the user ------------------------------------

# "Review A MISSING 14; Cui et al. (2019)…" in `show`, the cheat sheet and Anki backs read as
# "reference missing": the labels of the content reviews (A, B) and of the fact-check belong in
# the YAML's comments and `review:` notes, never in what a card shows. Case-sensitive, so that
# "whole modes missing" in an answer is still English.
INTERNAL_LABEL = re.compile(r"\bMISSING\b|\bFACTCHECK\b|\b[Rr]eview[ -][AB]\b")
NOT_SHOWN = {"review", "path", "line", "order", "factcheck"}  # the review note is for the deck's editors


def _shown_text(card: object) -> dict[str, str]:
    """Every text field of a card a user can see, by field name (lists joined)."""
    import dataclasses

    shown = {}
    for field in dataclasses.fields(card):  # type: ignore[arg-type]
        value = getattr(card, field.name)
        if field.name in NOT_SHOWN or value is None:
            continue
        if isinstance(value, tuple):
            value = " | ".join(" = ".join(map(str, v)) if isinstance(v, tuple) else str(v) for v in value)
        if isinstance(value, str):
            shown[field.name] = value
    return shown


@pytest.mark.parametrize(
    ("text", "internal"),
    [
        ("Review A MISSING 14; Cui et al. (2019)", True),
        ("FACTCHECK C (Gaussian NLL); PyTorch docs torch.nn.GaussianNLLLoss", True),
        ("content-review-B MISSING 15; Ho et al. (2020), DDPM", True),
        ("Goodfellow et al. (2014); FACTCHECK B7", True),
        ("Cui et al. (2019), Class-Balanced Loss Based on Effective Number of Samples", False),
        ("partial collapse: whole modes/classes missing", False),
        ("review a card you missed", False),
    ],
)
def test_the_internal_label_rule_itself(text: str, internal: bool) -> None:
    assert bool(INTERNAL_LABEL.search(text)) is internal


def test_no_card_shows_an_internal_review_label() -> None:
    bad = {
        f"{c.id}.{name}": INTERNAL_LABEL.search(text).group(0)  # type: ignore[union-attr]
        for c in DECK.cards
        for name, text in _shown_text(c).items()
        if INTERNAL_LABEL.search(text)
    }
    assert not bad, f"internal review labels in user-visible fields (keep only the citation): {bad}"
    assert all(c.source.strip() for c in DECK.cards), "a card's source is empty"


def test_the_vae_kl_answer_is_unicode_and_defines_the_formulas_l(runner: CliRunner) -> None:
    """Eleventh newcomer pass F9: the reveal showed `e^{logvar_j}` (raw LaTeX braces) and the
    formula panel `KL=½∑ⱼ(μⱼ²+e^ℓⱼ−1−ℓⱼ)` used ℓ, which nothing on the card defined."""
    result = runner.invoke(app, ["show", "vae-kl-formula", "--no-run"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    answer = result.stdout.split("Answer", 1)[1].split("Key points", 1)[0]
    assert "{" not in answer and "_j" not in answer, answer
    assert "KL=½∑ⱼ(μⱼ²+e^ℓⱼ−1−ℓⱼ)" in result.stdout  # the formula panel, in the answer's symbols
    assert "Σⱼ ½(μⱼ² + e^ℓⱼ − 1 − ℓⱼ)" in answer and "ℓⱼ = log σⱼ²" in answer
