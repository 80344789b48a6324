"""MAP-Elites archive metrics, from scratch (scatter-max per cell), against an insertion loop.

MAP-Elites (Mouret & Clune, 2015) discretises the behaviour-descriptor space into cells and keeps
one elite per cell: a new solution replaces the cell's elite only if its fitness is higher.
QD-score = sum over filled cells of (elite fitness - offset), with the offset making every
fitness non-negative so that filling a new cell never lowers it (Pugh et al., 2016; pyribs'
qd_score_offset). Coverage = filled cells / all cells. Descriptors lie in [0, 1)^2 here.
Reference: the MAP-Elites insertion rule run solution by solution, in order, into a dict.
"""

import random

import torch

REFERENCE = "MAP-Elites insertion loop (replace only if fitter), then sum and count"


def example():
    return {
        "descriptors": torch.tensor(
            [[0.1, 0.2], [0.2, 0.3], [0.7, 0.1], [0.8, 0.9], [0.3, 0.6], [0.15, 0.05]]
        ),
        "fitness": torch.tensor([1.0, 3.0, 2.0, 0.5, -1.0, 2.5]),
        "cells_per_dim": 3,
        "fitness_offset": -1.0,  # lowest possible fitness
    }


def problem(rng: random.Random):
    n = rng.randint(4, 6)
    return {
        "descriptors": torch.tensor([[rng.randint(0, 9) / 10, rng.randint(0, 9) / 10] for _ in range(n)]),
        "fitness": torch.tensor([float(rng.randint(0, 6)) for _ in range(n)]),
        "cells_per_dim": rng.choice([2, 3]),
        "fitness_offset": 0.0,
    }


def loss(descriptors, fitness, cells_per_dim, fitness_offset):
    k = cells_per_dim
    coords = (descriptors * k).floor().long().clamp(0, k - 1)
    cell = coords[:, 0] * k + coords[:, 1]  # flat cell index
    elite = torch.full((k * k,), float("-inf"))
    elite = elite.scatter_reduce(0, cell, fitness, reduce="amax")  # best fitness per cell
    filled = torch.isfinite(elite)
    qd_score = (elite[filled] - fitness_offset).sum()
    return {
        "cell_of_each_solution": cell,
        "elite_fitness_per_cell": torch.where(filled, elite, torch.zeros_like(elite)),
        "filled": filled.float(),
        "best_single_fitness": fitness.max(),
        "value": {"qd_score": qd_score, "coverage": filled.float().mean()},
    }


def reference(descriptors, fitness, cells_per_dim, fitness_offset):
    archive = {}
    for d, f in zip(descriptors.tolist(), fitness.tolist()):
        key = tuple(min(int(x * cells_per_dim), cells_per_dim - 1) for x in d)
        if key not in archive or f > archive[key]:  # the MAP-Elites replacement rule
            archive[key] = f
    return {
        "qd_score": torch.tensor(sum(f - fitness_offset for f in archive.values())),
        "coverage": torch.tensor(len(archive) / cells_per_dim**2),
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
