"""IoU-family box-regression losses (IoU, GIoU, DIoU, CIoU), from scratch, against a
brute-force count of unit cells on the integer grid.

Boxes are (x1, y1, x2, y2) with x2 > x1, y2 > y1; `y` is the target box, `y_hat` the prediction.
    IoU  = |A ∩ B| / |A ∪ B|                       L_IoU  = 1 - IoU
    GIoU = IoU - |C \\ (A ∪ B)| / |C|                L_GIoU = 1 - GIoU   (Rezatofighi et al. 2019)
      C = the smallest box enclosing both; L_GIoU in [0, 2], and it still has a gradient when the
      boxes do not overlap (L_IoU is stuck at 1 there).
    L_DIoU = 1 - IoU + rho^2 / c^2                  (Zheng et al. 2020)
      rho = distance between the centres, c = diagonal of C.
    L_CIoU = L_DIoU + alpha v,  v = (4 / pi^2)(atan(w_gt / h_gt) - atan(w / h))^2,
      alpha = v / ((1 - IoU) + v)   (alpha is treated as a constant in the gradient).
Smooth-L1 on the four coordinates (Fast R-CNN) is not scale-invariant and treats the
coordinates as independent; the IoU family is scale-invariant and optimises the metric itself.
Reference: areas by counting the unit cells each box covers (integer coordinates), distances
via torch.dist. CIoU is shown as a step only.
"""

import math
import random

import torch

REFERENCE = "areas by counting unit grid cells; centre distance and diagonal via torch.dist"


def example():
    return {"y": torch.tensor([0.0, 0.0, 4.0, 4.0]), "y_hat": torch.tensor([2.0, 1.0, 6.0, 3.0])}


def problem(rng: random.Random):
    def box():
        x1, y1 = rng.randint(0, 6), rng.randint(0, 6)
        return [float(x1), float(y1), float(x1 + rng.randint(1, 5)), float(y1 + rng.randint(1, 5))]

    return {"y": torch.tensor(box()), "y_hat": torch.tensor(box())}


def _area(b):
    return (b[2] - b[0]).clamp(min=0) * (b[3] - b[1]).clamp(min=0)


def loss(y, y_hat):
    inter_box = torch.stack([torch.maximum(y[0], y_hat[0]), torch.maximum(y[1], y_hat[1]),
                             torch.minimum(y[2], y_hat[2]), torch.minimum(y[3], y_hat[3])])
    inter = _area(inter_box)
    union = _area(y) + _area(y_hat) - inter
    iou = inter / union
    enclose = torch.stack([torch.minimum(y[0], y_hat[0]), torch.minimum(y[1], y_hat[1]),
                           torch.maximum(y[2], y_hat[2]), torch.maximum(y[3], y_hat[3])])
    c_area = _area(enclose)
    giou = iou - (c_area - union) / c_area
    centre_gt = torch.stack([(y[0] + y[2]) / 2, (y[1] + y[3]) / 2])
    centre_pred = torch.stack([(y_hat[0] + y_hat[2]) / 2, (y_hat[1] + y_hat[3]) / 2])
    rho2 = ((centre_gt - centre_pred) ** 2).sum()
    c2 = (enclose[2] - enclose[0]) ** 2 + (enclose[3] - enclose[1]) ** 2
    diou_loss = 1 - iou + rho2 / c2
    w_gt, h_gt, w, h = y[2] - y[0], y[3] - y[1], y_hat[2] - y_hat[0], y_hat[3] - y_hat[1]
    v = (4 / math.pi**2) * (torch.atan(w_gt / h_gt) - torch.atan(w / h)) ** 2
    alpha = v / ((1 - iou) + v) if float((1 - iou) + v) > 0 else torch.tensor(0.0)
    return {
        "intersection": inter,
        "union": union,
        "iou": iou,
        "enclosing_area": c_area,
        "centre_distance_sq": rho2,
        "enclosing_diagonal_sq": c2,
        "ciou_loss": diou_loss + alpha * v,
        "value": {"iou_loss": 1 - iou, "giou_loss": 1 - giou, "diou_loss": diou_loss},
    }


def _cells(b):
    x1, y1, x2, y2 = (int(v) for v in b.tolist())
    return {(i, j) for i in range(x1, x2) for j in range(y1, y2)}


def reference(y, y_hat):
    a, b = _cells(y), _cells(y_hat)
    inter, union = len(a & b), len(a | b)
    xs = [int(v) for v in (y[0], y[2], y_hat[0], y_hat[2])]
    ys = [int(v) for v in (y[1], y[3], y_hat[1], y_hat[3])]
    c_cells = {(i, j) for i in range(min(xs), max(xs)) for j in range(min(ys), max(ys))}
    iou = inter / union
    giou = iou - (len(c_cells) - union) / len(c_cells)
    centre = lambda box: torch.stack([box[0] + box[2], box[1] + box[3]]) / 2  # noqa: E731
    rho = torch.dist(centre(y), centre(y_hat))
    diag = torch.dist(torch.tensor([min(xs), min(ys)], dtype=torch.float32), torch.tensor([max(xs), max(ys)], dtype=torch.float32))
    return {
        "iou_loss": torch.tensor(1 - iou),
        "giou_loss": torch.tensor(1 - giou),
        "diou_loss": torch.tensor(1 - iou) + rho**2 / diag**2,
    }


def mistakes(y, y_hat):
    v = loss(y, y_hat)
    iou = 1 - v["value"]["iou_loss"]
    c, u = v["enclosing_area"], v["union"]
    return {
        "GIoU penalty divided by the union instead of the enclosing box": {
            **v["value"], "giou_loss": 1 - (iou - (c - u) / u)},
        "that is 1 − IoU: GIoU also subtracts the empty fraction of the enclosing box": {
            **v["value"], "giou_loss": 1 - iou},
    }


def plot():
    """Losses as a unit-height box slides past a fixed one (no overlap beyond |shift| >= 2)."""
    shifts = torch.linspace(-4.0, 4.0, 81)
    fixed = torch.tensor([0.0, 0.0, 2.0, 1.0])
    curves = {"IoU loss": [], "GIoU loss": [], "DIoU loss": []}
    for s in shifts:
        out = loss(fixed, fixed + torch.stack([s, torch.tensor(0.0), s, torch.tensor(0.0)]))["value"]
        curves["IoU loss"].append(float(out["iou_loss"]))
        curves["GIoU loss"].append(float(out["giou_loss"]))
        curves["DIoU loss"].append(float(out["diou_loss"]))
    return {
        "title": "IoU-family losses as the prediction slides away from the target",
        "x_label": "horizontal shift of the predicted box",
        "y_label": "loss",
        "series": [{"name": k, "x": shifts.tolist(), "y": ys} for k, ys in curves.items()],
        "note": "Once the boxes stop overlapping, 1 - IoU is flat at 1 (no gradient); GIoU and DIoU keep growing.",
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
