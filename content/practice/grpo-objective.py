"""Practice task for card 'grpo-objective': the GRPO loss with its k3 KL term."""

import torch
from torch import Tensor

FUNCTION = "grpo_loss"
DOCSTRING = """GRPO loss to minimise (Shao et al. 2024, DeepSeekMath Eq. 3; TRL GRPOTrainer loss_type="grpo").

Args:
    logp: (G, T) per-token log pi_theta(o_t | ...) of G outputs padded to T tokens.
    logp_old: (G, T) the same under the sampling policy (constants).
    logp_ref: (G, T) the same under the frozen reference policy (constants).
    advantages: (G,) one advantage per output, broadcast to its tokens.
    mask: (G, T) floats, 1.0 for real tokens, 0.0 for padding; every output has >= 1 token.
    clip_eps: Default 0.2.   beta: KL weight. Default 0.04 (DeepSeekMath; TRL now defaults to 0).

Returns:
    A 0-dim tensor with the dtype of logp. Per token:
        rho  = exp(logp - logp_old)
        surr = min(rho A, clip(rho, 1 - clip_eps, 1 + clip_eps) A)
        k3   = exp(logp_ref - logp) - (logp_ref - logp) - 1          (>= 0; the KL(pi || pi_ref) estimate)
        l_t  = -surr + beta k3
    L = (1/G) sum_i (1/|o_i|) sum_t mask_it l_it : a mean over each output's REAL tokens, then
    a mean over the G outputs (not one mean over all tokens, which is DAPO's token-level loss).

Checked: values and the gradient w.r.t. logp.
"""
REFERENCE = "per-output masked means of -surr + beta * k3, averaged over outputs (float64)"
CASES = [
    "2 outputs x 3 tokens",
    "8 outputs x 16 tokens, ragged lengths",
    "ratios outside the clip range",
    "beta 0 (no KL term)",
    "one-token outputs",
    "float64",
]
STABILITY: set[str] = set()
NO_GRAD: set[str] = set()
GRAD = ("logp",)


def grpo_loss(
    logp: Tensor,
    logp_old: Tensor,
    logp_ref: Tensor,
    advantages: Tensor,
    mask: Tensor,
    clip_eps: float = 0.2,
    beta: float = 0.04,
) -> Tensor:
    adv = advantages[:, None]
    ratio = torch.exp(logp - logp_old)
    surrogate = torch.minimum(ratio * adv, ratio.clamp(1 - clip_eps, 1 + clip_eps) * adv)
    log_ref_ratio = logp_ref - logp
    k3 = torch.exp(log_ref_ratio) - log_ref_ratio - 1
    per_token = (-surrogate + beta * k3) * mask
    return (per_token.sum(dim=1) / mask.sum(dim=1)).mean()


def reference(logp, logp_old, logp_ref, advantages, mask, clip_eps=0.2, beta=0.04):
    lp, old, ref, adv, m = (x.double() for x in (logp, logp_old, logp_ref, advantages[:, None], mask))
    rho = (lp - old).exp()
    surr = torch.where(adv >= 0, torch.clamp(rho, max=1 + clip_eps) * adv, torch.clamp(rho, min=1 - clip_eps) * adv)
    x = ref - lp
    token = -surr + beta * (torch.expm1(x) - x)
    per_output = (token * m).sum(dim=1) / m.sum(dim=1)
    return per_output.mean().to(logp.dtype)


def inputs(gen, case):
    def draw(g, t, dtype=torch.float32, spread=0.2, lengths=None):
        old = -torch.rand(g, t, generator=gen, dtype=dtype) * 2 - 0.1
        mask = torch.ones(g, t, dtype=dtype)
        if lengths is not None:
            mask = (torch.arange(t)[None, :] < lengths[:, None]).to(dtype)
        return {
            # log-probs are <= 0: a perturbed one that lands above 0 is reflected below it
            "logp": -(old + torch.randn(g, t, generator=gen, dtype=dtype) * spread).abs(),
            "logp_old": old,
            "logp_ref": -(old + torch.randn(g, t, generator=gen, dtype=dtype) * 0.2).abs(),
            "advantages": torch.randn(g, generator=gen, dtype=dtype),
            "mask": mask,
        }

    if case == "2 outputs x 3 tokens":
        return draw(2, 3, lengths=torch.tensor([3, 2]))
    if case == "8 outputs x 16 tokens, ragged lengths":
        return draw(8, 16, lengths=torch.randint(1, 17, (8,), generator=gen))
    if case == "ratios outside the clip range":
        return draw(4, 6, spread=1.0, lengths=torch.tensor([6, 4, 2, 5]))
    if case == "beta 0 (no KL term)":
        return {**draw(4, 5, lengths=torch.tensor([5, 3, 5, 1])), "beta": 0.0}
    if case == "one-token outputs":
        return {**draw(3, 1), "clip_eps": 0.1, "beta": 0.1}
    if case == "float64":
        return draw(5, 7, dtype=torch.float64, lengths=torch.tensor([7, 1, 4, 6, 3]))
    raise ValueError(case)


def _token_level(logp, logp_old, logp_ref, advantages, mask, clip_eps=0.2, beta=0.04):
    adv = advantages[:, None]
    rho = (logp - logp_old).exp()
    surr = torch.minimum(rho * adv, rho.clamp(1 - clip_eps, 1 + clip_eps) * adv)
    x = logp_ref - logp
    return ((-surr + beta * (x.exp() - x - 1)) * mask).sum() / mask.sum()


def _unmasked(logp, logp_old, logp_ref, advantages, mask, clip_eps=0.2, beta=0.04):
    return reference(logp, logp_old, logp_ref, advantages, torch.ones_like(mask), clip_eps, beta)


MISTAKES = {
    "one mean over all tokens is DAPO's token-level loss: GRPO means each output's tokens, then the outputs": _token_level,
    "padding tokens (mask = 0) must not count": _unmasked,
}
