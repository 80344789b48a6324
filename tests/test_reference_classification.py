"""Classification cards against outside references: focal loss vs torchvision's, distillation by hand."""

from __future__ import annotations

import random

import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

from tests.deck_snippets import CASES, inputs, snippet  # noqa: E402 - after the torch skip

pytestmark = pytest.mark.torch


def _torchvision_sigmoid_focal_loss(inputs, targets, alpha=0.25, gamma=2.0):  # type: ignore[no-untyped-def]
    """Transcription of torchvision.ops.sigmoid_focal_loss (torchvision/ops/focal_loss.py), reduction='mean'.

    Transcribed, not imported: torchvision is not installable beside this CPU torch.
    """
    p = torch.sigmoid(inputs)
    ce_loss = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce_loss * ((1 - p_t) ** gamma)
    if alpha >= 0:
        alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
        loss = alpha_t * loss
    return loss.mean()


def test_focal_matches_torchvision_and_its_limiting_cases() -> None:
    module = snippet("focal")
    for seed in CASES:
        inp = inputs(module, seed)
        value = module.loss(**inp)["value"]
        reference = _torchvision_sigmoid_focal_loss(
            inp["logits"], inp["y"], alpha=inp["alpha"], gamma=inp["gamma_focal"]
        )
        assert torch.allclose(value, reference, atol=1e-6)
        z, y = inp["logits"], inp["y"]
        # gamma = 0, alpha = 0.5: half the plain BCE
        half_bce = 0.5 * F.binary_cross_entropy_with_logits(z, y)
        assert torch.allclose(module.loss(z, y, alpha=0.5, gamma_focal=0.0)["value"], half_bce, atol=1e-6)
        # alpha = 1: only the positives count
        only_pos = module.loss(z, y, alpha=1.0)["per_element"]
        assert torch.all(only_pos[y == 0] == 0)


def test_distillation_is_workable_from_the_given_values() -> None:
    module = snippet("distillation")
    for seed in range(200):
        inputs = module.problem(random.Random(seed))
        g = module.given(**inputs)
        t = inputs["temperature"]
        xt = (inputs["teacher_logits"][0, 1] - inputs["teacher_logits"][0, 0]).item() / t
        xs = (inputs["logits"][0, 1] - inputs["logits"][0, 0]).item() / t
        p1, q1 = g[f"σ({xt + 0.0:g})"], g[f"σ({xs + 0.0:g})"]  # + 0.0: given() prints no -0

        def ln_sigma(x: float, g: dict[str, float] = g) -> float:
            return g[f"ln σ({x + 0.0:g})"]

        kl = p1 * (ln_sigma(xt) - ln_sigma(xs)) + (1 - p1) * (ln_sigma(-xt) - ln_sigma(-xs))
        want = float(module.loss(**inputs)["value"]["soft"])
        assert abs(t**2 * kl - want) <= 0.01 * want, (seed, t**2 * kl, want)
        assert 0 < q1 < 1
