"""C51 loss: project the distributional Bellman target onto the fixed atoms, then cross-entropy.

Atoms z_i = v_min + i dz (C51: 51 atoms on [-10, 10]; here a few). For each next-state atom z_j
with target-net probability p'_j (greedy a* = argmax_a sum_j z_j p'_j(s', a)):
    Tz_j = clamp(r + gamma (1 - done) z_j, v_min, v_max),  b_j = (Tz_j - v_min) / dz
and p'_j is split between the neighbours floor(b_j) and ceil(b_j) in proportion to closeness.
Loss = -sum_i m_i log p_i(s, a)  (cross-entropy = KL(m || p) up to a constant; natural log).
Bellemare, Dabney & Munos (2017), Algorithm 1; the floor/ceil form follows CleanRL's c51.py.
Reference: a brute-force loop over (target atom, support atom) pairs with the triangular kernel
m_i = sum_j p'_j max(0, 1 - |Tz_j - z_i| / dz)  (Rowland et al., 2018).
"""

import math
import random

import torch

REFERENCE = "per-atom loop with the triangular kernel max(0, 1 - |Tz_j - z_i|/dz)"


def example():
    return {
        "atoms": torch.tensor([-2.0, -1.0, 0.0, 1.0, 2.0]),
        "next_probs": torch.tensor([0.1, 0.2, 0.4, 0.2, 0.1]),  # p'(s', a*) from the target net
        "probs": torch.tensor([0.1, 0.1, 0.2, 0.4, 0.2]),  # p(s, a) from the online net
        "rewards": torch.tensor(1.0),
        "dones": torch.tensor(0.0),
        "gamma": 0.5,
    }


def problem(rng: random.Random):
    next_probs = rng.choice([[0.2, 0.6, 0.2], [0.5, 0.3, 0.2], [0.1, 0.4, 0.5], [0.3, 0.3, 0.4]])
    probs = rng.choice([[0.25, 0.5, 0.25], [0.2, 0.3, 0.5], [0.3, 0.2, 0.5],
                        [0.5, 0.3, 0.2], [0.1, 0.6, 0.3], [0.4, 0.4, 0.2]])
    return {
        "atoms": torch.tensor([-1.0, 0.0, 1.0]),
        "next_probs": torch.tensor(next_probs),
        "probs": torch.tensor(probs),
        "rewards": torch.tensor(rng.choice([-1.0, -0.5, 0.0, 0.5, 1.0])),
        "dones": torch.tensor(rng.choice([0.0, 0.0, 0.0, 1.0])),
        "gamma": rng.choice([0.5, 1.0]),
    }


def loss(atoms, next_probs, probs, rewards, dones, gamma):
    v_min, v_max, n = atoms[0], atoms[-1], len(atoms)
    dz = atoms[1] - atoms[0]
    tz = (rewards + gamma * (1 - dones) * atoms).clamp(v_min, v_max)
    b = (tz - v_min) / dz
    lower, upper = b.floor(), b.ceil()
    # when b is an integer, lower == upper: give all the mass to `lower` (CleanRL's fix)
    to_lower = (upper + (lower == upper).float() - b) * next_probs
    to_upper = (b - lower) * next_probs
    m = torch.zeros(n)
    m.index_add_(0, lower.long().clamp(0, n - 1), to_lower)
    m.index_add_(0, upper.long().clamp(0, n - 1), to_upper)
    ce = -(m * probs.log()).sum()
    return {
        "shifted_atoms_Tz": tz,
        "b": b,
        "mass_to_lower": to_lower,
        "mass_to_upper": to_upper,
        "value": {"target_pmf": m, "loss": ce},
    }


def given(atoms, next_probs, probs, rewards, dones, gamma):
    return {f"ln {p:g}": round(math.log(p), 4) for p in sorted(set(probs.tolist()))}


def reference(atoms, next_probs, probs, rewards, dones, gamma):
    dz = float(atoms[1] - atoms[0])
    lo, hi = float(atoms[0]), float(atoms[-1])
    r, not_done = float(rewards), 1 - float(dones)
    m = [0.0] * len(atoms)
    for j, zj in enumerate(atoms.tolist()):
        tz = min(max(r + gamma * not_done * zj, lo), hi)
        for i, zi in enumerate(atoms.tolist()):
            m[i] += float(next_probs[j]) * max(0.0, 1 - abs(tz - zi) / dz)
    target = torch.tensor(m)
    return {"target_pmf": target, "loss": -(target * probs.log()).sum()}


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
