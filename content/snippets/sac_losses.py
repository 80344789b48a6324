"""Soft Actor-Critic losses for one transition, from scratch, against the SB3/CleanRL layouts.

Soft-Q target (clipped double-Q, entropy term; a' ~ pi(.|s') freshly sampled, Qbar = target nets):
    y = r + gamma (1 - done) [min(Qbar_1, Qbar_2)(s', a') - alpha log pi(a'|s')]
Critic loss: sum over the two critics of 1/2 (Q_j(s, a) - y)^2, y held fixed (Haarnoja et al.
2018b; SB3 uses this 1/2, CleanRL drops it). Policy loss, a~ reparameterised from pi(.|s)
(log pi of a tanh-squashed Gaussian, with its Jacobian correction: see tanh_squash.py):
    alpha log pi(a~|s) - min(Q_1, Q_2)(s, a~)
Temperature (automatic alpha, target entropy Hbar = -dim(A)): implementations optimise log alpha,
with log pi(a~|s) held fixed, and the two common forms differ in VALUE (in sign whenever alpha < 1):
    paper / CleanRL:  J = -alpha (log pi(a~|s) + Hbar), alpha = exp(log_alpha)   -> `alpha_loss_paper`
        (Haarnoja et al. 2018b §5, Automating Entropy Adjustment;
         vwxyzjn/cleanrl cleanrl/sac_continuous_action.py @004f8a0:
         alpha_loss = (-log_alpha.exp() * (log_pi + target_entropy)).mean(), log_pi under no_grad)
    SB3:              J = -log_alpha (log pi(a~|s) + Hbar)                        -> `alpha_loss_sb3`
        (DLR-RM/stable-baselines3 stable_baselines3/sac/sac.py @0311b62, SAC.train():
         ent_coef_loss = -(self.log_ent_coef * (log_prob + self.target_entropy).detach()).mean())
On the fixed example (alpha = 0.2, log pi = -0.5, Hbar = -1): the paper form is 0.3, SB3's is
1.5 ln 0.2 = -2.414. Only their gradients in log alpha are used: SB3's is -(log pi + Hbar)
(`log_alpha_grad`, 1.5 here), the paper form's is -alpha (log pi + Hbar) (0.3 here), the same
sign since alpha > 0. So both move alpha the same way: down when the entropy estimate -log pi is
above Hbar, up when below; gradient DESCENT on log alpha follows the gradient's negative.
Reference: the same quantities in SB3's tensor layout (torch.cat + min over critics,
F.mse_loss for the critic), both temperature losses as SB3 and CleanRL write them on a log-alpha
leaf, and autograd of SB3's temperature loss w.r.t. log alpha. The target
is a composition of given numbers, so that part is a layout check; the sign of every entropy
term is checked against the max-entropy closed form in tests/test_reference_rl.py.
"""

import math
import random

import torch
import torch.nn.functional as F

REFERENCE = "SB3 layout (cat + min, F.mse_loss), SB3's and CleanRL's log-alpha losses, autograd of SB3's"


def example():
    return {
        "rewards": torch.tensor(1.0),
        "dones": torch.tensor(0.0),
        "gamma": 0.9,
        "alpha": 0.2,
        "q1_next": torch.tensor(2.0),  # Qbar_1(s', a')
        "q2_next": torch.tensor(1.5),  # Qbar_2(s', a')
        "logp_next": torch.tensor(-1.0),  # log pi(a'|s')
        "q1": torch.tensor(2.5),  # Q_1(s, a), a from the replay buffer
        "q2": torch.tensor(2.0),
        "q1_pi": torch.tensor(3.0),  # Q_1(s, a~), a~ ~ pi(.|s)
        "q2_pi": torch.tensor(2.5),
        "logp_pi": torch.tensor(-0.5),  # log pi(a~|s)
        "target_entropy": -1.0,  # -dim(A) for a 1-D action
    }


def problem(rng: random.Random):
    def one():
        return rng.randint(-10, 30) / 10

    q1n, q2n = one(), one()
    while q1n == q2n:  # the twin critics disagree, so min vs max matters
        q2n = one()
    return {
        "rewards": torch.tensor(rng.randint(-4, 4) / 2),
        "dones": torch.tensor(rng.choice([0.0, 1.0])),
        "gamma": rng.choice([0.5, 0.9]),
        "alpha": rng.choice([0.1, 0.2, 0.5]),
        "q1_next": torch.tensor(q1n),
        "q2_next": torch.tensor(q2n),
        "logp_next": torch.tensor(rng.choice([-2.0, -1.0, -0.5, 0.5])),
        "q1": torch.tensor(one()),
        "q2": torch.tensor(one()),
        "q1_pi": torch.tensor(one()),
        "q2_pi": torch.tensor(one()),
        "logp_pi": torch.tensor(rng.randint(-8, 6) / 2),
        "target_entropy": float(-rng.choice([1, 2, 3, 6])),  # -dim(A)
    }


def _all(rewards, dones, gamma, alpha, q1_next, q2_next, logp_next, q1, q2, q1_pi, q2_pi, logp_pi,
         target_entropy, entropy_sign=1.0, use_min=True, mask=True):
    pick = torch.minimum if use_min else torch.maximum
    soft_v_next = pick(q1_next, q2_next) - entropy_sign * alpha * logp_next
    y = rewards + gamma * ((1 - dones) if mask else 1.0) * soft_v_next
    return {
        "q_target": y,
        "critic_loss": 0.5 * (q1 - y) ** 2 + 0.5 * (q2 - y) ** 2,
        "policy_loss": alpha * logp_pi - torch.minimum(q1_pi, q2_pi),
        "alpha_loss_paper": -alpha * (logp_pi + target_entropy),
        "alpha_loss_sb3": -math.log(alpha) * (logp_pi + target_entropy),
        "log_alpha_grad": -(logp_pi + target_entropy),
    }


def loss(rewards, dones, gamma, alpha, q1_next, q2_next, logp_next, q1, q2, q1_pi, q2_pi, logp_pi, target_entropy):
    inputs = dict(locals())
    value = _all(**inputs)
    return {
        "min_q_next": torch.minimum(inputs["q1_next"], inputs["q2_next"]),
        "soft_v_next": torch.minimum(inputs["q1_next"], inputs["q2_next"]) - inputs["alpha"] * inputs["logp_next"],
        "entropy_estimate_minus_logp_pi": -inputs["logp_pi"],
        "value": value,
    }


def mistakes(rewards, dones, gamma, alpha, q1_next, q2_next, logp_next, q1, q2, q1_pi, q2_pi, logp_pi, target_entropy):
    inputs = dict(locals())
    right = _all(**inputs)
    return {
        "the entropy term is -alpha log pi(a'|s') (a bonus), not +alpha log pi": _all(**inputs, entropy_sign=-1.0),
        "that takes the max of the twin critics; clipped double-Q takes the min": _all(**inputs, use_min=False),
        "forgot the done mask: no bootstrap after a terminal state": _all(**inputs, mask=False),
        "wrong sign on the temperature gradient: alpha must fall when the entropy is above target": {
            **right, **{k: -right[k] for k in ("alpha_loss_paper", "alpha_loss_sb3", "log_alpha_grad")}},
    }


def reference(rewards, dones, gamma, alpha, q1_next, q2_next, logp_next, q1, q2, q1_pi, q2_pi, logp_pi,
              target_entropy):
    # SB3 SAC.train() layout, batch of one
    next_q_values = torch.cat([q1_next.view(1, 1), q2_next.view(1, 1)], dim=1)
    next_q_values, _ = torch.min(next_q_values, dim=1, keepdim=True)
    next_q_values = next_q_values - alpha * logp_next.reshape(-1, 1)
    target_q_values = rewards.view(1, 1) + (1 - dones.view(1, 1)) * gamma * next_q_values
    critic = 0.5 * sum(F.mse_loss(q.view(1, 1), target_q_values) for q in (q1, q2))
    q_values_pi = torch.cat([q1_pi.view(1, 1), q2_pi.view(1, 1)], dim=1)
    min_qf_pi, _ = torch.min(q_values_pi, dim=1, keepdim=True)
    actor = (alpha * logp_pi.view(1, 1) - min_qf_pi).mean()
    log_ent_coef = torch.tensor(math.log(alpha), requires_grad=True)
    sb3_loss = -(log_ent_coef * (logp_pi + target_entropy).detach()).mean()
    (grad,) = torch.autograd.grad(sb3_loss, log_ent_coef)
    cleanrl = (-log_ent_coef.detach().exp() * (logp_pi + target_entropy)).mean()
    return {
        "q_target": target_q_values.view(()),
        "critic_loss": critic,
        "policy_loss": actor,
        "alpha_loss_paper": cleanrl,
        "alpha_loss_sb3": sb3_loss.detach(),
        "log_alpha_grad": grad,
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
