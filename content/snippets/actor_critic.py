"""A2C / actor-critic loss composition, from scratch, against torch built-ins.

One loss for a shared network (A2C/A3C, Mnih et al., 2016; SB3 A2C; PPO Eq. 9 without the clip):
    A_t = G_t - V(s_t)                         (advantage, DETACHED: the actor does not train V)
    policy_loss  = -mean_t A_t log pi(a_t|s_t)  (REINFORCE with the baseline V)
    value_loss   = mean_t (G_t - V(s_t))^2     (SB3 A2C: F.mse_loss; CleanRL's PPO puts 1/2 in front)
    entropy      = mean_t H(pi(.|s_t))
    total        = policy_loss + vf_coef * value_loss - ent_coef * entropy
vf_coef = 0.5 (SB3 A2C and PPO default); ent_coef is 0.0 in SB3 A2C and 0.01 in A3C/CleanRL.
G_t is the critic's target: an n-step return or GAE's lambda-return A^GAE_t + V(s_t).
Reference, a second route: -log pi(a|s) = F.cross_entropy(logits, a), F.mse_loss, and
torch.distributions.Categorical(...).entropy().
"""

import random

import torch
import torch.nn.functional as F

REFERENCE = "F.cross_entropy (= -log pi(a|s)), F.mse_loss, Categorical.entropy"


def example():
    return {
        "logits": torch.tensor([[1.0, 0.0], [0.0, 2.0], [0.5, 0.5]]),
        "actions": torch.tensor([0, 1, 0]),
        "returns": torch.tensor([2.0, 1.0, 0.0]),
        "values": torch.tensor([1.5, 1.5, 0.5]),
        "vf_coef": 0.5,
        "ent_coef": 0.01,
    }


def problem(rng: random.Random):
    n = 3
    return {
        "logits": torch.tensor([[float(rng.randint(-2, 2)) for _ in range(2)] for _ in range(n)]),
        "actions": torch.tensor([rng.randint(0, 1) for _ in range(n)]),
        "returns": torch.tensor([float(rng.randint(-1, 3)) for _ in range(n)]),
        "values": torch.tensor([rng.randint(-2, 6) / 2 for _ in range(n)]),
        "vf_coef": 0.5,
        "ent_coef": rng.choice([0.0, 0.01]),
    }


def _parts(logits, actions, returns, values):
    log_pi = torch.log_softmax(logits, dim=-1)
    logp = log_pi[torch.arange(len(actions)), actions]
    adv = (returns - values).detach()
    return logp, adv, -(adv * logp).mean(), ((returns - values) ** 2).mean(), -(log_pi.exp() * log_pi).sum(-1).mean()


def loss(logits, actions, returns, values, vf_coef=0.5, ent_coef=0.01):
    logp, adv, pg, vf, ent = _parts(logits, actions, returns, values)
    total = pg + vf_coef * vf - ent_coef * ent
    return {
        "logp": logp,
        "advantages": adv,
        "value": {"policy_loss": pg, "value_loss": vf, "entropy": ent, "total": total},
    }


def mistakes(logits, actions, returns, values, vf_coef=0.5, ent_coef=0.01):
    logp, adv, pg, vf, ent = _parts(logits, actions, returns, values)

    def out(p, v, e, total):
        return {"policy_loss": p, "value_loss": v, "entropy": e, "total": total}

    plus = pg + vf_coef * vf + ent_coef * ent
    flipped = (adv * logp).mean()
    no_base = -(returns * logp).mean()
    return {
        "the entropy bonus is SUBTRACTED from the loss (entropy is rewarded)": out(pg, vf, ent, plus),
        "wrong sign of the policy term: minimise -A log pi": out(flipped, vf, ent, flipped + vf_coef * vf - ent_coef * ent),
        "no baseline: the policy term weighs log pi by A = G - V, not by G": out(
            no_base, vf, ent, no_base + vf_coef * vf - ent_coef * ent),
    }


def reference(logits, actions, returns, values, vf_coef=0.5, ent_coef=0.01):
    nll = F.cross_entropy(logits, actions, reduction="none")  # -log pi(a|s)
    pg = (nll * (returns - values)).mean()
    vf = F.mse_loss(values, returns)
    ent = torch.distributions.Categorical(logits=logits).entropy().mean()
    return {"policy_loss": pg, "value_loss": vf, "entropy": ent, "total": pg + vf_coef * vf - ent_coef * ent}


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
