"""Gumbel-softmax / Concrete (Jang, Gu & Poole, 2017; Maddison, Mnih & Teh, 2017), from scratch,
against torch.nn.functional.gumbel_softmax with the same seeded noise.

Gumbel-max: argmax_k (logits_k + g_k), g_k = -log(-log U_k) ~ Gumbel(0, 1), is an exact sample of
Categorical(softmax(logits)) -- but argmax has no gradient. The relaxation replaces it by
    y = softmax((logits + g) / tau)
a point in the simplex, differentiable in the logits (a reparameterised sample): tau -> 0 gives
one-hot samples (and high-variance gradients), large tau gives nearly uniform y (biased).
Straight-through (hard=True): the forward pass uses the one-hot argmax, the backward pass the
gradient of the soft y: y_hard - sg[y_soft] + y_soft.
The noise is an input here (drawn the way torch draws it: g = -log(Exp(1)), which equals
-log(-log U)), so the reference can reproduce it with torch.manual_seed(noise_seed).
"""

import random

import torch
import torch.nn.functional as F

REFERENCE = "torch.nn.functional.gumbel_softmax(logits, tau) under torch.manual_seed(noise_seed)"


def _noise(logits, seed):
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        return -torch.empty_like(logits).exponential_().log()  # torch's own recipe, ~Gumbel(0, 1)


def example():
    logits = torch.tensor([1.0, 0.5, -1.0])
    return {"logits": logits, "tau": 0.5, "noise_seed": 7, "gumbel": _noise(logits, 7)}


def problem(rng: random.Random):
    logits = torch.tensor([rng.randint(-4, 4) / 2 for _ in range(3)])
    seed = rng.randint(0, 10_000)
    return {"logits": logits, "tau": rng.choice([0.1, 0.5, 1.0, 2.0]), "noise_seed": seed,
            "gumbel": _noise(logits, seed)}


def loss(logits, tau, noise_seed, gumbel):
    perturbed = (logits + gumbel) / tau
    y_soft = torch.exp(perturbed - torch.logsumexp(perturbed, dim=0))
    y_hard = F.one_hot(perturbed.argmax(), len(logits)).float()
    # Gumbel-max is exact: argmax frequencies match softmax(logits) (seeded Monte Carlo)
    g = -torch.log(-torch.log(torch.rand(20_000, len(logits)).clamp_min(1e-12)))
    freq = F.one_hot((logits + g).argmax(dim=1), len(logits)).float().mean(0)
    return {
        "perturbed_logits_over_tau": perturbed,
        "hard_sample_one_hot": y_hard,
        "gumbel_max_frequencies_20k": freq,
        "softmax_logits": torch.softmax(logits, 0),
        "value": y_soft,
    }


def reference(logits, tau, noise_seed, gumbel):
    x = logits.clone().requires_grad_(True)
    with torch.random.fork_rng():
        torch.manual_seed(noise_seed)
        soft = F.gumbel_softmax(x, tau=tau, hard=False, dim=0)
    with torch.random.fork_rng():
        torch.manual_seed(noise_seed)
        hard = F.gumbel_softmax(x, tau=tau, hard=True, dim=0)
    assert float(hard.detach().sum()) == 1.0 and float(hard.detach().max()) == 1.0  # one-hot forward
    w = torch.arange(1.0, len(logits) + 1)
    (g_soft,) = torch.autograd.grad((soft * w).sum(), x, retain_graph=True)
    (g_hard,) = torch.autograd.grad((hard * w).sum(), x)
    assert torch.allclose(g_soft, g_hard, atol=1e-6)  # straight-through: backward of the soft sample
    return soft.detach()


def mistakes(logits, tau, noise_seed, gumbel):
    return {
        "the noise goes inside, before the temperature: softmax((logits + g)/τ)": torch.softmax(
            logits / tau + gumbel, 0),
        "the Gumbel noise is missing: that is just softmax(logits/τ)": torch.softmax(logits / tau, 0),
        "the temperature is missing": torch.softmax(logits + gumbel, 0),
    }


def plot():
    """Mean sample entropy vs tau: from one-hot (tau -> 0) to uniform (tau large)."""
    logits = torch.tensor([1.0, 0.5, -1.0])
    g = -torch.empty(4000, 3).exponential_().log()
    taus = [0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0]
    ent = []
    for t in taus:
        y = torch.softmax((logits + g) / t, dim=1)
        ent.append(float(-(y * y.clamp_min(1e-12).log()).sum(1).mean()))
    return {
        "title": "Gumbel-softmax samples: mean entropy over the temperature",
        "x_label": "tau",
        "y_label": "mean entropy of y (nats)",
        "series": [{"name": "E[H(y)]", "x": taus, "y": ent},
                   {"name": "uniform ln 3", "x": taus, "y": [1.0986] * len(taus)}],
        "note": "Small tau: nearly one-hot samples (low bias, high-variance gradients); large tau: smooth, biased.",
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
