"""`optimize` learns a learner whose memory is not FSRS's defaults: 10,000 synthetic reviews.

The learner's true memory is FSRS-6 with parameters far from the defaults (weaker first
memories, slower growth, a different forgetting-curve decay). Cards are scheduled as the drill
schedules them (lossquiz's scheduler, default parameters, fuzz on, study days), recall is drawn
from the true model, and the fit must predict those recalls better than the defaults do.
"""

from __future__ import annotations

import pytest

from lossquiz.progress import fitting, scheduling, settings
from lossquiz.progress.synthetic import LEARNER_PARAMETERS, learner_history

pytest.importorskip("fsrs_rs_python")


def test_the_fit_beats_the_defaults_on_10000_reviews() -> None:
    history = learner_history(10_000, seed=3)
    assert LEARNER_PARAMETERS != settings.default_parameters()
    assert history.reviews == 10_000 and history.training >= fitting.MIN_TRAINING_REVIEWS
    fit = fitting.fit_history(history)
    defaults = settings.default_parameters()
    assert fit.loss_fitted is not None and fit.loss_default is not None
    assert fit.loss_fitted < fit.loss_default
    assert fit.rmse_fitted is not None and fit.rmse_default is not None and fit.rmse_fitted < fit.rmse_default
    assert max(abs(a - b) for a, b in zip(fit.parameters, defaults, strict=True)) > 0.1
    # the fitted parameters are usable by the scheduler as they are
    scheduling.make_scheduler(parameters=list(fit.parameters))
