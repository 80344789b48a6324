"""Content checks for the gan and diffusion topics (writer c3).

- every formula card's `expression` agrees with its snippet target on the example and 20 problems,
  with a tiny test-only evaluator (expression-language names mapped to torch by name);
- the classic mistakes differ from the right value;
- numeric cards: a constant guess passes on < 10% of 400 problems;
- two limiting-case / Monte Carlo checks the snippets' references do not cover.
"""

from __future__ import annotations

import importlib.util
import random
import re
from pathlib import Path

import pytest
import yaml

torch = pytest.importorskip("torch")
F = torch.nn.functional

ROOT = Path(__file__).resolve().parents[1] / "content"
FILES = ["06-gan.yaml", "07-diffusion.yaml"]


def _cards():
    out = []
    for name in FILES:
        out += yaml.safe_load((ROOT / "cards" / name).read_text(encoding="utf-8"))
    return out


def _snippet(name):
    spec = importlib.util.spec_from_file_location(f"c3_{name}", ROOT / "snippets" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _t(x):
    return x if isinstance(x, torch.Tensor) else torch.tensor(float(x))


def _red(fn):
    def go(x, axis=None):
        x = _t(x)
        return fn(x) if axis is None else fn(x, dim=int(axis))

    return go


NAMESPACE = {
    "abs": lambda x: _t(x).abs(),
    "exp": lambda x: _t(x).exp(),
    "log": lambda x: _t(x).log(),
    "sqrt": lambda x: _t(x).sqrt(),
    "sigmoid": lambda x: torch.sigmoid(_t(x)),
    "logsigmoid": lambda x: F.logsigmoid(_t(x)),
    "softplus": lambda x: F.softplus(_t(x)),
    "tanh": lambda x: torch.tanh(_t(x)),
    "relu": lambda x: torch.relu(_t(x)),
    "sign": lambda x: _t(x).sign(),
    "max": lambda a, b: torch.maximum(_t(a), _t(b)),
    "min": lambda a, b: torch.minimum(_t(a), _t(b)),
    "clip": lambda x, lo, hi: _t(x).clamp(lo, hi),
    "where": lambda c, a, b: torch.where(c, _t(a), _t(b)),
    "sum": _red(torch.sum),
    "mean": _red(torch.mean),
    "pi": torch.pi,
    "logsumexp": lambda x, axis: torch.logsumexp(_t(x), dim=int(axis)),
    "softmax": lambda x, axis: torch.softmax(_t(x), dim=int(axis)),
    "norm": lambda x, axis: _t(x).norm(dim=int(axis)),
    "transpose": lambda x: _t(x).T,
}


def _eval(expr, env):
    """Test-only: the expression language is a subset of Python once ^ is **."""
    code = expr.replace("^", "**")
    assert not re.search(r"__|\bimport\b|\blambda\b", code), expr
    return eval(code, {"__builtins__": {}}, {**NAMESPACE, **env})  # noqa: S307 (trusted deck text)


def _inputs(module, seed):
    return module.example() if seed is None else module.problem(random.Random(seed))


def _target(module, card, inputs):
    target = card.get("target", "value")
    if target.startswith("grad:"):
        name = target[5:]
        inputs = dict(inputs)
        x = inputs[name].clone().float().requires_grad_(True)
        inputs[name] = x
        value = module.loss(**inputs)["value"]
        if card.get("grade"):
            value = value[card["grade"]]
        (g,) = torch.autograd.grad(value, x)
        return g
    steps = module.loss(**inputs)
    value = steps[target]
    if target == "value" and card.get("grade"):
        value = value[card["grade"]]
    return value


FORMULA = [c for c in _cards() if c["kind"] == "formula"]
NUMERIC = [c for c in _cards() if c["kind"] in ("numeric", "gradient")]


def test_enough_v2_content():
    cards = _cards()
    assert len(FORMULA) >= 8
    assert sum(1 for c in FORMULA if str(c.get("target", "")).startswith("grad:")) >= 2
    with_mistakes = {c["snippet"] for c in cards if c.get("snippet") and hasattr(_snippet(c["snippet"]), "mistakes")}
    assert len(with_mistakes) >= 8


@pytest.mark.parametrize("card", FORMULA, ids=[c["id"] for c in FORMULA])
def test_formula_expression_matches_snippet(card):
    module = _snippet(card["snippet"])
    for seed in [None, *range(20)]:
        inputs = _inputs(module, seed)
        env = dict(inputs)
        bound = {name: _eval(binding, env) for name, binding in card["variables"].items()}
        got = _t(_eval(card["expression"], bound)).double()
        want = _t(_target(module, card, inputs)).detach().double()
        assert got.shape == want.shape, (card["id"], seed, got.shape, want.shape)
        assert torch.allclose(got, want, rtol=1e-4, atol=1e-5), (card["id"], seed, got, want)


def _graded(card, value):
    return float(value[card["grade"]] if isinstance(value, dict) else value)


@pytest.mark.parametrize("card", NUMERIC, ids=[c["id"] for c in NUMERIC])
def test_constant_guess_rarely_passes(card):
    module = _snippet(card["snippet"])
    values = [_graded(card, module.loss(**_inputs(module, s))["value"]) for s in range(400)]
    tol = float(card["tolerance"])
    worst = max(sum(abs(v - c) <= max(tol * abs(v), 1e-3) for v in values) for c in [0.0, *values])
    assert worst / 400 < 0.10, (card["id"], worst)


SNIPPETS_WITH_MISTAKES = sorted(
    {c["snippet"] for c in _cards() if c.get("snippet") and hasattr(_snippet(c["snippet"]), "mistakes")}
)


@pytest.mark.parametrize("name", SNIPPETS_WITH_MISTAKES)
def test_mistakes_differ_from_the_right_value(name):
    module = _snippet(name)
    for seed in [None, *range(20)]:
        inputs = _inputs(module, seed)
        right = module.loss(**inputs)["value"]
        for why, wrong in module.mistakes(**inputs).items():
            assert isinstance(wrong, dict) == isinstance(right, dict), (name, why)
            if isinstance(right, dict):
                assert set(wrong) == set(right), (name, why)
    # each mistake is distinguishable on most problems (in at least one graded part)
    for why in module.mistakes(**_inputs(module, None)):
        differs = 0
        for seed in range(40):
            inputs = _inputs(module, seed)
            right, wrong = module.loss(**inputs)["value"], module.mistakes(**inputs)[why]
            keys = right.keys() if isinstance(right, dict) else [None]
            pick = (lambda v, k: v[k]) if isinstance(right, dict) else (lambda v, k: v)
            differs += any(
                not torch.allclose(_t(pick(right, k)).double(), _t(pick(wrong, k)).double(), rtol=0.02, atol=1e-3)
                for k in keys
            )
        assert differs >= 24, (name, why, differs)


def test_ddim_eta_one_variance_is_the_ddpm_posterior_variance():
    ddim, post = _snippet("ddim_step"), _snippet("ddpm_posterior")
    inputs = ddim.example()
    sigma = ddim.loss(**inputs)["sigma_at_eta_1_equals_sqrt_beta_tilde"]
    var = post.loss(torch.zeros(1), torch.zeros(1), inputs["alpha_bar_t"], inputs["alpha_bar_prev"])["value"]["var"]
    assert torch.allclose(sigma**2, var, rtol=1e-5)


def test_ddpm_posterior_by_monte_carlo():
    post = _snippet("ddpm_posterior")
    g = torch.Generator().manual_seed(0)
    ab_prev, alpha = 0.64, 0.9
    x0 = 1.0
    n = 400_000
    x_prev = ab_prev**0.5 * x0 + (1 - ab_prev) ** 0.5 * torch.randn(n, generator=g, dtype=torch.float64)
    x_t = alpha**0.5 * x_prev + (1 - alpha) ** 0.5 * torch.randn(n, generator=g, dtype=torch.float64)
    # regress x_{t-1} on x_t near x_t = 0.5: the local conditional mean / variance
    mask = (x_t - 0.5).abs() < 0.01
    got = post.loss(torch.tensor([x0]), torch.tensor([0.5]), ab_prev * alpha, ab_prev)["value"]
    assert abs(float(x_prev[mask].mean()) - float(got["mean"])) < 0.01
    assert abs(float(x_prev[mask].var()) - float(got["var"])) < 0.01


def test_cfg_tilted_score_reference_is_not_the_s_form_by_construction():
    cfg = _snippet("cfg_guidance")
    for seed in range(20):
        inputs = cfg.problem(random.Random(seed))
        s = 1 + inputs["w"]
        assert torch.allclose(
            cfg.reference(**inputs), inputs["eps_uncond"] + s * (inputs["eps_cond"] - inputs["eps_uncond"]), atol=1e-5
        )


def test_flow_matching_losses_are_not_trivially_zero():
    fm = _snippet("flow_matching")
    values = [float(fm.loss(**fm.problem(random.Random(s)))["value"]) for s in range(200)]
    assert sum(v < 1e-3 for v in values) < 10
