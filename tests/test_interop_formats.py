"""`import` on the formats other tools write: each fixture imports to exactly the expected cards,
nothing is dropped or read as a card silently, and an unknown construct stops the import."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner, Result

from lossquiz.cli import app
from lossquiz.deck.cards import Card, load_deck

NOTES = Path(__file__).parent / "fixtures" / "notes"


def _import(runner: CliRunner, name: str, target: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["import", str(NOTES / name), "--into", str(target), *args])
    return result.exit_code, result.output


def _cards(deck: Path) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for path in sorted((deck / "cards").glob("*.yaml")):
        out += yaml.safe_load(path.read_text(encoding="utf-8"))
    return out


def _drill_one(runner: CliRunner, tmp_path: Path, name: str, text: str, keys: str) -> Result:
    """Import notes `text` (one card) as a deck, then drill that card with `keys` typed."""
    notes = tmp_path / name
    notes.write_text(text, encoding="utf-8")
    assert runner.invoke(app, ["import", str(notes), "--into", str(tmp_path / "d")]).exit_code == 0
    [card] = _cards(tmp_path / "d")
    args = ["drill", "--deck", str(tmp_path / "d"), "--card", card["id"], "--time-limit", "0"]
    result = runner.invoke(app, args, input=keys)
    assert result.exit_code == 0, result.output
    return result


def _summary(cards: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(c["kind"], c["question"]) for c in cards]


EXPECTED = {
    "lossquiz.md": (
        "lossquiz",
        [
            ("concept", "What is the Huber loss?"),
            ("quickfire", "Which loss is the median's?"),
            ("quickfire", "MSE"),
            ("quickfire", "Huber"),
            ("quickfire", "quadratic near zero, linear in the tails"),
            ("quickfire", "Explain GRPO."),
        ],
    ),
    "obsidian.md": (
        "obsidian",
        [
            ("quickfire", "What is the MSE"),
            ("quickfire", "Huber"),
            ("quickfire", "quadratic near zero, linear in the tails"),
            ("quickfire", "What does the Huber loss do\nfor large residuals?"),
            ("quickfire", "Pinball loss"),  # one-line answers: quickfire, with no invented key points
            ("quickfire", "The quantile regression loss."),
            ("cloze", "Focal loss multiplies cross-entropy by […] to down-weight easy examples."),
            ("cloze", "Focal loss multiplies cross-entropy by (1 − p)^γ to down-weight […] examples."),
            ("cloze", "Label smoothing mixes the one-hot target with the […] distribution."),
            ("cloze", "Hinge loss is […], used by SVMs."),
            ("cloze", "Hinge loss is max(0, 1 − y·f(x)), used by […]."),
        ],
    ),
    "hashcards.md": (
        "hashcards",
        [
            ("quickfire", "What is the Huber loss?"),
            ("quickfire", "What does MAE estimate?"),
            ("cloze", "VICReg has three terms: […], invariance and covariance."),
            ("cloze", "VICReg has three terms: variance, […] and covariance."),
            ("cloze", "VICReg has three terms: variance, invariance and […]."),
            ("cloze", "Focal loss uses γ = […] by default."),
        ],
    ),
    "logseq.md": (
        "logseq",
        [
            ("concept", "What is the Huber loss?"),
            ("cloze", "The […] is the mean of squared residuals."),
            ("quickfire", "Which loss is the median's?"),
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_format_imports_to_exactly_the_expected_cards(runner: CliRunner, tmp_path: Path, name: str) -> None:
    fmt, expected = EXPECTED[name]
    code, output = _import(runner, name, tmp_path / "deck", "--json")
    assert code == 0, output
    data = json.loads(output)
    assert data["format"] == fmt
    assert data["unreadable"] == []
    cards = _cards(tmp_path / "deck")
    assert sorted(_summary(cards)) == sorted(expected)
    text = yaml.safe_dump([[c["question"], c["answer"], c["key_points"]] for c in cards], allow_unicode=True)
    for leak in ("<!--SR", "card-ease-factor", "id::", "sr-due", "#card", "{{", "==", "Q:", "A:", "#flashcards"):
        assert leak not in text, f"{leak!r} leaked into a card of {name}"


def test_the_format_is_detected_and_can_be_overridden(runner: CliRunner, tmp_path: Path) -> None:
    code, output = _import(runner, "hashcards.md", tmp_path / "a", "--json")
    assert code == 0 and json.loads(output)["format"] == "hashcards"
    # read as lossquiz notes, the hashcards lines are other syntax: listed by line, nothing imported
    code, output = _import(runner, "hashcards.md", tmp_path / "b", "--format", "lossquiz")
    assert code == 1
    assert "hashcards.md:3: a hashcards 'Q:'/'A:'/'C:' line" in output
    assert not (tmp_path / "b").exists()


def test_summary_counts_cards_of_each_kind_with_their_lines(runner: CliRunner, tmp_path: Path) -> None:
    code, output = _import(runner, "obsidian.md", tmp_path / "deck")
    assert code == 0, output
    assert "quickfire 6 (lines 9, 10, 10, 12, 19, 19)" in output  # line 12: one sentence, no key points
    assert "cloze 5 (lines 25, 25, 27, 29, 29)" in output
    assert "1 block of plain text, not cards (line 31)" in output


def test_unknown_construct_exits_non_zero_naming_its_line(runner: CliRunner, tmp_path: Path) -> None:
    code, output = _import(runner, "unknown.md", tmp_path / "deck")
    assert code == 1
    assert "unknown.md:5: RemNote-style card" in output
    assert "--skip-unreadable" in output
    assert not (tmp_path / "deck").exists()
    code, output = _import(runner, "unknown.md", tmp_path / "deck", "--skip-unreadable")
    assert code == 0, output
    assert "not imported: line 5: RemNote-style card" in output
    assert _summary(_cards(tmp_path / "deck")) == [("quickfire", "MSE")]


def test_code_like_double_colons_are_not_cards(runner: CliRunner, tmp_path: Path) -> None:
    notes = tmp_path / "n.md"
    notes.write_text(
        "# Regression\n\nMSE::mean of squares\nIn PyTorch use torch.nn::HuberLoss; slicing x[::2] skips.\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["import", str(notes), "--into", str(tmp_path / "d")])
    assert result.exit_code == 0, result.output
    questions = [c["question"] for c in _cards(tmp_path / "d")]
    assert "MSE" in questions
    assert not any("torch.nn" in q for q in questions)


def test_broken_card_constructs_are_unreadable_not_dropped(runner: CliRunner, tmp_path: Path) -> None:
    cases = {
        "hc.md": ("Q: What is MAE?\n\nQ: What is MSE?\nA: mean of squares\n\nC: no deletion here\n", [1, 6]),
        "ob.md": ("#flashcards\n\nA question with no answer\n?\n\nMSE::mean\n", [3]),
        "lg.md": ("- What is MAE? #card\n- MSE\n", [1]),
    }
    for name, (text, lines) in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        result = runner.invoke(app, ["import", str(path), "--into", str(tmp_path / name.replace(".md", ""))])
        assert result.exit_code == 1, (name, result.output)
        for line in lines:
            assert f"{name}:{line}:" in result.output, (name, result.output)


def test_a_lone_a_circumflex_is_not_repaired_but_mojibake_is(runner: CliRunner, tmp_path: Path) -> None:
    notes = tmp_path / "n.md"
    notes.write_text(
        "# Alignment\n\nGRPO advantage::every Â = 0 when rewards agree\nDash::Huber â€” robust\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["import", str(notes), "--into", str(tmp_path / "d"), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["fixed_lines"] == [4]
    answers = {c["question"]: c["answer"] for c in _cards(tmp_path / "d")}
    assert answers["GRPO advantage"] == "every Â = 0 when rewards agree"
    assert answers["Dash"] == "Huber — robust"


def test_cloze_siblings_share_a_family(runner: CliRunner, tmp_path: Path) -> None:
    assert _import(runner, "hashcards.md", tmp_path / "d")[0] == 0
    families = {c["family"] for c in _cards(tmp_path / "d") if c["question"].startswith("VICReg")}
    assert len(families) == 1


def test_pathological_lines_stay_linear(tmp_path: Path) -> None:
    """A 80,000-space line, 5,000-deep bullets and 3,000-deep braces parse (no timing assert:
    a quadratic or exponential scan would not finish within the test run's timeout)."""
    from lossquiz.deck import formats

    lines = [" " * 80_000 + "x", *("  " * i + "- b" for i in range(0, 5_000, 5)), "{{" * 3_000 + "c1::x" + "}}" * 3_000]
    lines += ["== " * 20_000, "`a" * 20_000, "- q #card", *("  " * i + "- b" for i in range(1, 5_000, 5))]
    for fmt in ("obsidian", "hashcards", "logseq"):
        formats.PARSERS[fmt](lines)
    formats.detect(lines)


def session_order(deck_path: Path) -> list[Card]:
    """The cards of a new deck in the order a session shows them, every card answered once."""
    from datetime import datetime, timezone

    from lossquiz.study.queue import DrillOptions, Session, build_queue

    now = datetime(2025, 1, 1, tzinfo=timezone.utc)
    queue = build_queue(
        load_deck(deck_path).cards, {}, now=now, options=DrillOptions(new_per_day=50), introduced_today=0
    )
    session = Session(queue, started=now, minutes=None)
    shown = []
    while (card := session.next_card(now)) is not None:
        shown.append(card)
    return shown


def test_cloze_siblings_are_not_shown_back_to_back(runner: CliRunner, tmp_path: Path) -> None:
    assert _import(runner, "hashcards.md", tmp_path / "d")[0] == 0
    deck = load_deck(tmp_path / "d")
    shown = [card.family for card in session_order(tmp_path / "d")]
    assert len(shown) == 6 and shown.count(shown[0]) <= 3
    vicreg = next(c.family for c in deck.cards if c.question.startswith("VICReg"))
    # three VICReg siblings among six cards: never two in a row
    assert all(not (a == b == vicreg) for a, b in zip(shown, shown[1:], strict=False))


def test_a_long_cloze_gap_is_revealed_and_self_rated(runner: CliRunner, tmp_path: Path) -> None:
    text = "#flashcards\n\nHinge loss is ==the maximum of zero and one minus the margin==.\n"
    result = _drill_one(runner, tmp_path, "sr.md", text, "\n3\n")
    assert "Hinge loss is […]." in result.output
    assert "rate 1-4" in result.output and "fill the gap" not in result.output


def test_a_short_cloze_gap_typed_wrong_is_again(runner: CliRunner, tmp_path: Path) -> None:
    assert _import(runner, "hashcards.md", tmp_path / "d")[0] == 0
    gamma = next(c for c in _cards(tmp_path / "d") if c["question"].startswith("Focal loss uses"))
    args = ["drill", "--deck", str(tmp_path / "d"), "--card", gamma["id"], "--time-limit", "0"]
    result = runner.invoke(app, args, input="3\n")
    assert result.exit_code == 0, result.output
    assert "✗ the gap is: 2" in result.output
    history = runner.invoke(app, ["history", "export", "--deck", str(tmp_path / "d")])
    [review] = [json.loads(line) for line in history.output.splitlines() if '"review"' in line]
    assert review["rating"] == 1 and review["correct"] is False and review["answer"] == "3"


def test_with_history_on_notes_says_there_is_none(runner: CliRunner, tmp_path: Path, env: Path) -> None:
    code, output = _import(runner, "logseq.md", tmp_path / "d", "--with-history")
    assert code == 0, output
    assert "--with-history: a logseq file has no review log; none imported" in output
    assert not (env / "progress.db").exists()  # the store is not even opened


def test_a_cloze_gap_inside_math_is_self_rated_and_keeps_its_formula(runner: CliRunner, tmp_path: Path) -> None:
    from lossquiz.deck.cards import load_deck
    from lossquiz.study import cloze

    notes = tmp_path / "math.md"
    notes.write_text("#flashcards\n\n# Classification\n\nThe focal term is $(1-p_t)^{==\\gamma==}$ applied to CE.\n")
    result = runner.invoke(app, ["import", str(notes), "--into", str(tmp_path / "deck")])
    assert result.exit_code == 0, result.output
    (card,) = load_deck(tmp_path / "deck").cards
    assert card.kind == "cloze" and cloze.typed_check(card) is None  # a typed γ is never compared with \gamma
    assert "**" not in card.answer and "\\gamma" in card.answer


@pytest.mark.parametrize(
    ("gap", "typed"),
    [
        ("the reparameterisation trick", "reparameterisation trick"),
        ("reparameterisation trick", "The reparameterisation trick"),
        ("a hinge", "hinge"),
        ("hinge", "an hinge"),
    ],
)
def test_a_leading_article_does_not_count_in_a_typed_cloze_fill(
    runner: CliRunner, tmp_path: Path, gap: str, typed: str
) -> None:
    text = f"#flashcards\n\nThe VAE backpropagates through sampling by =={gap}==.\n"
    result = _drill_one(runner, tmp_path, "art.md", text, f"{typed}\n")
    assert "✗" not in result.output and "✓" in result.output


def test_an_article_is_not_stripped_from_inside_a_fill() -> None:
    from lossquiz.study import cloze

    assert not cloze.matches("theta", "a")  # "the" only as a whole leading word
    assert not cloze.matches("hinge", "the")
    assert cloze.matches("The  Hinge.", "hinge")


def test_a_greek_gap_is_filled_by_the_letters_name(runner: CliRunner, tmp_path: Path) -> None:
    """Fifth newcomer pass F2: `tau` for a ==τ== gap was wrong; an ASCII keyboard has no τ."""
    text = "#flashcards\n\nThe InfoNCE temperature is usually written ==τ==.\n"
    result = _drill_one(runner, tmp_path, "greek.md", text, "tau\n")
    assert "✗" not in result.output and "✓" in result.output
    from lossquiz.study import cloze

    assert cloze.matches("τ", "τ") and not cloze.matches("t", "τ")


def test_an_obsidian_cloze_in_lossquiz_notes_is_a_card_not_folded_into_an_answer(
    runner: CliRunner, tmp_path: Path
) -> None:
    """Fifth newcomer pass F5: `The KL divergence is ==asymmetric==: …` under a Q: card became the
    card's third key point, and nothing said so. Issue 17: it is a cloze card of its own (it was
    refused, with a way out that lost other cards)."""
    notes = tmp_path / "mixed.md"
    notes.write_text(
        "# Metric learning\n\n#### Q: What does the triplet loss compare?\nAnchor-positive against "
        "anchor-negative distance, with a margin.\n\n- margin m\n- hinge at zero\n\n"
        "The KL divergence is ==asymmetric==: KL(p‖q) ≠ KL(q‖p).\n\nIn code, `a == b and c == d` is no gap.\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["import", str(notes), "--into", str(tmp_path / "d")])
    assert result.exit_code == 0, result.output
    cards = _cards(tmp_path / "d")
    [cloze] = [c for c in cards if c["kind"] == "cloze"]
    assert cloze["question"] == "The KL divergence is […]: KL(p‖q) ≠ KL(q‖p)." and cloze["key_points"] == ["asymmetric"]
    [triplet] = [c for c in cards if c["kind"] != "cloze"]
    assert not any("asymmetric" in p for p in triplet["key_points"]) and "asymmetric" not in triplet["answer"]
    assert "`a == b and c == d`" in triplet["answer"]  # code is no gap


def test_an_obsidian_one_line_card_ends_the_text_before_it(runner: CliRunner, tmp_path: Path) -> None:
    """Fifth newcomer pass F4: a `::` line, two ==cloze== lines and a `?` card with no blank line
    between them became one card of four lines. As in the plugin's parser, the `::` line is a card
    of its own; the lines after it form the next card (here the `?` card, clozes in its question,
    as the plugin reads them). Issue 17: a cloze sentence glued to that `?` card is reported as
    not read, not shown raw in its question; --skip-unreadable imports the rest."""
    notes = tmp_path / "sr.md"
    notes.write_text(
        "#flashcards\n\nWhat does the β in β-VAE weight?::the KL term\nKL is ==asymmetric==.\n"
        "Why a reference model?\n?\nIt anchors the policy.\n\nMSE is the ==mean== of squared errors.\n",
        encoding="utf-8",
    )
    args = ["import", str(notes), "--into", str(tmp_path / "d"), "--format", "obsidian"]
    refused = runner.invoke(app, args)
    assert refused.exit_code == 1 and "sr.md:4: a ==cloze== sentence glued" in refused.stderr
    result = runner.invoke(app, [*args, "--skip-unreadable"])
    assert result.exit_code == 0, result.output
    cards = {c["question"]: c for c in _cards(tmp_path / "d")}
    assert "What does the β in β-VAE weight?" in cards
    assert cards["What does the β in β-VAE weight?"]["answer"] == "the KL term"
    assert not any("::" in q or "==" in q for q in cards)  # neither card is glued into another
    assert "Why a reference model?" in cards
    assert sum("mean" in c.get("key_points", [""])[0] for c in cards.values() if c["kind"] == "cloze") == 1


@pytest.mark.parametrize(
    ("typed", "gap"),
    [
        ("-log sigma", "−log σ"),
        ("p - y", "p − y"),
        ("sigma^2", "σ²"),
        ("1/sqrt(d)", "1/√d"),
        ("KL(q||p)", "KL(q‖p)"),
        ("KL(q || p)", "KL(q‖p)"),  # eighth pass F1: spaces beside || counted
        ("-log(sigmoid(z))", "−log σ(z)"),  # eighth pass F2: a bracketed argument, the sigmoid's name
        ("-log(sigma(z))", "−log σ(z)"),
        ("\\tau", "$\\tau$"),  # ninth pass F3: the LaTeX of the notes, typed without dollars
        ("\\sigma^2", "σ²"),
        ("1/4", "0.25"),  # ninth pass F4: an exact fraction, as numeric cards take 3/4
    ],
)
def test_a_math_gap_is_filled_by_what_an_ascii_keyboard_types(
    runner: CliRunner, tmp_path: Path, typed: str, gap: str
) -> None:
    """Seventh newcomer pass F1: `-log sigma` for a {{c2::−log σ}} gap (U+2212, as papers write it)
    was marked wrong and recorded Again; `−log sigma` with the Unicode minus was right."""
    text = f"# Classification\n\nThe BCE of a positive is {{{{c1::{gap}}}}} here.\n"
    result = _drill_one(runner, tmp_path, "math.md", text, f"{typed}\n")
    assert "✓ right" in result.output and "recorded Good" in result.output, result.output


def test_an_ascii_spelling_still_has_to_be_the_same_math() -> None:
    from lossquiz.study import cloze

    for typed, gap in [
        ("log sigma", "−log σ"),
        ("sigma^3", "σ²"),
        ("p + y", "p − y"),
        ("sqrt(d)", "1/√d"),
        ("log(sigmoid(z))", "−log σ(z)"),
        ("y - p", "p − y"),
        ("\\beta", "τ"),
        ("1/3", "0.25"),
    ]:
        assert not cloze.matches(typed, gap), (typed, gap)
    assert not cloze.matches("KL(p||q)", "KL(q‖p)")  # the direction still counts
