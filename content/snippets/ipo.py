"""IPO loss, from scratch, against the IPO optimum derived from the PsiPO objective.

h = [log pi(y_w) - log pi_ref(y_w)] - [log pi(y_l) - log pi_ref(y_l)]   (natural log)
L = mean (h - 1/(2 tau))^2            (Azar et al. 2023, "A General Theoretical Paradigm ...", IPO)
tau is the regularisation strength (TRL's DPOConfig(loss_type="ipo") calls it beta and, unlike
the paper, averages the log-probs over tokens). A squared loss has its minimum at h = 1/(2 tau):
unlike DPO's -log sigma(beta h), it stops pushing once the log-ratio gap hits the target, so
deterministic preferences cannot drive h (and the implicit reward) to infinity.

Reference (a second route to the target): IPO is PsiPO with Psi = identity,
max_pi E_{y~pi, y'~mu}[p(y > y')] - tau KL(pi || pi_ref), whose optimum is the Gibbs policy
pi* = pi_ref exp(g/tau)/Z with g(y) = E_{y'~mu} p(y > y').  For the pair (y_w, y_l) with a
deterministic preference (p(y_w > y_l) = 1, p(y > y) = 1/2) and mu uniform on the pair,
g(y_w) = 3/4 and g(y_l) = 1/4, so the optimal gap is h* = (g_w - g_l)/tau = 1/(2 tau).
The reference computes g from that preference matrix, h* from the Gibbs optimum
(torch.log_softmax of log pi_ref + g/tau), and returns mean (h - h*)^2.
"""

import random

import torch

REFERENCE = "mean (h - h*)^2 with h* read off the Gibbs optimum of PsiPO (Psi = identity, deterministic preference)"


def example():
    return {
        "policy_chosen_logps": torch.tensor([-12.0]),
        "policy_rejected_logps": torch.tensor([-15.0]),
        "ref_chosen_logps": torch.tensor([-14.0]),
        "ref_rejected_logps": torch.tensor([-13.0]),
        "tau": 0.1,
    }


def problem(rng: random.Random):
    return {
        "policy_chosen_logps": torch.tensor([float(rng.randint(-20, -2))]),
        "policy_rejected_logps": torch.tensor([float(rng.randint(-20, -2))]),
        "ref_chosen_logps": torch.tensor([float(rng.randint(-20, -2))]),
        "ref_rejected_logps": torch.tensor([float(rng.randint(-20, -2))]),
        "tau": rng.choice([0.1, 0.125, 0.25, 0.5, 1.0]),
    }


def _dpo(h, beta):
    return torch.nn.functional.softplus(-beta * h).mean()


def _h(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps):
    return (policy_chosen_logps - ref_chosen_logps) - (policy_rejected_logps - ref_rejected_logps)


def loss(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps, tau=0.1):
    h = _h(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps)
    target = 1 / (2 * tau)
    per_pair = (h - target) ** 2
    return {
        "h": h,
        "target": torch.tensor(target),
        "per_pair": per_pair,
        # Push the gap 10 nats further: DPO (beta = tau) keeps rewarding it, IPO penalises overshoot.
        "dpo_loss_at_h": _dpo(h, tau),
        "dpo_loss_at_h_plus_10": _dpo(h + 10, tau),
        "ipo_loss_at_h_plus_10": ((h + 10 - target) ** 2).mean(),
        "value": per_pair.mean(),
    }


def reference(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps, tau=0.1):
    pref = torch.tensor([[0.5, 1.0], [0.0, 0.5]], dtype=torch.float64)  # p(row > column), y_w first
    mu = torch.tensor([0.5, 0.5], dtype=torch.float64)
    g = pref @ mu  # E_{y'~mu} p(y > y')
    out = []
    for pc, pr, rc, rr in zip(policy_chosen_logps.tolist(), policy_rejected_logps.tolist(),
                              ref_chosen_logps.tolist(), ref_rejected_logps.tolist()):
        log_ref = torch.tensor([rc, rr], dtype=torch.float64)
        log_opt = torch.log_softmax(log_ref + g / tau, dim=0)  # Gibbs optimum pi* on the pair
        h_star = (log_opt[0] - log_ref[0]) - (log_opt[1] - log_ref[1])
        h = (pc - rc) - (pr - rr)
        out.append((h - h_star) ** 2)
    return torch.stack(out).mean().to(torch.float32)


def mistakes(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps, tau=0.1):
    h = _h(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps)
    t = 1 / (2 * tau)
    return {
        "target 1/τ instead of 1/(2τ)": ((h - 1 / tau) ** 2).mean(),
        "τ multiplies h (DPO-style β·h): IPO regresses the raw log-ratio gap": ((tau * h - t) ** 2).mean(),
        "chosen and rejected swapped": ((-h - t) ** 2).mean(),
        "that is DPO's −log σ(τ·h), not IPO's squared loss": _dpo(h, tau),
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
