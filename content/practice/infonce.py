"""Practice task for card 'infonce': InfoNCE with cosine similarity, positive at index 0."""

import torch
import torch.nn.functional as F
from torch import Tensor

FUNCTION = "info_nce"
DOCSTRING = """InfoNCE (van den Oord et al. 2018; MoCo, He et al. 2020, Eq. 1), a batch of queries.

Args:
    query: (B, D) query embeddings, floating point, NOT necessarily unit norm.
    keys: (B, K + 1, D) keys per query: keys[:, 0] is the positive, keys[:, 1:] the K negatives.
    temperature: Default 0.07 (MoCo).

Returns:
    A 0-dim tensor with the dtype of query: the MEAN over the B queries of
        -log( exp(s_0 / T) / sum_{k=0..K} exp(s_k / T) ),   s_k = cosine_similarity(query, keys[:, k])
    The positive IS in the denominator: a (K + 1)-way softmax classification with label 0.

Numerics: must stay finite and accurate for temperature 0.01, where s / T reaches 100 and
exp overflows float32: use logsumexp / cross_entropy on the logits s / T.

Checked: values and the gradients w.r.t. query and keys.
"""
REFERENCE = "F.cross_entropy(F.cosine_similarity(query[:, None], keys, dim=-1) / T, zeros)"
CASES = [
    "one query, 3 keys, 2-D",
    "batch of 8, 16 negatives, 32-D",
    "unnormalised embeddings (norms up to 100)",
    "default temperature",
    "temperature 0.01",
    "float64",
]
STABILITY = {"temperature 0.01"}
NO_GRAD: set[str] = set()
GRAD = ("query", "keys")


def info_nce(query: Tensor, keys: Tensor, temperature: float = 0.07) -> Tensor:
    q = query / query.norm(dim=-1, keepdim=True)
    k = keys / keys.norm(dim=-1, keepdim=True)
    logits = torch.einsum("bd,bkd->bk", q, k) / temperature
    return (logits.logsumexp(dim=1) - logits[:, 0]).mean()


def reference(query, keys, temperature=0.07):
    logits = F.cosine_similarity(query[:, None, :], keys, dim=-1) / temperature
    return F.cross_entropy(logits, torch.zeros(len(query), dtype=torch.long))


def inputs(gen, case):
    def draw(b, k, d, dtype=torch.float32, scale=1.0):
        return {
            "query": torch.randn(b, d, generator=gen, dtype=dtype) * scale,
            "keys": torch.randn(b, k + 1, d, generator=gen, dtype=dtype) * scale,
        }

    if case == "one query, 3 keys, 2-D":
        return {**draw(1, 2, 2), "temperature": 0.5}
    if case == "batch of 8, 16 negatives, 32-D":
        return {**draw(8, 16, 32), "temperature": 0.2}
    if case == "unnormalised embeddings (norms up to 100)":
        return {**draw(4, 5, 8, scale=30.0), "temperature": 0.5}
    if case == "default temperature":
        return draw(4, 7, 16)
    if case == "temperature 0.01":
        out = draw(4, 6, 8)
        out["keys"][:, 0] = out["query"] * 2.0  # a perfect positive: s_0 / T = 100
        return {**out, "temperature": 0.01}
    if case == "float64":
        return {**draw(6, 9, 12, dtype=torch.float64), "temperature": 0.1}
    raise ValueError(case)


def _dot(query, keys, temperature=0.07):
    logits = torch.einsum("bd,bkd->bk", query, keys) / temperature
    return F.cross_entropy(logits, torch.zeros(len(query), dtype=torch.long))


def _no_positive_in_denominator(query, keys, temperature=0.07):
    s = F.cosine_similarity(query[:, None, :], keys, dim=-1) / temperature
    return (s[:, 1:].logsumexp(dim=1) - s[:, 0]).mean()


MISTAKES = {
    "dot products of raw embeddings: the similarity is the COSINE (normalise query and keys)": _dot,
    "the positive must also be in the denominator (a (K + 1)-way softmax)": _no_positive_in_denominator,
}


def from_snippet(example, snippet):
    return {"query": example["query"][None], "keys": example["keys"][None], "temperature": example["temperature"]}
