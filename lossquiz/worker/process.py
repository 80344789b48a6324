"""The process that runs snippets: `python -m lossquiz.worker.process`.

It imports torch once, says it is ready, then answers JSON-line requests on stdin. Snippets
run here, never in the CLI process, so one that raises, hangs or exits cannot take the
user's session (or progress) with it. Snippet prints go to stderr so they cannot corrupt
the protocol on stdout.

The messages are defined in lossquiz/worker/protocol.py. The CLI first sends the trusted
deck's code ({"op": "load", "files": {name: source}}); every later request names a file of it
("file": "snippets/huber.py"). Deck code is compiled from those bytes only: this process never
reads a deck file, imports a helper only from the loaded snippets/ files, and reads no bytecode.
It runs with `python -I` in a folder of its own, under resource limits (apply_limits).
The "recall" op (formula cards) is lossquiz/worker/formula_eval.py.
"""

from __future__ import annotations

import functools
import importlib.abc
import importlib.machinery
import json
import math
import os
import random
import resource
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

DEFAULT_RTOL = 1e-4
DEFAULT_ATOL = 1e-6
_modules: dict[str, ModuleType] = {}
FILES: dict[str, bytes] = {}  # the trusted deck's code, as the CLI sent it: deck-relative name -> bytes


class _DeckHelpers(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """`import helper` in a snippet finds snippets/helper.py among the loaded files, nowhere else."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if "." in fullname or f"snippets/{fullname}.py" not in FILES:
            return None
        return importlib.machinery.ModuleSpec(fullname, self, origin=f"snippets/{fullname}.py")

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        name = f"snippets/{module.__name__}.py"
        module.__file__ = name
        exec(compile(FILES[name], name, "exec", dont_inherit=True), module.__dict__)  # noqa: S102


def source_of(name: str) -> bytes:
    """The loaded bytes of a deck file; KeyError-free: a name not loaded is refused."""
    if name not in FILES:
        raise FileNotFoundError(f"{name} is not a trusted file of the deck")
    return FILES[name]


def _load(name: str) -> ModuleType:
    """Compile and run a snippet from the loaded bytes (once per worker: they never change)."""
    if name not in _modules:
        module = ModuleType(f"lossquiz_snippet_{Path(name).stem}")
        module.__file__ = name
        sys.modules[module.__name__] = module  # dataclasses defined in the snippet look their module up
        exec(compile(source_of(name), name, "exec", dont_inherit=True), module.__dict__)  # noqa: S102
        for attr in ("example", "problem", "loss", "reference"):
            if not callable(getattr(module, attr, None)):
                raise AttributeError(f"snippet defines no {attr}() function")
        _modules[name] = module
    return _modules[name]


def to_plain(x: Any) -> Any:
    """Tensors and numbers to JSON-ready lists, floats and ints (non-finite -> None)."""
    import torch

    if isinstance(x, torch.Tensor):
        x = x.detach()
        if x.dtype == torch.bool:
            x = x.float()
        if x.dtype in (torch.float32, torch.float16, torch.bfloat16):
            # float32 keeps 6 significant digits (FLT_DIG): print 4.2, not 4.199999809265137, and
            # 4 - 4.2 as -0.2, not -0.1999998 (a 7th digit is the inputs' rounding, not the loss)
            return _round(to_plain(x.tolist()))
        return to_plain(x.tolist())
    if isinstance(x, dict):
        return {str(k): to_plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [to_plain(v) for v in x]
    if isinstance(x, bool):
        return x
    if isinstance(x, float):
        return x + 0.0 if math.isfinite(x) else None  # + 0.0: -0.0 (a sign() or -x of 0) is 0.0 for scripts
    return x


def _round(x: Any) -> Any:
    if isinstance(x, list):
        return [_round(v) for v in x]
    return float(f"{x:.6g}") if isinstance(x, float) else x


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


def reseed(seed: int) -> None:
    """`torch.manual_seed(seed)` as a CPU-only torch sees it, without its cost.

    torch.manual_seed also queues a seed for CUDA, XPU and MTIA, each with a formatted stack
    trace (torch.cuda._lazy_call), ~1 ms a call: with one call per problem, about a third of `check`'s
    worker time was spent there. On a build with no accelerator the CPU generator is all it changes, so it is
    seeded alone; on any other build (or once a snippet has initialised CUDA) torch.manual_seed runs.
    """
    import torch

    if _cpu_only() and not torch.cuda.is_initialized():  # type: ignore[no-untyped-call]
        torch.default_generator.manual_seed(seed)
    else:
        torch.manual_seed(seed)


@functools.cache
def _cpu_only() -> bool:
    """This torch was built without CUDA, ROCm, MPS or XPU (the CPU wheel lossquiz installs)."""
    import torch

    cuda = torch.backends.cuda.is_built()  # type: ignore[no-untyped-call]
    accelerators = (cuda, torch.backends.mps.is_built(), torch.xpu._is_compiled())
    return not any(accelerators) and torch.version.hip is None


def solve(module: ModuleType, seed: int | None) -> dict[str, Any]:
    """Run one problem (the fixed example when seed is None) through both routes."""
    reseed(0 if seed is None else seed)  # for snippets with Monte Carlo parts
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
    draw = getattr(module, "plot", None)
    if not callable(draw):
        raise AttributeError("snippet defines no plot() function")
    reseed(0)  # for snippets that sample
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
    path = str(request.get("file") or request.get("path") or "")
    try:
        if request["op"] == "load":
            FILES.clear()
            FILES.update({str(k): str(v).encode("latin-1") for k, v in request["files"].items()})
            _modules.clear()
            return {"ok": True}
        if request["op"] == "practice":  # a practice task and the user's attempt, not a snippet
            from lossquiz.worker.practice_grader import grade_attempt

            return {"ok": True, **grade_attempt(request)}
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


LIMITS = {  # resource: (environment variable, default, unit in bytes or 1)
    "RLIMIT_AS": ("LOSSQUIZ_WORKER_MEMORY_MB", 4096, 1024 * 1024),
    "RLIMIT_CPU": ("LOSSQUIZ_WORKER_CPU_SECONDS", 600, 1),
    "RLIMIT_FSIZE": ("LOSSQUIZ_WORKER_FILE_MB", 64, 1024 * 1024),
    "RLIMIT_NPROC": ("LOSSQUIZ_WORKER_PROCESSES", 256, 1),  # on top of the user's current threads
}


def apply_limits() -> dict[str, int]:
    """Lower this process's resource limits (each overridable; 0 leaves one as it is)."""
    applied: dict[str, int] = {}
    for name, (variable, default, unit) in LIMITS.items():
        try:
            value = int(os.environ.get(variable, default))
        except ValueError:
            value = default
        if value <= 0 or not hasattr(resource, name):
            continue
        which = getattr(resource, name)
        limit = value * unit
        if name == "RLIMIT_AS":  # torch has mapped a lot already: the limit is on top of that
            limit += _mapped_bytes()
        if name == "RLIMIT_NPROC":  # the kernel counts every thread of the user: room on top of those
            limit += _user_tasks()
        soft, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        try:
            resource.setrlimit(which, (limit, hard if name != "RLIMIT_CPU" else max(limit + 5, 0)))
        except (ValueError, OSError):
            try:
                resource.setrlimit(which, (limit, hard))
            except (ValueError, OSError):
                continue
        applied[name] = limit
    return applied


def _user_tasks() -> int:
    """How many threads this user runs now (RLIMIT_NPROC counts them all, not just this process's)."""
    uid, count = os.getuid(), 0
    try:
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    if entry.stat().st_uid == uid:
                        count += len(os.listdir(f"/proc/{entry.name}/task"))
                except OSError:
                    continue
    except OSError:
        return 0
    return count


def _mapped_bytes() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def main() -> None:
    """Serve requests until stdin closes."""
    out = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # whatever a snippet prints lands on stderr, not in the protocol
    sys.dont_write_bytecode = True
    try:
        import torch
        import torch.distributions  # noqa: F401 - imported now, so no snippet pays for it in its time limit
        import torch.nn.functional  # noqa: F401
        import torch.optim  # noqa: F401 - pulls in torch._dynamo (seconds): paid here, not in a snippet's time
    except ImportError:
        out.write(json.dumps({"ready": False, "error": "torch is not installed"}) + "\n")
        return
    torch.set_num_threads(1)  # tiny tensors: threads only add start-up and jitter
    sys.meta_path.insert(0, _DeckHelpers())
    apply_limits()
    out.write(json.dumps({"ready": True, "torch": torch.__version__}) + "\n")
    for line in sys.stdin:
        if line.strip():
            try:
                request = json.loads(line)
            except ValueError:
                request = {"op": "?"}
            out.write(json.dumps(handle(request), default=str) + "\n")


if __name__ == "__main__":
    sys.modules["lossquiz.worker.process"] = sys.modules[__name__]  # one FILES, also for practice_grader
    main()
