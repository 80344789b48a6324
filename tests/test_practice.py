"""Implement-it practice (`lossquiz code`): tasks, the checker, its messages, and the reviews it records.

The checker runs for real: in-process for the per-task sweeps (every model solution passes,
every classic mistake is caught with its hint), in the snippet worker for user files, and
end to end through the CLI for the commands a user types.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sqlite3
import sys
import textwrap
import warnings
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from typer.testing import CliRunner

from lossquiz.cli import app
from lossquiz.deck.cards import load_deck
from lossquiz.deck.practice_tasks import Task, load_tasks
from lossquiz.errors import DeckError
from lossquiz.paths import builtin_deck
from lossquiz.study import practice
from lossquiz.study.practice import CheckReport, attempt_path, check_attempt, solution_file
from lossquiz.worker import practice_grader as practice_check
from lossquiz.worker.client import SnippetRunner
from tests.conftest import builtin_trusted

pytestmark = pytest.mark.torch
torch = pytest.importorskip("torch")

DECK = load_deck(builtin_deck())
TASKS = load_tasks(DECK)


def _module(task: Task) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"practice_task_{task.card_id.replace('-', '_')}", task.path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MODULES = {card_id: _module(task) for card_id, task in TASKS.items()}
MISTAKES = [(card_id, hint) for card_id, module in MODULES.items() for hint in getattr(module, "MISTAKES", {})]


@pytest.fixture(scope="module")
def worker() -> Iterator[SnippetRunner]:
    """One snippet worker shared by the checks that do not need a fresh process."""
    with SnippetRunner(builtin_trusted()) as shared:
        yield shared


def _write(path: Path, body: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(body).lstrip())
    return path


def _check(worker: SnippetRunner, home: Path, card_id: str, body: str, *, budget: float = 10.0) -> CheckReport:
    path = _write(attempt_path(home, card_id), body)
    return check_attempt(TASKS[card_id], path, worker, seed=7, budget=budget)


def _reviews(home: Path) -> list[tuple[str, int, str, int | None]]:
    if not (home / "progress.db").exists():
        return []
    conn = sqlite3.connect(home / "progress.db")
    try:
        return conn.execute(
            "SELECT c.slug, r.rating, r.mode, r.correct FROM reviews r JOIN cards c ON c.id = r.card_id ORDER BY r.id"
        ).fetchall()
    finally:
        conn.close()


# -- the tasks ---------------------------------------------------------------------------------


def test_at_least_25_tasks_each_on_a_card_with_the_listed_losses() -> None:
    assert len(TASKS) >= 25
    wanted = {
        "cross-entropy-logits", "logistic-regression-glm", "focal", "label-smoothing", "huber", "quantile",
        "hinge", "triplet-loss", "infonce", "nt-xent", "vicreg", "kl-discrete", "vae-kl-gaussian", "wgan-gp",
        "ddpm-eps-loss", "flow-matching", "ppo-clip", "gae", "td-vs-mc", "c51", "qr-dqn", "reward-model-bt",
        "dpo", "kto", "orpo", "grpo-advantage", "grpo-objective",
    }  # fmt: skip
    assert wanted <= set(TASKS)
    for task in TASKS.values():
        assert task.card_id in DECK.by_id
        assert task.docstring and "Returns" in task.docstring, task.card_id
        assert task.signature.startswith(f"def {task.function}(") and task.signature.endswith(":")
        assert len(task.cases) >= 5, task.card_id


@pytest.mark.parametrize("card_id", sorted(TASKS))
def test_model_solution_passes_every_case(card_id: str, tmp_path: Path) -> None:
    task = TASKS[card_id]
    attempt = _write(tmp_path / f"{card_id}.py", solution_file(task))
    result = practice_check.grade_attempt({"path": str(task.path), "attempt": str(attempt), "seed": 11, "budget": 30})
    assert result["passed"], result["failure"]
    assert result["cases_passed"] == list(task.cases)


@pytest.mark.parametrize("card_id", sorted(TASKS))
def test_practice_reference_agrees_with_the_card_snippet(card_id: str) -> None:
    """Practice and the card teach one convention: same number on the snippet's worked example."""
    module = MODULES[card_id]
    card = DECK.by_id[card_id]
    snippet_path = DECK.snippet_path(card)
    assert snippet_path is not None, f"practicable card {card_id} has no snippet"
    spec = importlib.util.spec_from_file_location(f"snippet_{card.snippet}", snippet_path)
    assert spec is not None and spec.loader is not None
    snippet = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(snippet)
    example = snippet.example()
    snippet_value = snippet.reference(**example)
    inputs = module.from_snippet(example, snippet) if hasattr(module, "from_snippet") else example
    compare = getattr(module, "compare_snippet", lambda a, b, _inputs: (a, b))
    for route in (module.reference, getattr(module, TASKS[card_id].function)):
        ours, theirs = compare(route(**inputs), snippet_value, inputs)
        assert torch.allclose(torch.as_tensor(ours).double(), torch.as_tensor(theirs).double(), rtol=1e-4, atol=1e-5), (
            f"{card_id}: {route.__name__} gives {ours}, the card's snippet {theirs}"
        )


@pytest.mark.parametrize(("card_id", "hint"), MISTAKES, ids=[f"{c}-{i}" for i, (c, _h) in enumerate(MISTAKES)])
def test_each_classic_mistake_fails_with_its_hint(card_id: str, hint: str) -> None:
    module = MODULES[card_id]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # F.kl_div(reduction='mean') warns: that is the mistake
        result = practice_check.run_cases(module, module.MISTAKES[hint], seed=3)
    assert not result["passed"]
    assert hint in result["failure"]["hint"], result["failure"]


def test_task_validation_lists_every_problem(tmp_path: Path) -> None:
    deck_root = tmp_path / "deck"
    for part in ("cards", "snippets"):
        (deck_root / part).mkdir(parents=True)
        for f in (builtin_deck() / part).glob("*.*"):
            if f.is_file():  # not a tool's cache folder beside the files
                (deck_root / part / f.name).write_bytes(f.read_bytes())
    (deck_root / "practice").mkdir()
    _write(deck_root / "practice" / "no-such-card.py", solution_file(TASKS["huber"]).replace("def ", "def x_"))
    _write(deck_root / "practice" / "huber.py", 'FUNCTION = "huber_loss"\nGRAD = ("nope",)\n')
    _write(deck_root / "practice" / "mse.py", "def broken(:\n")
    with pytest.raises(DeckError) as error:
        load_tasks(load_deck(deck_root))
    text = str(error.value)
    assert "deck/practice/no-such-card.py: no card 'no-such-card' in the deck" in text
    assert "deck/practice/huber.py: missing DOCSTRING" in text
    assert "deck/practice/huber.py: missing def inputs(...)" in text
    assert "deck/practice/huber.py: FUNCTION is 'huber_loss' but no def huber_loss(...)" in text
    assert "deck/practice/mse.py:1: syntax error" in text
    assert len(error.value.problems) >= 8


# -- user files in the worker: every failure is one clear message -------------------------------------

HUBER_OK = """
import torch

def huber_loss(y, y_hat, delta=1.0):
    r = (y - y_hat).abs()
    return torch.where(r <= delta, 0.5 * r**2, delta * (r - 0.5 * delta)).mean()
"""


@pytest.mark.parametrize(
    ("card_id", "body", "check", "case", "hint"),
    [
        pytest.param(
            "huber",
            HUBER_OK.replace(".mean()", ".sum()"),
            "value",
            "small residuals (all inside delta)",
            "6× the reference: a sum where the convention is the mean (reduction)?",
            id="huber-sum-instead-of-mean",
        ),
        pytest.param(
            "huber",
            HUBER_OK.replace("0.5 * r**2", "r**2"),
            "value",
            "one element",
            "the quadratic piece needs the 1/2",
            id="huber-missing-half",
        ),
        pytest.param(
            "cross-entropy-logits",
            """
            def cross_entropy(logits, target):
                p = logits.exp() / logits.exp().sum(dim=1, keepdim=True)
                return -p.log().gather(1, target[:, None]).mean()
            """,
            "stability",
            "logits of +-1000",
            "subtract the max",
            id="ce-unstable-log-softmax",
        ),
        pytest.param(
            "kl-discrete",
            """
            def kl_divergence(p, q):
                return (q * (q.log() - p.log())).sum(dim=1).mean()
            """,
            "value",
            "one row, 3 categories",
            "that is KL(q || p): the arguments are swapped",
            id="kl-wrong-direction",
        ),
        pytest.param(
            "label-smoothing",
            """
            import torch
            import torch.nn.functional as F

            def label_smoothing_ce(logits, target, epsilon=0.1):
                k = logits.shape[1]
                onehot = F.one_hot(target, k).to(logits.dtype)
                y = (1 - epsilon) * onehot + epsilon / (k - 1) * (1 - onehot)
                return -(y * logits.log_softmax(dim=1)).sum(dim=1).mean()
            """,
            "value",
            "one row, 2 classes, epsilon 0.2",
            "epsilon spread over the K - 1 wrong classes",
            id="label-smoothing-over-k-minus-1",
        ),
        pytest.param(
            "logistic-regression-glm",
            """
            import torch

            def bce_with_logits(logits, y):
                p = torch.sigmoid(logits)
                return -(y * p.log() + (1 - y) * (1 - p).log()).mean()
            """,
            "stability",
            "logits of +-1000",
            "inf",
            id="bce-on-probabilities",
        ),
        pytest.param(
            "logistic-regression-glm",
            """
            import torch

            def bce_with_logits(logits, y):
                softplus = logits.clamp(min=0) + torch.log1p(torch.exp(-logits.abs()))
                return (softplus - y * logits).mean()
            """,
            "gradient",
            "zero logits",
            "at z = 0 exactly",
            id="bce-kink-subgradient-at-zero",
        ),
        pytest.param(
            "triplet-loss",
            """
            def triplet_margin_loss(anchor, positive, negative, margin=1.0):
                d_ap = ((anchor - positive) ** 2).sum(dim=1).sqrt()
                d_an = ((anchor - negative) ** 2).sum(dim=1).sqrt()
                return (d_ap - d_an + margin).clamp(min=0).mean()
            """,
            "stability",
            "anchor equals positive",
            "a sqrt, log or division at 0",
            id="triplet-sqrt-at-zero",
        ),
    ],
)
def test_classic_wrong_implementations_fail_with_the_right_message(
    worker: SnippetRunner, env: Path, card_id: str, body: str, check: str, case: str, hint: str
) -> None:
    report = _check(worker, env, card_id, body)
    failure = report.failure
    assert not report.passed and failure is not None
    assert (failure["check"], failure["case"]) == (check, case), failure
    assert hint in failure["hint"], failure
    assert "expected" in failure and "inputs" in failure


@pytest.mark.parametrize(
    ("body", "check", "message"),
    [
        pytest.param(
            HUBER_OK.replace(".mean()", ""),
            "shape",
            "returned shape (1,), expected () (a 0-dim scalar)",
            id="no-reduction",
        ),
        pytest.param(
            HUBER_OK.replace(".mean()", ".mean().float()"), "dtype", "returned float32, expected float64", id="dtype"
        ),
        pytest.param(
            HUBER_OK.replace(".mean()", ".mean().item()"),
            "type",
            "returned float, expected a torch.Tensor (a Python number carries no gradient",
            id="python-float",
        ),
        pytest.param(
            HUBER_OK.replace("return torch.where", "return torch.tensor(0.0) + torch.where").replace(
                ".mean()", ".mean().detach()"
            ),
            "gradient",
            "your result does not depend on 'y_hat' through autograd",
            id="detached",
        ),
        pytest.param(
            HUBER_OK.replace("y_hat, delta", "pred, delta").replace("y - y_hat", "y - pred"),
            "signature",
            "has no parameter 'y_hat' and requires 'pred'; the check calls it as huber_loss(y, y_hat, delta)",
            id="renamed-parameter",
        ),
        pytest.param(
            HUBER_OK.replace("delta=1.0", "delta=0.5"),
            "signature",
            "default delta=0.5, but the convention is delta=1.0",
            id="wrong-default",
        ),
        pytest.param(
            HUBER_OK.replace("    r = (y", "    raise ValueError('shapes?')\n    r = (y"),
            "error",
            "ValueError: shapes? (huber.py line 4: raise ValueError('shapes?'))",
            id="raises",
        ),
        pytest.param("import torch\n", "signature", "your file defines no function huber_loss()", id="missing"),
        pytest.param(
            "import torch\nimport nonexistent_module_xyz\n",
            "error",
            "failed: ModuleNotFoundError: No module named 'nonexistent_module_xyz' (huber.py line 2",
            id="import-error",
        ),
        pytest.param(
            HUBER_OK.replace("    r = (y", "    import sys\n    sys.exit(3)\n    r = (y"),
            "error",
            "your code called sys.exit(3)",
            id="sys-exit",
        ),
        pytest.param(
            "name = input()\n" + HUBER_OK,
            "error",
            "importing your file failed: EOFError",
            id="reads-stdin",
        ),
        pytest.param(
            HUBER_OK.replace("def huber_loss(y", "def huber_loss(y, y_hat, delta=1.0):\n    pass\n\ndef unused(y"),
            "type",
            "returned NoneType, expected a torch.Tensor",
            id="returns-none",
        ),
    ],
)
def test_each_failure_is_one_clear_line(worker: SnippetRunner, env: Path, body: str, check: str, message: str) -> None:
    report = _check(worker, env, "huber", body)
    failure = report.failure
    assert failure is not None and failure["check"] == check, failure
    assert message in failure["summary"], failure["summary"]
    assert "\n" not in failure["summary"] and "Traceback" not in failure["summary"]
    assert "lossquiz/" not in failure["summary"], "a traceback line into lossquiz itself"


def test_the_stub_is_not_an_attempt(worker: SnippetRunner, env: Path) -> None:
    card = DECK.by_id["huber"]
    path = _write(attempt_path(env, "huber"), practice.template(TASKS["huber"], card))
    report = check_attempt(TASKS["huber"], path, worker, seed=1)
    assert not report.started and not report.passed
    assert report.failure is not None and "still raises NotImplementedError" in report.failure["summary"]


def test_an_attempt_edited_within_the_same_second_never_runs_stale(worker: SnippetRunner, env: Path) -> None:
    wrong = HUBER_OK.replace("0.5 * r**2", "0.4 * r**2")
    first = _check(worker, env, "huber", wrong)
    assert not first.passed
    path = attempt_path(env, "huber")
    stamp = path.stat().st_mtime
    path.write_text(textwrap.dedent(HUBER_OK).lstrip())  # same size, same mtime: a stale .pyc would match
    os.utime(path, (stamp, stamp))
    assert check_attempt(TASKS["huber"], path, worker, seed=7).passed
    assert not (path.parent / "__pycache__").exists(), "nothing is written next to the user's file"


def test_a_hang_in_the_function_or_at_import_is_stopped(worker: SnippetRunner, env: Path) -> None:
    loop = HUBER_OK.replace("    r = (y", "    while True:\n        pass\n    r = (y")
    report = _check(worker, env, "huber", loop, budget=1.0)
    assert report.failure is not None and report.failure["check"] == "timeout"
    assert report.failure["case"] == "one element" and "did not return within 1 s" in report.failure["summary"]
    sleepy = "import time\ntime.sleep(60)\n" + HUBER_OK
    report = _check(worker, env, "huber", sleepy, budget=1.0)
    assert report.failure is not None and report.failure["check"] == "timeout"
    assert "importing your file did not finish within 1 s" in report.failure["summary"]
    assert _check(worker, env, "huber", HUBER_OK).passed, "the worker is still usable afterwards"


def test_a_hang_that_blocks_the_alarm_and_a_crash_are_contained(env: Path) -> None:
    ignore_alarm = "    import signal\n    signal.signal(signal.SIGALRM, signal.SIG_IGN)\n"
    stubborn = HUBER_OK.replace("    r = (y", ignore_alarm + "    while True:\n        pass\n    r = (y")
    with SnippetRunner(builtin_trusted()) as own:
        report = _check(own, env, "huber", stubborn, budget=1.0)
        assert report.failure is not None and report.failure["check"] == "timeout"
        assert "timed out after 7 s (stopped)" in report.failure["summary"]
        crash = HUBER_OK.replace("    r = (y", "    import os\n    os._exit(9)\n    r = (y")
        report = _check(own, env, "huber", crash)
        assert report.failure is not None and report.failure["check"] == "crash"
        assert "the checking process died while running your code" in report.failure["summary"]
        assert _check(own, env, "huber", HUBER_OK).passed, "a fresh worker takes over"


def test_a_syntax_error_is_one_line_without_starting_torch(env: Path) -> None:
    class NoWorker(SnippetRunner):
        def start(self) -> None:
            raise AssertionError("a syntax error must be reported without running anything")

    path = _write(attempt_path(env, "huber"), "import torch\n\ndef huber_loss(y, y_hat, delta=1.0:\n    return y\n")
    report = check_attempt(TASKS["huber"], path, NoWorker(None), seed=0)
    assert report.failure is not None and report.failure["check"] == "syntax"
    summary = report.failure["summary"]
    assert summary.startswith("SyntaxError: ") and "(huber.py line 3)" in summary and "\n" not in summary
    assert not report.started, "a syntax error is not an attempt: nothing is recorded (first-hour P7)"


# -- the CLI end to end -------------------------------------------------------------------------


def test_code_writes_the_stub_then_keeps_the_attempt(runner: CliRunner, env: Path) -> None:
    result = runner.invoke(app, ["code", "smooth-l1"])  # an alias of huber
    assert result.exit_code == 0, result.output
    path = env / "practice" / "huber.py"
    assert f"wrote {path}" in result.stdout and "lossquiz code check huber" in result.stdout
    text = path.read_text()
    assert "def huber_loss(y: Tensor, y_hat: Tensor, delta: float = 1.0) -> Tensor:" in text
    assert "MEAN over all elements" in text and "Default 1.0 (PyTorch's default)" in text
    assert text.rstrip().endswith("raise NotImplementedError")
    assert "torch.where" not in text and "0.5 * r**2\n" not in text, "nothing of the solution"
    compile(text, str(path), "exec")

    path.write_text(text + "\n# my work\n")
    again = runner.invoke(app, ["code", "huber"])
    assert again.exit_code == 0, again.output
    assert f"your attempt is at {path}\n" in again.stdout and "kept as is" in again.stdout
    assert path.read_text().endswith("# my work\n"), "an existing attempt is never overwritten"


def test_check_records_the_days_first_check_and_its_first_pass_only(
    runner: CliRunner, env: Path, monkeypatch: pytest.MonkeyPatch, utc: None
) -> None:
    """Re-checking while debugging records one Again and one Good a day, not one review per run."""
    monkeypatch.setenv("LOSSQUIZ_DAY_START_HOUR", "4")

    def check(at: str) -> Any:
        monkeypatch.setenv("LOSSQUIZ_NOW", f"2026-03-0{at}+00:00")
        return runner.invoke(app, ["code", "check", "huber", "--seed", "3"])

    assert runner.invoke(app, ["code", "huber"]).exit_code == 0
    stub = runner.invoke(app, ["code", "huber", "--check"])
    assert stub.exit_code == 1 and "nothing to check yet" in stub.stdout and "nothing recorded" in stub.stdout
    assert "inputs" not in stub.stdout and "stuck?" not in stub.stdout
    assert not (env / "progress.db").exists() or _reviews(env) == []

    buggy = HUBER_OK.replace("0.5 * r**2", "r**2")
    _write(attempt_path(env, "huber"), buggy)
    bad = check("2T10:00:00")
    assert bad.exit_code == 1
    out = bad.stdout
    assert "✗ huber_loss() fails case 2/8 'small residuals (all inside delta)' — value" in out
    assert "inputs" in out and "expected" in out and "got" in out and "hint" in out
    assert "recorded Again" in out and "Traceback" not in bad.output

    again = check("2T10:05:00")
    assert again.exit_code == 1 and "recorded" in again.stdout
    assert "not recorded: today's first check at 10:00 is recorded (Again)" in " ".join(again.stdout.split())

    _write(attempt_path(env, "huber"), HUBER_OK)
    good = check("2T10:10:00")
    assert good.exit_code == 0, good.output
    assert "✓ huber_loss() passes all 8 cases" in good.stdout and "recorded Good" in good.stdout

    _write(attempt_path(env, "huber"), buggy)
    night = check("3T03:00:00")  # before the 4 o'clock day start: still 2 March's study day
    assert night.exit_code == 1
    assert "not recorded: today's pass at 10:10 is recorded (Good)" in " ".join(night.stdout.split())
    assert _reviews(env) == [("huber", 1, "code", 0), ("huber", 3, "code", 1)]

    next_day = check("3T09:00:00")
    assert next_day.exit_code == 1 and "recorded Again" in next_day.stdout
    assert _reviews(env) == [("huber", 1, "code", 0), ("huber", 3, "code", 1), ("huber", 1, "code", 0)]

    as_json = runner.invoke(app, ["code", "check", "huber", "--seed", "3", "--json"])  # still 3 March, 09:00
    assert json.loads(as_json.stdout)["recorded"] is None
    assert json.loads(as_json.stdout)["counted_today"].startswith("2026-03-03T09:00:00")


def test_check_json_and_correct_solutions_for_several_tasks(runner: CliRunner, env: Path) -> None:
    for card_id in ("dpo", "gae", "wgan-gp"):
        _write(attempt_path(env, card_id), solution_file(TASKS[card_id]))
        result = runner.invoke(app, ["code", card_id, "--check", "--json"])
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert data["passed"] and data["recorded"] == "Good" and data["failure"] is None
        assert data["cases_passed"] == list(TASKS[card_id].cases)
    assert [(slug, mode) for slug, _r, mode, _c in _reviews(env)] == [
        ("dpo", "code"),
        ("gae", "code"),
        ("wgan-gp", "code"),
    ]


def test_syntax_error_through_the_cli_is_one_line_and_records_nothing(runner: CliRunner, env: Path) -> None:
    _write(attempt_path(env, "huber"), "def huber_loss(y, y_hat, delta=1.0)\n    return y\n")
    result = runner.invoke(app, ["code", "huber", "--check"])
    assert result.exit_code == 1
    assert "— syntax" in result.stdout and "SyntaxError: " in result.stdout and "(huber.py line 1)" in result.stdout
    assert "Traceback" not in result.output and "nothing recorded" in result.stdout
    assert _reviews(env) == []  # a typo never makes a never-drilled card a lapse


@pytest.mark.torch
def test_a_wrong_signature_records_nothing(runner: CliRunner, env: Path) -> None:
    _write(attempt_path(env, "huber"), HUBER_OK.replace("y_hat, delta", "pred, delta").replace("y - y_hat", "y - pred"))
    result = runner.invoke(app, ["code", "check", "huber"])
    assert result.exit_code == 1 and "nothing recorded" in result.stdout
    assert _reviews(env) == []


@pytest.mark.torch
def test_calling_the_builtin_passes_but_says_so(runner: CliRunner, env: Path) -> None:
    attempt = (
        "import torch.nn.functional as F\n\n\n"
        "def huber_loss(y, y_hat, delta=1.0):\n    return F.huber_loss(y_hat, y, delta=delta)\n"
    )
    assert runner.invoke(app, ["code", "huber"]).exit_code == 0
    stub = " ".join(attempt_path(env, "huber").read_text().split())
    # the stub's advice and the check's note say the same thing: it passes, it is reported
    assert "Calling F.huber_loss(), the built-in being tested, passes but is not recorded as a review" in stub
    assert "write it from scratch to learn it" in stub
    attempt_path(env, "huber").write_text(attempt)
    result = runner.invoke(app, ["code", "check", "huber"])
    assert result.exit_code == 0, result.output
    note = " ".join(result.stdout.split())
    assert "calls F.huber_loss(), the built-in being tested — it passes" in note
    assert "write it from scratch to learn it" in note
    assert "nothing recorded: calling the built-in is not recall" in note  # N20-2: it recorded Good
    honest = runner.invoke(app, ["code", "check", "huber", "--json"])
    assert json.loads(honest.stdout)["calls_builtin"] == "huber_loss"
    assert json.loads(honest.stdout)["recorded"] is None
    assert _reviews(env) == []  # the schedule did not move


@pytest.mark.parametrize("card_id", sorted(TASKS))
def test_each_stub_names_the_builtin_the_check_reports(card_id: str) -> None:
    task = TASKS[card_id]
    stub = " ".join(practice.template(task, next(c for c in DECK.cards if c.id == card_id)).split())
    for name in task.builtins:
        assert f"{name}()" in stub and "torch's" not in stub and "passes but is not recorded" in stub
        assert practice.builtin_called(f"def f(x):\n    return F.{name}(x)\n", task.builtins) == name
    assert "you may call" not in stub.lower()


def test_a_building_block_the_conventions_recommend_is_not_the_builtin_being_tested(
    runner: CliRunner, env: Path
) -> None:
    """Newcomer F5: focal's conventions say to take log p_t from BCE-with-logits; an attempt that does
    passes with no "built-in being tested" note, and the stub names only torchvision's focal loss."""
    stub = " ".join(practice.template(TASKS["focal"], next(c for c in DECK.cards if c.id == "focal")).split())
    assert "BCE-with-logits" in stub and "binary_cross_entropy_with_logits()" not in stub
    assert "Calling torchvision.ops.sigmoid_focal_loss()" in stub  # not torch's (sixth pass F14), not the stub's
    attempt_path(env, "focal").parent.mkdir(parents=True, exist_ok=True)
    attempt_path(env, "focal").write_text(
        "import torch\nimport torch.nn.functional as F\n\n\n"
        "def focal_loss(logits, y, alpha=0.25, gamma=2.0):\n"
        "    log_p_t = -F.binary_cross_entropy_with_logits(logits, y, reduction='none')\n"
        "    p_t = log_p_t.exp()\n"
        "    a_t = alpha * y + (1 - alpha) * (1 - y)\n"
        "    return (-a_t * (1 - p_t) ** gamma * log_p_t).mean()\n"
    )
    result = runner.invoke(app, ["code", "check", "focal"])
    assert result.exit_code == 0, result.output
    assert "built-in being tested" not in result.stdout + result.stderr


def test_check_without_an_attempt_says_how_to_start(runner: CliRunner) -> None:
    result = runner.invoke(app, ["code", "huber", "--check"])
    assert result.exit_code == 1
    assert "error: no attempt at" in result.stderr and "start one with lossquiz code huber" in result.stderr


def test_list_shows_practicable_cards_and_what_was_passed(runner: CliRunner, env: Path) -> None:
    _write(attempt_path(env, "huber"), HUBER_OK)
    assert runner.invoke(app, ["code", "huber", "--check"]).exit_code == 0
    _write(attempt_path(env, "focal"), "def focal_loss(logits, y, alpha=0.25, gamma=2.0):\n    return logits.sum()\n")
    assert runner.invoke(app, ["code", "focal", "--check"]).exit_code == 1
    table = runner.invoke(app, ["code", "--list"])
    assert table.exit_code == 0, table.output
    lines = {line.split()[1]: line for line in table.stdout.splitlines() if line[:1] in "✓✗·" and line.strip()}
    assert lines["huber"].startswith("✓") and "pass" in lines["huber"]
    assert lines["focal"].startswith("✗") and "fail" in lines["focal"]
    assert lines["dpo"].startswith("·")
    assert f"1/{len(TASKS)} passed" in table.stdout
    rows = json.loads(runner.invoke(app, ["code", "--list", "--json"]).stdout)
    by_id = {r["id"]: r for r in rows}
    assert len(rows) == len(TASKS) and by_id["huber"]["passed"] and by_id["huber"]["attempts"] == 1
    assert not by_id["focal"]["passed"] and by_id["focal"]["last_passed"] is False
    assert by_id["dpo"] == {**by_id["dpo"], "passed": False, "attempts": 0, "file": None}


def test_solution_only_after_a_checked_attempt(runner: CliRunner, env: Path) -> None:
    locked = runner.invoke(app, ["code", "huber", "--solution"])
    assert locked.exit_code == 1
    assert "the solution unlocks after your first checked attempt: lossquiz code start huber, then" in locked.stderr
    assert "torch.where" not in locked.output
    _write(attempt_path(env, "huber"), "def huber_loss(y, y_hat, delta=1.0):\n    return y.sum() * 0\n")
    started = runner.invoke(app, ["code", "solution", "huber"])  # N20-4: the file is there, only the check is left
    assert started.stderr.strip() == (
        "error: the solution unlocks after your first checked attempt: lossquiz code check huber"
    ), started.stderr
    assert runner.invoke(app, ["code", "huber", "--check"]).exit_code == 1
    shown = runner.invoke(app, ["code", "huber", "--solution"])
    assert shown.exit_code == 0, shown.output
    assert "def huber_loss(y: Tensor, y_hat: Tensor, delta: float = 1.0) -> Tensor:" in shown.stdout
    assert "checked against: torch.nn.functional.huber_loss" in shown.stdout
    data = json.loads(runner.invoke(app, ["code", "huber", "--solution", "--json"]).stdout)
    assert data["function"] == "huber_loss" and data["solution"] == TASKS["huber"].solution


def test_editor_is_opened_then_the_attempt_is_checked(
    runner: CliRunner, env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor = _write(
        tmp_path / "editor.py",
        f"""
        import sys
        open(sys.argv[1], "w").write({solution_file(TASKS["huber"])!r})
        """,
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    result = runner.invoke(app, ["code", "huber"])
    assert result.exit_code == 0, result.output
    assert "opening your editor" in result.stdout and "passes all 8 cases" in result.stdout
    assert _reviews(env) == [("huber", 3, "code", 1)]


def test_json_start_is_one_document_and_opens_no_editor(
    runner: CliRunner, env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EDITOR", "/nonexistent/editor")
    first = runner.invoke(app, ["code", "dpo", "--json"])
    assert first.exit_code == 0, first.output
    path = str(env / "practice" / "dpo.py")
    assert json.loads(first.stdout) == {"card": "dpo", "function": "dpo_loss", "attempt": path, "created": True}
    assert json.loads(runner.invoke(app, ["code", "dpo", "--json"]).stdout)["created"] is False


def test_an_editor_that_fails_is_one_line(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VISUAL", "/nonexistent/editor --wait")
    result = runner.invoke(app, ["code", "huber"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: cannot start your editor '/nonexistent/editor'")


def test_unknown_and_unpracticable_cards_are_usage_errors(runner: CliRunner) -> None:
    unknown = runner.invoke(app, ["code", "hubr"])
    assert unknown.exit_code == 2 and "did you mean 'huber'" in unknown.stderr
    concept = runner.invoke(app, ["code", "cross-entropy"])
    assert concept.exit_code == 2
    assert "card 'cross-entropy' has no implement-it task; try 'cross-entropy-logits'" in concept.stderr
    bare = runner.invoke(app, ["code"])  # the sub-commands, as help
    assert bare.exit_code == 2 and "start" in bare.output and "list" in bare.output


def test_a_deck_without_practice_has_no_tasks(runner: CliRunner, deck_dir: Path) -> None:
    result = runner.invoke(app, ["code", "square", "--deck", str(deck_dir)])
    assert result.exit_code == 2 and "this deck has no implement-it tasks" in result.stderr
    listing = runner.invoke(app, ["code", "--list", "--deck", str(deck_dir), "--json"])
    assert listing.exit_code == 0 and json.loads(listing.stdout) == []


def test_lossquiz_check_validates_practice_tasks(runner: CliRunner, deck_dir: Path) -> None:
    _write(deck_dir / "practice" / "square.py", 'FUNCTION = "f"\n')
    result = runner.invoke(app, ["check", "--deck", str(deck_dir), "--problems", "0"])
    assert result.exit_code == 3
    assert "deck/practice/square.py: missing DOCSTRING" in result.stderr


def test_practice_review_is_scheduled_with_the_fitted_parameters(runner: CliRunner, env: Path) -> None:
    """After `optimize`, a passed check moves the card as a drill answer would: with the fitted FSRS."""
    from datetime import datetime, timezone

    from fsrs import Card as FsrsCard
    from fsrs import Rating, Scheduler

    from lossquiz.progress import settings
    from lossquiz.progress.store import Store

    fitted = list(Scheduler().parameters)
    fitted[2] = 40.0  # initial stability after Good: 40 days instead of ~2
    with Store.open(env) as store:
        settings.save_fsrs_parameters(store, fitted, n_reviews=600, now=datetime(2025, 1, 1, tzinfo=timezone.utc))
    _write(attempt_path(env, "huber"), HUBER_OK)
    assert runner.invoke(app, ["code", "huber", "--check", "--seed", "3"]).exit_code == 0
    with Store.open(env) as store:
        row = store.cards()["huber"]
        at = datetime.fromisoformat(store.conn.execute("SELECT reviewed_at FROM reviews").fetchone()[0])
    assert row.fsrs_json is not None
    expected, _ = Scheduler(parameters=fitted, enable_fuzzing=False).review_card(
        FsrsCard(card_id=row.id, due=at), Rating.Good, review_datetime=at
    )
    assert FsrsCard.from_json(row.fsrs_json).stability == expected.stability


def test_alpha_for_both_classes_is_named_for_what_it_is(runner: CliRunner, env: Path) -> None:
    """Sixth newcomer pass F14: alpha used for every element was told "they are swapped"."""
    _write(
        attempt_path(env, "focal"),
        """
        import torch
        import torch.nn.functional as F


        def focal_loss(logits, y, alpha=0.25, gamma=2.0):
            log_p_t = -F.binary_cross_entropy_with_logits(logits, y, reduction="none")
            return (-alpha * (1 - log_p_t.exp()) ** gamma * log_p_t).mean()
        """,
    )
    result = runner.invoke(app, ["code", "check", "focal", "--seed", "1", "--json"])
    assert result.exit_code == 1, result.output
    hint = json.loads(result.stdout)["failure"]["hint"]
    assert "the negatives (y = 0) get 1 - alpha, not alpha" in hint
