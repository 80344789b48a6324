"""Class-balanced loss weights from the effective number of samples (Cui et al., CVPR 2019).

E_n = (1 - beta^n) / (1 - beta)   (= 1 + beta + ... + beta^(n-1): the expected volume covered by
n samples of a class whose total volume is N = 1 / (1 - beta); a new sample overlaps the part
already covered with probability E_{n-1} / N, so E_n = 1 + beta E_{n-1})
w_c proportional to 1 / E_{n_c} = (1 - beta) / (1 - beta^{n_c}), normalised so sum_c w_c = C (the
official code: weights / sum(weights) * no_of_classes). beta = 0 gives equal weights; beta -> 1
gives inverse frequency 1 / n_c. The paper tries beta in {0.9, 0.99, 0.999, 0.9999}.
Reference: E_n as the explicit geometric series sum_{k<n} beta^k (a loop), not the closed form.
"""

import random

import torch

REFERENCE = "effective number as the explicit series sum_{k<n} beta^k, weights 1/E normalised to sum C"


def example():
    return {"counts": torch.tensor([2.0, 10.0, 50.0]), "beta": 0.9}


def problem(rng: random.Random):
    rare = rng.randint(1, 3)
    mid = rng.randint(rare + 2, 8)
    return {
        "counts": torch.tensor([float(rare), float(mid), float(rng.randint(mid + 3, 15))]),
        "beta": rng.choice([0.8, 0.9, 0.99]),
    }


def loss(counts, beta):
    effective = (1 - beta**counts) / (1 - beta)
    raw = 1 / effective
    weights = raw / raw.sum() * counts.numel()
    inverse_freq = (1 / counts) / (1 / counts).sum() * counts.numel()
    return {
        "beta^n": beta**counts,
        "effective_number": effective,
        "unnormalised_weight": raw,
        "weights": weights,
        "inverse_frequency_weights": inverse_freq,  # the beta -> 1 limit
        "value": {"weight_rarest": weights[counts.argmin()], "weight_commonest": weights[counts.argmax()]},
    }


def reference(counts, beta):
    effective = torch.tensor([sum(beta**k for k in range(int(n))) for n in counts.tolist()])
    w = 1 / effective
    w = w / w.sum() * counts.numel()
    return {"weight_rarest": w[counts.argmin()], "weight_commonest": w[counts.argmax()]}


def given(counts, beta):
    return {f"{beta:g}^{int(n)}": round(beta ** int(n), 5) for n in counts.tolist()}


def mistakes(counts, beta):
    c = counts.numel()
    effective = (1 - beta**counts) / (1 - beta)
    unnorm = 1 / effective
    inv = (1 / counts) / (1 / counts).sum() * c
    by_e = effective / effective.sum() * c
    return {
        "not normalised to sum to the number of classes": {
            "weight_rarest": unnorm[counts.argmin()], "weight_commonest": unnorm[counts.argmax()]},
        "that is plain inverse frequency (the beta -> 1 limit)": {
            "weight_rarest": inv[counts.argmin()], "weight_commonest": inv[counts.argmax()]},
        "weights proportional to the effective number, not to its inverse": {
            "weight_rarest": by_e[counts.argmin()], "weight_commonest": by_e[counts.argmax()]},
    }


def plot():
    n = torch.arange(1, 201, dtype=torch.float32)
    series = [{"name": "n (inverse frequency uses this)", "x": n.tolist(), "y": n.tolist()}]
    for beta in (0.9, 0.99, 0.999):
        series.append({"name": f"E_n, beta={beta}", "x": n.tolist(), "y": ((1 - beta**n) / (1 - beta)).tolist()})
    return {
        "title": "Effective number of samples E_n = (1 - beta^n) / (1 - beta)",
        "x_label": "samples n in the class",
        "y_label": "effective number",
        "series": series,
        "note": "E_n saturates at 1 / (1 - beta): beyond that, more samples of a class add little new "
        "information, so head classes are down-weighted less harshly than by 1/n.",
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
