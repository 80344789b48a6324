"""GRPO loss (to minimise), from scratch in tensors, against a closed-form second route (see reference()).

Per token t of output i (Shao et al. 2024, DeepSeekMath Eq. 3; TRL GRPOTrainer loss_type="grpo"):
  rho   = pi(o_t) / pi_old(o_t)
  surr  = min(rho A_i, clip(rho, 1 - eps, 1 + eps) A_i)          PPO clip, eps = 0.2
  k3    = pi_ref/pi - log(pi_ref/pi) - 1  >= 0                     KL(pi || pi_ref) estimate
  l_t   = -surr + beta k3                                          KL goes in the LOSS, not the reward
  L     = (1/G) sum_i (1/|o_i|) sum_t l_t                          (mask marks real tokens)
beta = 0.04 in DeepSeekMath; TRL now defaults to beta = 0 (no KL term, no reference model).
The other aggregations (DAPO token-level: sum / total tokens; Dr. GRPO: sum / (G * max_len))
are shown as steps: they differ only in how long and short outputs are weighted.
"""

import random

import torch
import torch.nn.functional as F

REFERENCE = "closed-form clip (A*rho - |A|*relu(sign(A)*(rho-1) - eps)), k3 via F.poisson_nll_loss, nanmean over real tokens"


def example():
    return {
        "logp": torch.tensor([[-1.0, -0.5, -2.0], [-1.5, -0.2, 0.0]]),
        "logp_old": torch.tensor([[-1.2, -0.5, -1.8], [-1.0, -0.3, 0.0]]),
        "logp_ref": torch.tensor([[-1.1, -0.7, -2.0], [-1.2, -0.2, 0.0]]),
        "advantages": torch.tensor([0.7071, -0.7071]),
        "mask": torch.tensor([[1.0, 1.0, 1.0], [1.0, 1.0, 0.0]]),  # output 2 has 2 tokens
        "clip_eps": 0.2,
        "beta": 0.04,
    }


def problem(rng: random.Random):
    g, t = 2, 3
    old = [[-rng.randint(5, 20) / 10 for _ in range(t)] for _ in range(g)]
    # token log-probs are <= 0: a perturbed one stops at -0.1
    new = [[min(o + rng.randint(-4, 4) / 10, -0.1) for o in row] for row in old]
    ref = [[min(o + rng.randint(-8, 8) / 10, -0.1) for o in row] for row in old]
    a = rng.choice([0.5, 1.0, 1.5])
    return {
        "logp": torch.tensor(new),
        "logp_old": torch.tensor(old),
        "logp_ref": torch.tensor(ref),
        "advantages": torch.tensor([a, -a]),
        # output 2 is shorter (1 or 2 tokens), so the aggregations differ
        "mask": torch.tensor([[1.0, 1.0, 1.0], [1.0, float(rng.randint(0, 1)), 0.0]]),
        "clip_eps": 0.2,
        "beta": rng.choice([0.04, 0.1, 0.2]),  # > 0, so the KL term (and its sign) shows
    }


def loss(logp, logp_old, logp_ref, advantages, mask, clip_eps=0.2, beta=0.04):
    adv = advantages.unsqueeze(1)
    ratio = torch.exp(logp - logp_old)
    clipped_ratio = ratio.clamp(1 - clip_eps, 1 + clip_eps)
    surrogate = torch.minimum(ratio * adv, clipped_ratio * adv)
    log_ref_ratio = logp_ref - logp
    k3 = torch.exp(log_ref_ratio) - log_ref_ratio - 1
    per_token = (-surrogate + beta * k3) * mask
    lengths = mask.sum(dim=1)
    per_output = per_token.sum(dim=1) / lengths
    return {
        "ratio": ratio,
        "clipped_ratio": clipped_ratio,
        "surrogate": surrogate,
        "k3": k3,
        "per_token_loss": per_token,
        "per_output_mean": per_output,
        "dapo_token_level": per_token.sum() / mask.sum(),
        "dr_grpo_constant_norm": per_token.sum() / (mask.shape[0] * mask.shape[1]),
        "value": per_output.mean(),
    }


def reference(logp, logp_old, logp_ref, advantages, mask, clip_eps=0.2, beta=0.04):
    # A second route, term by term:
    # - the clipped surrogate in closed form, without min/clamp:
    #   min(rho A, clip(rho) A) = A rho - |A| relu(sign(A)(rho - 1) - eps)
    #   (A > 0: A min(rho, 1 + eps); A < 0: A max(rho, 1 - eps));
    # - k3 = e^x - x - 1 (x = log pi_ref - log pi) from the built-in Poisson NLL, which with
    #   log_input=True and target 1 is exp(x) - x;
    # - the 1/|o_i| masked mean as torch.nanmean over the real tokens (padding set to NaN).
    adv = advantages.unsqueeze(1)
    ratio = torch.exp(logp - logp_old)
    surrogate = adv * ratio - adv.abs() * F.relu(torch.sign(adv) * (ratio - 1) - clip_eps)
    x = logp_ref - logp
    k3 = F.poisson_nll_loss(x, torch.ones_like(x), log_input=True, full=False, reduction="none") - 1
    per_token = torch.where(mask.bool(), -surrogate + beta * k3, torch.full_like(x, float("nan")))
    return torch.nanmean(per_token, dim=1).mean()


def mistakes(logp, logp_old, logp_ref, advantages, mask, clip_eps=0.2, beta=0.04):
    adv = advantages.unsqueeze(1)
    ratio = torch.exp(logp - logp_old)
    surrogate = torch.minimum(ratio * adv, ratio.clamp(1 - clip_eps, 1 + clip_eps) * adv)
    log_ref_ratio = logp_ref - logp
    k3 = torch.exp(log_ref_ratio) - log_ref_ratio - 1
    k1 = logp - logp_ref

    def per_output_mean(per_token):
        return ((per_token * mask).sum(dim=1) / mask.sum(dim=1)).mean()

    return {
        "KL with the wrong sign: −β·KL is in the objective J, so the minimised loss has +β·k3":
            per_output_mean(-surrogate - beta * k3),
        "k1 = log π − log π_ref instead of GRPO's k3 estimator": per_output_mean(-surrogate + beta * k1),
        "token-level mean over the whole group (that is DAPO's aggregation, not GRPO's 1/|o_i|)":
            ((-surrogate + beta * k3) * mask).sum() / mask.sum(),
        "that is the objective J; the loss is its negation": -per_output_mean(-surrogate + beta * k3),
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
