"""`optimize`: fit the FSRS parameters to the user's own review history (py-fsrs's Optimizer).

The Optimizer needs torch (and pandas): `fsrs.optimizer` is imported inside `optimize()`
only, so no other command pays for it. Only kept, scheduled reviews count: an undone
review was taken back and a cram review never moved a schedule.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from fsrs import Rating, ReviewLog

from lossquiz.errors import LossquizError
from lossquiz.progress import settings
from lossquiz.progress.scheduling import DEFAULT_RETENTION
from lossquiz.progress.store import Store

if TYPE_CHECKING:
    from fsrs import Optimizer

# py-fsrs (6.x) learns only from reviews made on a later day than the card's previous one,
# among the first 64 reviews of each card; with fewer such reviews than one mini-batch (512)
# compute_optimal_parameters() silently returns the defaults, so we say so instead.
MIN_TRAINING_REVIEWS = 512
MAX_REVIEWS_PER_CARD = 64
MIN_REVIEWS_FOR_RETENTION = 512  # compute_optimal_retention() refuses fewer review logs


class NotEnoughHistoryError(LossquizError):
    """Too few reviews to fit the parameters."""

    exit_code = 1


@dataclass(frozen=True, slots=True)
class History:
    """The review logs py-fsrs learns from, and how many of them count as evidence."""

    logs: tuple[ReviewLog, ...]
    training: int  # reviews on a later day than the card's previous review (what py-fsrs fits on)

    @property
    def reviews(self) -> int:
        """Kept, scheduled reviews."""
        return len(self.logs)


@dataclass(frozen=True, slots=True)
class Fit:
    """The outcome of `optimize`."""

    parameters: tuple[float, ...]
    defaults: tuple[float, ...]
    reviews: int
    training: int
    loss_default: float | None  # mean log-loss of the recall predictions on the history
    loss_fitted: float | None
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
            "optimal_retention": self.optimal_retention,
            "retention_note": self.retention_note,
            "applied_retention": self.applied_retention,
        }


def load_history(store: Store) -> History:
    """Kept, non-cram reviews as py-fsrs ReviewLogs (card ids are the database rowids)."""
    logs = tuple(
        ReviewLog(
            card_id=card_id,
            rating=Rating(rating),
            review_datetime=datetime.fromisoformat(at),
            review_duration=max(duration_ms, 0),
        )
        for card_id, rating, at, duration_ms in store.review_history()
    )
    return History(logs, training_reviews(logs))


def training_reviews(logs: tuple[ReviewLog, ...] | list[ReviewLog]) -> int:
    """How many reviews py-fsrs's Optimizer learns from (its own `_num_reviews` rule)."""
    by_card: dict[int, list[datetime]] = {}
    for log in logs:
        by_card.setdefault(log.card_id, []).append(log.review_datetime)
    count = 0
    for times in by_card.values():
        times = sorted(times)[:MAX_REVIEWS_PER_CARD]
        count += sum((later - earlier).days > 0 for earlier, later in pairwise(times))
    return count


def _not_enough(history: History) -> str:
    missing = MIN_TRAINING_REVIEWS - history.training
    return (
        f"not enough review history to fit FSRS: {history.training} of the {MIN_TRAINING_REVIEWS} reviews "
        f"needed ({missing} more; only reviews on a later day than the card's previous one count, "
        f"cram and undone ones do not — {history.reviews} reviews kept so far)"
    )


def _optimizer_class() -> type[Optimizer]:
    # fsrs.optimizer swallows an ImportError and defines a stub that raises later: check first
    missing = [name for name in ("torch", "pandas", "tqdm") if importlib.util.find_spec(name) is None]
    if missing:
        raise LossquizError(
            f"fitting FSRS needs py-fsrs's optimizer extra ({', '.join(missing)} missing): "
            "pip install 'fsrs[optimizer]'"
        )
    from fsrs.optimizer import Optimizer

    return Optimizer  # type: ignore[no-any-return]


def _loss(optimizer: Any, parameters: list[float]) -> float | None:
    """py-fsrs's log-loss of its recall predictions on the history (a private helper: optional)."""
    compute = getattr(optimizer, "_compute_batch_loss", None)
    if compute is None:
        return None
    try:
        return float(compute(parameters=parameters))
    except (ValueError, ZeroDivisionError, RuntimeError):
        return None


def _optimal_retention(optimizer: Any, parameters: list[float], history: History) -> tuple[float | None, str | None]:
    compute = getattr(optimizer, "compute_optimal_retention", None)
    if compute is None:
        return None, "this py-fsrs has no compute_optimal_retention"
    if history.reviews < MIN_REVIEWS_FOR_RETENTION:
        return None, f"needs {MIN_REVIEWS_FOR_RETENTION} reviews"
    try:
        return float(compute(parameters)), None
    except (ValueError, ZeroDivisionError, KeyError) as e:
        # e.g. no Hard/Good/Easy answers yet: the workload simulation has nothing to sample
        return None, f"not computable from this history ({type(e).__name__}: {e})"


def optimize(store: Store, *, now: datetime, retention: bool = True, apply_retention: bool = False) -> Fit:
    """Fit the parameters to the history, store them (drills use them from now on), report.

    `retention` also estimates the desired retention that minimises workload per unit of
    knowledge (py-fsrs simulation); `apply_retention` makes it the drill's default.
    """
    history = load_history(store)
    if history.training < MIN_TRAINING_REVIEWS:
        raise NotEnoughHistoryError(_not_enough(history))
    optimizer = _optimizer_class()(list(history.logs))
    parameters = [float(w) for w in optimizer.compute_optimal_parameters()]
    defaults = settings.default_parameters()
    best_retention, note = None, None
    if retention or apply_retention:
        best_retention, note = _optimal_retention(optimizer, parameters, history)
    settings.save_fsrs_parameters(store, parameters, n_reviews=history.reviews, now=now)
    applied = apply_retention and best_retention is not None
    if applied:
        assert best_retention is not None
        settings.save_desired_retention(store, best_retention, now)
    return Fit(
        parameters=tuple(parameters),
        defaults=tuple(defaults),
        reviews=history.reviews,
        training=history.training,
        loss_default=_loss(optimizer, defaults),
        loss_fitted=_loss(optimizer, parameters),
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
