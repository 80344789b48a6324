"""Prioritised replay: sampling probabilities and importance-sampling weights, against a closed form.

Proportional PER (Schaul et al., 2016): priority p_i = |delta_i| + eps,
    P(i) = p_i^alpha / sum_k p_k^alpha,      w_i = (N P(i))^(-beta) / max_j w_j
alpha = 0.6, beta annealed from 0.4 to 1 (proportional variant). The weights undo the bias of
non-uniform sampling (fully at beta = 1) and are normalised by the largest so they only scale
updates down; the loss is mean_i w_i * L(delta_i) over the sampled batch. N is the buffer size.
This snippet's buffer is the N items shown (the max is over the buffer, as in OpenAI baselines,
which uses the minimum priority). The value is the weight of item 0.
Reference, a second route: max_j w_j belongs to the least likely item, so
w_i = (P_min / P(i))^beta = (p_min / p_i)^(alpha beta): no normalising sums needed.
"""

import random

import torch

REFERENCE = "closed form w_i = (p_min / p_i)^(alpha * beta)"


def example():
    return {"priorities": torch.tensor([4.0, 1.0, 9.0, 16.0]), "alpha": 0.5, "beta": 1.0}


def problem(rng: random.Random):
    n = rng.choice([3, 4, 5])
    roots = [rng.randint(1, 12) for _ in range(n)]
    while roots[0] == min(roots):  # item 0 is never the least likely: its weight is then not 1
        roots = [rng.randint(1, 12) for _ in range(n)]
    return {
        "priorities": torch.tensor([float(r * r) for r in roots]),
        # alpha * beta in {1/2, 1} on square priorities: every weight is a plain fraction
        **dict(zip(("alpha", "beta"), rng.choice([(0.5, 1.0), (1.0, 0.5), (1.0, 1.0)]))),
    }


def loss(priorities, alpha=0.6, beta=0.4):
    n = len(priorities)
    scaled = priorities**alpha
    probs = scaled / scaled.sum()
    raw = (n * probs) ** (-beta)
    weights = raw / raw.max()
    return {"p_alpha": scaled, "probs": probs, "unnormalised_w": raw, "weights": weights, "value": weights[0]}


def mistakes(priorities, alpha=0.6, beta=0.4):
    n = len(priorities)
    probs = priorities**alpha / (priorities**alpha).sum()
    raw = (n * probs) ** (-beta)
    return {
        "not normalised by the largest weight: w_i = (N P(i))^(-beta) / max_j w_j": raw[0],
        "the weight is (N P)^(-beta), with a minus: rare items get the LARGER weight": ((n * probs) ** beta / ((n * probs) ** beta).max())[0],
        "that forgot alpha: P(i) = p_i^alpha / sum p^alpha": ((priorities / priorities.min()) ** (-beta))[0],
        "that is the sampling probability P(i), not the weight": probs[0],
    }


def reference(priorities, alpha=0.6, beta=0.4):
    return (priorities.min() / priorities[0]) ** (alpha * beta)


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
