"""Start-up hygiene: the commands that must be fast never import torch."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES

MINI = FIXTURES / "decks" / "mini"

PROBE = """
import sys
from lossquiz.cli import app
try:
    app({args!r})
except SystemExit as e:
    code = e.code
heavy = [m for m in ("torch", "plotext", "pandas") if m in sys.modules]
print("LOADED:" + ",".join(heavy) if heavy else "NO-TORCH", code, file=sys.stderr)
"""


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["list"],
        ["list", "--json"],
        ["show", "huber", "--no-run"],
        ["show", "huber", "--no-run", "--json"],
        ["export", "--format", "anki"],
        ["export", "--format", "json"],
        ["export", "--format", "md", "--no-run"],
        ["trust", "--list"],
        ["show", "square", "--deck", str(MINI)],  # untrusted: shown as --no-run
        ["export", "--format", "md", "--deck", str(MINI)],  # untrusted: no worked examples
        ["stats"],
        ["stats", "--json"],
        ["due"],
        ["due", "--json"],
        ["stats", "--topic", "regression"],
        ["history", "export"],
        ["optimize", "--show"],
        ["optimize", "--show", "--json"],
        ["code", "huber"],  # writes the practice file (no editor in tests)
        ["code", "--list"],
        ["code", "--list", "--json"],
    ],
)
def test_command_does_not_import_torch(args: list[str]) -> None:
    """Nor plotext (only `show --plot` draws) nor pandas (only `optimize` fits)."""
    done = subprocess.run([sys.executable, "-c", PROBE.format(args=args)], capture_output=True, text=True, check=False)
    last = done.stderr.strip().splitlines()[-1]
    assert last in ("NO-TORCH 0", "NO-TORCH None"), done.stderr


FAST_PATH = """
import sys
from lossquiz.cli import app
try:
    app({args!r})
except SystemExit:
    pass
others = sorted(m for m in sys.modules if m.startswith("lossquiz.cli.") and m not in ("lossquiz.cli.app", {own!r}))
loaded = {{name: name in sys.modules for name in ("yaml", "rich")}}
print("OTHERS:" + ",".join(others), f"YAML:{{loaded['yaml']}}", f"RICH:{{loaded['rich']}}", file=sys.stderr)
"""


@pytest.mark.parametrize(
    ("args", "own", "rich"),
    [
        (["list"], "lossquiz.cli.deck", True),
        (["due"], "lossquiz.cli.card", False),
        (["stats"], "lossquiz.cli.progress", True),
    ],
)
def test_a_fast_path_imports_only_its_own_command_and_no_yaml(
    args: list[str], own: str, rich: bool, tmp_path: Path
) -> None:
    """The start-up budget's fast paths (issue 18): no other command's module, PyYAML only on a
    parse-cache miss, and `due` (a shell prompt's line) no Rich at all."""
    env = {**os.environ, "LOSSQUIZ_HOME": str(tmp_path / "home"), "LOSSQUIZ_CACHE_DIR": str(tmp_path / "cache")}
    code = FAST_PATH.format(args=args, own=own)
    subprocess.run([sys.executable, "-c", code], capture_output=True, check=False, env=env)  # fills the caches
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, env=env)
    last = done.stderr.strip().splitlines()[-1]
    assert last == f"OTHERS: YAML:False RICH:{rich}", done.stderr


def test_optimize_without_enough_history_answers_before_loading_torch() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=["optimize"])], capture_output=True, text=True, check=False
    )
    lines = done.stderr.strip().splitlines()
    assert lines[-1] == "NO-TORCH 1", done.stderr
    assert lines[0].startswith("error: not enough review history to fit FSRS")


@pytest.mark.parametrize(
    "args",
    [
        ["code", "huber", "--solution"],  # locked: no checked attempt yet
        ["code", "huber", "--check"],  # no attempt file yet
    ],
)
def test_code_refusals_do_not_import_torch(args: list[str]) -> None:
    done = subprocess.run([sys.executable, "-c", PROBE.format(args=args)], capture_output=True, text=True, check=False)
    assert done.stderr.strip().splitlines()[-1] == "NO-TORCH 1", done.stderr


def test_syntax_error_in_an_attempt_is_reported_without_torch(env: Path) -> None:
    attempt = env / "practice" / "huber.py"
    attempt.parent.mkdir(parents=True)
    attempt.write_text("def huber_loss(y, y_hat, delta=1.0)\n    return y\n")
    args = ["code", "huber", "--check"]
    done = subprocess.run([sys.executable, "-c", PROBE.format(args=args)], capture_output=True, text=True, check=False)
    assert done.stderr.strip().splitlines()[-1] == "NO-TORCH 1", done.stderr
    assert "SyntaxError" in done.stdout


def test_code_check_refused_on_an_untrusted_deck_without_torch(deck_dir: Path) -> None:
    """The trust check comes before the worker starts: a refusal costs no torch import."""
    (deck_dir / "practice").mkdir()
    (deck_dir / "practice" / "square.py").write_text(
        "raise SystemExit('must not run')\n"
        'FUNCTION = "mse"\nDOCSTRING = "Mean squared error."\nREFERENCE = "by hand"\n'
        'CASES = ["one"]\nGRAD = ("y_hat",)\n\n\n'
        "def mse(y, y_hat):\n    return ((y - y_hat) ** 2).mean()\n\n\n"
        "def reference(y, y_hat):\n    return 0\n\n\n"
        "def inputs(gen, case):\n    return {}\n"
    )
    args = ["code", "square", "--check", "--deck", str(deck_dir)]
    done = subprocess.run([sys.executable, "-c", PROBE.format(args=args)], capture_output=True, text=True, check=False)
    lines = done.stderr.strip().splitlines()
    assert lines[-1] == "NO-TORCH 1", done.stderr
    assert lines[0].startswith(f"error: not running the deck's code: deck {deck_dir} is not trusted")


def test_import_lossquiz_is_light() -> None:
    heavy = ("torch", "numpy", "rich", "typer", "yaml", "fsrs")
    code = f"import sys, lossquiz; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_stats_path_imports_neither_torch_nor_numpy() -> None:
    """py-fsrs loads its optimizer (and with it numpy/torch) lazily; stats must stay light."""
    code = (
        "import sys, lossquiz.progress.stats, lossquiz.progress.history, lossquiz.progress.synthetic, fsrs; "
        "print(sorted(m for m in ('torch', 'numpy', 'pandas') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_python_dash_m_works() -> None:
    done = subprocess.run([sys.executable, "-m", "lossquiz", "--help"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "show" in done.stdout
