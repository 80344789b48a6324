"""The implement-it checker. It runs inside the snippet worker, never in the CLI process.

Request {"op": "practice", "file": <task, deck-relative>, "attempt": <user file>, "seed": int, "budget": s}
Answer  {"ok": true, "passed": bool, "total": n, "cases_passed": [...], "failure": null | {...}}

For each case of the task, in order, the user's function and the reference get their own
copies of the same inputs. Checks, in order: it returns a tensor, of the right shape and
dtype, finite where the reference is ("stability"), with close values, and with close
gradients (autograd) with respect to the task's GRAD inputs. The first failure stops the
check and is described for the user: case, inputs, expected, actual, and a hint when the
error matches a classic mistake. The user's own code runs under a SIGALRM budget so a hang
is reported by case; the parent process stops the worker if even that fails.
"""

from __future__ import annotations

import contextlib
import inspect
import io
import math
import signal
import sys
import traceback
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from lossquiz.worker.compare import Failed, as_data, check_gradients, check_output, leaves

if TYPE_CHECKING:
    import torch

DEFAULT_TOLERANCE = {"rtol": 1e-4, "atol": 1e-5}
_STUB = "not started"


class _TimeUp(BaseException):
    """Raised by SIGALRM inside the user's code (a BaseException, so `except Exception` misses it)."""


class _Budget:
    """Seconds the user's code may run in total; armed only while it runs."""

    def __init__(self, seconds: float) -> None:
        self.left = self.total = seconds

    @contextlib.contextmanager
    def running(self) -> Iterator[None]:
        if not hasattr(signal, "setitimer"):  # no SIGALRM (Windows): the parent's limit still holds
            yield
            return

        def _alarm(signum: int, frame: Any) -> None:
            raise _TimeUp

        previous = signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, max(self.left, 0.001))
        try:
            yield
        finally:
            self.left = signal.setitimer(signal.ITIMER_REAL, 0)[0]
            signal.signal(signal.SIGALRM, previous)


def _import(path: str, name: str, source: bytes | None = None) -> ModuleType:
    """Run a file as a module, compiled from its source every time.

    No bytecode cache is read or written: an attempt edited twice within a second (same size,
    same mtime) must never run stale, and nothing is written into the deck or the practice folder.
    """
    if source is None:  # the user's own attempt; a deck's task comes as the trusted bytes
        source = Path(path).read_bytes()
    code = compile(source, path, "exec", dont_inherit=True)
    module = ModuleType(name)
    module.__file__ = path
    sys.modules[name] = module  # classes and dataclasses defined in the file look their module up
    exec(code, module.__dict__)  # noqa: S102 - running this file is the point (in the worker only)
    return module


def grade_attempt(request: dict[str, Any]) -> dict[str, Any]:
    """Check one attempt against one task; see the module docstring for the protocol."""
    from lossquiz.worker.process import source_of

    if "file" in request:  # from the CLI: a file of the trusted deck, already loaded (never read from disk)
        name = str(request["file"])
        source: bytes | None = source_of(name)
    else:  # called in-process with a path (tests, tools): read it
        name, source = str(request["path"]), None
    task = _import(name, f"lossquiz_practice_task_{Path(name).stem.replace('-', '_')}", source)
    attempt = str(request["attempt"])
    budget = _Budget(float(request.get("budget", 10.0)))
    try:
        function = _user_function(task, attempt, budget)
    except Failed as failed:
        return {"passed": False, "total": len(task.CASES), "cases_passed": [], "failure": failed.failure}
    return run_cases(task, function, seed=int(request.get("seed", 0)), budget=budget, attempt=attempt)


def run_cases(
    task: ModuleType,
    function: Callable[..., Any],
    *,
    seed: int,
    budget: _Budget | None = None,
    attempt: str = "",
) -> dict[str, Any]:
    """Every case of the task, in order, against `function`; stops at the first failure."""
    budget = budget or _Budget(10.0)
    passed: list[str] = []
    total = len(task.CASES)
    try:
        for index, case in enumerate(task.CASES):
            _check_case(task, function, attempt, case, seed * 1009 + index, budget, first=not passed)
            passed.append(case)
    except Failed as failed:
        failure = failed.failure
        if "case" in failure:
            failure["case_number"] = len(passed) + 1
        return {"passed": False, "total": total, "cases_passed": passed, "failure": failure}
    return {"passed": True, "total": total, "cases_passed": passed, "failure": None}


# -- importing the user's file ---------------------------------------------------------------


def _user_function(task: ModuleType, attempt: str, budget: _Budget) -> Callable[..., Any]:
    """Import the attempt (under the budget) and check its function's signature."""
    name = task.FUNCTION
    try:
        with _quiet_stdin(), budget.running():
            module = _import(attempt, "lossquiz_practice_attempt")
    except _TimeUp:
        summary = f"importing your file did not finish within {budget.total:g} s (stopped)"
        raise Failed({"check": "timeout", "summary": summary}) from None
    except SyntaxError as e:
        where = f" ({Path(attempt).name} line {e.lineno})" if e.lineno else ""
        raise Failed({"check": "syntax", "summary": f"SyntaxError: {e.msg}{where}"}) from None
    except SystemExit as e:
        raise Failed({"check": "error", "summary": f"your file called sys.exit({e.code}) while importing"}) from None
    except BaseException as e:  # noqa: BLE001 - anything the user's module does is reported, not fatal
        if isinstance(e, KeyboardInterrupt):
            raise
        raise Failed({"check": "error", "summary": "importing your file failed: " + _user_error(e, attempt)}) from None
    function = getattr(module, name, None)
    if not callable(function):
        raise Failed({"check": "signature", "summary": f"your file defines no function {name}()"})
    _check_signature(getattr(task, name), function, name)
    return function  # type: ignore[no-any-return]


def _check_signature(model: Callable[..., Any], user: Callable[..., Any], name: str) -> None:
    """Same parameter names (the check passes keywords) and the conventional defaults."""
    expected = inspect.signature(model).parameters
    try:
        given = inspect.signature(user).parameters
    except (TypeError, ValueError):
        return
    wanted = ", ".join(expected)
    var_kw = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in given.values())
    missing = [p for p in expected if p not in given and not var_kw]
    extra = [
        p.name
        for p in given.values()
        if p.name not in expected
        and p.default is inspect.Parameter.empty
        and p.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    ]
    if missing or extra:
        what = f"has no parameter {', '.join(repr(m) for m in missing)}" if missing else ""
        what += (" and " if what else "") + (f"requires {', '.join(repr(x) for x in extra)}" if extra else "")
        summary = f"{name}() {what}; the check calls it as {name}({wanted}) with keywords"
        raise Failed({"check": "signature", "summary": summary})
    for pname, param in expected.items():
        if param.default is inspect.Parameter.empty or pname not in given:
            continue
        default = given[pname].default
        if default is inspect.Parameter.empty:
            summary = f"parameter '{pname}' needs its default {param.default!r} (the convention, see the docstring)"
            raise Failed({"check": "signature", "summary": summary})
        if not _same_default(default, param.default):
            summary = (
                f"default {pname}={default!r}, but the convention is {pname}={param.default!r} (see the docstring)"
            )
            raise Failed({"check": "signature", "summary": summary})


def _same_default(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 - an odd default object simply counts as different
        return False


@contextlib.contextmanager
def _quiet_stdin() -> Iterator[None]:
    """input() in user code gets EOF instead of reading the worker's protocol."""
    saved = sys.stdin
    sys.stdin = io.StringIO("")
    try:
        yield
    finally:
        sys.stdin = saved


def _user_error(exc: BaseException, attempt: str) -> str:
    """`ValueError: msg (huber.py line 12: return x.foo())`, pointing into the user's file."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == attempt]
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    head = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    if not frames:
        return head
    last = frames[-1]
    code = f": {last.line.strip()}" if last.line else ""
    return f"{head} ({Path(attempt).name} line {last.lineno}{code})"


# -- one case ----------------------------------------------------------------------------------


def _check_case(
    task: ModuleType,
    function: Callable[..., Any],
    attempt: str,
    case: str,
    seed: int,
    budget: _Budget,
    *,
    first: bool,
) -> None:
    import torch

    generator = torch.Generator().manual_seed(seed)
    raw = task.inputs(generator, case)
    grad_names = tuple(n for n in task.GRAD if isinstance(raw.get(n), (torch.Tensor, torch.nn.Module)))
    stability = case in getattr(task, "STABILITY", ())
    kink = case in getattr(task, "NO_GRAD", ())
    tolerance = {**DEFAULT_TOLERANCE, **getattr(task, "TOLERANCE", {})}

    with torch.enable_grad():
        ref_inputs = leaves(raw, grad_names)
        expected = task.reference(**ref_inputs)
        weight = _weight(expected, generator)
        ref_grads = _gradients(expected, weight, ref_inputs, grad_names)

        user_inputs = leaves(raw, grad_names)
        base = {"case": case, "inputs": {k: as_data(v) for k, v in raw.items()}}
        try:
            with _quiet_stdin(), warnings.catch_warnings(), budget.running():
                warnings.simplefilter("ignore")  # the user's deprecation warnings are not the check's business
                actual = function(**user_inputs)
        except _TimeUp:
            summary = (
                f"{task.FUNCTION}() did not return within {budget.total:g} s for all cases (an endless loop?) — stopped"
            )
            raise Failed({**base, "check": "timeout", "summary": summary}) from None
        except NotImplementedError as e:
            if first and not str(e):
                summary = f"{task.FUNCTION}() still raises NotImplementedError: nothing to check yet"
                raise Failed({**base, "check": _STUB, "summary": summary}) from None
            raise Failed({**base, "check": "error", "summary": _user_error(e, attempt)}) from None
        except SystemExit as e:
            raise Failed({**base, "check": "error", "summary": f"your code called sys.exit({e.code})"}) from None
        except BaseException as e:  # noqa: BLE001 - the user's exception is the message
            if isinstance(e, KeyboardInterrupt):
                raise
            raise Failed({**base, "check": "error", "summary": _user_error(e, attempt)}) from None

        try:
            check_output(task, actual, expected, raw, base, tolerance, stability=stability)
            if not grad_names:
                return
            try:
                with budget.running():
                    user_grads = _user_gradients(actual, weight, user_inputs, grad_names)
            except _TimeUp:
                summary = f"backpropagating through your code did not finish within {budget.total:g} s (stopped)"
                raise Failed({**base, "check": "timeout", "summary": summary}) from None
            except RuntimeError as e:
                summary = "autograd failed on your result: " + _user_error(e, attempt)
                raise Failed({**base, "check": "gradient", "summary": summary}) from None
            check_gradients(ref_grads, user_grads, base, tolerance, kink=kink, stability=stability)
        except Failed as failed:
            case_hint = getattr(task, "HINTS", {}).get(case)
            if case_hint and failed.failure["check"] in ("value", "stability", "gradient"):
                failed.failure["hint"] = case_hint  # the task knows this case's classic trap best
            raise


def _params(value: Any) -> list[torch.Tensor]:
    """What a gradient is taken with respect to: a tensor, or a model's parameters."""
    import torch

    if isinstance(value, torch.nn.Module):
        return [p for p in value.parameters() if p.requires_grad]
    return [value]


def _grad_of(
    out: torch.Tensor, weight: torch.Tensor, inputs: dict[str, Any], names: tuple[str, ...]
) -> dict[str, torch.Tensor | None]:
    """d(sum(weight * out)) / d input per name; None where nothing is connected.

    A model's gradient is its parameters' gradients, flattened and concatenated.
    """
    import torch

    groups = [_params(inputs[n]) for n in names]
    leaves = [leaf for group in groups for leaf in group]
    grads = list(torch.autograd.grad((out * weight.to(out.dtype)).sum(), leaves, allow_unused=True))
    result: dict[str, torch.Tensor | None] = {}
    for name, group in zip(names, groups, strict=True):
        mine, grads = grads[: len(group)], grads[len(group) :]
        if all(g is None for g in mine):
            result[name] = None
        elif isinstance(inputs[name], torch.nn.Module):
            result[name] = torch.cat(
                [(g if g is not None else torch.zeros_like(p)).reshape(-1) for g, p in zip(mine, group, strict=True)]
            )
        else:
            result[name] = mine[0]
    return result


def _zeros_like_input(value: Any) -> torch.Tensor:
    import torch

    return (
        torch.cat([p.detach().reshape(-1) * 0 for p in _params(value)])
        if isinstance(value, torch.nn.Module)
        else torch.zeros_like(value)
    )


def _weight(expected: Any, generator: torch.Generator) -> torch.Tensor:
    """A fixed random cotangent, so every element of a non-scalar result is checked."""
    import torch

    if not isinstance(expected, torch.Tensor) or expected.dim() == 0:
        return torch.tensor(1.0, dtype=getattr(expected, "dtype", torch.float32))
    return torch.randn(expected.shape, generator=generator, dtype=expected.dtype)


def _gradients(
    out: torch.Tensor, weight: torch.Tensor, inputs: dict[str, Any], names: tuple[str, ...]
) -> dict[str, torch.Tensor]:
    """The reference's gradients: zeros where the output does not depend on an input."""
    if not names:
        return {}
    if not out.requires_grad:
        return {n: _zeros_like_input(inputs[n]) for n in names}
    grads = _grad_of(out, weight, inputs, names)
    return {n: (g if g is not None else _zeros_like_input(inputs[n])) for n, g in grads.items()}


def _user_gradients(
    actual: torch.Tensor, weight: torch.Tensor, inputs: dict[str, Any], names: tuple[str, ...]
) -> dict[str, torch.Tensor | None]:
    """The user's gradients; None marks 'your result is not connected to this input'."""
    if not actual.requires_grad:
        return dict.fromkeys(names)
    return _grad_of(actual, weight, inputs, names)
