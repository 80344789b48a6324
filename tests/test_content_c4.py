"""Content checks for the policy, value and multiagent topics (writer c4).

- every formula card's reference `expression` agrees with its snippet target on the fixed example
  and 20 random problems (a tiny evaluator for this test only: the expression language's names
  mapped onto torch; temporary until the engine's own check lands);
- every `mistakes()` entry has the value's shape and differs from the right answer on most problems;
- numeric cards resist constant guesses (the most common answer on < 10% of 400 draws);
- cards that need transcendental values say `calculator: true` or their snippet has `given()`;
- the entropy terms of SAC have the right sign: against the max-entropy closed form, and the
  temperature gradient drives a bandit's entropy to its target under gradient descent.
"""

from __future__ import annotations

import collections
import importlib.util
import math
import random
from pathlib import Path

import pytest
import yaml

torch = pytest.importorskip("torch")

CONTENT = Path(__file__).resolve().parent.parent / "content"
FILES = ("08-policy.yaml", "09-value.yaml", "10-multiagent.yaml")
CARDS = [c for f in FILES for c in yaml.safe_load((CONTENT / "cards" / f).read_text(encoding="utf-8"))]
FORMULA = [c for c in CARDS if c["kind"] == "formula"]
AUTO = [c for c in CARDS if c["kind"] in ("numeric", "gradient")]


def _snippet(name: str):
    spec = importlib.util.spec_from_file_location(f"c4_{name}", CONTENT / "snippets" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _problems(module, n: int = 20):
    yield module.example()
    for seed in range(n):
        yield module.problem(random.Random(seed))


# -- a tiny evaluator for the expression language (test only) -------------------------------------


def _t(x):
    return x if isinstance(x, torch.Tensor) else torch.tensor(float(x))


def _axis(f):
    def g(x, axis=None):
        x = _t(x)
        return f(x) if axis is None else f(x, int(axis))

    return g


NAMESPACE = {
    "abs": lambda x: _t(x).abs(),
    "exp": lambda x: _t(x).exp(),
    "log": lambda x: _t(x).log(),
    "log2": lambda x: _t(x).log2(),
    "sqrt": lambda x: _t(x).sqrt(),
    "sigmoid": lambda x: torch.sigmoid(_t(x)),
    "logsigmoid": lambda x: torch.nn.functional.logsigmoid(_t(x)),
    "softplus": lambda x: torch.nn.functional.softplus(_t(x)),
    "tanh": lambda x: torch.tanh(_t(x)),
    "relu": lambda x: torch.relu(_t(x)),
    "sign": lambda x: torch.sign(_t(x)),
    "max": lambda a, b: torch.maximum(_t(a), _t(b)),
    "min": lambda a, b: torch.minimum(_t(a), _t(b)),
    "clip": lambda x, lo, hi: torch.maximum(torch.minimum(_t(x), _t(hi)), _t(lo)),
    "where": lambda c, a, b: torch.where(c, _t(a), _t(b)),
    "sum": _axis(lambda x, *d: x.sum(*d)),
    "mean": _axis(lambda x, *d: x.mean(*d)),
    "logsumexp": lambda x, axis=None: (
        torch.logsumexp(_t(x).flatten(), 0) if axis is None else torch.logsumexp(_t(x), int(axis))
    ),
    "softmax": lambda x, axis=-1: torch.softmax(_t(x), int(axis)),
    "log_softmax": lambda x, axis=-1: torch.log_softmax(_t(x), int(axis)),
    "norm": lambda x, axis=None: _t(x).norm() if axis is None else _t(x).norm(dim=int(axis)),
    "transpose": lambda x: _t(x).T,
    "onehot": lambda i, like: torch.nn.functional.one_hot(_t(i).long(), _t(like).shape[-1]).float(),
    "gather": lambda x, i: _t(x).gather(-1, _t(i).long().unsqueeze(-1)).squeeze(-1),
    "pi": math.pi,
}


def _eval(text: str, env: dict):
    return eval(text.replace("^", "**"), {"__builtins__": {}}, {**NAMESPACE, **env})  # noqa: S307 (test-only, our own YAML)


def _target(card, module, inputs):
    target = card.get("target", "value")
    if target.startswith("grad:"):
        name = target[len("grad:") :]
        leaf = inputs[name].detach().clone().float().requires_grad_(True)
        value = module.loss(**{**inputs, name: leaf})["value"]
        value = value[card["grade"]] if isinstance(value, dict) else value
        (grad,) = torch.autograd.grad(value, leaf)
        return grad
    out = module.loss(**inputs)
    if target == "value":
        value = out["value"]
        return value[card["grade"]] if isinstance(value, dict) else value
    return out[target]


@pytest.mark.parametrize("card", FORMULA, ids=[c["id"] for c in FORMULA])
def test_formula_expression_matches_snippet(card) -> None:
    module = _snippet(card["snippet"])
    for inputs in _problems(module):
        floats = {k: (v.float() if isinstance(v, torch.Tensor) else v) for k, v in inputs.items()}
        env = {name: _eval(binding, floats) for name, binding in card["variables"].items()}
        got = _t(_eval(card["expression"], env))
        want = _t(_target(card, module, inputs)).float()
        assert got.shape == want.shape, (card["id"], got.shape, want.shape)
        assert torch.allclose(got, want, rtol=1e-4, atol=1e-5), (card["id"], inputs, got, want)


# -- mistakes ---------------------------------------------------------------------------------------

SNIPPETS = sorted({c["snippet"] for c in CARDS if c.get("snippet")})
WITH_MISTAKES = [s for s in SNIPPETS if hasattr(_snippet(s), "mistakes")]


def test_enough_snippets_declare_mistakes() -> None:
    assert len(WITH_MISTAKES) >= 9, WITH_MISTAKES


@pytest.mark.parametrize("name", WITH_MISTAKES)
def test_mistakes_have_the_value_shape_and_differ(name) -> None:
    module = _snippet(name)
    differs = collections.Counter()
    total = 0
    for inputs in _problems(module, 40):
        right = module.loss(**inputs)["value"]
        for message, wrong in module.mistakes(**inputs).items():
            if isinstance(right, dict):
                assert isinstance(wrong, dict) and set(wrong) == set(right), (name, message)
                gap = max(abs(float(wrong[k]) - float(right[k])) for k in right)
            else:
                gap = abs(float(wrong) - float(right))
            differs[message] += gap > 1e-3 + 0.02 * abs(float(right if not isinstance(right, dict) else 0.0))
        total += 1
    for message, n in differs.items():
        assert n >= 0.25 * total, f"{name}: '{message}' matches the right value on {total - n}/{total} problems"


# -- numeric cards: constant guesses and hand-workability ------------------------------------------


@pytest.mark.parametrize("card", AUTO, ids=[c["id"] for c in AUTO])
def test_a_constant_guess_fails(card) -> None:
    module = _snippet(card["snippet"])
    values = []
    for seed in range(400):
        value = module.loss(**module.problem(random.Random(seed)))["value"]
        if isinstance(value, dict):
            value = value[card["grade"]]
        values.append(round(float(value), 3))
    top, count = collections.Counter(values).most_common(1)[0]
    assert count < 40, f"{card['id']}: {top} is the answer on {count}/400 problems"


NEEDS_VALUES = {"policy-entropy", "c51", "cql-regularizer", "sac-tanh-squash"}


def test_cards_that_need_logs_supply_them_or_say_calculator() -> None:
    by_id = {c["id"]: c for c in CARDS}
    for cid in NEEDS_VALUES:
        card = by_id[cid]
        assert card.get("calculator") or hasattr(_snippet(card["snippet"]), "given"), cid


def test_given_values_are_right() -> None:
    for name in ("policy_entropy", "c51_projection", "cql"):
        module = _snippet(name)
        for inputs in _problems(module, 5):
            for key, value in module.given(**inputs).items():
                assert isinstance(value, float), (name, key)
    z = torch.tensor([2.0, 1.0, 0.0])
    assert _snippet("policy_entropy").given(logits=z)["ln(e^2 + e^1 + e^0)"] == pytest.approx(
        float(torch.logsumexp(z, 0)), abs=1e-4
    )


# -- SAC: the entropy signs against closed forms ------------------------------------------------------


def test_sac_soft_target_matches_the_max_entropy_closed_form() -> None:
    """With pi = softmax(Q/alpha), E_{a'~pi}[Q(a') - alpha log pi(a')] = alpha logsumexp(Q/alpha)."""
    sac = _snippet("sac_losses")
    q_next, alpha, gamma, r = torch.tensor([1.0, 0.5, -1.0]), 0.5, 0.9, 1.0
    log_pi = torch.log_softmax(q_next / alpha, 0)
    expected = 0.0
    for a in range(3):
        inputs = {
            **sac.example(),
            "rewards": torch.tensor(r),
            "dones": torch.tensor(0.0),
            "gamma": gamma,
            "alpha": alpha,
            "q1_next": q_next[a],
            "q2_next": q_next[a],
            "logp_next": log_pi[a],
        }
        expected += float(log_pi[a].exp()) * float(sac.loss(**inputs)["value"]["q_target"])
    closed = r + gamma * alpha * float(torch.logsumexp(q_next / alpha, 0))
    assert expected == pytest.approx(closed, abs=1e-5)


def test_sac_temperature_gradient_drives_entropy_to_its_target() -> None:
    """Gradient descent on log alpha with the snippet's gradient reaches H(softmax(Q/alpha)) = target."""
    sac = _snippet("sac_losses")
    q, target = torch.tensor([1.0, 0.0, -1.0]), 0.8
    log_alpha = math.log(2.0)
    for _ in range(2000):
        log_pi = torch.log_softmax(q / math.exp(log_alpha), 0)
        grad = sum(
            float(log_pi[a].exp())
            * float(
                sac.loss(**{**sac.example(), "logp_pi": log_pi[a], "target_entropy": target})["value"]["log_alpha_grad"]
            )
            for a in range(3)
        )
        log_alpha -= 0.5 * grad
    log_pi = torch.log_softmax(q / math.exp(log_alpha), 0)
    assert float(-(log_pi.exp() * log_pi).sum()) == pytest.approx(target, abs=1e-3)


def test_double_dqn_demo_shows_the_max_bias() -> None:
    out = _snippet("double_dqn").loss(**_snippet("double_dqn").example())
    assert 1.1 < float(out["demo_bias_max_single"]) < 1.22
    assert abs(float(out["demo_bias_double"])) < 0.05


def test_exploitability_is_zero_at_the_mixed_nash() -> None:
    ex = _snippet("exploitability")
    a = torch.tensor([[3.0, -1.0], [-2.0, 1.0]])  # Nash: x = (3/7, 4/7), y = (2/7, 5/7)
    value = ex.loss(payoff=a, x=torch.tensor([3 / 7, 4 / 7]), y=torch.tensor([2 / 7, 5 / 7]))["value"]
    assert abs(float(value)) < 1e-5
