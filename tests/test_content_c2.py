"""Content checks for the metric, regularization and probabilistic topics (writer c2).

- every formula card's reference `expression` agrees with its snippet target on the fixed
  example and 20 random problems, evaluated by a tiny test-only evaluator (torch functions
  mapped by name; a stand-in until the package's expression engine lands);
- numeric/gradient cards resist constant guesses (< 10% of 400 draws);
- mistakes() returns values shaped like the graded value that differ from it on most
  problems; given() returns named floats.
"""

from __future__ import annotations

import ast
import importlib.util
import math
import random
from pathlib import Path

import pytest
import yaml

torch = pytest.importorskip("torch")
F = torch.nn.functional

ROOT = Path(__file__).resolve().parent.parent / "content"
FILES = ("03-metric.yaml", "04-regularization.yaml", "05-probabilistic.yaml")
CARDS = [c for f in FILES for c in yaml.safe_load((ROOT / "cards" / f).read_text(encoding="utf-8"))]
BY_ID = {c["id"]: c for c in CARDS}


def _snippet(name: str):
    path = ROOT / "snippets" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"c2_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- a tiny evaluator for the expression language of the brief (test only) -----------------


def _t(x):
    return x if isinstance(x, torch.Tensor) else torch.tensor(float(x), dtype=torch.float64)


def _ax(axis):
    return int(axis.item()) if isinstance(axis, torch.Tensor) else int(axis)


FUNCS = {
    "abs": lambda x: _t(x).abs(),
    "exp": lambda x: _t(x).exp(),
    "log": lambda x: _t(x).log(),
    "log2": lambda x: _t(x).log2(),
    "sqrt": lambda x: _t(x).sqrt(),
    "sigmoid": lambda x: torch.sigmoid(_t(x)),
    "logsigmoid": lambda x: F.logsigmoid(_t(x)),
    "softplus": lambda x: F.softplus(_t(x)),
    "tanh": lambda x: _t(x).tanh(),
    "relu": lambda x: torch.relu(_t(x)),
    "sign": lambda x: _t(x).sign(),
    "max": lambda a, b: torch.maximum(_t(a), _t(b)),
    "min": lambda a, b: torch.minimum(_t(a), _t(b)),
    "clip": lambda x, lo, hi: torch.clamp(_t(x), float(lo), float(hi)),
    "where": lambda c, a, b: torch.where(c, _t(a), _t(b)),
    "sum": lambda x, axis=None: _t(x).sum() if axis is None else _t(x).sum(_ax(axis)),
    "mean": lambda x, axis=None: _t(x).mean() if axis is None else _t(x).mean(_ax(axis)),
    "logsumexp": lambda x, axis: torch.logsumexp(_t(x), _ax(axis)),
    "softmax": lambda x, axis: torch.softmax(_t(x), _ax(axis)),
    "log_softmax": lambda x, axis: torch.log_softmax(_t(x), _ax(axis)),
    "norm": lambda x, axis: _t(x).norm(dim=_ax(axis)),
    "transpose": lambda x: _t(x).mT if _t(x).dim() >= 2 else _t(x),
    "onehot": lambda target, like: F.one_hot(target.long(), _t(like).shape[-1]).to(torch.float64),
    "gather": lambda x, index: _t(x).gather(-1, index.long()[..., None])[..., 0],
}
BIN = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
    ast.MatMult: lambda a, b: a @ b,
}
CMP = {
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
}


def evaluate(expr: str, env: dict):
    def ev(node):
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return torch.tensor(float(node.value), dtype=torch.float64)
        if isinstance(node, ast.Name):
            if node.id == "pi":
                return torch.tensor(math.pi, dtype=torch.float64)
            return env[node.id]
        if isinstance(node, ast.BinOp):
            return BIN[type(node.op)](_t(ev(node.left)), _t(ev(node.right)))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            v = _t(ev(node.operand))
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            return CMP[type(node.ops[0])](_t(ev(node.left)), _t(ev(node.comparators[0])))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
            return FUNCS[node.func.id](*[ev(a) for a in node.args])
        raise ValueError(f"unsupported syntax: {ast.dump(node)}")

    return ev(ast.parse(expr.replace("^", "**"), mode="eval"))


def _as_env_value(v):
    if isinstance(v, torch.Tensor):
        return v.detach().to(torch.float64) if v.is_floating_point() else v
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return torch.tensor(v)
    if isinstance(v, float):
        return torch.tensor(v, dtype=torch.float64)
    return v


def _graded(card, value):
    if isinstance(value, dict):
        return value[card["grade"]]
    return value


def _target(card, module, inputs):
    target = card.get("target", "value")
    if target.startswith("grad:"):
        name = target[5:]
        inputs = dict(inputs)
        inputs[name] = inputs[name].detach().clone().float().requires_grad_(True)
        value = _graded(card, module.loss(**inputs)["value"])
        (grad,) = torch.autograd.grad(value, inputs[name])
        return grad
    steps = module.loss(**inputs)
    return _graded(card, steps["value"]) if target == "value" else steps[target]


def _problems(module, n=20):
    yield None, module.example()
    for seed in range(n):
        yield seed, module.problem(random.Random(seed))


FORMULA_CARDS = [c for c in CARDS if c["kind"] == "formula"]


def test_enough_formula_cards():
    assert len(FORMULA_CARDS) >= 9


@pytest.mark.parametrize("card", FORMULA_CARDS, ids=[c["id"] for c in FORMULA_CARDS])
def test_formula_expression_agrees_with_snippet(card):
    module = _snippet(card["snippet"])
    tol = card.get("tolerance", 0.001)
    for seed, inputs in _problems(module):
        torch.manual_seed(0 if seed is None else seed)
        env_inputs = {k: _as_env_value(v) for k, v in inputs.items()}
        env = {name: evaluate(binding, env_inputs) for name, binding in card["variables"].items()}
        got = evaluate(card["expression"], env)
        torch.manual_seed(0 if seed is None else seed)
        want = _target(card, module, inputs).detach().to(torch.float64)
        assert got.shape == want.shape, (card["id"], seed, got.shape, want.shape)
        assert torch.allclose(got, want, rtol=tol, atol=1e-5), (card["id"], seed, got, want)


def test_formula_question_names_every_variable():
    for card in FORMULA_CARDS:
        for name in card["variables"]:
            assert f"`{name}`" in card["question"], (card["id"], name)


# -- numeric cards: constant guesses rarely pass ------------------------------------------

AUTO = [c for c in CARDS if c["kind"] in ("numeric", "gradient")]


@pytest.mark.parametrize("card", AUTO, ids=[c["id"] for c in AUTO])
def test_constant_guess_passes_rarely(card):
    module = _snippet(card["snippet"])
    tol = card.get("tolerance", 0.01)
    values = []
    for seed in range(400):
        torch.manual_seed(seed)
        values.append(float(_graded(card, module.loss(**module.problem(random.Random(seed)))["value"])))
    floor = 1e-4
    candidates = {round(v, 6) for v in values} | {0.0}
    worst = max(sum(abs(v - c) <= tol * abs(v) + floor for v in values) for c in candidates)
    assert worst / len(values) < 0.10, (card["id"], worst)


# -- mistakes() and given() ---------------------------------------------------------------

MY_SNIPPETS = sorted({c["snippet"] for c in CARDS if c.get("snippet")})


def _same_structure(a, b):
    if isinstance(a, dict) or isinstance(b, dict):
        return isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys()
    return torch.as_tensor(a).shape == torch.as_tensor(b).shape


def _differs(a, b):
    if isinstance(a, dict):
        return any(_differs(a[k], b[k]) for k in a)
    a, b = torch.as_tensor(a, dtype=torch.float64), torch.as_tensor(b, dtype=torch.float64)
    return not torch.allclose(a, b, rtol=0.01, atol=1e-4)


def test_enough_snippets_declare_mistakes():
    with_mistakes = [n for n in MY_SNIPPETS if callable(getattr(_snippet(n), "mistakes", None))]
    assert len(with_mistakes) >= 9, with_mistakes


def _declaring(function: str) -> list[str]:
    return [n for n in MY_SNIPPETS if callable(getattr(_snippet(n), function, None))]


@pytest.mark.parametrize("name", _declaring("mistakes"))
def test_mistakes_are_shaped_and_distinguishable(name):
    module = _snippet(name)
    counts: dict[str, int] = {}
    problems = list(_problems(module, n=30))
    for seed, inputs in problems:
        torch.manual_seed(0 if seed is None else seed)
        right = module.loss(**inputs)["value"]
        for message, wrong in module.mistakes(**inputs).items():
            assert isinstance(message, str) and message, name
            assert _same_structure(wrong, right), (name, message)
            counts[message] = counts.get(message, 0) + _differs(wrong, right)
    for message, n_diff in counts.items():
        assert n_diff >= len(problems) / 2, (name, message, n_diff)


@pytest.mark.parametrize("name", _declaring("given"))
def test_given_returns_named_floats(name):
    module = _snippet(name)
    for _, inputs in _problems(module, n=10):
        out = module.given(**inputs)
        # {} is allowed: that problem needs no transcendental value
        assert all(isinstance(k, str) and isinstance(v, float) for k, v in out.items()), (name, out)


def test_numeric_cards_are_workable_by_hand():
    """Each numeric/gradient card either has round problems, given() values, or calculator: true."""
    needs_values = {"infonce", "clip-loss", "kl-discrete", "vae-kl-gaussian", "bpr", "flow-log-likelihood"}
    for cid in needs_values:
        card = BY_ID[cid]
        assert card.get("calculator") or callable(getattr(_snippet(card["snippet"]), "given", None)), cid


def test_review_named_cards_were_changed_or_noted():
    changed = {
        "l1-vs-l2",
        "l2-vs-weight-decay",
        "elastic-net",
        "reparameterization-trick",
        "forward-vs-reverse-kl",
        "posterior-collapse",
        "contrastive-loss",
        "triplet-loss",
        "infonce",
        "clip-loss",
        "vicreg",
        "lasso-prox",
        "kl-discrete",
        "byol",
    }
    for cid in ("nt-xent", "elbo"):
        assert BY_ID[cid].get("review"), cid
    assert changed <= set(BY_ID)
