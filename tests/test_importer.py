"""`lossquiz import`: Markdown notes -> a valid deck, stable ids, clear errors, nothing half-written."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lossquiz.cli import app
from lossquiz.deck import notes_import as importer
from lossquiz.deck.answers import extract_formula, key_points, slug
from lossquiz.deck.cards import load_deck
from lossquiz.deck.kinds import TOPICS
from lossquiz.deck.notes import parse_notes
from lossquiz.errors import LossquizError, NotesError
from tests.conftest import FIXTURES

SEED = FIXTURES / "seed_notes.md"
SEED_SECTIONS = ("RLHF Pipeline", "DPO (Direct Preference Optimization)", "GRPO (DeepSeek / Group Relative PO)")


def _import(runner: CliRunner, notes: Path, deck: Path, *extra: str) -> dict[str, object]:
    result = runner.invoke(app, ["import", str(notes), "--into", str(deck), "--json", *extra])
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads(result.stdout)
    return data


def _by_question(deck: Path) -> dict[str, str]:
    return {c.question: c.id for c in load_deck(deck).cards}


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# -- the seed notes -----------------------------------------------------------------------


def test_seed_notes_become_a_valid_deck_with_every_question(runner: CliRunner, tmp_path: Path) -> None:
    data = _import(runner, SEED, tmp_path / "deck")
    deck = load_deck(tmp_path / "deck")  # the real validator: topics, kinds, 2-5 key points, ids
    text = SEED.read_text(encoding="utf-8")
    q_headings = re.findall(r"^#### Q: (.+)$", text, re.M)
    quick = re.findall(r"^\*   \*\*(.+\?)\*\* \$\\to\$", text, re.M)
    assert len(q_headings) == 27 and len(quick) == 7
    questions = {c.question for c in deck.cards}
    assert set(q_headings) <= questions
    assert set(quick) <= questions
    for section in SEED_SECTIONS:
        assert f"Explain {section}." in questions
    assert "Explain Cross-Cutting Connections." in questions
    # 27 Q headings + RLHF/DPO/GRPO + cross-cutting (one card) + 7 quick-fire bullets
    assert len(deck.cards) == data["cards"] == 27 + 3 + 1 + 7
    assert {c.kind for c in deck.cards if c.question in quick} == {"quickfire"}
    assert all(c.kind == "concept" for c in deck.cards if c.question in q_headings)
    # key points come from the answer only: a one-line answer ("Sparsity.") is a quickfire card with none
    assert all(2 <= len(c.key_points) <= 5 for c in deck.cards if c.kind != "quickfire")
    assert all(len(c.key_points) <= 5 for c in deck.cards)
    assert not any((tmp_path / "deck").glob("snippets/*.py"))


def test_seed_topics_follow_the_headings(runner: CliRunner, tmp_path: Path) -> None:
    _import(runner, SEED, tmp_path / "deck")
    deck = load_deck(tmp_path / "deck")
    topic = {c.id: c.topic for c in deck.cards}
    assert topic["mse-mae-huber-loss"] == "regression"
    assert topic["focal-loss"] == "classification"
    assert topic["triplet-loss"] == "metric"
    assert topic["l1-vs-l2-regularization"] == "regularization"
    assert topic["kl-divergence"] == "probabilistic"
    assert topic["why-wgan-wasserstein-loss"] == "gan"
    assert topic["flow-matching"] == "diffusion"
    assert topic["how-ppo-work"] == "policy"
    assert topic["distributional-rl"] == "value"
    assert topic["psro-policy-space-response-oracles"] == "multiagent"
    assert topic["dpo-direct-preference-optimization"] == "alignment"
    assert topic["default-regression"] == "synthesis"
    # every topic but llm: the notes have no section on LLM training losses
    assert [t for t in TOPICS if t in topic.values()] == deck.topics() == [t for t in TOPICS if t != "llm"]
    focal = deck.by_id["focal-loss"]
    assert focal.source == (
        "seed_notes.md L70 — Classification (Cross-Entropy, Focal, Hinge, Label Smoothing) › Q: What is Focal Loss?"
    )


def test_seed_mojibake_is_repaired(runner: CliRunner, tmp_path: Path) -> None:
    assert "â€”" in SEED.read_text(encoding="utf-8")  # the fixture really is broken
    result = runner.invoke(app, ["import", str(SEED), "--into", str(tmp_path / "deck")])
    assert result.exit_code == 0, result.output
    assert "repaired broken encoding (mojibake) on line 146" in result.stdout
    written = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "deck" / "cards").glob("*.yaml"))
    assert not re.search("â€|Ã.|Â", written)
    card = load_deck(tmp_path / "deck").by_id["diffusion-model-optimize"]
    assert "($\\nabla_x \\log p(x)$) — the gradient" in card.answer


def test_seed_formulas_are_extracted(runner: CliRunner, tmp_path: Path) -> None:
    _import(runner, SEED, tmp_path / "deck")
    deck = load_deck(tmp_path / "deck")
    assert deck.by_id["focal-loss"].formula == r"\text{FL} = -(1-p_t)^\gamma \log(p_t)"
    assert deck.by_id["cross-entropy-loss"].formula == r"\mathcal{L} = -\sum y \log(\hat{y})"
    infonce = deck.by_id["infonce"]
    assert (
        infonce.formula
        == r"\mathcal{L} = -\log \frac{\exp(\text{sim}(q, k_+)/\tau)}{\sum \exp(\text{sim}(q, k_i)/\tau)}"
    )
    assert "$$" not in infonce.answer  # a formula-only line moves to `formula`
    assert infonce.answer.startswith("**(N-1)-way classification**")
    assert deck.by_id["dpo-direct-preference-optimization"].formula.startswith(r"\mathcal{L}_{DPO} = -\log \sigma")
    assert deck.by_id["how-ppo-work"].answer.startswith("**Clipped Objective**:")
    assert deck.by_id["forward-vs-reverse-kl"].formula is None  # $P||Q$ is notation, not a formula
    assert deck.by_id["cross-cutting-connections"].formula is None  # a lone $\approx$ is not one either


def test_seed_bullets_become_key_points(runner: CliRunner, tmp_path: Path) -> None:
    _import(runner, SEED, tmp_path / "deck")
    deck = load_deck(tmp_path / "deck")
    assert deck.by_id["simclr-vs-byol-vs-vicreg"].key_points == (
        "SimCLR: Uses negatives (InfoNCE). Needs large batches.",
        "BYOL: No negatives. Predicts target network representation. Relies on asymmetry (stop-gradient) to prevent "
        "collapse.",
        "VICReg: No negatives, no momentum. Explicitly regularizes Variance (don't collapse), "
        "Invariance (match views), and Covariance (decorrelate features).",
    )
    # one paragraph of three sentences -> three checkpoints
    assert len(deck.by_id["why-cross-entropy-ce-not-mse"].key_points) == 3
    # a one-line answer is one sentence: split at sentence ends only, so it has no key points (P15)
    assert deck.by_id["default-classification"].key_points == ()
    assert deck.by_id["why-spectral-norm"].key_points == ()


# -- stable ids ---------------------------------------------------------------------------


def test_reimport_after_edits_keeps_ids(runner: CliRunner, tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    shutil.copy(SEED, notes)
    deck = tmp_path / "deck"
    _import(runner, notes, deck)
    before = _by_question(deck)
    text = notes.read_text(encoding="utf-8")
    text = text.replace("#### Q: What is Focal Loss?", "#### Q: What is the Focal loss?")  # lightly edited
    text = text.replace("#### Q: REINFORCE problems?", "#### Q: What goes wrong with vanilla policy gradients?")
    start = text.index("#### Q: L1 vs L2 Regularization?")
    text = text[:start] + text[text.index("---", start) :]  # a question removed, with its answer
    text += "\n#### Q: What is focal loss's gamma?\nThe focusing parameter; 0 gives cross-entropy.\n"
    notes.write_text(text, encoding="utf-8")
    data = _import(runner, notes, deck)  # the same notes: an update, no --force needed
    after = _by_question(deck)
    assert data["mode"] == "updated"
    assert after["What is the Focal loss?"] == before["What is Focal Loss?"] == "focal-loss"
    unchanged = [q for q in before if q in after]
    assert len(unchanged) == 35 and all(after[q] == before[q] for q in unchanged)
    assert after["What goes wrong with vanilla policy gradients?"] == "goes-wrong-with-vanilla-policy-gradients"
    assert after["What is focal loss's gamma?"] == "focal-loss-gamma"
    assert set(data["new_ids"]) == {"goes-wrong-with-vanilla-policy-gradients", "focal-loss-gamma"}  # type: ignore[arg-type]
    assert set(data["dropped_ids"]) == {"reinforce-problems", "l1-vs-l2-regularization"}  # type: ignore[arg-type]
    assert data["kept_ids"] == 36


def test_reimport_of_unchanged_notes_is_byte_identical(runner: CliRunner, tmp_path: Path) -> None:
    _import(runner, SEED, tmp_path / "deck")
    first = {p.name: p.read_bytes() for p in (tmp_path / "deck" / "cards").iterdir()}
    _import(runner, SEED, tmp_path / "deck")
    assert {p.name: p.read_bytes() for p in (tmp_path / "deck" / "cards").iterdir()} == first


def test_duplicate_questions_get_distinct_ids() -> None:
    assert importer.assign_ids(["What is X?", "What is X?", "X"], []) == ["x", "x-2", "x-3"]


def test_same_key_words_keep_the_id_but_a_dropped_id_is_not_reused() -> None:
    assert importer.assign_ids(["Loss?"], [("loss", "What is the loss?")]) == ["loss"]
    # "x-2" belonged to another question, now gone: its progress must not pass to a new duplicate
    assert importer.assign_ids(["X", "X"], [("x-2", "Why would anyone care about X at all?")]) == ["x", "x-3"]


def test_slugs() -> None:
    assert slug("What is Focal Loss?") == "focal-loss"
    assert slug("Wait, isn't it **just** `regression`?") == "wait-isnt-it-just-regression"
    assert slug("Forward ($P||Q$) vs Reverse ($Q||P$) KL?") == "forward-vs-reverse-kl"
    assert slug("Qu'est-ce que l'entropie croisée ?") == "quest-ce-que-lentropie-croisee"
    assert slug("???") == "card"


# -- other note styles --------------------------------------------------------------------


def test_obsidian_one_liners(runner: CliRunner, tmp_path: Path) -> None:
    notes = _write(
        tmp_path / "sr.md",
        "# Losses #flashcards\n\n"
        "#### Q: How do you write a vector in C++?\nUse `std::vector` — code is not a card.\n\n"
        "What does the Huber loss switch on::the residual |r| compared with δ\n"
        "- Default margin of triplet loss::1.0 in PyTorch <!--SR:!2025-01-03,3,250-->\n"
        "KL divergence:::relative entropy\n",
    )
    _import(runner, notes, tmp_path / "deck")
    deck = load_deck(tmp_path / "deck")
    cards = {c.question: c for c in deck.cards}
    assert set(cards) == {
        "How do you write a vector in C++?",
        "What does the Huber loss switch on",
        "Default margin of triplet loss",
        "KL divergence",
        "relative entropy",  # ::: makes the reversed card too
    }
    assert cards["Default margin of triplet loss"].answer == "1.0 in PyTorch"  # scheduling comment dropped
    assert cards["relative entropy"].answer == "KL divergence"
    assert {c.kind for c in deck.cards if "::" not in c.answer} == {"quickfire"}
    assert (
        cards["How do you write a vector in C++?"].source == "sr.md L3 — Losses › Q: How do you write a vector in C++?"
    )
    assert cards["What does the Huber loss switch on"].topic == "regression"  # from its own words
    assert cards["KL divergence"].topic == "probabilistic"


def test_question_headings_at_any_level_and_code_blocks(tmp_path: Path) -> None:
    lines = [
        "## Q: What does this print?",
        "```python",
        "# Q: not a heading, code",
        "print('a::b')",
        "```",
        "It prints `a::b`.",
        "### Question: Second?",
        "Yes; and no.",
    ]
    notes = parse_notes(lines, name="n.md")
    assert [c.question for c in notes.cards] == ["What does this print?", "Second?"]
    assert "# Q: not a heading, code" in notes.cards[0].answer
    assert notes.cards[1].key_points == ()  # one sentence, never split at its semicolon


def test_formula_and_key_point_helpers() -> None:
    assert extract_formula("Costs $5 and $6 a month.") == (None, "Costs $5 and $6 a month.")
    assert extract_formula("**Formula**: $a = b$.\nMeaning.") == ("a = b", "Meaning.")
    assert extract_formula("Intro\n$$\nx^2 = y\n$$\nMore") == ("x^2 = y", "Intro\nMore")
    assert extract_formula("Only $$x = y$$") == ("x = y", "Only $$x = y$$")  # the answer never ends up empty
    points = key_points("- one\n- two\n  - nested\n- three")
    assert points == ["one", "two", "three"]
    assert key_points("\n".join(["one", "two", "three", "four", "five", "six"])) == [
        "one",
        "two",
        "three",
        "four",
        "five",
    ]
    # never invented, never the answer again: a one-line answer has no key points (first-hour P15)
    assert key_points("Sparsity.") == []


def test_a_one_line_note_is_a_quickfire_card_with_nothing_invented(runner: CliRunner, tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("# Alignment\n\nβ default in DPO::0.1\n\nWhy a reference model?::It anchors the policy\n")
    deck = tmp_path / "deck"
    result = runner.invoke(app, ["import", str(notes), "--into", str(deck)])
    assert result.exit_code == 0, result.output
    cards = {c.id: c for c in load_deck(deck).cards}
    assert "beta-default-in-dpo" in cards, list(cards)  # β spelt out, not dropped
    card = cards["beta-default-in-dpo"]
    assert card.kind == "quickfire" and card.key_points == ()
    assert "without hedging" not in "".join(p.read_text() for p in (deck / "cards").glob("*.yaml"))
    shown = runner.invoke(app, ["show", "beta-default-in-dpo", "--deck", str(deck), "--no-run"])
    assert shown.exit_code == 0 and "Key points" not in shown.stdout


# -- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"# T\n\n#### Q: Empty?\n\n#### Q: Fine?\nYes.\n", "n.md:3: question 'Empty?' has no answer"),
        (b"#### Q:\nAn answer to nothing.\n", "n.md:1: 'Q:' heading has no question text"),
        (b"ok::fine\n::no question\n", "n.md:2: one-line card '::no question' has no question"),
        (b"#### Q: Code?\n```\nnever closed\n", "n.md:2: code block opened here is never closed"),
        (b"#### Q: Math?\n$$\nx = 1\n", "n.md:2: '$$' math opened here is never closed"),
        (b"# Just prose\n\nNo questions here.\n\n## Sub\n", "n.md: no questions found"),
        (b"   \n\n", "n.md: the file is empty, nothing to import"),
        (b"#### Q: Bytes?\nok\n\xff\xfe bad\n", "n.md:3: not UTF-8 (byte 0xff at column 1)"),
        (b"#### Q: Bin?\n\x00\x01\n", "n.md:2: not a text file (NUL byte)"),
    ],
)
def test_malformed_notes_are_reported_with_lines(
    runner: CliRunner, tmp_path: Path, content: bytes, message: str
) -> None:
    notes = tmp_path / "n.md"
    notes.write_bytes(content)
    result = runner.invoke(app, ["import", str(notes), "--into", str(tmp_path / "deck")])
    assert result.exit_code == 1
    assert message in result.stderr
    assert result.stderr.startswith("error: cannot import")
    assert "Traceback" not in result.output and result.stdout == ""
    assert not (tmp_path / "deck").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp folder left


def test_every_problem_is_listed(tmp_path: Path) -> None:
    with pytest.raises(NotesError) as caught:
        parse_notes(["#### Q: A?", "", "#### Q: B?", "#### Q: C?", "c"], name="n.md")
    assert caught.value.problems == ["n.md:1: question 'A?' has no answer", "n.md:3: question 'B?' has no answer"]


def test_missing_file_and_folder(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["import", str(tmp_path / "nope.md"), "--into", str(tmp_path / "d")])
    assert result.exit_code == 1 and "nope.md: no such file" in result.stderr
    result = runner.invoke(app, ["import", str(tmp_path), "--into", str(tmp_path / "d")])
    assert result.exit_code == 1 and "is a folder, not a Markdown file" in result.stderr


# -- the target folder --------------------------------------------------------------------


def test_an_existing_different_deck_needs_force(runner: CliRunner, tmp_path: Path, deck_dir: Path) -> None:
    before = sorted(p.relative_to(deck_dir) for p in deck_dir.rglob("*"))
    result = runner.invoke(app, ["import", str(SEED), "--into", str(deck_dir)])
    assert result.exit_code == 1
    assert "already holds a deck; add --force to replace it" in result.stderr
    assert sorted(p.relative_to(deck_dir) for p in deck_dir.rglob("*")) == before
    data = _import(runner, SEED, deck_dir, "--force")
    assert data["mode"] == "replaced"
    assert len(load_deck(deck_dir).cards) == 38 and not (deck_dir / "snippets").exists()


def test_a_deck_from_other_notes_needs_force(runner: CliRunner, tmp_path: Path) -> None:
    other = _write(tmp_path / "other.md", "a::b\n")
    _import(runner, other, tmp_path / "deck")
    result = runner.invoke(app, ["import", str(SEED), "--into", str(tmp_path / "deck")])
    assert result.exit_code == 1
    assert f"already holds a deck imported from {other.resolve()}" in result.stderr


def test_never_replaces_a_folder_that_is_not_a_deck(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "stuff"
    folder.mkdir()
    _write(folder / "thesis.tex", "precious")
    result = runner.invoke(app, ["import", str(SEED), "--into", str(folder), "--force"])
    assert result.exit_code == 1 and "not empty and not a deck" in result.stderr
    assert (folder / "thesis.tex").read_text() == "precious"
    result = runner.invoke(app, ["import", str(SEED), "--into", str(folder / "thesis.tex")])
    assert result.exit_code == 1 and "exists and is not a folder" in result.stderr


def test_failed_reimport_leaves_the_old_deck_untouched(runner: CliRunner, tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    shutil.copy(SEED, notes)
    _import(runner, notes, tmp_path / "deck")
    before = {p: p.read_bytes() for p in (tmp_path / "deck").rglob("*") if p.is_file()}
    _write(notes, "#### Q: Broken?\n")
    result = runner.invoke(app, ["import", str(notes), "--into", str(tmp_path / "deck")])
    assert result.exit_code == 1
    assert {p: p.read_bytes() for p in (tmp_path / "deck").rglob("*") if p.is_file()} == before


def test_a_write_failure_while_moving_into_place_rolls_back(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _import(runner, SEED, tmp_path / "deck")
    before = {p: p.read_bytes() for p in (tmp_path / "deck").rglob("*") if p.is_file()}

    def disk_full(tmp: Path, target: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(importer, "_move_into_place", disk_full)
    with pytest.raises(LossquizError, match="cannot write the deck .*: No space left on device"):
        importer.import_notes(SEED, tmp_path / "deck")
    assert {p: p.read_bytes() for p in (tmp_path / "deck").rglob("*") if p.is_file()} == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".deck")]


def test_files_added_beside_an_imported_deck_survive_a_reimport(runner: CliRunner, tmp_path: Path) -> None:
    _import(runner, SEED, tmp_path / "deck")
    (tmp_path / "deck" / "snippets").mkdir()
    _write(tmp_path / "deck" / "snippets" / "mine.py", "# mine\n")
    _import(runner, SEED, tmp_path / "deck")
    assert (tmp_path / "deck" / "snippets" / "mine.py").read_text() == "# mine\n"


# -- notes to a drill in two commands -----------------------------------------------------


def test_two_commands_from_notes_to_a_drill(runner: CliRunner, tmp_path: Path) -> None:
    notes = _write(tmp_path / "notes.md", "# Regression\n\n#### Q: What is MSE?\nThe mean of squared residuals.\n")
    assert runner.invoke(app, ["import", str(notes), "--into", str(tmp_path / "mydeck")]).exit_code == 0
    result = runner.invoke(app, ["drill", "--deck", str(tmp_path / "mydeck")], input="\n3\n")
    assert result.exit_code == 0, result.output
    assert "1/1  MSE  mse · regression · quickfire" in result.stdout  # a one-sentence answer
    assert "The mean of squared residuals." in result.stdout
    assert "recorded Good" in result.stdout
    assert "not trusted" not in result.output  # a deck without snippets has no code to trust


def test_imported_math_is_shown_as_unicode(runner: CliRunner, tmp_path: Path) -> None:
    _import(runner, SEED, tmp_path / "deck")
    result = runner.invoke(app, ["show", "mse-mae-huber-loss", "--deck", str(tmp_path / "deck")])
    assert result.exit_code == 0, result.output
    assert "ℒ = (1/N) ∑(y − ŷ)²" in result.stdout  # a minus sign, as the deck writes it
    assert "\\mathcal" not in result.stdout and "$" not in result.stdout


def test_key_points_split_at_sentence_ends_only(runner: CliRunner, tmp_path: Path) -> None:
    """First-hour P15: one sentence is never two key points (no split at a comma, a semicolon, an
    abbreviation or the answer's hard wrap); a cloze has no machine-made context point."""
    notes = tmp_path / "notes.md"
    notes.write_text(
        "#flashcards\n\n# Regression\n\n"
        "What is the Huber loss?\n?\nQuadratic for small residuals,\nlinear beyond δ; robust, e.g. to outliers.\n\n"
        "What does MAE estimate?\n?\nThe median, e.g. Laplace noise gives it. It is robust w.r.t. Outliers in y.\n"
        "Its gradient has constant magnitude, so it needs\nlearning-rate decay near the optimum.\n\n"
        "The ==median== minimises the mean absolute error.\n",
        encoding="utf-8",
    )
    assert runner.invoke(app, ["import", str(notes), "--into", str(tmp_path / "deck")]).exit_code == 0
    deck = load_deck(tmp_path / "deck")
    huber, mae = (
        next(c for c in deck.cards if c.question.startswith(q)) for q in ("What is the Huber", "What does MAE")
    )
    assert huber.kind == "quickfire" and huber.key_points == ()  # one sentence: nothing to add to the answer
    assert mae.key_points == (
        "The median, e.g. Laplace noise gives it. It is robust w.r.t. Outliers in y.",
        "Its gradient has constant magnitude, so it needs learning-rate decay near the optimum.",
    )
    (cloze,) = [c for c in deck.cards if c.kind == "cloze"]
    assert cloze.key_points == ("median",)  # the deletion; the answer is the sentence filled in
    assert not any("filled in" in p for c in deck.cards for p in c.key_points)


def test_a_heading_that_asks_a_question_is_the_question(runner: CliRunner, tmp_path: Path) -> None:
    """Fifth newcomer pass F3: `## What does the β in β-VAE control?` became "Explain What does the
    β in β-VAE control?."; a section heading that is a question is asked as written."""
    notes = _write(
        tmp_path / "q.md",
        "# VAEs\n\n## What does the β in β-VAE control?\n\nThe weight on the KL term: above 1 it trades "
        "reconstruction for disentangled latents.\n\n## ELBO\n\nReconstruction minus KL to the prior.\n",
    )
    result = runner.invoke(app, ["import", str(notes), "--into", str(tmp_path / "d")])
    assert result.exit_code == 0, result.output
    questions = set(_by_question(tmp_path / "d"))
    assert "What does the β in β-VAE control?" in questions
    assert "Explain ELBO." in questions
    assert not any(q.startswith("Explain What") for q in questions)


def test_a_formula_line_is_no_key_point_and_bullets_are_shown_once(runner: CliRunner, tmp_path: Path) -> None:
    """Twelfth newcomer pass N12-10: an answer of 3 bullets and a `Formula:` line showed the 4 lines,
    then Key points repeated them word for word (the `Formula:` line a 4th point), then the formula."""
    notes = _write(
        tmp_path / "notes.md",
        "# Regression\n\n#### Q: Why is Huber robust?\n\n- quadratic near zero, like MSE\n"
        "- linear in the tails, like MAE\n- so outliers get a bounded gradient\n\n"
        "Formula: $L_\\delta(r) = \\frac{1}{2} r^2$ for $|r| \\le \\delta$\n",
    )
    assert runner.invoke(app, ["import", str(notes), "--into", str(tmp_path / "mydeck")]).exit_code == 0
    (card,) = load_deck(tmp_path / "mydeck").cards
    assert card.key_points == (
        "quadratic near zero, like MSE",
        "linear in the tails, like MAE",
        "so outliers get a bounded gradient",
    )
    assert card.formula == r"L_\delta(r) = \frac{1}{2} r^2"
    result = runner.invoke(app, ["drill", "--deck", str(tmp_path / "mydeck")], input="\n3\n")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("linear in the tails, like MAE") == 1
    assert "Key points" not in result.stdout
    assert result.stdout.count("for |r| ≤ δ") == 1  # the condition, kept in the answer
    # key points that say more than the answer's lines are still shown
    assert "Key points" in runner.invoke(app, ["show", "huber", "--no-run"]).stdout


def test_a_skipped_introduction_is_named_by_its_text_line_and_an_unbulleted_card_gets_a_hint(
    runner: CliRunner, tmp_path: Path
) -> None:
    """Twelfth newcomer pass N12-11: `skipped 1 introductions with no question (lines 17)` named the
    heading, not line 19 where the dropped `**Q?** → A` was, and said nothing of its missing bullet."""
    notes = _write(
        tmp_path / "notes.md",
        "# Losses\n\n## Classification\n\n**Default classification loss?** → cross-entropy from logits\n\n"
        "### Focal loss\n\nDown-weights easy examples by (1 − p_t)^γ.\n",
    )
    data = _import(runner, notes, tmp_path / "deck")
    assert data["skipped_sections"] == [{"line": 5, "heading": "Classification"}]
    assert data["unbulleted_quickfire_lines"] == [5]
    summary = runner.invoke(app, ["import", str(notes), "--into", str(tmp_path / "deck")]).stdout
    assert "skipped 1 introduction with no question (line 5)" in summary
    assert "line 5: a `- ` in front makes it a quick-fire card" in summary
    assert "1 card from notes.md (lossquiz) in 1 file\n" in summary
    # and so it does: with the bullet, the line is a quick-fire card and nothing is skipped
    _write(notes, notes.read_text(encoding="utf-8").replace("**Default", "- **Default"))
    data = _import(runner, notes, tmp_path / "deck")
    assert "Default classification loss?" in _by_question(tmp_path / "deck")
    assert data["skipped_sections"] == [] and data["unbulleted_quickfire_lines"] == []


def test_a_sentence_case_heading_reads_on_in_lower_case_after_explain(runner: CliRunner, tmp_path: Path) -> None:
    """Twelfth newcomer pass N12-15: `### Temperature scaling` became "Explain Temperature scaling."."""
    notes = _write(
        tmp_path / "notes.md",
        "# Calibration (ECE, Huber)\n\n"
        + "".join(
            f"### {heading}\n\nSome text about it.\n\n"
            for heading in (
                "Temperature scaling",
                "DPO variants",
                "RetinaNet focal term",
                "Focal Loss",
                "Huber loss",
                "Fitting T",
            )
        ),
    )
    data = _import(runner, notes, tmp_path / "deck")
    assert data["cards"] == 6
    assert set(_by_question(tmp_path / "deck")) == {
        "Explain temperature scaling.",
        "Explain DPO variants.",  # an acronym
        "Explain RetinaNet focal term.",  # a name: capitals after its first letter
        "Explain Focal Loss.",  # Title Case: no telling a name from a word
        "Explain Huber loss.",  # a name the notes write capitalised mid-sentence: `(ECE, Huber)`
        "Explain fitting T.",  # N15-6: a symbol is not a Title Case word
    }
