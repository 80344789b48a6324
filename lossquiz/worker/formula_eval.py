"""Recall graded by numbers, worker side: formulas evaluated with torch, mistakes named, problems audited.

One request type, {"op": "recall", "mode": ..., "path": <snippet>, ...}, reaches `handle`:

- "formula":  evaluate the user's expression (and the card's bindings) on the fixed example and the
              given seeds; right only if it agrees with the snippet's target on every case.
- "validate": the same for the card's own reference `expression` (what `check` runs).
- "diagnose": a wrong typed number: which of the snippet's mistakes() (or a constant factor) it is.
- "given":    the snippet's given() values for one problem (shown under the question).
- "audit":    which exp/log/sigmoid/... calls on non-round values a problem needs (the hand-workability check).
- "values":   the graded values of many problems (the constant-guess property).

Expressions are parsed by lossquiz.study.expression (a whitelist over Python's ast) and walked
here node by node; nothing typed is ever eval'ed.
"""

from __future__ import annotations

import ast
import functools
import math
import random
from collections.abc import Callable
from types import ModuleType
from typing import Any

import torch
import torch.nn.functional as F
from torch.overrides import TorchFunctionMode

from lossquiz.study.expression import AXIS_ARGUMENT, CONSTANTS, ExpressionError, Parsed, axis_value, parse, pretty
from lossquiz.worker.compare import factor_hint, matching_mistakes, offset_hint
from lossquiz.worker.process import reseed, to_plain

ABS_FLOOR = 1e-6  # formulas: elementwise |got - expected| <= rtol·|expected| + ABS_FLOOR + 1e-4·max|expected|


class Unusable(Exception):
    """The card (not the user) is at fault: a binding, target or reference that cannot be evaluated."""


# -- evaluating a parsed expression -----------------------------------------------------------


def _tensor(x: Any) -> torch.Tensor:
    if isinstance(x, torch.Tensor):
        t = x.detach()
        if t.dtype == torch.bool or t.is_floating_point():
            return t.to(torch.float64)
        return t  # integer class indices stay integers (gather, onehot)
    if isinstance(x, bool):
        return torch.tensor(float(x), dtype=torch.float64)
    if isinstance(x, (int, float)):
        return torch.tensor(float(x), dtype=torch.float64)
    return torch.as_tensor(x, dtype=torch.float64)


def _float(x: torch.Tensor) -> torch.Tensor:
    return x if x.is_floating_point() else x.to(torch.float64)


def _axis(args: list[ast.expr]) -> int | None:
    return axis_value(args[1]) if len(args) > 1 else None


# With no axis, these work over the last one, as torch.softmax(z, -1) does: logsumexp too, softmax's
# normaliser (over every element, mean(logsumexp(z) - gather(z, target)) was wrong on a batch while
# -mean(gather(log_softmax(z), target)) was right); sum, mean and norm take every element.
_LAST_AXIS: dict[str, Any] = {"softmax": torch.softmax, "log_softmax": torch.log_softmax, "logsumexp": torch.logsumexp}


def _axis_of(name: str, args: list[ast.expr]) -> int | None:
    """The axis a call reduces over: the one given, else the last for _LAST_AXIS, else None (all)."""
    axis = _axis(args)
    return -1 if axis is None and name in _LAST_AXIS else axis


def _reduce(name: str, x: torch.Tensor, axis: int | None) -> torch.Tensor:
    x = _float(x)
    if axis is not None and not -max(x.dim(), 1) <= axis < max(x.dim(), 1):  # torch's "Dimension out of range"
        what, axes = {
            0: ("a scalar", "it has no axes"),
            1: (f"a vector of {x.numel()}", "its one axis is 0"),
        }.get(x.dim(), (f"shape {tuple(x.shape)}", f"its axes are 0 to {x.dim() - 1}"))
        raise ExpressionError(f"{name}(…, {axis}): axis {axis} does not exist — the argument is {what}, {axes}")
    if name == "sum":
        return x.sum() if axis is None else x.sum(dim=axis)
    if name == "mean":
        return x.mean() if axis is None else x.mean(dim=axis)
    if name in _LAST_AXIS:
        assert axis is not None  # _axis_of gives these the last axis when none is typed
        result: torch.Tensor = _LAST_AXIS[name](x, dim=axis)
        return result
    norm: torch.Tensor = torch.linalg.vector_norm(x) if axis is None else torch.linalg.vector_norm(x, dim=axis)
    return norm


_ELEMENTWISE = {
    "abs": torch.abs,
    "exp": torch.exp,
    "log": torch.log,
    "ln": torch.log,
    "log2": torch.log2,
    "log10": torch.log10,
    "log1p": torch.log1p,
    "sqrt": torch.sqrt,
    "sigmoid": torch.sigmoid,
    "logsigmoid": F.logsigmoid,
    "softplus": F.softplus,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "sign": torch.sign,
}


def evaluate(node: ast.AST, env: dict[str, torch.Tensor]) -> torch.Tensor:
    """A node of a validated tree, on tensors (float64; integer inputs stay integer)."""
    if isinstance(node, ast.Expression):
        return evaluate(node.body, env)
    if isinstance(node, ast.Constant):
        return torch.tensor(float(node.value), dtype=torch.float64)  # type: ignore[arg-type]  # validated
    if isinstance(node, ast.Name):
        return env[node.id] if node.id in env else torch.tensor(CONSTANTS[node.id], dtype=torch.float64)
    if isinstance(node, ast.UnaryOp):
        value = _float(evaluate(node.operand, env))
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp):
        a, b = evaluate(node.left, env), evaluate(node.right, env)
        op = node.op
        if not isinstance(op, ast.MatMult):
            _line_up(node, a, b)
        if isinstance(op, ast.Add):
            return a + b
        if isinstance(op, ast.Sub):
            return a - b
        if isinstance(op, ast.Mult):
            return a * b
        if isinstance(op, ast.Div):
            return _float(a) / _float(b)
        if isinstance(op, ast.Pow):
            return torch.pow(_float(a), _float(b))
        return _float(a) @ _float(b)
    if isinstance(node, ast.Compare):
        left, right = evaluate(node.left, env), evaluate(node.comparators[0], env)
        compare = {ast.Lt: torch.lt, ast.LtE: torch.le, ast.Gt: torch.gt, ast.GtE: torch.ge, ast.Eq: torch.eq}
        return compare.get(type(node.ops[0]), torch.ne)(left, right).to(torch.float64)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return _call(node.func.id, node.args, env)
    raise ExpressionError(f"cannot evaluate {ast.unparse(node)}")


_DROPPING = {"sum", "mean", "logsumexp", "norm"}  # with an axis, these drop it


def _line_up(node: ast.BinOp, a: torch.Tensor, b: torch.Tensor) -> None:
    """A plain ExpressionError where `a` and `b` do not broadcast, instead of torch's raw message.

    An axis reduction drops its axis (sum(x, 1) of a matrix is one value per row), so a row-wise
    x / sum(x, 1) does not line up; the message says so, and names softmax / log_softmax where
    that is what the typed form computes."""
    for i in range(1, min(a.dim(), b.dim()) + 1):
        m, n = a.shape[-i], b.shape[-i]
        if m != n and m != 1 and n != 1:
            break
    else:
        return
    axis = max(a.dim(), b.dim()) - i
    message = f"shapes do not line up ({m} and {n} at axis {axis})"
    reduced = [s for s in (node.left, node.right) if _dropped_axis(s) is not None]
    if reduced:
        side = reduced[0]
        assert isinstance(side, ast.Call) and isinstance(side.func, ast.Name)
        k = _dropped_axis(side)
        line = {0: "column", 1: "row", -1: "row"}.get(k if k is not None else 0)
        typed = (
            f"{side.func.id}(x, {k}) drops axis {k}" if len(side.args) > 1 else f"{side.func.id}(x) drops the last axis"
        )
        message += f": {typed}"
        if line == "column":  # axis 0 where the other side is one value per row: say which axis that is
            message += " (one value per column of a matrix, not per row: one value per row is axis 1)"
        elif line:
            message += f" (one value per {line} of a matrix), so {ast.unparse(node)} does not work {line} by {line}"
        inner = side.args[0]
        if isinstance(node.op, ast.Div) and side is node.right and side.func.id == "sum" and _is_exp(inner):
            z = ast.unparse(inner.args[0])  # type: ignore[attr-defined]  # _is_exp: a call
            message += f" — use softmax({z}, {k}), or log_softmax({z}, {k}) for its log"
        elif isinstance(node.op, ast.Sub) and side is node.right and side.func.id == "logsumexp":
            message += f" — use log_softmax({ast.unparse(inner)}, {k})"
    raise ExpressionError(message)


def _dropped_axis(node: ast.expr) -> int | None:
    """The axis a reduction with an axis drops (sum(x, 1): 1); None for anything else."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _DROPPING:
        return _axis_of(node.func.id, node.args)
    return None


def _is_exp(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "exp" and len(node.args) == 1
    )


def _call(name: str, args: list[ast.expr], env: dict[str, torch.Tensor]) -> torch.Tensor:
    if name in AXIS_ARGUMENT:
        return _reduce(name, evaluate(args[0], env), _axis_of(name, args))
    values = [evaluate(a, env) for a in args]
    if name in _ELEMENTWISE:
        return _ELEMENTWISE[name](_float(values[0]))
    if name == "max":
        return torch.maximum(_float(values[0]), _float(values[1]))
    if name == "min":
        return torch.minimum(_float(values[0]), _float(values[1]))
    if name == "clip":
        return torch.minimum(torch.maximum(_float(values[0]), _float(values[1])), _float(values[2]))
    if name == "where":
        cond, a, b = values
        return torch.where(cond != 0, _float(a), _float(b))
    if name == "transpose":
        return values[0].mT if values[0].dim() >= 2 else values[0]
    if name == "onehot":
        target, like = values
        return F.one_hot(target.long(), like.shape[-1]).to(torch.float64)
    # gather(x, index): x[i, index[i]] row-wise
    x, index = values
    return _float(x).gather(-1, index.long().unsqueeze(-1)).squeeze(-1)


@functools.lru_cache(maxsize=1024)
def _parse(text: str, names: tuple[str, ...]) -> Parsed:
    """parse(), once per expression and names: `check` evaluates each binding and formula on 21 cases.

    Only successes are cached (an ExpressionError is raised again each time); the tree is never changed.
    """
    return parse(text, names)


def _run(text: str, names: list[str], env: dict[str, torch.Tensor]) -> torch.Tensor:
    parsed = _parse(text, tuple(names))
    with torch.no_grad():
        return _float(evaluate(parsed.tree, env))


# -- one case: the snippet's inputs, the target, and the bindings -----------------------------


def inputs_for(module: ModuleType, seed: int | None) -> dict[str, Any]:
    """The fixed example (seed None) or random problem `seed`, seeded as process.solve does."""
    reseed(0 if seed is None else seed)
    return dict(module.example() if seed is None else module.problem(random.Random(seed)))


def _graded(value: Any, grade: str | None) -> Any:
    if isinstance(value, dict):
        if grade is None or grade not in value:
            raise Unusable(f"the value has parts ({', '.join(value)}); the card must name one in 'grade'")
        return value[grade]
    return value


def target_value(module: ModuleType, inputs: dict[str, Any], target: str, grade: str | None) -> torch.Tensor:
    """What a formula card's answer must equal: a step of loss(), the graded value, or its gradient."""
    if target.startswith("grad:"):
        name = target[5:]
        if name not in inputs or not isinstance(inputs[name], torch.Tensor):
            raise Unusable(f"target '{target}': the snippet has no tensor input '{name}'")
        leaf = inputs[name].detach().clone().to(torch.float32).requires_grad_(True)
        with torch.enable_grad():
            value = _graded(module.loss(**{**inputs, name: leaf})["value"], grade)
            if not isinstance(value, torch.Tensor) or value.numel() != 1:
                raise Unusable(f"target '{target}' needs a scalar graded value")
            (grad,) = torch.autograd.grad(value.sum(), leaf, allow_unused=True)
        return torch.zeros_like(leaf, dtype=torch.float64) if grad is None else grad.detach().to(torch.float64)
    steps = module.loss(**inputs)
    key = "value" if target == "value" else target
    if key not in steps:
        raise Unusable(f"target '{target}' is not a step of loss() (steps: {', '.join(steps)})")
    value = _graded(steps[key], grade) if key == "value" else steps[key]
    return _tensor(value)


def bind(variables: list[list[str]], inputs: dict[str, Any]) -> dict[str, torch.Tensor]:
    """The card's variable names bound over the snippet's inputs."""
    env = {k: _tensor(v) for k, v in inputs.items() if isinstance(v, (torch.Tensor, int, float, list))}
    bound = {}
    for name, binding in variables:
        try:
            bound[name] = _run(binding, list(env), env)
        except ExpressionError as e:
            raise Unusable(f"variable '{name}: {binding}': {e}") from None
        except RuntimeError as e:
            raise Unusable(f"variable '{name}: {binding}' cannot be evaluated: {_first_line(e)}") from None
    return bound


def _first_line(e: BaseException) -> str:
    return (str(e).strip().splitlines() or [type(e).__name__])[0][:200]


# -- comparing --------------------------------------------------------------------------------


def _close(got: torch.Tensor, expected: torch.Tensor, rtol: float) -> torch.Tensor:
    scale = float(expected.abs().max()) if expected.numel() and bool(torch.isfinite(expected).all()) else 0.0
    atol = ABS_FLOOR + 1e-4 * scale
    return torch.isclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)


def _shaped(got: torch.Tensor, expected: torch.Tensor) -> torch.Tensor | None:
    if got.shape == expected.shape:
        return got
    try:
        if torch.broadcast_shapes(got.shape, expected.shape) == expected.shape:  # type: ignore[no-untyped-call]
            return got.expand(expected.shape)
    except RuntimeError:
        pass
    return None


def _shape(t: torch.Tensor) -> str:
    return "a scalar" if t.dim() == 0 else f"shape {tuple(t.shape)}"


def grade_expression(module: ModuleType, request: dict[str, Any], text: str) -> dict[str, Any]:
    """Evaluate `text` on every case; the first disagreement, a named mistake, or right."""
    variables = request.get("variables", [])
    names = [n for n, _ in variables]
    rtol = float(request.get("tolerance", 1e-3))
    target, grade = str(request.get("target", "value")), request.get("grade")
    reference = str(request.get("reference") or "")
    cases = []
    for seed in request.get("seeds", [None]):
        inputs = inputs_for(module, seed)
        expected = target_value(module, inputs, target, grade)
        env = bind(variables, inputs)
        try:
            got = _run(text, names, env)
        except ExpressionError as e:
            return {"right": False, "error": str(e)}
        except Exception as e:  # noqa: BLE001 - whatever the typed formula trips on is a re-prompt
            return {"right": False, "error": f"cannot evaluate it on the problem: {_first_line(e)}"}
        cases.append((seed, inputs, env, expected, got))
    for seed, inputs, env, expected, got in cases:
        shaped = _shaped(got, expected)
        if shaped is None:
            why = f"your expression gives {_shape(got)}; the answer is {_shape(expected)}"
            return _misshapen(cases, seed, env, why, expected, got, _formula_mistake(module, cases, target, grade))
        close = _close(shaped, expected, rtol)
        if not bool(close.all()) and got.numel() == 1 < expected.numel():  # one number for many
            why = f"your expression gives one number; the answer has one per element ({_shape(expected)})"
            return _misshapen(cases, seed, env, why, expected, got, _reduction_hint(cases, rtol))
        if not bool(close.all()):
            index = tuple(int(i) for i in (~close).nonzero()[0]) if expected.dim() else ()
            return {
                "right": False,
                "cases": len(cases),
                "disagreement": {
                    "case": _label(seed),
                    "inputs": to_plain(inputs),
                    "index": list(index),
                    "elements": int(expected.numel()),
                    "wrong": [list(map(int, i)) for i in (~close).nonzero()[:12].tolist()] if expected.dim() else [],
                    "at": _at(env, expected, index, _reduced_axes([text, reference], names)),
                    "expected": float(expected[index]),
                    "got": float(shaped[index]),
                },
                "hint": _formula_mistake(module, cases, target, grade)
                or _factor(cases, rtol, _sign_words(target, variables), reference, names)
                or _offset(cases),
            }
    stress = [(str(name), float(magnitude)) for name, magnitude in request.get("stress") or []]
    if stress:  # scaled from the fixed example's bindings, already bound when it is among the cases
        fixed = next((env for seed, _, env, _, _ in cases if seed is None), None)
        if fixed is None:
            fixed = bind(variables, inputs_for(module, None))
        unstable = _stressed(text, reference, names, stress, fixed, rtol)
        if unstable is not None:
            return {"right": False, "cases": len(cases), "unstable": unstable}
    return {"right": True, "cases": len(cases)}


# -- stability: the card's `stress` case ------------------------------------------------------


def stress_label(stress: list[tuple[str, float]]) -> str:
    """`z up to ±1000`, `lr, lf up to ±1000`: how the verdict names the stress case."""
    names: dict[float, list[str]] = {}
    for name, magnitude in stress:
        names.setdefault(magnitude, []).append(name)
    return "; ".join(f"{', '.join(group)} up to ±{magnitude:g}" for magnitude, group in names.items())


def stress_envs(env: dict[str, torch.Tensor], stress: list[tuple[str, float]]) -> list[dict[str, torch.Tensor]]:
    """The fixed example with each stressed variable scaled so its largest |value| is the magnitude
    (signs kept), then the same with those signs flipped: a naive log σ(z) overflows on one side or the other."""
    scaled = dict(env)
    for name, magnitude in stress:
        value = env.get(name)
        if value is None or not value.is_floating_point():
            raise Unusable(f"stress: '{name}' is not a real-valued variable, so it cannot be scaled")
        peak = float(value.abs().max()) if value.numel() else 0.0
        if not 0 < peak < math.inf:
            raise Unusable(f"stress: '{name}' is 0 on the fixed example, so it cannot be scaled to ±{magnitude:g}")
        scaled[name] = value * (magnitude / peak)
    flipped = {**scaled, **{name: -scaled[name] for name, _ in stress}}
    return [scaled, flipped]


def _stressed(
    text: str,
    reference: str,
    names: list[str],
    stress: list[tuple[str, float]],
    env: dict[str, torch.Tensor],
    rtol: float,
) -> dict[str, Any] | None:
    """Where `text` is not stable: inf/nan, or away from the reference, on a stress case (None: stable).

    The reference expression is the answer there (the snippet's own inputs are not scaled); it
    must be finite, or the card is at fault."""
    label = stress_label(stress)
    for stressed in stress_envs(env, stress):
        try:
            expected = _run(reference, names, stressed)
        except (ExpressionError, RuntimeError) as e:
            raise Unusable(
                f"its expression cannot be evaluated at {label} (its stress case): {_first_line(e)}"
            ) from None
        if not bool(torch.isfinite(expected).all()):
            raise Unusable(f"its expression is not finite at {label} (its stress case): {_word(expected)}")
        try:
            got = _run(text, names, stressed)
        except Exception as e:  # noqa: BLE001 - what the typed formula trips on there is its answer
            return {"at": label, "got": f"an error ({_first_line(e)})"}
        shaped = _shaped(got, expected)
        if shaped is None:
            return {"at": label, "got": _shape(got), "expected": _shape(expected)}
        bad = ~torch.isfinite(shaped) | ~_close(shaped, expected, rtol)
        if bool(bad.any()):
            index = tuple(int(i) for i in bad.nonzero()[0]) if expected.dim() else ()
            return {
                "at": label,
                "index": list(index),
                "elements": int(expected.numel()),
                "got": _word(shaped[index]),
                "expected": float(expected[index]),
            }
    return None


def _word(value: torch.Tensor) -> float | str:
    """A value for the reply: a float, or the first of inf / -inf / nan it holds (JSON has no inf)."""
    flat = value.reshape(-1)
    odd = flat[~torch.isfinite(flat)]
    if odd.numel():
        first = float(odd[0])
        return "nan" if first != first else ("inf" if first > 0 else "-inf")
    return float(flat[0])


def _label(seed: int | None) -> str:
    return "the fixed example" if seed is None else f"random problem {seed}"


def _raw(inputs: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in inputs.items() if isinstance(v, torch.Tensor)}


WHOLE = 8  # a variable of at most this many elements is shown whole where the answer reduces over it


def _at(
    env: dict[str, torch.Tensor], expected: torch.Tensor, index: tuple[int, ...], axes: set[int | None]
) -> dict[str, Any]:
    """Each variable's value at the disagreeing element (where it broadcasts to the answer's shape).

    Where the expressions reduce (`axes`: softmax over a row, a group's mean), one element is not
    what the answer depends on: a small variable is shown whole, a matrix by the row (or column)
    reduced over, so the expected value can be worked out from what is shown."""
    shown: dict[str, Any] = {}
    for name, value in env.items():
        if value.numel() == 1:
            shown[name] = float(value.reshape(()))
            continue
        axis = _along(axes, expected)
        try:
            if not index or (axes and (value.numel() <= WHOLE or axis is None)):
                shown[name] = to_plain(value)
            elif axis is not None:
                line: list[Any] = list(index)
                line[axis] = slice(None)
                where = f"row {index[0] + 1}" if axis == 1 else f"column {index[1] + 1}"
                shown[f"{name} ({where})"] = to_plain(value.expand(expected.shape)[tuple(line)])
            else:
                shown[name] = float(value.expand(expected.shape)[index])
        except RuntimeError:
            shown[name] = to_plain(value)
    return shown


def _along(axes: set[int | None], expected: torch.Tensor) -> int | None:
    """The one axis (0 or 1) of a matrix answer that the expressions reduce over; None: another shape, or all of it."""
    if expected.dim() != 2 or len(axes) != 1 or None in axes:
        return None
    axis = next(iter(axes))
    return axis % 2 if axis is not None and -2 <= axis <= 1 else None


def _reduced_axes(texts: list[str], names: list[str]) -> set[int | None]:
    """The axes the expressions reduce over: None is every element (a sum or mean without an axis, a
    matrix product); softmax and logsumexp without one are over the last axis, as evaluated."""
    axes: set[int | None] = set()
    for text in texts:
        try:
            tree = _parse(text, tuple(names)).tree
        except ExpressionError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in AXIS_ARGUMENT:
                axes.add(_axis_of(node.func.id, node.args))
            elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
                axes.add(None)
    return axes


def _factor(cases: list[Any], rtol: float, sign: str | None, reference: str, names: list[str]) -> str | None:
    """factor_hint over every case's wrong elements (a case that agrees: all of it, as evidence for a
    sum where its batch is 1): the cases tell a sum vs mean from a missing ½."""
    wrong = []
    for _seed, inputs, _env, want, value in cases:
        shaped = _shaped(value, want)
        if shaped is None:
            return None
        off = ~_close(shaped, want, rtol)
        if not bool(off.any()):
            off = torch.ones_like(off)
        wrong.append((shaped[off], want[off], _raw(inputs)))
    return factor_hint(wrong, sign=sign, reduction=_outer_reduction(reference, names))


def _outer_reduction(text: str, names: list[str]) -> str | None:
    """The reference's outermost sum or mean ("sum" for Kendall's sum over tasks), None if neither."""
    try:
        tree = _parse(text, tuple(names)).tree
    except ExpressionError:
        return None
    for node in ast.walk(tree):  # breadth first: the outermost call first
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("sum", "mean"):
            return node.func.id
    return None


def _sign_words(target: str, variables: list[list[str]]) -> str | None:
    """For a gradient w.r.t. an input that a card variable is a residual of (r: y - y_hat), what a
    flipped sign there is: the chain rule through the residual (∂r/∂ŷ = −1). None: the generic words."""
    if not target.startswith("grad:"):
        return None
    x = target[5:]
    for name, binding in variables:
        try:
            node = ast.parse(binding, mode="eval").body
        except SyntaxError:
            continue
        if not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub)):
            continue
        sides = [s.id for s in (node.left, node.right) if isinstance(s, ast.Name)]
        if len(sides) == 2 and sides[0] != sides[1] and x in sides:
            r, wrt = pretty(ast.Name(id=name)), pretty(ast.Name(id=x))
            slope = "−1" if sides[1] == x else "+1"
            through = f"{r} = {pretty(node)} (∂{r}/∂{wrt} = {slope})"
            return f"the reference with the sign flipped: the chain rule through {through}?"
    return None


def _offset(cases: list[Any]) -> str | None:
    """The typed formula minus the answer is one constant on every case (log-cosh without its −log 2)."""
    got, expected = [], []
    for _seed, _inputs, _env, want, value in cases:
        shaped = _shaped(value, want)
        if shaped is None:
            return None
        got.append(_float(shaped).reshape(-1))
        expected.append(want.reshape(-1))
    return offset_hint(torch.cat(got), torch.cat(expected))


def _formula_mistake(module: ModuleType, cases: list[Any], target: str, grade: str | None) -> str | None:
    """A snippet mistake the typed formula reproduces on every case.

    mistakes() are values of the graded value, so a step target is compared as the right step
    becomes that value (_graded_as): pinball's per_element by its mean (its "loss" part), GRPO's
    advantages by the first one, so a per-element formula missing its ½ is still named.
    """
    if not callable(getattr(module, "mistakes", None)):
        return None
    names: list[str] | None = None
    for _seed, inputs, _env, expected, got in cases:
        found = set()
        for part, reduce in _graded_as(module, inputs, expected, target, grade):
            found |= set(matching_mistakes(_mistake_values(module, inputs, part), _float(reduce(got))))
        names = [n for n in (found if names is None else names) if n in found]
        if not names:
            return None
    return " — or: ".join(names) if names else None


def _misshapen(
    cases: list[Any], seed: Any, env: dict[str, torch.Tensor], why: str, expected: Any, got: Any, hint: str | None
) -> dict[str, Any]:
    """Wrong by shape: the whole of both answers, as no element lines up with another, and every
    variable whole under the card's names (the ones typed, not the snippet's arguments)."""
    disagreement = {"case": _label(seed), "with": _at(env, expected, (), set()), "why": why}
    disagreement |= {"expected": to_plain(expected), "got": to_plain(got)}
    return {"right": False, "cases": len(cases), "disagreement": disagreement, "hint": hint}


def _reduction_hint(cases: list[Any], rtol: float) -> str:
    """A single number where each element has its own: which reduction of the right answer it is."""
    for name, reduce in (("sum", _sum), ("mean", _mean)):
        if all(
            got.numel() == 1 and bool(_close(_float(got).reshape(()), reduce(expected), rtol))
            for *_, expected, got in cases
        ):
            return f"that is their {name}; the card asks for each element's value (no reduction)"
    return "the card asks for each element's value (no reduction): drop the sum or mean"


def _same(t: torch.Tensor) -> torch.Tensor:
    return t


def _mean(t: torch.Tensor) -> torch.Tensor:
    return _float(t).mean()


def _sum(t: torch.Tensor) -> torch.Tensor:
    return _float(t).sum()


def _first(t: torch.Tensor) -> torch.Tensor:
    return t.reshape(-1)[0]


Reduction = Callable[[torch.Tensor], torch.Tensor]


def _graded_as(
    module: ModuleType, inputs: dict[str, Any], expected: torch.Tensor, target: str, grade: str | None
) -> list[tuple[str | None, Reduction]]:
    """How the right answer becomes the graded value: (the value's part, a reduction of the answer).

    The value itself for a "value" target; for a step, each of its mean, sum or first element that
    equals the graded value (or, where the value has parts and the card names none, one of them)."""
    if target == "value":
        return [(grade, _same)]
    value = module.loss(**inputs)["value"]
    parts = list(value) if isinstance(value, dict) and grade is None else [grade]
    found: list[tuple[str | None, Reduction]] = []
    for part in parts:
        try:
            number = _graded(value, part)
        except Unusable:
            continue
        found += [(part, r) for r in (_mean, _sum, _first) if matching_mistakes({"": number}, _float(r(expected)))]
    return found


def _mistake_values(module: ModuleType, inputs: dict[str, Any], grade: str | None) -> dict[str, Any]:
    try:
        values = module.mistakes(**inputs)
    except Exception:  # noqa: BLE001 - a mistakes() that does not apply here names nothing
        return {}
    out = {}
    for message, value in dict(values).items():
        try:
            out[str(message)] = _graded(value, grade)
        except Unusable:
            continue
    return out


# -- numeric answers --------------------------------------------------------------------------


def diagnose(module: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    """Which classic mistake a wrong typed number is: the snippet's mistakes(), else a constant factor."""
    from lossquiz.study.grading import is_correct

    inputs = inputs_for(module, request.get("seed"))
    answer, tolerance, grade = float(request["answer"]), float(request["tolerance"]), request.get("grade")
    matches = []
    if callable(getattr(module, "mistakes", None)):
        for message, value in _mistake_values(module, inputs, grade).items():
            try:
                v = float(_tensor(value).reshape(()))
            except (RuntimeError, ValueError, TypeError):
                continue
            if is_correct(answer, v, tolerance):
                matches.append(message)
    if matches:
        return {"hint": " — or: ".join(matches)}
    expected = float(_tensor(_graded(module.loss(**inputs)["value"], grade)).reshape(()))
    a, e = torch.tensor([answer], dtype=torch.float64), torch.tensor([expected], dtype=torch.float64)
    return {"hint": factor_hint([(a, e, _raw(inputs))])}


def given(module: ModuleType, seed: int | None) -> dict[str, Any]:
    """The snippet's given() values for one problem ({} if it defines none)."""
    supply = getattr(module, "given", None)
    if not callable(supply):
        return {"given": {}}
    values = supply(**inputs_for(module, seed))
    return {"given": {str(k): float(v) for k, v in dict(values).items()}}


# -- auditing problems: what a hand solver would need -----------------------------------------

TRANSCENDENTAL = {
    "exp",
    "exp_",
    "expm1",
    "log",
    "log_",
    "log2",
    "log10",
    "log1p",
    "sigmoid",
    "logsigmoid",
    "softplus",
    "logsumexp",
    "softmax",
    "log_softmax",
    "tanh",
    "erf",
    "lgamma",
    "digamma",
    "logit",
    "xlogy",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "nll_loss",
    "kl_div",
}


KNOWN = (math.log(2), math.log(10))  # ln 2 and ln 10: values an interviewer expects you to know


def _round(x: float) -> bool:
    """A value a person writes down without a calculator: a multiple of 0.01, ±ln 2, ±ln 10 (or not finite)."""
    if not math.isfinite(x) or any(math.isclose(abs(x), k, rel_tol=1e-6) for k in KNOWN):
        return True
    return abs(x * 100 - round(x * 100)) <= 1e-6 * max(1.0, abs(x) * 100)


class _Trace(TorchFunctionMode):
    """Follows non-round transcendental results through every later torch call (data flow), so
    the audit asks only about values the graded number depends on: a snippet's extra steps (a KL
    shown beside a TV distance) need no calculator."""

    def __init__(self) -> None:
        super().__init__()
        self.origin: dict[int, str] = {}  # id(tensor) -> the non-round call it depends on
        self._alive: list[torch.Tensor] = []  # keeps traced tensors alive, so ids are not reused

    def _taint(self, value: Any) -> str | None:
        if not self.origin:  # nothing traced yet (most calls): no need to walk the arguments
            return None
        if isinstance(value, torch.Tensor):
            return self.origin.get(id(value))
        if isinstance(value, (list, tuple)):
            return next((t for t in (self._taint(v) for v in value) if t), None)
        if isinstance(value, dict):
            return self._taint(list(value.values()))
        return None

    def _mark(self, value: Any, origin: str) -> None:
        if isinstance(value, torch.Tensor):
            self.origin[id(value)] = origin
            self._alive.append(value)
        elif isinstance(value, (list, tuple)):
            for v in value:
                self._mark(v, origin)

    def __torch_function__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        result = func(*args, **(kwargs or {}))
        origin = self._taint(args) or self._taint(kwargs or {})
        name = getattr(func, "__name__", "")
        if (
            origin is None
            and name in TRANSCENDENTAL
            and isinstance(result, torch.Tensor)
            and result.is_floating_point()
        ):
            values = result.detach().reshape(-1)[:64].tolist()
            odd = [v for v in values if not _round(v)]
            if odd:
                origin = f"{name} → {odd[0]:.4g}"
        if origin is not None:
            self._mark(result, origin)
        return result


def audit(module: ModuleType, seeds: list[int | None], grade: str | None = None) -> dict[str, Any]:
    """The first problems whose graded value needs a non-round exp/log/... value, and whether given() covers them."""
    needs = []
    supplies = callable(getattr(module, "given", None))
    for seed in seeds:
        inputs = inputs_for(module, seed)
        trace = _Trace()
        with trace, torch.no_grad():
            value = module.loss(**inputs)["value"]
            if isinstance(value, dict) and grade in value:
                value = value[grade]
            origin = trace._taint(value)
        if origin is not None:
            covered = supplies and bool(given(module, seed)["given"])
            if not covered:
                needs.append({"case": _label(seed), "calls": [origin]})
                if len(needs) >= 3:
                    break
    return {"needs": needs, "given": supplies}


def values(module: ModuleType, seeds: list[int], grade: str | None) -> dict[str, Any]:
    """The graded value of each problem (scalars; a non-scalar comes back as None)."""
    out: list[float | None] = []
    for seed in seeds:
        value = _tensor(_graded(module.loss(**inputs_for(module, seed))["value"], grade))
        out.append(float(value.reshape(())) if value.numel() == 1 else None)
    return {"values": out}


# -- the request ------------------------------------------------------------------------------


def handle(module: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    """Answer one {"op": "recall"} request; a card at fault comes back as {"unusable": "..."}."""
    mode = request.get("mode")
    try:
        if mode == "formula":
            return grade_expression(module, request, str(request["expression"]))
        if mode == "validate":
            verdict = grade_expression(module, request, str(request["reference"]))
            if "error" in verdict:
                return {"unusable": f"its expression: {verdict['error']}"}
            return verdict
        if mode == "diagnose":
            return diagnose(module, request)
        if mode == "given":
            return given(module, request.get("seed"))
        if mode == "audit":
            return audit(module, list(request.get("seeds", [None])), request.get("grade"))
        if mode == "values":
            return values(module, [int(s) for s in request.get("seeds", [])], request.get("grade"))
    except Unusable as e:
        return {"unusable": str(e)}
    raise ValueError(f"unknown recall mode {mode!r}")
