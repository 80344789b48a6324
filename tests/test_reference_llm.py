"""LLM, alignment and synthesis cards: the DPO formula check is not vacuous, given() values are the
ones the answer needs, and second routes to facts the cards state."""

from __future__ import annotations

import random

import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

from lossquiz.worker import formula_eval  # noqa: E402 - after the torch skip
from tests.deck_snippets import BY_ID, problems, snippet  # noqa: E402

pytestmark = pytest.mark.torch


def _close(a, b) -> bool:  # type: ignore[no-untyped-def]
    if isinstance(a, dict):
        return all(_close(a[k], b[k]) for k in a)
    return abs(float(a) - float(b)) <= 1e-3 * abs(float(b)) + 1e-6


def test_the_formula_check_rejects_a_wrong_dpo_form() -> None:
    """The formula check is not vacuous: β outside the sigmoid disagrees, through the product's grader."""
    card = BY_ID["dpo-formula"]
    request = {
        "variables": [list(v) for v in card.variables],
        "target": card.target,
        "grade": card.grade,
        "tolerance": card.tolerance,
        "seeds": [None],
    }
    module = snippet("dpo")
    assert formula_eval.grade_expression(module, request, card.expression or "")["right"] is True
    wrong = formula_eval.grade_expression(module, request, "mean(-beta*logsigmoid((pc - rc) - (pr - rr)))")
    assert wrong["right"] is False, wrong


def test_given_values_are_the_ones_needed():
    rng = random.Random(3)
    for name in ("dpo", "simpo", "rm_margin", "bradley_terry", "cdpo"):
        module = snippet(name)
        for _ in range(50):
            inputs = module.problem(rng)
            g = module.given(**inputs)
            value = float(module.loss(**inputs)["value"])
            if name in ("dpo", "simpo"):
                assert any(abs(v - value) < 1e-3 for v in g.values()), (name, inputs, g, value)
            elif name in ("rm_margin", "bradley_terry"):
                out = module.loss(**inputs)
                for per in out["per_pair"].tolist():
                    assert any(abs(v - per) < 1e-3 for v in g.values()), (name, inputs, g)
            else:
                eps = inputs["label_smoothing"]
                m = float(module.loss(**inputs)["margin"])
                a, f = g[f"-ln σ({round(m, 6):g})"], g[f"-ln σ({round(-m, 6):g})"]
                assert abs((1 - eps) * a + eps * f - value) < 2e-3
    orpo = snippet("orpo")
    for _ in range(50):
        inputs = orpo.problem(rng)
        out = orpo.loss(**inputs)
        g = orpo.given(**inputs)
        assert any(abs(v - float(out["or_loss"])) < 1e-3 for v in g.values())
    adv = snippet("grpo_advantage")
    for _ in range(50):
        inputs = adv.problem(rng)
        out = adv.loss(**inputs)
        std = float(out["sample_std"])  # √0 and √1 are not listed: they need no table
        assert round(std, 6) in (0, 1) or any(abs(v - std) < 1e-3 for v in adv.given(**inputs).values())


def test_best_of_n_formula_is_an_upper_bound():
    module = snippet("best_of_n")
    rng = random.Random(7)
    for _ in range(200):
        k = rng.randint(2, 6)
        w = torch.tensor([rng.random() + 0.01 for _ in range(k)])
        p = w / w.sum()
        r = torch.randperm(k).float()
        n = rng.randint(1, 8)
        out = module.loss(p, r, n)
        assert float(out["value"]["kl"]) <= float(out["kl_formula_bound"]) + 1e-6


def test_rloo_and_cdpo_identities():
    rloo = snippet("rloo")
    r = torch.tensor([1.0, 0.0, 2.0, 0.5, 1.5])
    loo = torch.stack([r[i] - torch.cat([r[:i], r[i + 1 :]]).mean() for i in range(5)])
    assert torch.allclose(rloo.loss(r)["advantages"], loo)
    cdpo = snippet("cdpo")
    x = cdpo.example()
    m = float(cdpo.loss(**x)["margin"])
    soft = F.binary_cross_entropy_with_logits(torch.tensor([m]), torch.tensor([1 - x["label_smoothing"]]))
    assert torch.allclose(cdpo.loss(**x)["value"], soft)


NEW_SNIPPETS = (
    "masked_ce",
    "grad_accum",
    "z_loss",
    "moe_balance",
    "llm_distill_kl",
    "rloo",
    "ppo_token_rewards",
    "best_of_n",
    "rm_margin",
    "cdpo",
)


@pytest.mark.parametrize("name", NEW_SNIPPETS)
def test_new_snippets_agree(name):
    # Their speed is a `make bench` row (every snippet's example + 20 problems), never a timing assert.
    module = snippet(name)
    cases = list(problems(module))
    for inputs in cases:
        value, ref = module.loss(**inputs)["value"], module.reference(**inputs)
        assert (
            _close(value, ref)
            if not isinstance(value, dict)
            else all(abs(float(value[k]) - float(ref[k])) < 1e-4 for k in value)
        ), (name, inputs)
