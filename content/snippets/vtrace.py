"""V-trace targets (IMPALA), from scratch (backward recursion), against the direct sum of Eq. 1.

Behaviour policy mu generated the trajectory; the learner's policy is pi. With truncated
importance weights rho_t = min(rho_bar, pi/mu) and c_t = min(c_bar, pi/mu) (rho_bar = c_bar = 1
in IMPALA):
    delta_t V = rho_t (r_t + gamma V(x_{t+1}) - V(x_t))
    v_s = V(x_s) + sum_{t>=s} gamma^(t-s) (prod_{i=s}^{t-1} c_i) delta_t V          (Eq. 1)
        = V(x_s) + delta_s V + gamma c_s (v_{s+1} - V(x_{s+1}))                      (recursion)
The value loss regresses V(x_s) on v_s; the policy gradient uses the advantage
rho_s (r_s + gamma v_{s+1} - V(x_s)). rho_bar sets which value function is learnt (pi for
rho_bar = inf, closer to mu for small rho_bar); c_bar only controls the speed/variance of the
trace. On-policy (pi = mu) v_s is the n-step return. `ratio` = pi(a_t|x_t)/mu(a_t|x_t) is given
directly; `values` has T + 1 entries, the last one bootstraps; no terminations in the window.
Reference, a second route: the direct sum of Eq. 1 (Espeholt et al., 2018).
"""

import random

import torch

REFERENCE = "direct sum v_s = V(x_s) + sum_t gamma^(t-s) (prod c_i) delta_t V (IMPALA Eq. 1)"


def example():
    return {
        "rewards": torch.tensor([1.0, 0.0, 2.0]),
        "values": torch.tensor([0.5, 1.0, 1.5, 2.0]),
        "ratio": torch.tensor([0.5, 2.0, 1.0]),
        "gamma": 0.9,
        "rho_bar": 1.0,
        "c_bar": 1.0,
    }


def problem(rng: random.Random):
    t_len = 2
    return {
        "rewards": torch.tensor([float(rng.randint(-1, 2)) for _ in range(t_len)]),
        "values": torch.tensor([rng.randint(0, 6) / 2 for _ in range(t_len + 1)]),
        "ratio": torch.tensor([rng.choice([0.5, 0.5, 1.5, 2.0, 0.25]) for _ in range(t_len)]),
        "gamma": rng.choice([0.5, 0.9]),
        "rho_bar": 1.0,
        "c_bar": 1.0,
    }


def _vtrace(rewards, values, ratio, gamma, rho_bar, c_bar):
    rho = torch.clamp(ratio, max=rho_bar)
    c = torch.clamp(ratio, max=c_bar)
    deltas = rho * (rewards + gamma * values[1:] - values[:-1])
    vs = values.clone()
    for s in reversed(range(len(rewards))):
        vs[s] = values[s] + deltas[s] + gamma * c[s] * (vs[s + 1] - values[s + 1])
    return rho, c, deltas, vs


def loss(rewards, values, ratio, gamma, rho_bar=1.0, c_bar=1.0):
    rho, c, deltas, vs = _vtrace(rewards, values, ratio, gamma, rho_bar, c_bar)
    return {
        "rho_clipped": rho,
        "c_clipped": c,
        "weighted_td_errors": deltas,
        "vtrace_targets": vs[:-1],
        "pg_advantages": rho * (rewards + gamma * vs[1:] - values[:-1]),
        "value": vs[0],
    }


def mistakes(rewards, values, ratio, gamma, rho_bar=1.0, c_bar=1.0):
    big = float("inf")
    on_policy = _vtrace(rewards, values, torch.ones_like(ratio), gamma, 1.0, 1.0)[3][0]
    return {
        "the importance weights must be truncated: rho = min(rho_bar, pi/mu), c = min(c_bar, pi/mu)": _vtrace(
            rewards, values, ratio, gamma, big, big)[3][0],
        "that ignores the off-policy correction (plain n-step return)": on_policy,
    }


def reference(rewards, values, ratio, gamma, rho_bar=1.0, c_bar=1.0):
    t_len = len(rewards)
    rho = [min(rho_bar, float(x)) for x in ratio]
    c = [min(c_bar, float(x)) for x in ratio]
    v = values.tolist()
    total = v[0]
    for t in range(t_len):
        trace = 1.0
        for i in range(t):
            trace *= c[i]
        total += gamma**t * trace * rho[t] * (float(rewards[t]) + gamma * v[t + 1] - v[t])
    return torch.tensor(total)


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
