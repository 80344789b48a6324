"""User settings kept in the progress database: fitted FSRS parameters and a chosen retention.

`lossquiz optimize` writes them, `drill` reads them, `stats` and `optimize --show` report
them. Stored as JSON under a key in the `settings` table (migration m005_settings), so they
travel with the progress file they were fitted on.
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from typing import TYPE_CHECKING, Any

from lossquiz.clock import DEFAULT_DAY_START_HOUR
from lossquiz.errors import StorageError
from lossquiz.progress.memory import DEFAULT_RETENTION
from lossquiz.progress.store import Store

if TYPE_CHECKING:
    from lossquiz.progress.scheduling import Scheduler

# py-fsrs is imported only where it is needed (a Scheduler built, stored parameters checked):
# `stats` reads these settings without scheduling anything.

ALGORITHM = "FSRS-6"  # what py-fsrs 6.x (pinned >=6,<7 in pyproject.toml) implements: 21 parameters
PARAMETERS_KEY = "fsrs.parameters"
RETENTION_KEY = "fsrs.desired_retention"
_RESET_HINT = "run `lossquiz optimize --reset` to go back to the defaults"


def default_parameters() -> list[float]:
    """py-fsrs's default FSRS parameters."""
    from fsrs.scheduler import DEFAULT_PARAMETERS

    return [float(w) for w in DEFAULT_PARAMETERS]


def fsrs_parameters(store: Store) -> tuple[list[float] | None, datetime | None, int | None]:
    """The fitted FSRS parameters in use, when they were fitted and on how many reviews.

    (None, None, None) means the defaults are in use (never fitted, or reset).
    """
    stored = _load(store, PARAMETERS_KEY)
    if stored is None:
        return None, None, None
    try:
        parameters = [float(w) for w in stored["parameters"]]
        fitted_at = datetime.fromisoformat(str(stored["fitted_at"]))
        n_reviews = int(stored["n_reviews"])
        if not all(math.isfinite(w) for w in parameters):
            raise ValueError("non-finite parameter")
        from fsrs import Scheduler as FsrsScheduler

        FsrsScheduler(parameters=parameters)  # bounds and count, as this py-fsrs version expects them
    except (KeyError, TypeError, ValueError) as e:
        raise StorageError(f"the stored FSRS parameters are unusable ({e}); {_RESET_HINT}") from None
    return parameters, fitted_at, n_reviews


def save_fsrs_parameters(store: Store, parameters: list[float], *, n_reviews: int, now: datetime) -> None:
    """Store fitted parameters; every drill from now on schedules with them."""
    value = {"parameters": [float(w) for w in parameters], "fitted_at": now.isoformat(), "n_reviews": n_reviews}
    store.set_setting(PARAMETERS_KEY, json.dumps(value), now)


def desired_retention(store: Store) -> float | None:
    """The retention chosen with `optimize --apply-retention`, or None (the 0.9 default)."""
    stored = _load(store, RETENTION_KEY)
    if stored is None:
        return None
    try:
        value = float(stored["retention"])
    except (KeyError, TypeError, ValueError) as e:
        raise StorageError(f"the stored desired retention is unusable ({e}); {_RESET_HINT}") from None
    if not 0 < value < 1:
        raise StorageError(f"the stored desired retention {value} is not between 0 and 1; {_RESET_HINT}")
    return value


def save_desired_retention(store: Store, retention: float, now: datetime) -> None:
    """Make `retention` the drill's default (an explicit `drill --retention` still wins)."""
    store.set_setting(RETENTION_KEY, json.dumps({"retention": retention}), now)


def reset(store: Store) -> bool:
    """Back to py-fsrs's defaults (parameters and retention); True if anything was stored."""
    removed = store.delete_setting(PARAMETERS_KEY)
    return store.delete_setting(RETENTION_KEY) or removed


def scheduler_settings(store: Store, retention: float | None) -> tuple[list[float] | None, float]:
    """What a drill schedules with: stored parameters, and the explicit, stored or default retention."""
    parameters, _at, _n = fsrs_parameters(store)
    if retention is None:
        retention = desired_retention(store)
    return parameters, retention if retention is not None else DEFAULT_RETENTION


def scheduler_for(
    store: Store,
    retention: float | None,
    *,
    default_retention: float = DEFAULT_RETENTION,
    fuzz: bool = True,
    day_start_hour: int = DEFAULT_DAY_START_HOUR,
) -> Scheduler:
    """The scheduler a drill uses: fitted parameters, retention (option, stored, config), the day rule."""
    from lossquiz.progress.scheduling import make_scheduler

    parameters, _at, _n = fsrs_parameters(store)
    if retention is None:
        retention = desired_retention(store)
    return make_scheduler(
        retention=retention if retention is not None else default_retention,
        parameters=parameters,
        fuzz=fuzz,
        day_start_hour=day_start_hour,
    )


def _load(store: Store, key: str) -> dict[str, Any] | None:
    row = store.setting(key)
    if row is None:
        return None
    try:
        value = json.loads(row[0])
    except json.JSONDecodeError:
        raise StorageError(f"the stored setting '{key}' is not valid JSON; {_RESET_HINT}") from None
    if not isinstance(value, dict):
        raise StorageError(f"the stored setting '{key}' has an unexpected shape; {_RESET_HINT}")
    return value
