"""Additive-margin softmax losses for face recognition / retrieval, from scratch:
ArcFace (Deng et al., 2019) and CosFace (Wang et al., 2018), against cross_entropy on logits
built by a second route.

Embeddings and class weights are L2-normalised, so logits are cosines cos(theta_j). On the TARGET
class only, a margin is inserted, then everything is scaled by s:
    CosFace:  s (cos theta_y - m)           (m = 0.35, s = 64)   -- additive cosine margin
    ArcFace:  s cos(theta_y + m)            (m = 0.5,  s = 64)   -- additive angular margin
    L = CE(logits, y), mean over the batch.
Here ArcFace is computed through the angle (acos, add m, cos); the reference uses the angle-
addition formula cos(theta + m) = cos theta cos m - sin theta sin m (as the insightface code does).
The problems keep theta_y + m < pi (insightface otherwise falls back to cos theta - m sin m).
"""

import math
import random

import torch
import torch.nn.functional as F

REFERENCE = "F.cross_entropy on s*cos(theta+m) via cos*cos(m) - sin*sin(m) (ArcFace) and on s*(cos - m*onehot) (CosFace)"
TOLERANCE = {"rtol": 1e-4, "atol": 1e-5}


def example():
    return {"cosine": torch.tensor([[0.8, 0.6, -0.2], [0.1, 0.5, 0.3]]),
            "target": torch.tensor([0, 2]), "s": 16.0, "m_arc": 0.5, "m_cos": 0.35}


def problem(rng: random.Random):
    n, c = 2, 3
    cos = [[rng.randint(-9, 9) / 10 for _ in range(c)] for _ in range(n)]
    target = [rng.randrange(c) for _ in range(n)]
    for i in range(n):
        cos[i][target[i]] = rng.randint(-4, 9) / 10  # theta_y + m < pi for m <= 0.5
    return {"cosine": torch.tensor(cos), "target": torch.tensor(target),
            "s": rng.choice([4.0, 8.0, 16.0, 64.0]), "m_arc": 0.5, "m_cos": 0.35}


def _ce(logits, target):
    return (torch.logsumexp(logits, dim=1) - logits.gather(1, target[:, None])[:, 0]).mean()


def loss(cosine, target, s=64.0, m_arc=0.5, m_cos=0.35):
    onehot = F.one_hot(target, cosine.shape[1]).bool()
    theta = torch.acos(cosine.clamp(-1.0, 1.0))
    arc_logits = s * torch.where(onehot, torch.cos(theta + m_arc), cosine)
    cos_logits = s * torch.where(onehot, cosine - m_cos, cosine)
    return {
        "theta_target": theta.gather(1, target[:, None])[:, 0],
        "arcface_logits": arc_logits,
        "cosface_logits": cos_logits,
        "plain_softmax_ce_same_scale": _ce(s * cosine, target),
        "value": {"arcface": _ce(arc_logits, target), "cosface": _ce(cos_logits, target)},
    }


def reference(cosine, target, s=64.0, m_arc=0.5, m_cos=0.35):
    onehot = F.one_hot(target, cosine.shape[1]).to(cosine.dtype)
    sine = torch.sqrt((1.0 - cosine**2).clamp_min(0.0))
    phi = cosine * math.cos(m_arc) - sine * math.sin(m_arc)
    arc = F.cross_entropy(s * (onehot * phi + (1 - onehot) * cosine), target)
    cosface = F.cross_entropy(s * (cosine - m_cos * onehot), target)
    return {"arcface": arc, "cosface": cosface}


def mistakes(cosine, target, s=64.0, m_arc=0.5, m_cos=0.35):
    right = loss(cosine, target, s, m_arc, m_cos)["value"]
    onehot = F.one_hot(target, cosine.shape[1]).to(cosine.dtype)
    return {
        "the margin was subtracted from every class; it applies to the target class only": {
            **right, "cosface": F.cross_entropy(s * (cosine - m_cos), target)},
        "the scale s is missing: logits are s·cos": {
            **right, "cosface": F.cross_entropy(cosine - m_cos * onehot, target)},
        "the margin was applied outside the scale (s·cos − m); CosFace is s·(cos − m)": {
            **right, "cosface": F.cross_entropy(s * cosine - m_cos * onehot, target)},
    }


def plot():
    """Target logit (before the scale) over the angle theta_y: softmax, CosFace, ArcFace."""
    theta = torch.linspace(0.0, math.pi - 0.5, 200)
    return {
        "title": "Target-class logit / s over the angle to the class centre",
        "x_label": "theta_y (radians)",
        "y_label": "logit / s",
        "series": [
            {"name": "softmax cos(theta)", "x": theta.tolist(), "y": torch.cos(theta).tolist()},
            {"name": "CosFace cos(theta) - 0.35", "x": theta.tolist(), "y": (torch.cos(theta) - 0.35).tolist()},
            {"name": "ArcFace cos(theta + 0.5)", "x": theta.tolist(), "y": torch.cos(theta + 0.5).tolist()},
        ],
        "note": "Both margins make the target class win only with a gap: CosFace a constant gap in cosine, "
        "ArcFace a constant gap in angle (geodesic distance on the hypersphere).",
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
