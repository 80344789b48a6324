"""Regret matching on generalised rock-paper-scissors, from scratch, against the closed-form Nash.

Regret matching (Hart & Mas-Colell, 2000): keep, for every action a, the cumulative regret
R(a) = sum_t [u(a, opponent_t) - u(played_t, opponent_t)], and play
    sigma(a) = R(a)^+ / sum_b R(b)^+      (uniform if no regret is positive).
In two-player zero-sum games, when both players run it, the AVERAGE strategies converge to a
Nash equilibrium (exploitability O(1/sqrt(T))); the current strategies need not. CFR applies
regret matching at every information set with counterfactual values (Zinkevich et al., 2007);
CFR+ floors the cumulative regrets at 0 and averages linearly.
Step `next_strategy`: the regret-matching strategy for the given cumulative `regrets`.
Value: the average strategy after self-play from zero regrets with expected (not sampled)
payoffs, run as regret matching+ (the CFR+ variant, for speed). Payoff: paper beats rock by a, rock beats scissors by b, scissors beats paper by c.
Reference, a second route: the closed-form symmetric Nash (c, b, a) / (a + b + c).
"""

import random

import torch

REFERENCE = "closed form sigma* = (c, b, a) / (a + b + c)"
# RM+ with linear averaging: after 200 iterations the average is within ~0.005 of Nash.
TOLERANCE = {"rtol": 0.0, "atol": 0.02}
ITERS = 200
NAMES = ("rock", "paper", "scissors")


def _payoff(a, b, c):
    return torch.tensor([[0.0, -a, b], [a, 0.0, -c], [-b, c, 0.0]])


def example():
    return {"payoff": _payoff(1.0, 2.0, 3.0), "regrets": torch.tensor([2.0, -1.0, 1.0])}


def problem(rng: random.Random):
    regrets = [float(rng.randint(-3, 3)) for _ in range(3)]
    if max(regrets) <= 0:
        regrets[rng.randint(0, 2)] = float(rng.randint(1, 3))
    return {"payoff": _payoff(*(float(rng.randint(1, 3)) for _ in range(3))), "regrets": torch.tensor(regrets)}


def _rm(regrets):
    pos = [max(r, 0.0) for r in regrets]
    s = sum(pos)
    return [p / s for p in pos] if s > 0 else [1 / len(pos)] * len(pos)


def _self_play(m):
    """Regret matching+ (CFR+ on a matrix game): regrets floored at 0, alternating updates,
    linearly weighted average (Tammelin, 2014). Plain RM converges too, but ~20x slower."""
    n = len(m)
    reg = [[0.0] * n, [0.0] * n]
    avg = [0.0] * n
    for t in range(1, ITERS + 1):
        for p in range(2):
            mine, opp = _rm(reg[p]), _rm(reg[1 - p])  # alternating: player 1 sees player 0's update
            # the game is symmetric: both players use the row player's matrix m
            u = [sum(m[a][b] * opp[b] for b in range(n)) for a in range(n)]
            ev = sum(s * x for s, x in zip(mine, u))
            reg[p] = [max(r + x - ev, 0.0) for r, x in zip(reg[p], u)]
            if p == 0:
                avg = [w + t * s for w, s in zip(avg, mine)]
    return [w / sum(avg) for w in avg]


def loss(payoff, regrets):
    avg = _self_play(payoff.tolist())
    return {
        "positive_regrets": regrets.clamp(min=0),
        "next_strategy": torch.tensor(_rm(regrets.tolist())),
        "value": {name: torch.tensor(p) for name, p in zip(NAMES, avg)},
    }


def reference(payoff, regrets):
    a, b, c = float(payoff[1, 0]), float(payoff[0, 2]), float(payoff[2, 1])
    nash = torch.tensor([c, b, a]) / (a + b + c)
    return {name: nash[i] for i, name in enumerate(NAMES)}


def plot():
    """Current vs average strategy of regret matching in self-play (the example's game)."""
    m = example()["payoff"].tolist()
    reg = [[0.0] * 3, [0.0] * 3]
    avg = [0.0] * 3
    cur_rock, avg_rock = [], []
    for t in range(1, 401):
        strat = [_rm(reg[0]), _rm(reg[1])]
        for p in range(2):
            u = [sum(m[a][b] * strat[1 - p][b] for b in range(3)) for a in range(3)]
            ev = sum(s * x for s, x in zip(strat[p], u))
            for a in range(3):
                reg[p][a] += u[a] - ev
        avg = [x + s for x, s in zip(avg, strat[0])]
        cur_rock.append(strat[0][0])
        avg_rock.append(avg[0] / t)
    ts = list(range(1, 401))
    return {
        "title": "Regret matching self-play, P(rock): current vs average strategy",
        "x_label": "iteration",
        "y_label": "P(rock)",
        "series": [
            {"name": "current strategy", "x": ts, "y": cur_rock},
            {"name": "average strategy", "x": ts, "y": avg_rock},
            {"name": "Nash c/(a+b+c) = 0.5", "x": [1, 400], "y": [0.5, 0.5]},
        ],
        "note": "The current strategy keeps cycling; only the average converges to the Nash equilibrium.",
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
