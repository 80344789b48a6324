"""What `check` made cheaper stays the same: seeding, parsed formulas, infonce_mi_bound's reference."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from lossquiz import paths
from lossquiz.deck import trust
from lossquiz.worker.client import SnippetRunner
from tests.conftest import trust_deck, write_snippet

pytestmark = pytest.mark.torch
torch = pytest.importorskip("torch")

from lossquiz.study.expression import ExpressionError  # noqa: E402 - after the torch skip
from lossquiz.worker import formula_eval, process  # noqa: E402

INFONCE = paths.builtin_deck() / "snippets" / "infonce_mi_bound.py"

MONTE_CARLO = """
import torch
REFERENCE = "none: only the draws matter here"
def example(): return {"n": 3}
def problem(rng): return {"n": rng.randint(2, 4)}
def loss(n): return {"value": torch.rand(n, dtype=torch.float64)}
def reference(n): return torch.zeros(n, dtype=torch.float64)
"""


def test_the_worker_seeds_each_problem_as_torch_manual_seed_does(deck_dir: Path) -> None:
    """A snippet drawing from torch's global generator sees the stream torch.manual_seed(seed) starts."""
    path = write_snippet(deck_dir, "draws", MONTE_CARLO)
    trust_deck(deck_dir)
    with SnippetRunner(trust.gate(deck_dir, paths.data_dir(None)), timeout=30.0) as runner:
        example = runner.run(path).data
        problem = runner.run(path, seed=7).data
    assert example is not None and problem is not None
    torch.manual_seed(0)
    assert example["value"] == torch.rand(3, dtype=torch.float64).tolist()
    n = problem["inputs"]["n"]
    torch.manual_seed(7)
    assert problem["value"] == torch.rand(n, dtype=torch.float64).tolist()


def test_reseed_leaves_torch_manual_seed_alone_on_a_cpu_only_build(monkeypatch: pytest.MonkeyPatch) -> None:
    """Its cost (a formatted stack per accelerator, per call) is what reseed avoids."""
    if not process._cpu_only():
        pytest.skip("this torch has an accelerator built in")

    def refuse(seed: int) -> None:
        raise AssertionError("torch.manual_seed was called")

    monkeypatch.setattr(torch, "manual_seed", refuse)
    process.reseed(5)
    first = torch.rand(4)
    process.reseed(5)
    assert torch.equal(torch.rand(4), first)


def test_reseed_is_torch_manual_seed_where_an_accelerator_is_built(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []
    monkeypatch.setattr(process, "_cpu_only", lambda: False)
    monkeypatch.setattr(torch, "manual_seed", seen.append)
    process.reseed(11)
    assert seen == [11]


def test_a_bad_formula_is_refused_every_time_not_only_the_first() -> None:
    """Parses are cached; a refusal is not, so a second evaluation is refused the same way."""
    env = {"r": torch.tensor([1.0, 2.0], dtype=torch.float64)}
    for _ in range(2):
        with pytest.raises(ExpressionError):
            formula_eval._run("r +* 2", ["r"], env)
    assert formula_eval._run("0.5*r^2", ["r"], env).tolist() == [0.5, 2.0]
    assert formula_eval._run("0.5*r^2", ["r"], {"r": torch.tensor([3.0])}).tolist() == [4.5]


def _infonce() -> ModuleType:
    spec = importlib.util.spec_from_file_location("infonce_mi_bound_under_test", INFONCE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("rho", "dim"), [(0.5, 1), (0.9, 2), (0.99, 4)])
def test_infonce_true_mi_is_what_multivariate_normal_entropies_give(rho: float, dim: int) -> None:
    """The reference's Cholesky route agrees with torch.distributions, the route it replaced."""
    from torch.distributions import MultivariateNormal

    eye = torch.eye(dim, dtype=torch.float64)
    joint = torch.cat([torch.cat([eye, rho * eye], 1), torch.cat([rho * eye, eye], 1)], 0)
    expected = (
        2 * MultivariateNormal(torch.zeros(dim, dtype=torch.float64), eye).entropy()
        - MultivariateNormal(torch.zeros(2 * dim, dtype=torch.float64), joint).entropy()
    )
    got = _infonce().reference(rho=rho, dim=dim, batch=16, n_batches=2, seed=3)["true_mi"]
    assert float(got) == pytest.approx(float(expected), rel=1e-12)


def test_infonce_reference_imports_no_sympy() -> None:
    """MultivariateNormal's construction imported sympy (0.5 s in a warm worker); the reference must not."""
    code = (
        "import importlib.util, sys, torch, torch.distributions, torch.nn.functional\n"
        f"spec = importlib.util.spec_from_file_location('s', {str(INFONCE)!r})\n"
        "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n"
        "m.reference(**m.example())\n"
        "print('sympy' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
