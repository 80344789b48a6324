"""Regression cards against outside references: pinball (quantile) loss vs sklearn and numpy."""

from __future__ import annotations

import math
import random

import pytest

pytest.importorskip("torch")

from tests.deck_snippets import CASES, inputs, snippet  # noqa: E402 - after the torch skip

pytestmark = pytest.mark.torch


def test_pinball_matches_sklearn_and_the_quantile() -> None:
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    module = snippet("pinball")
    for seed in CASES:
        inp = inputs(module, seed)
        ours = float(module.loss(**inp)["loss"])
        theirs = sklearn_metrics.mean_pinball_loss(inp["y"].numpy(), inp["y_hat"].numpy(), alpha=inp["tau"])
        assert math.isclose(ours, theirs, rel_tol=1e-5, abs_tol=1e-6), (seed, ours, theirs)


def test_pinball_minimiser_is_numpys_quantile() -> None:
    np = pytest.importorskip("numpy")
    module = snippet("pinball")
    for seed in range(100):
        inp = module.problem(random.Random(seed))
        got = float(module.loss(**inp)["smallest_minimiser"])
        # the smallest minimiser of the mean pinball loss is the 'inverted_cdf' tau-quantile
        want = float(np.quantile(inp["y"].numpy(), inp["tau"], method="inverted_cdf"))
        assert got == want, (seed, got, want)
