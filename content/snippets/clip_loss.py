"""CLIP's symmetric InfoNCE, from scratch, against torch.nn.functional.cross_entropy in both
directions.

logits_ij = cos(image_i, text_j) / T  (N x N; matching pairs on the diagonal)
L = 1/2 [ CE_rows(logits, i) + CE_cols(logits, i) ]  -- image->text and text->image, each a mean
over N (Radford et al., 2021, Fig. 3 pseudocode). CLIP learns the temperature as a log-
parameterised logit scale 1/T, initialised to T = 0.07 and clipped so that 1/T <= 100.
Each row/column is an N-way classification over the batch: the other captions/images are the
negatives, so the batch size sets the number of negatives (CLIP used N = 32,768).
"""

import math
import random

import torch
import torch.nn.functional as F

REFERENCE = "torch.nn.functional.cross_entropy(logits) and cross_entropy(logits.T), averaged"

_UNIT = [(1.0, 0.0), (0.0, 1.0), (-1.0, 0.0), (0.0, -1.0)] + [
    (sx * a, sy * b) for a, b in [(0.6, 0.8), (0.8, 0.6)] for sx in (1, -1) for sy in (1, -1)]


def example():
    return {
        "image_emb": torch.tensor([[1.0, 0.0], [0.0, 1.0]]),
        "text_emb": torch.tensor([[1.0, 0.0], [0.6, 0.8]]),
        "temperature": 0.5,
    }


def problem(rng: random.Random):
    picks = rng.sample(_UNIT, 4)
    return {"image_emb": torch.tensor(picks[:2]), "text_emb": torch.tensor(picks[2:]),
            "temperature": rng.choice([0.5, 1.0])}


def _log_softmax_at(row, idx):
    return row[idx] - math.log(sum(math.exp(v) for v in row.tolist()))


def loss(image_emb, text_emb, temperature=0.07):
    img = image_emb / image_emb.norm(dim=1, keepdim=True)
    txt = text_emb / text_emb.norm(dim=1, keepdim=True)
    logits = img @ txt.T / temperature  # row i: image i against every text
    n = logits.shape[0]
    image_to_text = torch.stack([-_log_softmax_at(logits[i], i) for i in range(n)])
    text_to_image = torch.stack([-_log_softmax_at(logits[:, j], j) for j in range(n)])
    return {
        "logits": logits,
        "loss_image_to_text_per_row": image_to_text,
        "loss_text_to_image_per_col": text_to_image,
        "loss_image_to_text": image_to_text.mean(),
        "loss_text_to_image": text_to_image.mean(),
        "value": (image_to_text.mean() + text_to_image.mean()) / 2,
    }


def given(image_emb, text_emb, temperature=0.07):
    """For N = 2 each 2-way CE is ln(1 + e^(other - own)): the softplus values needed."""
    logits = F.normalize(image_emb, dim=1) @ F.normalize(text_emb, dim=1).T / temperature
    n = logits.shape[0]
    diffs = set()
    for i in range(n):
        for j in range(n):
            if i != j:
                diffs.add(round(float(logits[i, j] - logits[i, i]), 4))  # row i (image -> text)
                diffs.add(round(float(logits[j, i] - logits[i, i]), 4))  # column i (text -> image)
    return {f"ln(1 + e^{d:g})": round(math.log1p(math.exp(d)), 4) for d in sorted(diffs)}


def mistakes(image_emb, text_emb, temperature=0.07):
    logits = F.normalize(image_emb, dim=1) @ F.normalize(text_emb, dim=1).T / temperature
    labels = torch.arange(logits.shape[0])
    rows, cols = F.cross_entropy(logits, labels), F.cross_entropy(logits.T, labels)
    return {
        "that is only the image → text direction; CLIP averages it with text → image": rows,
        "that is only the text → image direction; CLIP averages it with image → text": cols,
        "that is the sum of the two directions; CLIP takes their average": rows + cols,
        "the temperature is missing: logits = cosine / τ": (
            F.cross_entropy(logits * temperature, labels) + F.cross_entropy(logits.T * temperature, labels)) / 2,
    }


def reference(image_emb, text_emb, temperature=0.07):
    logits = F.normalize(image_emb, dim=1) @ F.normalize(text_emb, dim=1).T / temperature
    labels = torch.arange(logits.shape[0])
    return (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
