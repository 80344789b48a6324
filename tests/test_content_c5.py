"""Content checks for the llm, alignment and synthesis cards (writer c5).

- Every formula card's reference `expression` agrees with its snippet's target on the fixed example
  and 20 random problems. The evaluator below is a deliberately tiny stand-in for the package's
  expression engine (torch functions mapped by name over Python's ast); it is temporary and exists
  only so these cards are verified before the engine lands.
- Numeric cards: a constant guess passes on fewer than 10% of 400 draws; every problem is workable
  by hand (round arithmetic, or the snippet's given() supplies the values); the values given
  really are the ones the answer needs.
- Every mistakes() entry is distinguishable from the right value on most problems.
- New snippets run example + 20 problems well under 0.5 s.
The YAML is read with yaml.safe_load directly, so these checks do not depend on the deck loader.
"""

from __future__ import annotations

import ast
import importlib.util
import math
import random
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
yaml = pytest.importorskip("yaml")
F = torch.nn.functional

CONTENT = Path(__file__).resolve().parent.parent / "content"
MY_FILES = ("11-llm.yaml", "12-alignment.yaml", "13-synthesis.yaml")
N_PROBLEMS = 20


def _cards() -> list[dict]:
    out = []
    for name in MY_FILES:
        out += yaml.safe_load((CONTENT / "cards" / name).read_text(encoding="utf-8"))
    return out


def _snippet(name: str):
    path = CONTENT / "snippets" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"c5_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CARDS = _cards()
FORMULA = [c for c in CARDS if c["kind"] == "formula"]
NUMERIC = [c for c in CARDS if c["kind"] in ("numeric", "gradient")]


# -- a tiny expression evaluator (test-only) ----------------------------------------------------


def _t(x):
    return x if isinstance(x, torch.Tensor) else torch.tensor(float(x))


def _gather(x, index):
    return x.gather(1, index.long()[:, None]).squeeze(1)


def _reduce(fn):
    def apply(x, axis=None):
        return fn(x) if axis is None else fn(x, dim=int(axis))

    return apply


FUNCS = {
    "abs": torch.abs,
    "exp": torch.exp,
    "log": torch.log,
    "log2": torch.log2,
    "sqrt": torch.sqrt,
    "sigmoid": torch.sigmoid,
    "logsigmoid": F.logsigmoid,
    "softplus": F.softplus,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "sign": torch.sign,
    "max": lambda a, b: torch.maximum(_t(a), _t(b)),
    "min": lambda a, b: torch.minimum(_t(a), _t(b)),
    "clip": lambda x, lo, hi: torch.clamp(x, lo, hi),
    "where": lambda c, a, b: torch.where(c, _t(a), _t(b)),
    "sum": _reduce(torch.sum),
    "mean": _reduce(torch.mean),
    "logsumexp": lambda x, axis: torch.logsumexp(x, dim=int(axis)),
    "softmax": lambda x, axis: torch.softmax(x, dim=int(axis)),
    "log_softmax": lambda x, axis: torch.log_softmax(x, dim=int(axis)),
    "norm": lambda x, axis: torch.linalg.vector_norm(x, dim=int(axis)),
    "transpose": lambda x: x.transpose(-1, -2),
    "onehot": lambda target, like: F.one_hot(target.long(), like.shape[-1]).to(like.dtype),
    "gather": _gather,
}
BINOPS = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
    ast.MatMult: lambda a, b: a @ b,
}
CMPS = {
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
}


def evaluate(text: str, names: dict):
    tree = ast.parse(text.replace("^", "**"), mode="eval")

    def ev(node):
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return node.value
        if isinstance(node, ast.Name):
            if node.id == "pi":
                return math.pi
            return names[node.id]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            v = ev(node.operand)
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.BinOp) and type(node.op) in BINOPS:
            return BINOPS[type(node.op)](ev(node.left), ev(node.right))
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in CMPS:
            return CMPS[type(node.ops[0])](_t(ev(node.left)), _t(ev(node.comparators[0])))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FUNCS:
            return FUNCS[node.func.id](*[ev(a) for a in node.args])
        raise ValueError(f"unsupported: {ast.dump(node)}")

    return ev(tree)


def _float_inputs(inputs: dict) -> dict:
    return {k: (v.float() if isinstance(v, torch.Tensor) else v) for k, v in inputs.items()}


def _graded(value, grade):
    return value[grade] if isinstance(value, dict) else value


def _target(module, card: dict, inputs: dict):
    target = card.get("target", "value")
    if target.startswith("grad:"):
        name = target[len("grad:") :]
        inputs = dict(inputs)
        leaf = inputs[name].detach().float().requires_grad_(True)
        inputs[name] = leaf
        value = _graded(module.loss(**inputs)["value"], card.get("grade"))
        (grad,) = torch.autograd.grad(value, leaf)
        return grad
    out = module.loss(**inputs)
    return _graded(out["value"], card.get("grade")) if target == "value" else out[target]


def _problems(module, n=N_PROBLEMS, seed=0):
    rng = random.Random(seed)
    return [module.example()] + [module.problem(rng) for _ in range(n)]


@pytest.mark.parametrize("card", FORMULA, ids=[c["id"] for c in FORMULA])
def test_formula_expression_matches_snippet(card):
    module = _snippet(card["snippet"])
    for inputs in _problems(module):
        expected = _target(module, card, inputs)
        names = {k: evaluate(v, _float_inputs(inputs)) for k, v in card["variables"].items()}
        got = evaluate(card["expression"], names)
        assert torch.allclose(_t(got).double(), _t(expected).detach().double(), rtol=1e-4, atol=1e-6), (
            card["id"],
            inputs,
            got,
            expected,
        )


def test_at_least_nine_formula_cards_including_the_dpo_gradient():
    assert len(FORMULA) >= 9
    assert any(c["target"] == "grad:policy_chosen_logps" and c["snippet"] == "dpo" for c in FORMULA)


def test_evaluator_rejects_a_wrong_dpo_form():
    """The check above is not vacuous: β outside the sigmoid disagrees."""
    card = next(c for c in FORMULA if c["id"] == "dpo-formula")
    module = _snippet("dpo")
    inputs = module.example()
    names = {k: evaluate(v, _float_inputs(inputs)) for k, v in card["variables"].items()}
    wrong = evaluate("mean(-beta*logsigmoid((pc - rc) - (pr - rr)))", names)
    assert not torch.allclose(wrong, _target(module, card, inputs))


# -- numeric cards --------------------------------------------------------------------------------

ROUND = {  # numeric cards whose problems need only round arithmetic (no exp/log/sqrt of odd values)
    "grad-accum-normalisation",
    "moe-load-balancing",
    "rloo-advantage",
    "ppo-token-reward",
    "best-of-n-probability",
    "ipo",
}


def _passes(guess: float, value: float, tol: float) -> bool:
    return abs(guess - value) <= tol * abs(value) + 1e-6


@pytest.mark.parametrize("card", NUMERIC, ids=[c["id"] for c in NUMERIC])
def test_constant_guess_rarely_passes(card):
    module = _snippet(card["snippet"])
    rng = random.Random(1)
    values = [float(_graded(module.loss(**module.problem(rng))["value"], card.get("grade"))) for _ in range(400)]
    tol = card["tolerance"]
    candidates = {0.0, *[round(v, 3) for v in values]}
    worst = max(sum(_passes(g, v, tol) for v in values) for g in candidates) / len(values)
    assert worst < 0.10, (card["id"], worst)


@pytest.mark.parametrize("card", NUMERIC, ids=[c["id"] for c in NUMERIC])
def test_numeric_card_is_workable_by_hand(card):
    module = _snippet(card["snippet"])
    assert card["id"] in ROUND or card.get("calculator") or hasattr(module, "given"), card["id"]


def test_given_values_are_the_ones_needed():
    rng = random.Random(3)
    for name in ("dpo", "simpo", "rm_margin", "bradley_terry", "cdpo"):
        module = _snippet(name)
        for _ in range(50):
            inputs = module.problem(rng)
            g = module.given(**inputs)
            value = float(module.loss(**inputs)["value"])
            if name in ("dpo", "simpo"):
                assert any(abs(v - value) < 1e-3 for v in g.values()), (name, inputs, g, value)
            elif name in ("rm_margin", "bradley_terry"):
                out = module.loss(**inputs)
                for per in out["per_pair"].tolist():
                    assert any(abs(v - per) < 1e-3 for v in g.values()), (name, inputs, g)
            else:
                eps = inputs["label_smoothing"]
                m = float(module.loss(**inputs)["margin"])
                a, f = g[f"-ln σ({round(m, 6):g})"], g[f"-ln σ({round(-m, 6):g})"]
                assert abs((1 - eps) * a + eps * f - value) < 2e-3
    orpo = _snippet("orpo")
    for _ in range(50):
        inputs = orpo.problem(rng)
        out = orpo.loss(**inputs)
        g = orpo.given(**inputs)
        assert any(abs(v - float(out["or_loss"])) < 1e-3 for v in g.values())
    adv = _snippet("grpo_advantage")
    for _ in range(50):
        inputs = adv.problem(rng)
        out = adv.loss(**inputs)
        assert any(abs(v - float(out["sample_std"])) < 1e-3 for v in adv.given(**inputs).values())


# -- mistakes -------------------------------------------------------------------------------------

MISTAKE_SNIPPETS = sorted(
    {c["snippet"] for c in CARDS if c.get("snippet") and hasattr(_snippet(c["snippet"]), "mistakes")}
)


def _close(a, b) -> bool:
    if isinstance(a, dict):
        return all(_close(a[k], b[k]) for k in a)
    return abs(float(a) - float(b)) <= 1e-3 * abs(float(b)) + 1e-6


@pytest.mark.parametrize("name", MISTAKE_SNIPPETS)
def test_mistakes_are_distinguishable(name):
    module = _snippet(name)
    problems = _problems(module, n=60, seed=5)
    counts: dict[str, int] = {}
    for inputs in problems:
        right = module.loss(**inputs)["value"]
        wrongs = module.mistakes(**inputs)
        for key, wrong in wrongs.items():
            if isinstance(right, dict):
                assert set(wrong) == set(right), (name, key)
            counts[key] = counts.get(key, 0) + (not _close(wrong, right))
    for key, n in counts.items():
        # at least 40%: a mistake about terminal (or only non-terminal) steps can show only on those problems
        assert n >= 0.4 * len(problems), (name, key, n)


def test_at_least_nine_snippets_declare_mistakes():
    assert len(MISTAKE_SNIPPETS) >= 9, MISTAKE_SNIPPETS


# -- second routes and facts the cards state ----------------------------------------------------


def test_best_of_n_formula_is_an_upper_bound():
    module = _snippet("best_of_n")
    rng = random.Random(7)
    for _ in range(200):
        k = rng.randint(2, 6)
        w = torch.tensor([rng.random() + 0.01 for _ in range(k)])
        p = w / w.sum()
        r = torch.randperm(k).float()
        n = rng.randint(1, 8)
        out = module.loss(p, r, n)
        assert float(out["value"]["kl"]) <= float(out["kl_formula_bound"]) + 1e-6


def test_rloo_and_cdpo_identities():
    rloo = _snippet("rloo")
    r = torch.tensor([1.0, 0.0, 2.0, 0.5, 1.5])
    loo = torch.stack([r[i] - torch.cat([r[:i], r[i + 1 :]]).mean() for i in range(5)])
    assert torch.allclose(rloo.loss(r)["advantages"], loo)
    cdpo = _snippet("cdpo")
    x = cdpo.example()
    m = float(cdpo.loss(**x)["margin"])
    soft = F.binary_cross_entropy_with_logits(torch.tensor([m]), torch.tensor([1 - x["label_smoothing"]]))
    assert torch.allclose(cdpo.loss(**x)["value"], soft)


NEW_SNIPPETS = (
    "masked_ce",
    "grad_accum",
    "z_loss",
    "moe_balance",
    "llm_distill_kl",
    "rloo",
    "ppo_token_rewards",
    "best_of_n",
    "rm_margin",
    "cdpo",
)


@pytest.mark.parametrize("name", NEW_SNIPPETS)
def test_new_snippets_agree(name):
    # Their speed is a `make bench` row (every snippet's example + 20 problems), never a timing assert.
    module = _snippet(name)
    problems = _problems(module)
    for inputs in problems:
        value, ref = module.loss(**inputs)["value"], module.reference(**inputs)
        assert (
            _close(value, ref)
            if not isinstance(value, dict)
            else all(abs(float(value[k]) - float(ref[k])) < 1e-4 for k in value)
        ), (name, inputs)
