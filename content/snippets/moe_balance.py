"""Switch Transformer load-balancing loss, from scratch, against an enumeration over token pairs.

T tokens, N experts, router probabilities p_t = softmax(router logits of token t) (`router_probs`,
T x N) and each token's top-1 expert e_t (`expert_index`, = argmax_i p_t,i). Fedus et al. 2022,
Switch Transformers, Eqs. 4-6:
  f_i = (1/T) sum_t 1[e_t = i]      fraction of tokens dispatched to expert i (not differentiable)
  P_i = (1/T) sum_t p_t,i           mean router probability of expert i (carries the gradient)
  loss = alpha * N * sum_i f_i P_i,  alpha = 1e-2
Under uniform routing f_i = P_i = 1/N and the loss is exactly alpha, whatever N: the factor N keeps
it constant as the number of experts grows. Its minimum over P (with f fixed) pushes probability
towards the under-used experts.
Value: {"loss", "loss_over_alpha"} (the loss in units of alpha, so a numeric answer is O(1)).
Reference: sum_i f_i P_i = (1/T^2) sum_t sum_s p_{s, e_t} - enumerate every (token t, token s) pair.
"""

import random

import torch

REFERENCE = "alpha * N * (1/T^2) * sum over token pairs (t, s) of p_s[e_t]  (enumeration)"


def example():
    return {
        "router_probs": torch.tensor([[0.7, 0.2, 0.1], [0.6, 0.3, 0.1], [0.2, 0.5, 0.3], [0.5, 0.1, 0.4]]),
        "expert_index": torch.tensor([0, 0, 1, 0]),
        "alpha": 0.01,
    }


def problem(rng: random.Random):
    t, n = 4, 3
    popular = rng.randrange(n)
    rows = []
    for _ in range(t):
        while True:
            a, b = rng.randint(1, 8), rng.randint(1, 8)
            row = [a / 10, b / 10, (10 - a - b) / 10]
            if row[2] > 0 and len(set(row)) == 3:  # no ties, so the top-1 expert is unambiguous
                break
        rng.shuffle(row)
        if rng.random() < 0.5:  # an over-used expert: imbalanced routing is what the loss is for
            top = row.index(max(row))
            row[top], row[popular] = row[popular], row[top]
        rows.append(row)
    probs = torch.tensor(rows)
    return {"router_probs": probs, "expert_index": probs.argmax(dim=1), "alpha": 0.01}


def loss(router_probs, expert_index, alpha=0.01):
    t, n = router_probs.shape
    dispatch = torch.zeros(t, n).scatter_(1, expert_index[:, None], 1.0)
    f = dispatch.mean(dim=0)
    p_mean = router_probs.mean(dim=0)
    return {
        "fraction_routed_f": f,
        "mean_router_prob_P": p_mean,
        "f_times_P": f * p_mean,
        "loss_if_uniform": torch.tensor(alpha),
        "value": {"loss": alpha * n * (f * p_mean).sum(), "loss_over_alpha": n * (f * p_mean).sum()},
    }


def reference(router_probs, expert_index, alpha=0.01):
    t, n = router_probs.shape
    total = 0.0
    for i in range(t):
        for s in range(t):
            total += float(router_probs[s, int(expert_index[i])])
    return {"loss": torch.tensor(alpha * n * total / t**2), "loss_over_alpha": torch.tensor(n * total / t**2)}


def mistakes(router_probs, expert_index, alpha=0.01):
    t, n = router_probs.shape
    f = torch.zeros(t, n).scatter_(1, expert_index[:, None], 1.0).mean(dim=0)
    p = router_probs.mean(dim=0)
    def parts(x):  # x = the wrong value of N * sum f P (the loss in units of alpha)
        return {"loss": alpha * x, "loss_over_alpha": x}

    return {
        "forgot the factor N (balanced routing should give exactly α)": parts((f * p).sum()),
        "f from the router probabilities too (Σ P_i²): f is the fraction of tokens dispatched": parts(n * (p * p).sum()),
        "token counts instead of fractions for f": parts(n * (f * t * p).sum()),
    }


def plot():
    x = torch.linspace(0.0, 1.0, 101)
    return {
        "title": "Switch load-balancing loss, 2 experts, f = P = (x, 1 - x)",
        "x_label": "share x of tokens (and probability) on expert 1",
        "y_label": "loss / alpha",
        "series": [{"name": "N * sum f_i P_i", "x": x.tolist(), "y": (2 * (x**2 + (1 - x) ** 2)).tolist()}],
        "note": "Minimum 1 (loss = alpha) at the balanced split; all tokens on one expert doubles it (N times in general).",
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
