"""Per-token rewards of PPO-based RLHF, from scratch, against the sequence-level KL-regularised reward.

For one sampled response of T tokens with log-probs under the policy (`logp`) and under the frozen
reference/SFT model (`logp_ref`), and the reward model's scalar `score` for the whole response
(Ziegler et al. 2019; Stiennon et al. 2020; Ouyang et al. 2022; TRL PPOTrainer):
  kl_t      = logp_t - logp_ref_t                      k1 estimate of the per-token KL
  r_t       = -kl_coef * kl_t  (+ score at the last token t = T)
With gamma = 1 the return from the first token is
  G_0 = sum_t r_t = score - kl_coef * (log pi(y|x) - log pi_ref(y|x)),
the sequence-level objective r(x, y) - beta log(pi/pi_ref) whose expectation is E[r] - beta KL(pi || pi_ref).
That closed form is the reference. TRL's defaults: kl_coef = 0.05, gamma = 1, lam = 0.95 for the
GAE on these rewards, advantages whitened over the batch.
"""

import random

import torch

REFERENCE = "score - kl_coef * (sum(logp) - sum(logp_ref))  (sequence-level KL-regularised reward)"


def example():
    return {
        "logp": torch.tensor([-1.2, -0.4, -2.0, -0.1]),
        "logp_ref": torch.tensor([-1.5, -0.6, -1.0, -0.3]),
        "score": 1.5,
        "kl_coef": 0.05,
    }


def problem(rng: random.Random):
    t = 3
    logp_ref = [-rng.randint(1, 20) / 10 for _ in range(t)]
    logp = [min(round(x + rng.randint(-10, 10) / 10, 1), -0.1) for x in logp_ref]  # log-probs are <= 0
    return {
        "logp": torch.tensor(logp),
        "logp_ref": torch.tensor(logp_ref),
        "score": rng.choice([-1.0, -0.5, 0.5, 1.0, 2.0]),
        "kl_coef": rng.choice([0.05, 0.1, 0.2]),
    }


def loss(logp, logp_ref, score, kl_coef=0.05):
    kl = logp - logp_ref
    kl_penalty = -kl_coef * kl
    rewards = kl_penalty.clone()
    rewards[-1] = rewards[-1] + score  # the RM score arrives at the last token only
    return {
        "kl_per_token": kl,
        "kl_penalty": kl_penalty,
        "rewards": rewards,
        "last_token_reward": rewards[-1],
        "value": rewards.sum(),  # return G_0 with gamma = 1
    }


def reference(logp, logp_ref, score, kl_coef=0.05):
    return score - kl_coef * (logp.sum() - logp_ref.sum())


def mistakes(logp, logp_ref, score, kl_coef=0.05):
    kl = (logp - logp_ref).sum()
    return {
        "KL penalty with the wrong sign (or the log-ratio reversed, log π_ref − log π): it is −β·(log π − log π_ref)": score + kl_coef * kl,
        "RM score added at every token; it arrives once, at the last token": logp.numel() * score - kl_coef * kl,
        "forgot the KL penalty": torch.tensor(score),
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
