"""Softmax with temperature, from scratch, against torch.softmax(logits / T).

q_i = exp(z_i / T) / sum_j exp(z_j / T).  T > 1 flattens (T -> inf: uniform), T < 1 sharpens
(T -> 0: one-hot on the argmax); the argmax never changes, so accuracy is unchanged.
Temperature scaling (Guo et al. 2017) fits one scalar T on held-out NLL to calibrate a trained
classifier; distillation (Hinton et al. 2015) and InfoNCE/CLIP use T too.
The value is the probability of the top class.
"""

import random

import torch

REFERENCE = "torch.softmax(logits / temperature).max()"


def example():
    return {"logits": torch.tensor([[3.0, 1.0, 0.0]]), "temperature": 2.0}


def problem(rng: random.Random):
    z = [float(rng.randint(-2, 4)) for _ in range(4)]
    while len(set(z)) == 1:  # all equal gives 1/4 whatever T is
        z = [float(rng.randint(-2, 4)) for _ in range(4)]
    return {
        "logits": torch.tensor([z]),
        "temperature": rng.choice([0.5, 2.0, 3.0, 4.0]),
    }


def _softmax(z):
    e = (z - z.max(dim=-1, keepdim=True).values).exp()
    return e / e.sum(dim=-1, keepdim=True)


def loss(logits, temperature=1.0):
    scaled = logits / temperature
    q = _softmax(scaled)
    q_t1 = _softmax(logits)
    entropy = lambda p: -(p * p.log()).sum(dim=-1)  # noqa: E731
    return {
        "scaled_logits": scaled,
        "probs_at_T": q,
        "probs_at_T=1": q_t1,
        "entropy_at_T": entropy(q),
        "entropy_at_T=1": entropy(q_t1),
        "argmax_unchanged": bool((q.argmax(dim=-1) == q_t1.argmax(dim=-1)).all()),
        "value": q.max(),
    }


def reference(logits, temperature=1.0):
    return torch.softmax(logits / temperature, dim=-1).max()


def given(logits, temperature=1.0):
    z = logits.double().flatten()
    shifted = ((z - z.max()) / temperature).tolist()
    return {f"e^{v:g}": round(torch.exp(torch.tensor(v, dtype=torch.float64)).item(), 5) for v in sorted(set(shifted)) if v != 0}


def mistakes(logits, temperature=1.0):
    return {
        "logits multiplied by T instead of divided by it": torch.softmax(logits * temperature, dim=-1).max(),
        "temperature ignored (that is softmax at T = 1)": torch.softmax(logits, dim=-1).max(),
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
