"""Spectral normalisation: power iteration for sigma_max(W), against torch.linalg.matrix_norm(ord=2).

SN-GAN (Miyato et al. 2018) divides each layer's weight by its largest singular value,
W_SN = W / sigma(W), so each linear map is 1-Lipschitz in L2. sigma(W) is estimated by power
iteration: v <- W^T u / ||W^T u||, u <- W v / ||W v||, sigma ~ u^T W v. The estimate u^T W v is
never above sigma (a lower bound that converges up); SN-GAN runs ONE iteration per training
step and keeps u between steps, which is enough because W changes slowly.
For a network, Lip(W2 relu(W1 x)) <= sigma(W2) sigma(W1): SN bounds the product of the per-layer
norms, an UPPER bound that can be loose; the network's true Lipschitz constant may be well below
1 (for a linear net it is sigma(W2 W1) <= sigma(W2) sigma(W1)).
"""

import random

import torch

REFERENCE = "torch.linalg.matrix_norm(W, ord=2)"
ITERATIONS = 500  # to convergence here; SN-GAN amortises one per training step


def example():
    # W2 undoes most of what W1 stretches, so the per-layer product bound is loose.
    return {"W1": torch.tensor([[2.0, 0.0], [1.0, 0.5]]), "W2": torch.tensor([[0.5, 0.0], [-1.0, 2.0]])}


def problem(rng: random.Random):
    def mat():
        return torch.tensor([[float(rng.randint(-3, 3)) for _ in range(2)] for _ in range(2)])

    W1, W2 = mat(), mat()
    while torch.linalg.matrix_norm(W1, ord=2) == 0 or torch.linalg.matrix_norm(W2, ord=2) == 0:
        W1, W2 = mat(), mat()
    return {"W1": W1, "W2": W2}


def _power_iteration(W, iterations):
    # v <- W^T u / ||W^T u||, u <- W v / ||W v||, `iterations` times: after k steps v is the
    # direction of (W^T W)^(k-1) W^T u0, computed by repeated squaring (scaled so powers cannot
    # overflow) instead of a 500-step Python loop; same estimate, ~50x faster.
    W = W.double()
    u = torch.tensor([1.0, 0.318309886], dtype=torch.float64)
    u = u / u.norm()
    gram = W.T @ W
    v = torch.linalg.matrix_power(gram / gram.norm(), iterations - 1) @ (W.T @ u)
    v = v / v.norm()
    u = W @ v
    u = u / u.norm()
    return (u @ W @ v).float()


def loss(W1, W2):
    s1, s2 = _power_iteration(W1, ITERATIONS), _power_iteration(W2, ITERATIONS)
    return {
        "one_iteration_estimate_W1": _power_iteration(W1, 1),  # <= sigma(W1)
        "sigma_W1_sigma_W2": torch.stack([s1, s2]),
        "lipschitz_bound_product": s1 * s2,
        "true_lipschitz_linear_net": torch.linalg.matrix_norm(W2 @ W1, ord=2),
        "W1_sn_top_singular_value": torch.linalg.matrix_norm(W1 / s1, ord=2),  # 1 after SN
        "value": {"sigma_W1": s1, "sigma_W2": s2},
    }


def reference(W1, W2):
    return {"sigma_W1": torch.linalg.matrix_norm(W1, ord=2), "sigma_W2": torch.linalg.matrix_norm(W2, ord=2)}


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
