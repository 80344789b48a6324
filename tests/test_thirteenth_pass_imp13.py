"""The thirteenth newcomer pass, import half: both directions of a note are one family and one
topic, a quick-fire bullet inside a `Q:` answer is its own card, the summary names new ids,
dashes in ids, and titles of multi-line questions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from lossquiz.cli.app import app

SR_NOTES = """\
---
tags: flashcards
---
#flashcards

What does the KL term
of a VAE pull toward?
?
The prior N(0, I).

Why is cross-entropy preferred over MSE for classification?
??
Its gradient at the logit is p − y, which does not vanish when the sigmoid saturates.

DPO's β controls the strength of the implicit ==KL penalty== toward the reference policy.

InfoNCE::a (K+1)-way classification loss with the positive as the correct class
Bradley–Terry:::the pairwise preference model behind reward modelling
"""


def _import(runner: CliRunner, tmp_path: Path, text: str, name: str = "notes.md", *args: str) -> str:
    notes = tmp_path / name
    notes.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["import", str(notes), "--into", str(tmp_path / "deck"), *args])
    assert result.exit_code == 0, result.output
    return result.output


def _cards(deck: Path) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for path in sorted((deck / "cards").glob("*.yaml")):
        out += yaml.safe_load(path.read_text(encoding="utf-8"))
    return out


# -- N13-01: both directions of a note share a family and a topic ---------------------------------


def test_both_directions_of_an_obsidian_note_share_a_family_and_a_topic(runner: CliRunner, tmp_path: Path) -> None:
    """The `??` pair was `classification` / `synthesis` in two families, so a drill showed the
    reverse right after the forward card, whose answer it is; the `:::` pair likewise."""
    _import(runner, tmp_path, SR_NOTES, "sr.md")
    by_question = {c["question"]: c for c in _cards(tmp_path / "deck")}
    ce = by_question["Why is cross-entropy preferred over MSE for classification?"]
    back = by_question["Its gradient at the logit is p − y, which does not vanish when the sigmoid saturates."]
    assert (back["family"], back["topic"]) == (ce["family"], ce["topic"]) == (ce["id"], "classification")
    bt, reverse = by_question["Bradley–Terry"], by_question["the pairwise preference model behind reward modelling"]
    assert bt["family"] == reverse["family"] != ce["family"]
    assert bt["topic"] == reverse["topic"] == "alignment"  # only the answer's words name a topic
    families = [c["family"] for c in _cards(tmp_path / "deck")]
    assert len(set(families)) == 5  # 7 cards: two pairs, and three cards of their own


def test_a_lossquiz_both_ways_line_is_one_family_and_topic(runner: CliRunner, tmp_path: Path) -> None:
    _import(runner, tmp_path, "Bradley–Terry:::the pairwise preference model behind reward modelling\nMSE::mean\n")
    cards = _cards(tmp_path / "deck")
    assert [c["family"] for c in cards[:2]] == [cards[0]["family"]] * 2 != [cards[2]["family"]] * 2
    assert [c["topic"] for c in cards[:2]] == ["alignment", "alignment"]


def test_the_two_directions_are_not_shown_back_to_back(runner: CliRunner, tmp_path: Path) -> None:
    from tests.test_interop_formats import session_order

    _import(runner, tmp_path, SR_NOTES, "sr.md")
    shown = [card.question for card in session_order(tmp_path / "deck")]
    assert len(shown) == 7
    at = shown.index("Why is cross-entropy preferred over MSE for classification?")
    assert abs(at - shown.index(next(q for q in shown if q.startswith("Its gradient")))) > 1
    assert abs(shown.index("Bradley–Terry") - shown.index("the pairwise preference model behind reward modelling")) > 1


# -- N13-02: a quick-fire bullet under a `Q:` heading is a card of its own ------------------------

FOCAL_NOTES = """\
# Classification (Cross-Entropy, Focal)

#### Q: Why does focal loss use a modulating factor?
It down-weights easy examples so that training focuses on hard ones.

$$FL(p_t) = -\\alpha_t (1 - p_t)^\\gamma \\log p_t$$

- **Default classification loss?** → cross-entropy
- Temperature scaling divides logits by {{c1::T}} before the softmax, fitted on a {{c2::validation set}}.
"""


def test_a_quickfire_bullet_under_a_question_heading_is_its_own_card(runner: CliRunner, tmp_path: Path) -> None:
    """It was folded into the focal card's answer and key points, while the cloze bullet below it
    was a card; the summary said nothing of its line."""
    output = _import(runner, tmp_path, FOCAL_NOTES)
    assert "quickfire 2 (lines 3, 8)" in output
    by_question = {c["question"]: c for c in _cards(tmp_path / "deck")}
    focal = by_question["Why does focal loss use a modulating factor?"]
    assert focal["answer"] == "It down-weights easy examples so that training focuses on hard ones."
    assert not any("cross-entropy" in point for point in focal["key_points"])
    quick = by_question["Default classification loss?"]
    assert (quick["kind"], quick["answer"], quick["topic"]) == ("quickfire", "cross-entropy", "classification")
    shown = runner.invoke(app, ["show", focal["id"], "--deck", str(tmp_path / "deck"), "--no-pager"])
    assert shown.exit_code == 0 and "Default classification loss" not in shown.output


# -- N13-03: the summary names the new ids, as it names the gone ones -----------------------------


def test_a_reimport_names_its_new_ids_as_the_json_lists_them(runner: CliRunner, tmp_path: Path) -> None:
    """`ids: 6 kept (progress kept), 2 new, 1 gone: mse`: the new ids were only in the YAML."""
    _import(runner, tmp_path, "# Regression\nMSE::mean of squared residuals\nHuber::quadratic, then linear\n")
    text = "# Regression\nMSE loss::mean of squared residuals\nHuber::quadratic, then linear\nMAE::median\n"
    output = _import(runner, tmp_path, text)
    assert "  ids: 1 kept (progress kept); 2 new: mse-loss, mae; 1 gone: mse\n" in output
    summary = json.loads(_import(runner, tmp_path, text.replace("MAE", "Pinball"), "notes.md", "--json"))
    assert (summary["kept_ids"], summary["new_ids"], summary["dropped_ids"]) == (2, ["pinball"], ["mae"])


def test_a_long_list_of_new_or_gone_ids_is_cut_with_an_ellipsis(runner: CliRunner, tmp_path: Path) -> None:
    _import(runner, tmp_path, "".join(f"old{i}::a\n" for i in range(10)))
    output = _import(runner, tmp_path, "".join(f"new{i}::a\n" for i in range(10)))
    new, gone = (", ".join(f"{name}{i}" for i in range(8)) + " …" for name in ("new", "old"))
    assert f"  ids: 0 kept (progress kept); 10 new: {new}; 10 gone: {gone}\n" in output


# -- N13-10: a dash between words is a hyphen in ids and families ---------------------------------


def test_an_en_dash_between_words_is_a_hyphen_in_the_id_and_family(runner: CliRunner, tmp_path: Path) -> None:
    _import(runner, tmp_path, "Bradley–Terry:::the pairwise preference model\nKL—divergence::x\n")
    cards = _cards(tmp_path / "deck")
    assert [(c["id"], c["family"]) for c in (cards[0], cards[2])] == [
        ("bradley-terry", "bradley-terry"),
        ("kl-divergence", "kl-divergence"),
    ]
    # a deck imported before keeps its ids (and progress): the question is the same
    path = next((tmp_path / "deck" / "cards").glob("*.yaml"))
    path.write_text(path.read_text(encoding="utf-8").replace("id: bradley-terry", "id: bradleyterry"), encoding="utf-8")
    assert "ids: 3 kept (progress kept); 0 new\n" in _import(runner, tmp_path, (tmp_path / "notes.md").read_text())


# -- N13-08: a question written over two lines has a one-line title -------------------------------


def test_a_two_line_question_has_a_one_line_title_in_the_drill_header(runner: CliRunner, tmp_path: Path) -> None:
    """The title kept the question's line break, and the drill header stopped at it
    (`1/7  What does the …`), though `list` joined it."""
    _import(runner, tmp_path, SR_NOTES, "sr.md")
    [kl] = [c for c in _cards(tmp_path / "deck") if c["id"] == "kl-term-vae-pull-toward"]
    assert kl["title"] == "What does the KL term of a VAE pull toward?"
    assert kl["question"] == "What does the KL term\nof a VAE pull toward?"  # the question stays as written
    args = ["drill", "--deck", str(tmp_path / "deck"), "--card", kl["id"], "--time-limit", "0"]
    result = runner.invoke(app, args, input="\n3\n")
    assert result.exit_code == 0, result.output
    assert "1/1  What does the KL term of a VAE p" in result.output  # cut to fit the ids and topic beside it


# -- N13-20: no blank line between an answer's first sentence and its bullets ---------------------

HUBER_NOTES = """\
# Regression Losses

#### Q: What is the difference between the Huber loss and the log-cosh loss when the residuals are very large?
Both grow linearly for large residuals.
- Huber is exactly linear beyond delta, with slope delta.
- Log-cosh tends to |r| − log 2 and is twice differentiable everywhere.

Formula: $L(r) = \\log \\cosh(r)$
"""


def test_a_reveal_draws_no_blank_line_the_notes_do_not_have(runner: CliRunner, tmp_path: Path) -> None:
    """Rich's Markdown puts a blank line above every list; the answer had none there. The key
    points, the answer's lines word for word, are not shown a second time."""
    _import(runner, tmp_path, HUBER_NOTES)
    [card] = _cards(tmp_path / "deck")
    assert "\n\n" not in card["answer"]
    args = ["drill", "--deck", str(tmp_path / "deck"), "--card", card["id"], "--time-limit", "0"]
    result = runner.invoke(app, args, input="\n3\n")
    assert result.exit_code == 0, result.output
    assert "Both grow linearly for large residuals.\n • Huber is exactly linear" in result.output
    assert result.output.count("Huber is exactly linear") == 1 and "Key points" not in result.output


def test_a_blank_line_written_above_a_list_is_kept() -> None:
    from rich.console import Console

    from lossquiz.ui.card_view import markdown

    console = Console(width=60)
    for text, drawn in (
        ("Both grow.\n- a\n- b", "Both grow.\n • a\n • b"),
        ("Both grow.\n\n- a", "Both grow.\n\n • a"),
    ):
        with console.capture() as capture:
            console.print(markdown(text))
        assert "\n".join(line.rstrip() for line in capture.get().splitlines()) == drawn
