"""Diffusion-DPO loss (Wallace et al. 2023), as in the official SalesforceAIResearch/DiffusionDPO train.py.

For a preference pair (x^w preferred, x^l rejected), both noised with the same t, the per-sample
denoising errors (mean over the latent's elements) of the trained model and of the frozen reference:
    m_w = mean ||eps_w - eps_theta(x^w_t)||^2,  m_l = ... on x^l,   r_w, r_l = the same for eps_ref
    L = -mean log sigmoid( -beta/2 * ((m_w - m_l) - (r_w - r_l)) )
(code: scale_term = -0.5 * beta_dpo; inside = scale_term * (model_diff - ref_diff)). The ELBO stands
in for the intractable log-likelihood: -1/2 times a denoising error is a Gaussian log-likelihood up
to a constant, and beta absorbs T * omega(lambda_t). The official runs use beta_dpo = 5000 (errors are
small per-element means); the toy problems here use smaller beta to keep numbers moderate.
Reference (a second route): per-sample log-likelihoods from torch.distributions.Normal(pred, 1).log_prob
(constants cancel), then the plain DPO loss -log sigmoid(beta * (log-ratio_w - log-ratio_l)) via
F.binary_cross_entropy_with_logits.
"""

import random

import torch
import torch.nn.functional as F
from torch.distributions import Normal

REFERENCE = "DPO with Normal(pred, 1).log_prob(eps).mean(dim=1) as log-likelihoods, via F.binary_cross_entropy_with_logits"


def example():
    return {
        "eps_w": torch.tensor([[0.5, -1.0]]), "eps_l": torch.tensor([[1.0, 0.0]]),
        "pred_w": torch.tensor([[0.4, -0.9]]), "pred_l": torch.tensor([[0.7, 0.2]]),
        "ref_pred_w": torch.tensor([[0.3, -0.8]]), "ref_pred_l": torch.tensor([[0.8, 0.1]]),
        "beta": 20.0,
    }


def problem(rng: random.Random):
    def row():
        return [rng.randint(-10, 10) / 10 for _ in range(2)]

    def near(base):
        return [[b + rng.randint(-3, 3) / 10 for b in r] for r in base]

    eps_w, eps_l = [row(), row()], [row(), row()]
    return {
        "eps_w": torch.tensor(eps_w), "eps_l": torch.tensor(eps_l),
        "pred_w": torch.tensor(near(eps_w)), "pred_l": torch.tensor(near(eps_l)),
        "ref_pred_w": torch.tensor(near(eps_w)), "ref_pred_l": torch.tensor(near(eps_l)),
        "beta": rng.choice([5.0, 10.0, 20.0]),
    }


def _nls(x):  # -log sigmoid(x) = logaddexp(-x, 0), stable
    return torch.logaddexp(-x, torch.zeros_like(x))


def _parts(eps_w, eps_l, pred_w, pred_l, ref_pred_w, ref_pred_l):
    m_w, m_l = ((pred_w - eps_w) ** 2).mean(dim=1), ((pred_l - eps_l) ** 2).mean(dim=1)
    r_w, r_l = ((ref_pred_w - eps_w) ** 2).mean(dim=1), ((ref_pred_l - eps_l) ** 2).mean(dim=1)
    return m_w, m_l, r_w, r_l


def loss(eps_w, eps_l, pred_w, pred_l, ref_pred_w, ref_pred_l, beta):
    m_w, m_l, r_w, r_l = _parts(eps_w, eps_l, pred_w, pred_l, ref_pred_w, ref_pred_l)
    inside = -0.5 * beta * ((m_w - m_l) - (r_w - r_l))
    return {
        "model_mse_w_l": torch.stack([m_w, m_l]),
        "ref_mse_w_l": torch.stack([r_w, r_l]),
        "inside_term": inside,
        "implicit_accuracy": (inside > 0).float().mean(),
        "value": _nls(inside).mean(),
    }


def reference(eps_w, eps_l, pred_w, pred_l, ref_pred_w, ref_pred_l, beta):
    def loglik(pred, eps):
        return Normal(pred, 1.0).log_prob(eps).mean(dim=1)

    ratio_w = loglik(pred_w, eps_w) - loglik(ref_pred_w, eps_w)
    ratio_l = loglik(pred_l, eps_l) - loglik(ref_pred_l, eps_l)
    logits = beta * (ratio_w - ratio_l)
    return F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits))


def mistakes(eps_w, eps_l, pred_w, pred_l, ref_pred_w, ref_pred_l, beta):
    m_w, m_l, r_w, r_l = _parts(eps_w, eps_l, pred_w, pred_l, ref_pred_w, ref_pred_l)
    d = (m_w - m_l) - (r_w - r_l)
    return {
        "sign flipped: errors are NEGATIVE log-likelihoods, so the winner's error must go down": _nls(0.5 * beta * d).mean(),
        "missing the 1/2 (the Gaussian log-likelihood is -1/2 the squared error)": _nls(-beta * d).mean(),
        "reference terms left out": _nls(-0.5 * beta * (m_w - m_l)).mean(),
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
