"""Cross-checks for the regression and classification content (writer c1).

- formula cards: a tiny test-only evaluator (torch functions by name) checks each card's
  reference `expression` against its snippet's target on the example and 20 random problems;
- numeric cards: a constant guess (0 or the most common value) passes on < 10% of 400 draws;
- mistakes(): same structure as the value and distinguishable on most problems;
- outside references: sklearn's mean_pinball_loss (if installed) and a transcription of
  torchvision.ops.sigmoid_focal_loss (torchvision is not installable beside this CPU torch),
  plus focal's limiting cases.
"""

from __future__ import annotations

import importlib.util
import math
import random
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

torch = pytest.importorskip("torch")
F = torch.nn.functional

CONTENT = Path(__file__).parent.parent / "content"
CARD_FILES = [CONTENT / "cards" / "01-regression.yaml", CONTENT / "cards" / "02-classification.yaml"]


def _cards() -> list[dict]:
    out = []
    for path in CARD_FILES:
        out += yaml.safe_load(path.read_text(encoding="utf-8"))
    return out


_SNIPPETS: dict[str, object] = {}


def _snippet(name: str):
    if name not in _SNIPPETS:
        spec = importlib.util.spec_from_file_location(f"c1_{name}", CONTENT / "snippets" / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _SNIPPETS[name] = module
    return _SNIPPETS[name]


def _inputs(module, seed):
    return module.example() if seed is None else module.problem(random.Random(seed))


SEEDS = [None, *range(20)]


# -- a tiny evaluator for the expression language (test only) ------------------------------


def _t(x):
    return x if isinstance(x, torch.Tensor) else torch.tensor(float(x), dtype=torch.float64)


def _reduce(fn):
    def f(x, axis=None):
        x = _t(x)
        return fn(x) if axis is None else fn(x, dim=int(axis))

    return f


NAMES = {
    "abs": lambda x: _t(x).abs(),
    "exp": lambda x: _t(x).exp(),
    "log": lambda x: _t(x).log(),
    "log2": lambda x: _t(x).log2(),
    "sqrt": lambda x: _t(x).sqrt(),
    "sigmoid": lambda x: torch.sigmoid(_t(x)),
    "logsigmoid": lambda x: F.logsigmoid(_t(x)),
    "softplus": lambda x: F.softplus(_t(x)),
    "tanh": lambda x: torch.tanh(_t(x)),
    "relu": lambda x: torch.relu(_t(x)),
    "sign": lambda x: torch.sign(_t(x)),
    "max": lambda a, b: torch.maximum(_t(a), _t(b)),
    "min": lambda a, b: torch.minimum(_t(a), _t(b)),
    "clip": lambda x, lo, hi: _t(x).clamp(lo, hi),
    "where": lambda c, a, b: torch.where(c, _t(a), _t(b)),
    "sum": _reduce(lambda x, dim=None: x.sum() if dim is None else x.sum(dim=dim)),
    "mean": _reduce(lambda x, dim=None: x.mean() if dim is None else x.mean(dim=dim)),
    "logsumexp": lambda x, axis: torch.logsumexp(_t(x), dim=int(axis)),
    "softmax": lambda x, axis: torch.softmax(_t(x), dim=int(axis)),
    "log_softmax": lambda x, axis: torch.log_softmax(_t(x), dim=int(axis)),
    "norm": lambda x, axis: _t(x).norm(dim=int(axis)),
    "transpose": lambda x: _t(x).transpose(-1, -2),
    "onehot": lambda target, like: F.one_hot(target.long(), like.shape[-1]).to(like.dtype),
    "gather": lambda x, index: x.gather(-1, index.long()[..., None]).squeeze(-1),
    "pi": math.pi,
}


def evaluate(expr: str, env: dict):
    """Evaluate an expression of the deck's language (`^` is power) with torch; test only."""
    code = expr.replace("^", "**")
    return eval(code, {"__builtins__": {}}, {**NAMES, **env})  # noqa: S307 - our own card text


def _as_float(x):
    if isinstance(x, torch.Tensor) and x.dtype in (torch.float32, torch.float16):
        return x.double()
    if isinstance(x, torch.Tensor):
        return x
    if isinstance(x, bool):
        return x
    return x


def _bindings(card, inputs):
    env = {k: _as_float(v) for k, v in inputs.items()}
    return {name: _t(evaluate(binding, env)) for name, binding in card["variables"].items()}


def _target_value(card, module, inputs):
    target = card.get("target", "value")
    if target.startswith("grad:"):
        name = target[5:]
        leaf = inputs[name].clone().double().requires_grad_(True)
        args = {
            **{
                k: (v.double() if isinstance(v, torch.Tensor) and v.is_floating_point() else v)
                for k, v in inputs.items()
            },
            name: leaf,
        }
        value = module.loss(**args)["value"]
        if isinstance(value, dict):
            value = value[card["grade"]]
        (g,) = torch.autograd.grad(value, leaf)
        return g
    steps = module.loss(**inputs)
    if target == "value":
        value = steps["value"]
        return value[card["grade"]] if isinstance(value, dict) else value
    if isinstance(steps["value"], dict) and target in steps["value"]:
        return steps["value"][target]
    return steps[target]


FORMULA_CARDS = [c for c in _cards() if c["kind"] == "formula"]


def test_c1_has_the_formula_cards_the_brief_asks_for() -> None:
    assert len(FORMULA_CARDS) >= 9
    targets = {c.get("target") for c in FORMULA_CARDS}
    assert {"grad:logits", "grad:y_hat", "modulating"} <= targets


@pytest.mark.parametrize("card", FORMULA_CARDS, ids=lambda c: c["id"])
def test_formula_expression_matches_its_snippet(card) -> None:
    module = _snippet(card["snippet"])
    for seed in SEEDS:
        inputs = _inputs(module, seed)
        want = _t(_target_value(card, module, inputs)).double()
        got = _t(evaluate(card["expression"], _bindings(card, inputs))).double()
        assert got.shape == want.shape, (card["id"], seed, got.shape, want.shape)
        assert torch.allclose(got, want, rtol=1e-4, atol=1e-5), (card["id"], seed, got, want)


@pytest.mark.parametrize("card", FORMULA_CARDS, ids=lambda c: c["id"])
def test_formula_question_names_every_variable(card) -> None:
    for name in card["variables"]:
        assert re.search(rf"`{re.escape(name)}`", card["question"]), (card["id"], name)


# -- numeric cards: graded value, constant guesses, given() -------------------------------

NUMERIC_CARDS = [c for c in _cards() if c["kind"] in ("numeric", "gradient")]


def _graded(card, module, inputs):
    value = module.loss(**inputs)["value"]
    if isinstance(value, dict):
        value = value[card["grade"]]
    return float(value)


@pytest.mark.parametrize("card", NUMERIC_CARDS, ids=lambda c: c["id"])
def test_constant_guess_rarely_passes(card) -> None:
    module = _snippet(card["snippet"])
    tol = card["tolerance"]
    values = [_graded(card, module, module.problem(random.Random(seed))) for seed in range(400)]

    def passes(guess, v):
        return abs(guess - v) <= max(tol * abs(v), 1e-6)

    candidates = [0.0, *Counter(round(v, 4) for v in values).keys()]
    worst = max(candidates, key=lambda g: sum(passes(g, v) for v in values))
    rate = sum(passes(worst, v) for v in values) / len(values)
    assert rate < 0.10, (card["id"], worst, rate)


@pytest.mark.parametrize("card", NUMERIC_CARDS, ids=lambda c: c["id"])
def test_numeric_card_is_hand_workable_or_says_calculator(card) -> None:
    module = _snippet(card["snippet"])
    transcendental = {
        "gaussian-nll",
        "cross-entropy-logits",
        "ce-vs-mse-gradient",
        "focal",
        "label-smoothing",
        "label-smoothing-gap",
        "softmax-temperature",
        "distillation",
        "log-sum-exp",
        "perplexity",
        "class-weighted-ce",
        "class-balanced-loss",
        "mixup-loss",
        "trades-loss",
        "uncertainty-weighting",
    }
    if card["id"] in transcendental:
        assert card.get("calculator") is True or callable(getattr(module, "given", None)), card["id"]
    given = getattr(module, "given", None)
    if callable(given):
        for seed in SEEDS:
            values = given(**_inputs(module, seed))
            assert values and all(isinstance(k, str) and isinstance(v, float) for k, v in values.items()), card["id"]


def test_distillation_is_workable_from_the_given_values() -> None:
    module = _snippet("distillation")
    for seed in range(200):
        inputs = module.problem(random.Random(seed))
        g = module.given(**inputs)
        t = inputs["temperature"]
        xt = (inputs["teacher_logits"][0, 1] - inputs["teacher_logits"][0, 0]).item() / t
        xs = (inputs["logits"][0, 1] - inputs["logits"][0, 0]).item() / t
        p1, q1 = g[f"σ({xt:g})"], g[f"σ({xs:g})"]
        kl = p1 * (g[f"ln σ({xt:g})"] - g[f"ln σ({xs:g})"]) + (1 - p1) * (g[f"ln σ({-xt:g})"] - g[f"ln σ({-xs:g})"])
        want = float(module.loss(**inputs)["value"]["soft"])
        assert abs(t**2 * kl - want) <= 0.01 * want, (seed, t**2 * kl, want)
        assert 0 < q1 < 1


# -- mistakes() ----------------------------------------------------------------------------

MISTAKE_SNIPPETS = sorted(
    {c["snippet"] for c in _cards() if c.get("snippet") and callable(getattr(_snippet(c["snippet"]), "mistakes", None))}
)


def test_at_least_nine_snippets_declare_mistakes() -> None:
    assert len(MISTAKE_SNIPPETS) >= 9, MISTAKE_SNIPPETS


def _close(a, b):
    if isinstance(a, dict):
        return all(_close(a[k], b[k]) for k in a)
    return bool(torch.allclose(_t(a).double(), _t(b).double(), rtol=1e-3, atol=1e-6))


@pytest.mark.parametrize("name", MISTAKE_SNIPPETS)
def test_mistakes_have_the_value_shape_and_are_distinguishable(name) -> None:
    module = _snippet(name)
    differs: Counter = Counter()
    for seed in range(40):
        inputs = module.problem(random.Random(seed))
        right = module.loss(**inputs)["value"]
        for message, wrong in module.mistakes(**inputs).items():
            if isinstance(right, dict):
                assert isinstance(wrong, dict) and wrong.keys() == right.keys(), (name, message)
            differs[message] += not _close(wrong, right)
    for message, n in differs.items():
        assert n >= 20, (name, message, n)  # distinguishable on most problems


# -- outside references --------------------------------------------------------------------


def _torchvision_sigmoid_focal_loss(inputs, targets, alpha=0.25, gamma=2.0):
    """Transcription of torchvision.ops.sigmoid_focal_loss (torchvision/ops/focal_loss.py), reduction='mean'."""
    p = torch.sigmoid(inputs)
    ce_loss = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce_loss * ((1 - p_t) ** gamma)
    if alpha >= 0:
        alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
        loss = alpha_t * loss
    return loss.mean()


def test_focal_matches_torchvision_and_its_limiting_cases() -> None:
    module = _snippet("focal")
    for seed in SEEDS:
        inp = _inputs(module, seed)
        value = module.loss(**inp)["value"]
        reference = _torchvision_sigmoid_focal_loss(
            inp["logits"], inp["y"], alpha=inp["alpha"], gamma=inp["gamma_focal"]
        )
        assert torch.allclose(value, reference, atol=1e-6)
        z, y = inp["logits"], inp["y"]
        # gamma = 0, alpha = 0.5: half the plain BCE
        half_bce = 0.5 * F.binary_cross_entropy_with_logits(z, y)
        assert torch.allclose(module.loss(z, y, alpha=0.5, gamma_focal=0.0)["value"], half_bce, atol=1e-6)
        # alpha = 1: only the positives count
        only_pos = module.loss(z, y, alpha=1.0)["per_element"]
        assert torch.all(only_pos[y == 0] == 0)


def test_pinball_matches_sklearn_and_the_quantile() -> None:
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    module = _snippet("pinball")
    for seed in SEEDS:
        inp = _inputs(module, seed)
        ours = float(module.loss(**inp)["loss"])
        theirs = sklearn_metrics.mean_pinball_loss(inp["y"].numpy(), inp["y_hat"].numpy(), alpha=inp["tau"])
        assert math.isclose(ours, theirs, rel_tol=1e-5, abs_tol=1e-6), (seed, ours, theirs)


def test_pinball_minimiser_is_numpys_quantile() -> None:
    np = pytest.importorskip("numpy")
    module = _snippet("pinball")
    for seed in range(100):
        inp = module.problem(random.Random(seed))
        got = float(module.loss(**inp)["minimiser"])
        # the smallest minimiser of the mean pinball loss is the 'inverted_cdf' tau-quantile
        want = float(np.quantile(inp["y"].numpy(), inp["tau"], method="inverted_cdf"))
        assert got == want, (seed, got, want)
