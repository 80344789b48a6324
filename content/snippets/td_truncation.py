"""GAE with termination vs truncation (time limits), from scratch, against SB3's reward-folding route.

A time limit is not part of the MDP: when an episode is cut by a time limit (Gymnasium
`truncated`), s_{t+1} is NOT terminal and the TD target must still bootstrap from V(s_{t+1})
(Pardo et al., 2018, "Time Limits in Reinforcement Learning"). Only `terminated` zeroes it:
    delta_t = r_t + gamma (1 - terminated_t) V(s_{t+1}) - V(s_t)
    A_t     = delta_t + gamma lam (1 - terminated_t)(1 - truncated_t) A_{t+1},   A after the rollout = 0
Both flags end the episode, so the advantage recursion stops at either; only termination stops
the bootstrap. Inputs: `dones` = terminated flags, `truncated` = time-limit flags, `values` =
V(s_t), `next_values` = V(s_{t+1}); at a truncated step that is the value of the real final
observation (auto-resetting vector envs hand it over in `info`, since the next row of the
rollout already belongs to a new episode). The value is A_0.
Reference, a second route (Stable-Baselines3, issue #633): fold gamma V(final obs) into the
reward of a truncated step and then treat it as terminal; A_0 is then the forward-view
lambda-return of the first episode segment (weighted n-step returns) minus V(s_0).
"""

import random

import torch

REFERENCE = "SB3 route: r += gamma V(final obs) at truncation, then forward-view lambda-return - V(s_0)"


def example():
    return {
        "rewards": torch.tensor([1.0, 0.0, 2.0]),
        "values": torch.tensor([0.5, 1.0, 1.5]),
        "next_values": torch.tensor([1.0, 2.0, 0.5]),  # V(s_1), V(final obs of episode 1), V(s_3)
        "dones": torch.tensor([0.0, 0.0, 0.0]),
        "truncated": torch.tensor([0.0, 1.0, 0.0]),  # time limit hit at t = 1
        "gamma": 0.9,
        "lam": 0.5,
    }


def problem(rng: random.Random):
    t_len = 3
    values = [rng.randint(0, 4) / 2 for _ in range(t_len + 1)]
    nxt = values[1:]  # within an episode, next_values[t] = values[t + 1]
    dones, trunc = [0.0] * t_len, [0.0] * t_len
    event, at = rng.choice(["truncated", "truncated", "terminated", "terminated", "none"]), rng.randint(0, 1)
    if event == "truncated":
        trunc[at] = 1.0
        nxt[at] = rng.choice([x / 2 for x in range(1, 7) if x / 2 != values[at + 1]])  # V(final obs)
    elif event == "terminated":
        dones[at] = 1.0
    return {
        "rewards": torch.tensor([float(rng.randint(-1, 2)) for _ in range(t_len)]),
        "values": torch.tensor(values[:t_len]),
        "next_values": torch.tensor(nxt),
        "dones": torch.tensor(dones),
        "truncated": torch.tensor(trunc),
        "gamma": rng.choice([0.5, 0.9, 1.0]),
        "lam": rng.choice([0.5, 1.0]),
    }


def _gae(rewards, values, next_values, boot_mask, carry_mask, gamma, lam):
    deltas = rewards + gamma * boot_mask * next_values - values
    adv = torch.zeros_like(rewards)
    running = torch.tensor(0.0)
    for t in reversed(range(len(rewards))):
        running = deltas[t] + gamma * lam * carry_mask[t] * running
        adv[t] = running
    return deltas, adv


def loss(rewards, values, next_values, dones, truncated, gamma, lam):
    not_term = 1 - dones
    episode_goes_on = (1 - dones) * (1 - truncated)
    deltas, adv = _gae(rewards, values, next_values, not_term, episode_goes_on, gamma, lam)
    return {
        "bootstrap_mask_1_minus_terminated": not_term,
        "recursion_mask": episode_goes_on,
        "td_targets": rewards + gamma * not_term * next_values,
        "td_errors": deltas,
        "advantages": adv,
        "value": adv[0],
    }


def mistakes(rewards, values, next_values, dones, truncated, gamma, lam):
    ended = (1 - dones) * (1 - truncated)
    _, as_term = _gae(rewards, values, next_values, ended, ended, gamma, lam)
    _, leak = _gae(rewards, values, next_values, 1 - dones, 1 - dones, gamma, lam)
    ones = torch.ones_like(dones)
    _, no_mask = _gae(rewards, values, next_values, ones, ones, gamma, lam)
    return {
        "that treats the time-limit truncation as a termination: it must still bootstrap from V(s_{t+1})": as_term[0],
        "the advantage leaked across the episode boundary: the recursion stops at a truncation too": leak[0],
        "forgot the done mask: a terminal state has no future value": no_mask[0],
    }


def reference(rewards, values, next_values, dones, truncated, gamma, lam):
    r = rewards + gamma * truncated * next_values  # SB3: rewards[idx] += gamma * terminal_value
    ended = ((dones + truncated) > 0).tolist()
    t_end = ended.index(True) + 1 if True in ended else len(r)  # first episode segment: steps 0..t_end-1
    bootstrap = 0.0 if t_end <= len(ended) and ended[t_end - 1] else next_values[t_end - 1]

    def n_step(n):  # G^(n)_0 within the segment
        tail = values[n] if n < t_end else bootstrap
        return sum(gamma**k * r[k] for k in range(n)) + gamma**n * tail

    weights = [(1 - lam) * lam ** (n - 1) for n in range(1, t_end)] + [lam ** (t_end - 1)]
    return sum(w * n_step(n) for w, n in zip(weights, range(1, t_end + 1))) - values[0]


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
