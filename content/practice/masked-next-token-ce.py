"""Practice task for card 'masked-next-token-ce': the causal-LM SFT loss with prompt masking."""

import torch
import torch.nn.functional as F
from torch import Tensor

FUNCTION = "causal_lm_loss"
DOCSTRING = """Next-token cross-entropy of a causal LM, as Hugging Face models compute it from `labels`.

Args:
    logits: (B, T, V) the model's logits; position t predicts token t + 1.
    labels: (B, T) int64, a copy of the input ids with -100 at every position that must not be
        scored (prompt tokens, padding). NOT yet shifted.

Returns:
    A 0-dim tensor with the dtype of logits: the MEAN over all scored tokens of the batch of
        -log softmax(logits[b, t])[labels[b, t + 1]]
    i.e. logits[:, :-1] against labels[:, 1:], skipping labels equal to -100 in the sum AND in
    the count (natural log).

Numerics: logits can be large (thousands): use a log-sum-exp, never log(softmax(.)) by hand.

Checked: values and the gradient w.r.t. logits.
"""
REFERENCE = "F.cross_entropy(logits[:, :-1].reshape(-1, V), labels[:, 1:].reshape(-1), ignore_index=-100)"
CASES = [
    "one sequence, no prompt",
    "batch with prompts masked",
    "padding masked",
    "large logits",
    "float64",
]
STABILITY = {"large logits"}
NO_GRAD: set[str] = set()
GRAD = ("logits",)


def causal_lm_loss(logits: Tensor, labels: Tensor) -> Tensor:
    shift_logits = logits[:, :-1].reshape(-1, logits.shape[-1])
    shift_labels = labels[:, 1:].reshape(-1)
    keep = shift_labels != -100
    nll = torch.logsumexp(shift_logits[keep], dim=-1) - shift_logits[keep].gather(1, shift_labels[keep, None]).squeeze(1)
    return nll.mean()


def reference(logits, labels):
    v = logits.shape[-1]
    return F.cross_entropy(logits[:, :-1].reshape(-1, v), labels[:, 1:].reshape(-1), ignore_index=-100)


def inputs(gen, case):
    def draw(b, t, v=7, dtype=torch.float32, scale=2.0):
        logits = torch.randn(b, t, v, generator=gen, dtype=dtype) * scale
        labels = torch.randint(0, v, (b, t), generator=gen)
        return logits, labels

    if case == "one sequence, no prompt":
        logits, labels = draw(1, 6)
        return {"logits": logits, "labels": labels}
    if case == "batch with prompts masked":
        logits, labels = draw(3, 8)
        for row, n_prompt in enumerate((2, 4, 5)):
            labels[row, :n_prompt] = -100
        return {"logits": logits, "labels": labels}
    if case == "padding masked":
        logits, labels = draw(2, 9)
        labels[0, :3] = -100
        labels[1, :2] = -100
        labels[1, 6:] = -100  # right padding
        return {"logits": logits, "labels": labels}
    if case == "large logits":
        logits, labels = draw(2, 6, scale=3000.0)
        labels[:, :2] = -100
        return {"logits": logits, "labels": labels}
    if case == "float64":
        logits, labels = draw(2, 7, dtype=torch.float64)
        labels[:, :3] = -100
        return {"logits": logits, "labels": labels}
    raise ValueError(case)


def from_snippet(example, snippet):
    """The snippet's rows are already shifted: rebuild one unshifted sequence from them."""
    logits, target = example["logits"], example["target"]
    n, v = logits.shape
    full_logits = torch.cat([logits, torch.zeros(1, v)])[None]  # the last position predicts nothing
    labels = torch.cat([torch.tensor([-100]), target])[None]
    return {"logits": full_logits, "labels": labels}


def _no_shift(logits, labels):
    v = logits.shape[-1]
    return F.cross_entropy(logits.reshape(-1, v), labels.reshape(-1), ignore_index=-100)


def _all_positions(logits, labels):
    v = logits.shape[-1]
    per = F.cross_entropy(logits[:, :-1].reshape(-1, v), labels[:, 1:].reshape(-1), ignore_index=-100, reduction="sum")
    return per / labels[:, 1:].numel()


MISTAKES = {
    "no shift: the logits at position t predict the token at t + 1": _no_shift,
    "divided by all positions: masked (-100) tokens leave the count too": _all_positions,
}
