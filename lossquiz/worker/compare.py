"""Comparing an attempt's result with the reference's, and describing the first difference.

Runs in the snippet worker with lossquiz/practice_check.py. A failure is a plain dict (JSON
over the pipe): the check that failed, the case, a one-line summary, the inputs, the
expected and actual values (tensors summarised by `show`), where they differ most, and a
hint when the difference is a known one (a constant factor, a task's classic MISTAKES).
"""

from __future__ import annotations

import copy
import math
import warnings
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

SHOWN_VALUES = 24  # tensors up to this many elements are shown in full


class Failed(Exception):
    """Carries the first failure out of the case loop."""

    def __init__(self, failure: dict[str, Any]) -> None:
        super().__init__(failure.get("summary", ""))
        self.failure = failure


def leaves(raw: dict[str, Any], grad_names: tuple[str, ...]) -> dict[str, Any]:
    """Fresh copies of the inputs; the GRAD ones are leaves that require grad (a model: its parameters)."""
    import torch

    out: dict[str, Any] = {}
    for name, value in raw.items():
        if isinstance(value, torch.Tensor):
            value = value.detach().clone()
            if name in grad_names:
                value.requires_grad_(True)
        elif isinstance(value, torch.nn.Module):
            value = copy.deepcopy(value)
        out[name] = value
    return out


# -- comparing -----------------------------------------------------------------------------


def check_output(
    task: ModuleType,
    actual: Any,
    expected: torch.Tensor,
    raw: dict[str, Any],
    base: dict[str, Any],
    tolerance: dict[str, float],
    *,
    stability: bool,
) -> None:
    import torch

    def fail(check: str, summary: str, **extra: Any) -> Failed:
        return Failed({**base, "check": check, "summary": summary, "expected": as_data(expected), **extra})

    if not isinstance(actual, torch.Tensor):
        kind = type(actual).__name__
        why = (
            " (a Python number carries no gradient: did you call .item()?)" if isinstance(actual, (int, float)) else ""
        )
        raise fail("type", f"returned {kind}, expected a torch.Tensor{why}", actual={"repr": _short_repr(actual)})
    if tuple(actual.shape) != tuple(expected.shape):
        hint = None
        if expected.dim() == 0 and actual.dim() > 0:
            hint = "the result is one number: reduce over the batch (see the docstring for mean vs sum)"
        raise fail(
            "shape",
            f"returned shape {_shape(actual)}, expected {_shape(expected)}",
            actual=as_data(actual),
            hint=hint,
        )
    if actual.dtype != expected.dtype:
        summary = f"returned {_dtype(actual)}, expected {_dtype(expected)} (the dtype of the inputs)"
        raise fail("dtype", summary, actual=as_data(actual), hint="create constants with dtype=/device= of the inputs")
    a = actual.detach().to(torch.float64)
    e = expected.detach().to(torch.float64)
    bad = ~torch.isfinite(a) & torch.isfinite(e)
    if bool(bad.any()):
        index = _first_index(bad)
        summary = f"got {_num(a[index])} where the reference is finite ({_num(e[index])})"
        raise fail("stability", summary, actual=as_data(actual), at=_at(index, a, e), hint=_stability_hint(a, e))
    rtol, atol = tolerance["rtol"], tolerance["atol"]
    if not torch.allclose(a, e, rtol=rtol, atol=atol, equal_nan=True):
        index = _worst_index(a, e)
        summary = f"values differ from the reference beyond rtol={rtol:g}, atol={atol:g}"
        if stability:
            summary += " (precision lost on extreme inputs)"
        hint = _mistake_hint(task, raw, a) or factor_hint([(a, e, raw)])
        raise fail(
            "stability" if stability else "value",
            summary,
            actual=as_data(actual),
            at=_at(index, a, e),
            hint=hint,
        )


def check_gradients(
    ref_grads: dict[str, torch.Tensor],
    user_grads: dict[str, torch.Tensor | None],
    base: dict[str, Any],
    tolerance: dict[str, float],
    *,
    kink: bool,
    stability: bool,
) -> None:
    import torch

    rtol = tolerance.get("grad_rtol", tolerance["rtol"] * 10)
    atol = tolerance.get("grad_atol", tolerance["atol"] * 10)
    for name, ref in ref_grads.items():
        got = user_grads.get(name)
        r = ref.detach().to(torch.float64)
        if got is None:
            if bool((r != 0).any()):
                summary = (
                    f"your result does not depend on '{name}' through autograd "
                    "(detached, .item(), numpy, or a new tensor built from values?)"
                )
                raise Failed({**base, "check": "gradient", "input": name, "summary": summary, "expected": as_data(ref)})
            continue
        g = got.detach().to(torch.float64)
        bad = ~torch.isfinite(g) & torch.isfinite(r)
        if bool(bad.any()):
            index = _first_index(bad)
            summary = f"the gradient w.r.t. '{name}' has {_num(g[index])} where the reference's is finite"
            raise Failed(
                {
                    **base,
                    "check": "stability",
                    "input": name,
                    "summary": summary,
                    "expected": as_data(ref),
                    "actual": as_data(got),
                    "at": _at(index, g, r),
                    "hint": "a sqrt, log or division at 0 (add an eps inside, or use a stable built-in)",
                }
            )
        if kink:  # a subgradient is as good as any other here: only finiteness is required
            continue
        if not torch.allclose(g, r, rtol=rtol, atol=atol, equal_nan=True):
            index = _worst_index(g, r)
            summary = f"the gradient w.r.t. '{name}' differs from the reference's beyond rtol={rtol:g}, atol={atol:g}"
            hint = "values agree but gradients do not: a detach(), an in-place op, or a non-differentiable step?"
            if not bool((r != 0).any()):
                hint = f"no gradient should reach '{name}': the convention treats it as a constant (detach it)"
            if stability:
                summary += " (on extreme inputs)"
            raise Failed(
                {
                    **base,
                    "check": "gradient",
                    "input": name,
                    "summary": summary,
                    "expected": as_data(ref),
                    "actual": as_data(got),
                    "at": _at(index, g, r),
                    "hint": hint,
                }
            )


def _mistake_hint(task: ModuleType, raw: dict[str, Any], actual: torch.Tensor) -> str | None:
    """The task's classic mistakes (MISTAKES = {hint: function}) that reproduce the user's value.

    On a small case two mistakes can give the same number: then both are named.
    """
    import torch

    values = {}
    for hint, mistake in getattr(task, "MISTAKES", {}).items():
        try:
            with torch.enable_grad(), warnings.catch_warnings():  # some mistakes differentiate (WGAN-GP)
                warnings.simplefilter("ignore")
                values[str(hint)] = mistake(**leaves(raw, ()))
        except Exception:  # noqa: BLE001, S112 - a mistake that does not apply to these inputs is no hint
            continue
    return " — or: ".join(matching_mistakes(values, actual)) or None


def matching_mistakes(values: dict[str, Any], actual: torch.Tensor) -> list[str]:
    """The names of the mistaken values (same shape) that `actual` reproduces.

    Shared by `code --check` (a task's MISTAKES) and formula/numeric recall (a snippet's mistakes()).
    """
    import torch

    matches = []
    for hint, value in values.items():
        try:
            v = torch.as_tensor(value).detach().to(torch.float64)
        except (TypeError, ValueError, RuntimeError):
            continue
        a = actual.detach().to(torch.float64)
        if v.shape == a.shape and torch.allclose(a, v, rtol=1e-4, atol=1e-6, equal_nan=True):
            matches.append(hint)
    return matches


Case = tuple["torch.Tensor", "torch.Tensor", dict[str, Any]]  # (yours, the reference's, the case's inputs)

SIGN_FLIPPED = "the reference with the sign flipped: an objective to maximise vs a loss to minimise?"


def factor_hint(cases: list[Case], *, sign: str | None = None, reduction: str | None = None) -> str | None:
    """Off by a constant factor on every case: the batch size (sum vs mean), 2 (a missing ½), or -1
    (a sign: `sign` says why where the caller knows better than SIGN_FLIPPED, a gradient through a residual).

    A sum where the convention is the mean multiplies each case by that case's own batch size; a
    missing ½ multiplies every case by 2. So a factor that tracks the batch size across cases is
    sum vs mean, one that stays 2 where the batch is not 2 is a missing ½, and where every case's
    batch is 2 (or there is one case) both are said. A case that agrees is passed whole (a == e):
    a sum agrees exactly where the batch is 1, so such a case is evidence for the sum (and against it
    where the batch is not 1); it says nothing against a ½, which a branch not taken can hide.
    `reduction` is the reference's own outer reduction ("sum" or "mean"): the hint never says the
    convention is the other one.
    """
    import torch

    factors: list[tuple[float, dict[str, int]]] = []
    agreeing: list[tuple[float, dict[str, int]]] = []
    for a, e, raw in cases:
        mask = e.abs() > 1e-12
        if not bool(mask.any()):
            continue
        ratios = a[mask] / e[mask]
        factor = float(ratios.mean())
        if not torch.allclose(ratios, torch.full_like(ratios, factor), rtol=1e-3, atol=1e-6):
            return None
        (agreeing if math.isclose(factor, 1.0, rel_tol=1e-3) else factors).append((factor, _sizes(raw)))
    if not factors:
        return None
    if all(f < 0 for f, _ in factors) and not all(math.isclose(f, -1.0, rel_tol=1e-3) for f, _ in factors):
        return _flipped([(-a, e, raw) for a, e, raw in cases], reduction)
    first = factors[0][0]
    constant = all(math.isclose(f, first, rel_tol=1e-3) for f, _ in factors)
    summed = None if reduction == "sum" else _tracked(factors + agreeing, lambda n: n)
    averaged = None if reduction == "mean" else _tracked(factors + agreeing, lambda n: 1 / n)
    if constant and math.isclose(first, 2.0, rel_tol=1e-3):
        if summed and agreeing:
            return "twice the reference: a sum where the convention is the mean (it agrees where the batch is 1)?"
        if summed:
            return "twice the reference: a sum where the convention is the mean (the batch here is 2), or a missing ½?"
        return "twice the reference: a missing ½?"
    if constant and math.isclose(first, 0.5, rel_tol=1e-3):
        if averaged and agreeing:
            return "half the reference: a mean where the convention is a sum (it agrees where the batch is 1)?"
        if averaged:
            return "half the reference: a mean where the convention is a sum (the batch here is 2), or an extra ½?"
        return "half the reference: an extra ½ (or a mean over 2)?"
    if summed:
        return f"{summed}× the reference: a sum where the convention is the mean (reduction)?"
    if averaged:
        return f"1/{averaged} of the reference: a mean where the convention is a sum (reduction)?"
    if constant and math.isclose(first, -1.0, rel_tol=1e-3):
        return sign or SIGN_FLIPPED
    return None


def _flipped(negated: list[Case], reduction: str | None) -> str | None:
    """A negative factor: the hint for its size, with the sign said too (−n× is a flipped sign and a
    sum: `onehot(target, z) − softmax(z, 1)` for CE's mean gradient got no hint at all)."""
    inner = factor_hint(negated, reduction=reduction)
    if inner is None or " the reference: " not in inner:
        return None
    size, why = inner.split(" the reference: ", 1)
    size = {"twice": "−2×", "half": "−½×"}.get(size, f"−{size}")
    return f"{size} the reference: the sign flipped, and {why}"


def _sizes(raw: dict[str, Any]) -> dict[str, int]:
    """What a reduction can divide by: each tensor input's rows and its number of elements."""
    import torch

    sizes = {}
    for name, v in raw.items():
        if isinstance(v, torch.Tensor) and v.dim() > 0:
            sizes[f"{name} rows"], sizes[f"{name} elements"] = int(v.shape[0]), int(v.numel())
    return {k: n for k, n in sizes.items() if n > 0}


def _tracked(factors: list[tuple[float, dict[str, int]]], scale: Any) -> int | None:
    """The first case's size, when every case's factor is scale(its size) for one way of counting."""
    for key, n in factors[0][1].items():
        if all(key in sizes and math.isclose(f, scale(sizes[key]), rel_tol=1e-3) for f, sizes in factors):
            return n
    return None


# Constants a formula classically gains or loses as a whole term (log-cosh's −log 2, full=True's ½ log 2π).
KNOWN_OFFSETS = {
    "log 2": math.log(2),
    "½ log 2π": 0.5 * math.log(2 * math.pi),
    "log 2π": math.log(2 * math.pi),
    "log 10": math.log(10),
    "1": 1.0,
    "½": 0.5,
}


def offset_hint(a: torch.Tensor, e: torch.Tensor) -> str | None:
    """Off by the same additive constant everywhere (`a` and `e` hold every case, flattened alike):
    a known one (log 2, ½ log 2π, 1, ...) is named; another is said only where the reference varies,
    since a single number is always "off by a constant"."""
    import torch

    if a.shape != e.shape or not a.numel() or not bool(torch.isfinite(a).all() & torch.isfinite(e).all()):
        return None
    d = (a - e).reshape(-1).to(torch.float64)
    offset = float(d.mean())
    scale = max(float(e.abs().max()), 1.0)
    if abs(offset) <= 1e-4 * scale or not torch.allclose(d, torch.full_like(d, offset), rtol=1e-4, atol=1e-6 * scale):
        return None
    size = f"{abs(offset):.4g}"
    for name, value in KNOWN_OFFSETS.items():
        if math.isclose(abs(offset), value, rel_tol=1e-4):
            if offset > 0:  # an added + log 2 (BCE) or a dropped − log 2 (log-cosh): either reads
                return f"the reference + {name} on every case: an extra + {name} or a missing − {name}?"
            return f"the reference − {name} on every case: a missing + {name} or an extra − {name}?"
    flat = e.reshape(-1)
    if not bool((flat != flat[0]).any()):
        return None
    return f"the reference {'+' if offset > 0 else '−'} {size} on every case: a constant term missing or extra?"


def _stability_hint(a: torch.Tensor, e: torch.Tensor) -> str:
    if bool(a.isnan().any()):
        return "nan: inf - inf, inf / inf or 0 · log 0 — work in log space (logsumexp, log_softmax, logsigmoid, xlogy)"
    return "inf: exp overflowed or log hit 0 — subtract the max / use logsumexp, log_softmax or logsigmoid"


# -- showing values ----------------------------------------------------------------------------


def as_data(value: Any) -> Any:
    """A value as the user should see it in the report (tensors summarised, JSON-safe)."""
    import torch

    if isinstance(value, torch.Tensor):
        t = value.detach()
        shown: dict[str, Any] = {"shape": list(t.shape), "dtype": str(t.dtype).removeprefix("torch.")}
        if t.dtype == torch.bool:
            t = t.to(torch.int64)
        if t.numel() <= SHOWN_VALUES:
            shown["values"] = _plain(t.tolist())
        else:
            shown["values"] = _plain(t.reshape(-1)[:8].tolist())
            shown["truncated"] = True
        return shown
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        return _plain(value)
    return {"repr": _short_repr(value)}


def _plain(x: Any) -> Any:
    if isinstance(x, list):
        return [_plain(v) for v in x]
    if isinstance(x, float):
        if math.isnan(x):
            return "nan"
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        return float(f"{x:.7g}")
    return x


def _short_repr(value: Any) -> str:
    text = " ".join(repr(value).split())
    return text if len(text) <= 120 else text[:117] + "..."


def _shape(t: torch.Tensor) -> str:
    return "() (a 0-dim scalar)" if t.dim() == 0 else str(tuple(t.shape))


def _dtype(t: torch.Tensor) -> str:
    return str(t.dtype).removeprefix("torch.")


def _num(t: torch.Tensor) -> Any:
    return _plain(float(t))


def _first_index(mask: torch.Tensor) -> tuple[int, ...]:
    if mask.dim() == 0:
        return ()
    return tuple(int(i) for i in mask.nonzero()[0])


def _worst_index(a: torch.Tensor, e: torch.Tensor) -> tuple[int, ...]:
    import torch

    if a.dim() == 0:
        return ()
    diff = torch.nan_to_num((a - e).abs(), nan=math.inf)
    flat = int(diff.reshape(-1).argmax())
    return tuple(int(i) for i in torch.unravel_index(torch.tensor(flat), a.shape))


def _at(index: tuple[int, ...], a: torch.Tensor, e: torch.Tensor) -> dict[str, Any]:
    """Where the (worst) difference is, for tensors with more than one element."""
    return {"index": list(index), "expected": _num(e[index]), "actual": _num(a[index])}
