"""The process that runs snippets: `python -m lossquiz.worker.process`.

It imports torch once, says it is ready, then answers JSON-line requests on stdin. Snippets
run here, never in the CLI process, so one that raises, hangs or exits cannot take the
user's session (or progress) with it. Snippet prints go to stderr so they cannot corrupt
the protocol on stdout.

Request  {"op": "run", "path": ..., "seed": null | int}       -> {"ok": true, "result": {...}}
Request  {"op": "check", "path": ..., "seeds": [int, ...]}     -> {"ok": true, "results": [...]}
Request  {"op": "plot", "path": ...}                          -> {"ok": true, "plots": [{...}, ...]}
Request  {"op": "recall", "path": ..., "mode": ...}          -> see lossquiz/worker/formula_eval.py
Request  {"op": "practice", "path": <task>, "attempt": ..., ...} -> see lossquiz/practice_check.py
Failure  {"ok": false, "error": "<one line>"}
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import random
import sys
import traceback
from pathlib import Path
from types import ModuleType
from typing import Any

DEFAULT_RTOL = 1e-4
DEFAULT_ATOL = 1e-6
_modules: dict[tuple[str, float], ModuleType] = {}


def _load(path: str) -> ModuleType:
    """Import a snippet file by path (cached until it changes)."""
    key = (path, os.path.getmtime(path))
    if key not in _modules:
        folder = str(Path(path).parent)
        if folder not in sys.path:
            sys.path.insert(0, folder)  # lets a snippet import helpers beside it
        name = f"lossquiz_snippet_{Path(path).stem}"
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot import {path}")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for attr in ("example", "problem", "loss", "reference"):
            if not callable(getattr(module, attr, None)):
                raise AttributeError(f"snippet defines no {attr}() function")
        _modules[key] = module
    return _modules[key]


def to_plain(x: Any) -> Any:
    """Tensors and numbers to JSON-ready lists, floats and ints (non-finite -> None)."""
    import torch

    if isinstance(x, torch.Tensor):
        x = x.detach()
        if x.dtype == torch.bool:
            x = x.float()
        if x.dtype in (torch.float32, torch.float16, torch.bfloat16):
            # float32 carries ~7 significant digits: print 4.2, not 4.199999809265137
            return _round(to_plain(x.tolist()))
        return to_plain(x.tolist())
    if isinstance(x, dict):
        return {str(k): to_plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [to_plain(v) for v in x]
    if isinstance(x, bool):
        return x
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    return x


def _round(x: Any) -> Any:
    if isinstance(x, list):
        return [_round(v) for v in x]
    return float(f"{x:.7g}") if isinstance(x, float) else x


def _agree(value: Any, ref: Any, rtol: float, atol: float) -> bool:
    """Same structure, same shapes, and numerically close everywhere."""
    import torch

    if isinstance(value, dict) or isinstance(ref, dict):
        if not (isinstance(value, dict) and isinstance(ref, dict)) or value.keys() != ref.keys():
            return False
        return all(_agree(value[k], ref[k], rtol, atol) for k in value)
    a = torch.as_tensor(value, dtype=torch.float64)
    b = torch.as_tensor(ref, dtype=torch.float64)
    return a.shape == b.shape and bool(torch.allclose(a, b, rtol=rtol, atol=atol))


def solve(module: ModuleType, seed: int | None) -> dict[str, Any]:
    """Run one problem (the fixed example when seed is None) through both routes."""
    import torch

    torch.manual_seed(0 if seed is None else seed)  # for snippets with Monte Carlo parts
    inputs = module.example() if seed is None else module.problem(random.Random(seed))
    steps = module.loss(**inputs)
    if not isinstance(steps, dict) or "value" not in steps:
        raise TypeError("loss() must return a dict of named steps ending in 'value'")
    reference = module.reference(**inputs)
    tol = getattr(module, "TOLERANCE", {})
    rtol, atol = tol.get("rtol", DEFAULT_RTOL), tol.get("atol", DEFAULT_ATOL)
    return {
        "seed": seed,
        "inputs": to_plain(inputs),
        "steps": [{"name": k, "value": to_plain(v)} for k, v in steps.items() if k != "value"],
        "value": to_plain(steps["value"]),
        "reference": {
            "how": getattr(module, "REFERENCE", "reference()"),
            "value": to_plain(reference),
        },
        "agree": _agree(steps["value"], reference, rtol, atol),
    }


def plots(module: ModuleType) -> list[Any]:
    """The snippet's optional plot(): one plot dict or a list of them, as plain data.

    A plot is {"title", "x_label", "y_label", "series": [{"name", "x", "y"}, ...]} with
    optional "note" and "y_lim"; the curves are computed here, in the snippet, not by the CLI.
    """
    import torch

    draw = getattr(module, "plot", None)
    if not callable(draw):
        raise AttributeError("snippet defines no plot() function")
    torch.manual_seed(0)  # for snippets that sample
    result = draw()
    return list(to_plain(result if isinstance(result, (list, tuple)) else [result]))


def _one_line(exc: BaseException, path: str) -> str:
    """The exception and the snippet line it came from."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == path]
    where = f" (line {frames[-1].lineno})" if frames else ""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}{where}" if text else f"{type(exc).__name__}{where}"


def handle(request: dict[str, Any]) -> dict[str, Any]:
    """Answer one request; any failure of the snippet becomes {"ok": false, ...}."""
    path = request.get("path", "")
    try:
        if request["op"] == "practice":  # a practice task and the user's attempt, not a snippet
            from lossquiz.worker.practice_grader import check

            return {"ok": True, **check(request)}
        module = _load(path)
        if request["op"] == "run":
            return {"ok": True, "result": solve(module, request.get("seed"))}
        if request["op"] == "recall":  # formula cards, mistakes, given values (lossquiz/worker/formula_eval.py)
            from lossquiz.worker.formula_eval import handle as recall

            return {"ok": True, **recall(module, request)}
        if request["op"] == "plot":
            return {"ok": True, "plots": plots(module)}
        if request["op"] == "check":
            results = [solve(module, None)]
            results += [solve(module, s) for s in request.get("seeds", [])]
            return {"ok": True, "results": results}
        return {"ok": False, "error": f"unknown op {request['op']!r}"}
    except SystemExit as e:
        return {"ok": False, "error": f"snippet called sys.exit({e.code})"}
    except BaseException as e:  # noqa: BLE001 - any snippet failure is reported, not fatal
        if isinstance(e, KeyboardInterrupt):
            raise
        return {"ok": False, "error": _one_line(e, path)}


def main() -> None:
    """Serve requests until stdin closes."""
    out = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # whatever a snippet prints lands on stderr, not in the protocol
    try:
        import torch
    except ImportError:
        out.write(json.dumps({"ready": False, "error": "torch is not installed"}) + "\n")
        return
    torch.set_num_threads(1)  # tiny tensors: threads only add start-up and jitter
    # From here on, code is compiled from source only: trust (lossquiz/trust.py) covers a deck's
    # source files, and a __pycache__/*.pyc shipped inside a deck could hold other code.
    sys.dont_write_bytecode = True
    sys.pycache_prefix = os.path.join(os.devnull, "lossquiz")  # under a non-folder: never exists, never read
    out.write(json.dumps({"ready": True, "torch": torch.__version__}) + "\n")
    for line in sys.stdin:
        if line.strip():
            out.write(json.dumps(handle(json.loads(line))) + "\n")


if __name__ == "__main__":
    main()
