"""VQ-VAE's quantisation losses (van den Oord, Vinyals & Kavukcuoglu, 2017), from scratch, against
torch.cdist + torch.nn.functional.mse_loss, and the straight-through gradient checked by autograd.

Encoder outputs z_e (N x D); codebook e (K x D). Each z_e is replaced by its nearest code,
z_q = e_k, k = argmin_k ||z_e - e_k||^2. The loss (paper Eq. 3) is
    L = -log p(x | z_q)  +  ||sg[z_e] - e||^2  +  beta ||z_e - sg[e]||^2,    beta = 0.25
      = reconstruction   +  codebook loss      +  commitment loss
sg = stop-gradient. The codebook term moves the codes toward the encoder outputs; the commitment
term keeps the encoder close to its chosen code. Their FORWARD values are the same squared
distance (only beta differs): they differ in where the gradient goes. Here both are means over the
N x D elements, as in the official Sonnet code (q_latent_loss + commitment_cost * e_latent_loss).
argmin has no gradient: the straight-through estimator z_q_st = z_e + sg[z_q - z_e] copies the
decoder's gradient at z_q onto z_e. Codebook collapse: codes that are never nearest get no
gradient and die; fixes are EMA codebook updates, k-means init, restarting dead codes,
lower-dimensional / l2-normalised codes (ViT-VQGAN), or FSQ.
"""

import random

import torch
import torch.nn.functional as F

REFERENCE = "torch.cdist argmin + F.mse_loss; straight-through gradient checked with autograd"


def example():
    return {"z_e": torch.tensor([[0.5, 1.0], [2.0, -1.0]]),
            "codebook": torch.tensor([[0.0, 1.0], [2.0, 0.0], [-1.0, -1.0]]),
            "beta": 0.25}


def problem(rng: random.Random):
    while True:
        z = torch.tensor([[rng.randint(-4, 4) / 2 for _ in range(2)] for _ in range(2)])
        code = torch.tensor([[rng.randint(-2, 2) for _ in range(2)] for _ in range(3)], dtype=torch.float32)
        d = torch.cdist(z, code) ** 2
        top2 = torch.topk(d, 2, dim=1, largest=False).values
        if bool((top2[:, 1] - top2[:, 0] > 0.1).all()) and bool((top2[:, 0] > 0).any()):
            return {"z_e": z, "codebook": code, "beta": 0.25}  # unique nearest codes, nonzero loss


def loss(z_e, codebook, beta=0.25):
    sq_dist = ((z_e[:, None, :] - codebook[None, :, :]) ** 2).sum(dim=2)
    index = sq_dist.argmin(dim=1)
    z_q = codebook[index]
    sq_err = ((z_e - z_q) ** 2).mean()
    return {
        "squared_distances": sq_dist,
        "code_index": index.float(),
        "z_q": z_q,
        "codes_used": torch.tensor(float(len(set(index.tolist())))),
        "value": {"codebook_loss": sq_err, "commitment_loss": beta * sq_err,
                  "total_quantisation_loss": (1 + beta) * sq_err},
    }


def reference(z_e, codebook, beta=0.25):
    index = torch.cdist(z_e, codebook).argmin(dim=1)
    z_e = z_e.clone().requires_grad_(True)
    e = codebook.clone().requires_grad_(True)
    z_q = e[index]
    codebook_loss = F.mse_loss(z_q, z_e.detach())
    commitment = beta * F.mse_loss(z_e, z_q.detach())
    # straight-through: the gradient of any function of z_q_st w.r.t. z_e is the one at z_q
    upstream = torch.arange(z_e.numel(), dtype=z_e.dtype).reshape(z_e.shape)
    z_q_st = z_e + (z_q - z_e).detach()
    (g,) = torch.autograd.grad((z_q_st * upstream).sum(), z_e)
    assert torch.equal(g, upstream)
    (g_code,) = torch.autograd.grad(codebook_loss, e, retain_graph=True)
    assert torch.autograd.grad(codebook_loss, z_e, allow_unused=True)[0] is None  # sg on z_e
    assert bool((g_code[[k for k in range(len(codebook)) if k not in set(index.tolist())]] == 0).all())
    return {"codebook_loss": codebook_loss.detach(), "commitment_loss": commitment.detach(),
            "total_quantisation_loss": (codebook_loss + commitment).detach()}


def mistakes(z_e, codebook, beta=0.25):
    right = loss(z_e, codebook, beta)["value"]
    sq_err = right["codebook_loss"]
    sq_sum = ((z_e - codebook[torch.cdist(z_e, codebook).argmin(1)]) ** 2).sum()
    return {
        "β multiplies the commitment term only; the codebook term has weight 1": {
            **right, "codebook_loss": beta * sq_err, "total_quantisation_loss": 2 * beta * sq_err},
        "those are sums over elements; the official code takes the mean": {
            "codebook_loss": sq_sum, "commitment_loss": beta * sq_sum, "total_quantisation_loss": (1 + beta) * sq_sum},
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
