"""The DDPM forward posterior q(x_{t-1} | x_t, x0): mean and variance in closed form, against Bayes.

Ho et al. (2020), Eq. 6-7. With alpha_t = abar_t / abar_{t-1} and beta_t = 1 - alpha_t:
    mu~_t  = sqrt(abar_{t-1}) beta_t / (1 - abar_t) * x0 + sqrt(alpha_t) (1 - abar_{t-1}) / (1 - abar_t) * x_t
    beta~_t = (1 - abar_{t-1}) / (1 - abar_t) * beta_t
In epsilon form (x0 = (x_t - sqrt(1 - abar_t) eps) / sqrt(abar_t)):
    mu~_t = (x_t - beta_t / sqrt(1 - abar_t) * eps) / sqrt(alpha_t)   -- the DDPM sampler's mean.
The reverse step p_theta(x_{t-1} | x_t) uses this mean with eps_theta, and sigma_t^2 = beta_t or beta~_t
(both work, Ho et al. Sec. 3.2).
Reference (a second route): condition the joint Gaussian of (x_{t-1}, x_t) given x0,
x_{t-1} = sqrt(abar_{t-1}) x0 + sqrt(1 - abar_{t-1}) e1, x_t = sqrt(alpha_t) x_{t-1} + sqrt(beta_t) e2:
mean = E[x_{t-1}] + Cov(x_{t-1}, x_t) / Var(x_t) * (x_t - E[x_t]), var = Var(x_{t-1}) - Cov^2 / Var(x_t).
"""

import random

import torch

REFERENCE = "Gaussian conditioning of the joint (x_{t-1}, x_t) | x0 (regression of x_{t-1} on x_t)"
PAIRS = [(0.64, 0.9), (0.81, 0.8), (0.36, 0.5), (0.9, 0.6), (0.5, 0.4)]  # (abar_{t-1}, alpha_t)


def example():
    return {"x0": torch.tensor(1.0), "x_t": torch.tensor(0.5), "alpha_bar_t": 0.576, "alpha_bar_prev": 0.64}


def problem(rng: random.Random):
    prev, alpha = rng.choice(PAIRS)
    return {
        "x0": torch.tensor(rng.randint(-10, 10) / 10),
        "x_t": torch.tensor(rng.randint(-20, 20) / 10),
        "alpha_bar_t": round(prev * alpha, 6),
        "alpha_bar_prev": prev,
    }


def loss(x0, x_t, alpha_bar_t, alpha_bar_prev):
    alpha_t = alpha_bar_t / alpha_bar_prev
    beta_t = 1 - alpha_t
    coef_x0 = alpha_bar_prev**0.5 * beta_t / (1 - alpha_bar_t)
    coef_xt = alpha_t**0.5 * (1 - alpha_bar_prev) / (1 - alpha_bar_t)
    mean = coef_x0 * x0 + coef_xt * x_t
    eps = (x_t - alpha_bar_t**0.5 * x0) / (1 - alpha_bar_t) ** 0.5
    return {
        "alpha_t_beta_t": torch.tensor([alpha_t, beta_t]),
        "coef_x0_coef_xt": torch.tensor([coef_x0, coef_xt]),
        "eps_implied": eps,
        "mean_eps_form": (x_t - beta_t / (1 - alpha_bar_t) ** 0.5 * eps) / alpha_t**0.5,
        "value": {"mean": mean.sum(), "var": torch.tensor((1 - alpha_bar_prev) / (1 - alpha_bar_t) * beta_t)},
    }


def reference(x0, x_t, alpha_bar_t, alpha_bar_prev):
    alpha_t = alpha_bar_t / alpha_bar_prev
    m_prev, v_prev = alpha_bar_prev**0.5 * x0.double(), 1 - alpha_bar_prev
    m_t = alpha_t**0.5 * m_prev
    v_t = alpha_t * v_prev + (1 - alpha_t)       # = 1 - abar_t
    cov = alpha_t**0.5 * v_prev
    mean = m_prev + cov / v_t * (x_t.double() - m_t)
    var = v_prev - cov**2 / v_t
    return {"mean": mean.sum().float(), "var": torch.tensor(var, dtype=torch.float32)}


def mistakes(x0, x_t, alpha_bar_t, alpha_bar_prev):
    right = loss(x0, x_t, alpha_bar_t, alpha_bar_prev)["value"]
    alpha_t = alpha_bar_t / alpha_bar_prev
    beta_t = 1 - alpha_t
    return {
        "that is beta_t, the forward variance, not the posterior beta~_t": {"mean": right["mean"] + 10.0,
                                                                            "var": torch.tensor(beta_t)},
        "coefficients swapped between x0 and x_t": {
            "mean": (alpha_t**0.5 * (1 - alpha_bar_prev) / (1 - alpha_bar_t) * x0
                     + alpha_bar_prev**0.5 * beta_t / (1 - alpha_bar_t) * x_t).sum(), "var": right["var"] + 10.0},
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
