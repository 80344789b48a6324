"""`optimize`: fit the FSRS parameters to the user's own review history with fsrs-rs.

fsrs-rs (`fsrs-rs-python`) is the Rust FSRS inside Anki: it fits thousands of reviews in a
fraction of a second and needs no torch. It is imported inside `optimize()` only. Training
items are built as Anki builds them: per card, one item for every review made on a later
study day than the one before, holding the card's reviews up to it with elapsed days counted
as study days (local days from the day start hour). Only kept, scheduled reviews count: an
undone review was taken back and a cram review never moved a schedule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lossquiz.clock import DEFAULT_DAY_START_HOUR, day_of
from lossquiz.errors import LossquizError
from lossquiz.numbers import counted
from lossquiz.progress import settings
from lossquiz.progress.scheduling import DEFAULT_RETENTION
from lossquiz.progress.store import Store

# Below one mini-batch of training items a fit says little; Anki warns under a similar count.
MIN_TRAINING_REVIEWS = 512
MIN_REVIEWS_FOR_RETENTION = 512


class NotEnoughHistoryError(LossquizError):
    """Too few reviews to fit the parameters."""

    exit_code = 1


@dataclass(frozen=True, slots=True)
class History:
    """Kept, scheduled reviews per card as (rating, elapsed study days), and the training count."""

    cards: dict[int, list[tuple[int, int]]]
    reviews: int
    training: int  # reviews on a later study day than the card's previous review (what the fit learns from)


@dataclass(frozen=True, slots=True)
class Fit:
    """The outcome of `optimize`."""

    parameters: tuple[float, ...]
    defaults: tuple[float, ...]
    reviews: int
    training: int
    loss_default: float | None  # log-loss of the recall predictions on the training items
    loss_fitted: float | None
    rmse_default: float | None  # RMSE over Anki's bins of predicted vs actual recall
    rmse_fitted: float | None
    optimal_retention: float | None
    retention_note: str | None  # why there is no optimal retention
    applied_retention: bool

    def to_dict(self) -> dict[str, Any]:
        """The `optimize --json` object."""
        return {
            "parameters": list(self.parameters),
            "default_parameters": list(self.defaults),
            "reviews": self.reviews,
            "training_reviews": self.training,
            "log_loss": {"default": self.loss_default, "fitted": self.loss_fitted},
            "rmse_bins": {"default": self.rmse_default, "fitted": self.rmse_fitted},
            "optimal_retention": self.optimal_retention,
            "retention_note": self.retention_note,
            "applied_retention": self.applied_retention,
        }


def load_history(store: Store, *, day_start_hour: int = DEFAULT_DAY_START_HOUR) -> History:
    """Kept, non-cram reviews per card (card ids are the database rowids), with study-day gaps."""
    cards: dict[int, list[tuple[int, int]]] = {}
    last_day: dict[int, Any] = {}
    reviews = training = 0
    for card_id, rating, at, _ms in store.review_history():
        day = day_of(datetime.fromisoformat(at), hour=day_start_hour)
        gap = (day - last_day[card_id]).days if card_id in last_day else 0
        last_day[card_id] = day
        cards.setdefault(card_id, []).append((rating, max(gap, 0)))
        reviews += 1
        training += gap > 0
    return History(cards, reviews, training)


def training_items(history: History) -> list[Any]:
    """fsrs-rs FSRSItems: one per review on a later study day, with the card's reviews up to it."""
    from fsrs_rs_python import FSRSItem, FSRSReview

    items = []
    for reviews in history.cards.values():
        log = [FSRSReview(rating, gap) for rating, gap in reviews]
        items += [FSRSItem(log[: i + 1]) for i in range(1, len(log)) if reviews[i][1] > 0]
    return items


def _not_enough(history: History) -> str:
    missing = MIN_TRAINING_REVIEWS - history.training
    return (
        f"not enough review history to fit FSRS: {history.training} of the {MIN_TRAINING_REVIEWS} reviews "
        f"needed ({missing} more; only reviews on a later day than the card's previous one count, "
        f"cram and undone ones do not — {counted(history.reviews, 'review')} kept so far)"
    )


def _fsrs_rs() -> Any:
    try:
        import fsrs_rs_python
    except ImportError:
        raise LossquizError("fitting FSRS needs fsrs-rs-python: pip install fsrs-rs-python") from None
    return fsrs_rs_python


def _evaluate(rs: Any, parameters: list[float], items: list[Any]) -> tuple[float | None, float | None]:
    try:
        result = rs.FSRS(parameters).evaluate(items)
    except (ValueError, RuntimeError):
        return None, None
    return float(result.log_loss), float(result.rmse_bins)


def _optimal_retention(rs: Any, parameters: list[float], history: History) -> tuple[float | None, str | None]:
    if history.reviews < MIN_REVIEWS_FOR_RETENTION:
        return None, f"needs {MIN_REVIEWS_FOR_RETENTION} reviews"
    config = rs.default_simulator_config()  # 10,000 cards over a year takes minutes: simulate a deck like this one
    config.deck_size = min(max(len(history.cards), 100), 2000)
    config.learn_limit = 10
    try:
        return round(float(rs.optimal_retention(config, parameters)), 4), None  # f32 inside: 0.699999988 is 0.7
    except (ValueError, RuntimeError) as e:
        return None, f"not computable from this history ({type(e).__name__}: {e})"


@dataclass(frozen=True, slots=True)
class Fitted:
    """Parameters fitted to a history, with both models' log-loss and RMSE on its training items."""

    parameters: tuple[float, ...]
    loss_default: float | None
    loss_fitted: float | None
    rmse_default: float | None
    rmse_fitted: float | None


def fit_history(history: History) -> Fitted:
    """Fit FSRS-6 to a history with fsrs-rs and evaluate the fit against the defaults."""
    rs = _fsrs_rs()
    items = training_items(history)
    defaults = settings.default_parameters()
    parameters = [float(w) for w in rs.FSRS(defaults).compute_parameters(items)]
    loss_default, rmse_default = _evaluate(rs, defaults, items)
    loss_fitted, rmse_fitted = _evaluate(rs, parameters, items)
    return Fitted(tuple(parameters), loss_default, loss_fitted, rmse_default, rmse_fitted)


def optimize(
    store: Store,
    *,
    now: datetime,
    retention: bool = False,
    apply_retention: bool = False,
    day_start_hour: int = DEFAULT_DAY_START_HOUR,
) -> Fit:
    """Fit the parameters to the history, store them (drills use them from now on), report.

    `retention` also estimates the desired retention that minimises workload per unit of
    knowledge (fsrs-rs's simulator); `apply_retention` makes it the drill's default.
    """
    history = load_history(store, day_start_hour=day_start_hour)
    if history.training < MIN_TRAINING_REVIEWS:
        raise NotEnoughHistoryError(_not_enough(history))
    fitted = fit_history(history)
    parameters = list(fitted.parameters)
    best_retention, note = None, None
    if retention or apply_retention:
        best_retention, note = _optimal_retention(_fsrs_rs(), parameters, history)
    settings.save_fsrs_parameters(store, parameters, n_reviews=history.reviews, now=now)
    applied = apply_retention and best_retention is not None
    if applied:
        assert best_retention is not None
        settings.save_desired_retention(store, best_retention, now)
    return Fit(
        parameters=tuple(parameters),
        defaults=tuple(settings.default_parameters()),
        reviews=history.reviews,
        training=history.training,
        loss_default=fitted.loss_default,
        loss_fitted=fitted.loss_fitted,
        rmse_default=fitted.rmse_default,
        rmse_fitted=fitted.rmse_fitted,
        optimal_retention=best_retention,
        retention_note=note,
        applied_retention=applied,
    )


@dataclass(frozen=True, slots=True)
class InUse:
    """Which FSRS parameters and retention the drill uses (`optimize --show`)."""

    parameters: tuple[float, ...]
    defaults: tuple[float, ...]
    fitted: bool
    fitted_at: datetime | None
    reviews: int | None
    retention: float
    retention_stored: bool
    history: History

    @property
    def needed(self) -> int:
        """Training reviews `optimize` needs."""
        return MIN_TRAINING_REVIEWS

    def to_dict(self) -> dict[str, Any]:
        """The `optimize --show --json` object."""
        return {
            "in_use": "fitted" if self.fitted else "default",
            "parameters": list(self.parameters),
            "default_parameters": list(self.defaults),
            "fitted_at": self.fitted_at.isoformat() if self.fitted_at else None,
            "fitted_on_reviews": self.reviews,
            "desired_retention": self.retention,
            "retention_source": "optimize --apply-retention" if self.retention_stored else "default",
            "reviews_now": self.history.reviews,
            "training_reviews_now": self.history.training,
            "training_reviews_needed": self.needed,
        }


def in_use(store: Store) -> InUse:
    """The parameters and retention a drill would schedule with now."""
    fitted, fitted_at, n_reviews = settings.fsrs_parameters(store)
    stored_retention = settings.desired_retention(store)
    defaults = tuple(settings.default_parameters())
    return InUse(
        parameters=tuple(fitted) if fitted is not None else defaults,
        defaults=defaults,
        fitted=fitted is not None,
        fitted_at=fitted_at,
        reviews=n_reviews,
        retention=stored_retention if stored_retention is not None else DEFAULT_RETENTION,
        retention_stored=stored_retention is not None,
        history=load_history(store),
    )
