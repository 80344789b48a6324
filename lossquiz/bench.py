"""`make bench`: the performance budgets of docs/DESIGN.md, measured, with the machine they ran on.

Every figure is a median over repeated runs with its spread (min–max), and the start-up
figures are also given as a ratio to baselines measured in the same invocation, so a slow
or busy machine shifts numerator and denominator alike. Timing never happens in the tests.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

PY = sys.executable
LQ = [PY, "-m", "lossquiz"]


@dataclass(frozen=True)
class Figure:
    """One measured row."""

    name: str
    runs: list[float]
    budget: str = ""
    holds: bool | None = None
    ratio: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.runs)


def _time_command(argv: list[str], env: dict[str, str], repeat: int) -> list[float]:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        runs.append(time.perf_counter() - start)
    return runs


def _time_call(fn: Callable[[], object], repeat: int) -> list[float]:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return runs


def _drill_latency(env: dict[str, str], repeat: int) -> tuple[list[float], list[float]]:
    """Launch → first question on screen, and Enter → the first reveal's rating prompt."""
    first, reveal = [], []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as home:
            run_env = {**env, "LOSSQUIZ_HOME": home}
            start = time.perf_counter()
            proc = subprocess.Popen(
                [*LQ, "drill", "--seed", "1", "--time-limit", "0"],
                env=run_env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
            )
            assert proc.stdin is not None and proc.stdout is not None
            seen = ""
            while "> " not in seen:  # the first prompt follows the first question
                seen += proc.stdout.read(1) or ""
            first.append(time.perf_counter() - start)
            start = time.perf_counter()
            proc.stdin.write("\n")
            proc.stdin.flush()
            while "rate 1-4" not in seen:
                seen += proc.stdout.read(1) or ""
            reveal.append(time.perf_counter() - start)
            proc.stdin.write("q\n")
            proc.stdin.close()
            proc.wait(timeout=60)
            proc.stdout.close()
    return first, reveal


def _fmt(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def machine() -> str:
    """CPU, cores, OS, Python and torch versions of this run."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    torch = subprocess.run([PY, "-c", "import torch; print(torch.__version__)"], capture_output=True, text=True)
    return (
        f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, torch {torch.stdout.strip() or 'missing'}"
    )


def run(repeat: int = 7) -> list[Figure]:
    """Measure every budget; returns the rows (also printed)."""
    from lossquiz.deck.cards import load_deck
    from lossquiz.progress.synthetic import write_deck

    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100"}
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory() as home:
        env["LOSSQUIZ_HOME"] = home
        light = _time_command([PY, "-c", "import typer, rich.console, yaml"], env, repeat)
        heavy = _time_command([PY, "-c", "import torch"], env, max(repeat // 2, 3))
        base, torch_base = statistics.median(light), statistics.median(heavy)
        figures.append(Figure("baseline: import typer, rich.console, yaml", light))
        figures.append(Figure("baseline: import torch", heavy))
        for label, argv in (
            ("lossquiz --help", ["--help"]),
            ("lossquiz list", ["list"]),
            ("lossquiz stats (empty history)", ["stats"]),
            ("lossquiz show huber --no-run", ["show", "huber", "--no-run"]),
        ):
            runs = _time_command([*LQ, *argv], env, repeat)
            ratio = statistics.median(runs) / base
            figures.append(Figure(label, runs, "≤ 2× baseline", ratio <= 2, f"{ratio:.2f}×"))
        first, reveal = _drill_latency(env, max(repeat // 2, 3))
        ratio = statistics.median(first) / torch_base
        figures.append(
            Figure("drill: launch → first question", first, "< ¼ torch import", ratio < 0.25, f"{ratio:.2f}× torch")
        )
        figures.append(Figure("drill: first reveal (Enter → rating prompt)", reveal))
        figures.append(Figure("lossquiz show huber (live)", _time_command([*LQ, "show", "huber"], env, 3)))
        figures.append(Figure("lossquiz check (whole deck)", _time_command([*LQ, "check"], env, 1)))
    with tempfile.TemporaryDirectory() as tmp:
        deck = write_deck(Path(tmp) / "deck", 1000, seed=1)
        runs = _time_call(lambda: load_deck(deck), repeat)
        figures.append(Figure("load a 1,000-card deck", runs, "< 0.2 s", statistics.median(runs) < 0.2))
    figures += _history_figures(env, repeat)
    figures.append(_optimize_figure())
    return figures


def _optimize_figure() -> Figure:
    """`optimize`'s fit (fsrs-rs) on 10,000 synthetic reviews of a learner unlike the defaults."""
    from lossquiz.progress.fitting import fit_history
    from lossquiz.progress.synthetic import learner_history

    history = learner_history(10_000, seed=3)
    runs = _time_call(lambda: fit_history(history), 3)
    return Figure("optimize: fit 10,000 reviews (fsrs-rs)", runs, "≤ 3 s", statistics.median(runs) <= 3)


def _history_figures(env: dict[str, str], repeat: int) -> list[Figure]:
    """`stats` and `history import` over a generated 100,000-review history of the built-in deck."""
    from lossquiz.clock import SystemClock
    from lossquiz.deck.cards import load_deck
    from lossquiz.paths import builtin_deck
    from lossquiz.progress.stats import compute_stats
    from lossquiz.progress.store import Store
    from lossquiz.progress.synthetic import generate_history

    deck, now = load_deck(builtin_deck()), SystemClock().now()
    with tempfile.TemporaryDirectory() as tmp:
        source, target = Path(tmp) / "source", Path(tmp) / "target"
        with Store.open(source) as store:
            generate_history(store, deck, 100_000, seed=1, now=now)
        history = Path(tmp) / "history.jsonl"
        subprocess.run(
            [*LQ, "history", "export", str(history)],
            env={**env, "LOSSQUIZ_HOME": str(source)},
            stdout=subprocess.DEVNULL,
            check=True,
        )
        run_env = {**env, "LOSSQUIZ_HOME": str(target)}
        imported = _time_command([*LQ, "history", "import", str(history)], run_env, 1)
        command = _time_command([*LQ, "stats"], run_env, repeat)
        with Store.open(target) as store:
            inner = _time_call(lambda: compute_stats(store, deck, now=now), repeat)
    return [
        Figure("history import (100,000 reviews, fresh data dir)", imported),
        Figure("stats figures over 100,000 reviews (in process)", inner, "< 0.5 s", statistics.median(inner) < 0.5),
        Figure(
            "lossquiz stats over 100,000 reviews (whole command)",
            command,
            "< 0.5 s",
            statistics.median(command) < 0.5,
        ),
    ]


def report(figures: list[Figure]) -> str:
    """The table `make bench` prints."""
    width = max(len(f.name) for f in figures)
    lines = [f"{'':{width}}  {'median':>9}  {'spread (min–max)':>19}  {'ratio':>10}  budget"]
    for f in figures:
        spread = f"{_fmt(min(f.runs))}–{_fmt(max(f.runs))}" if len(f.runs) > 1 else "1 run"
        verdict = "" if f.holds is None else ("✓ holds" if f.holds else "✗ MISSED")
        row = f"{f.name:{width}}  {_fmt(f.median):>9}  {spread:>19}  {f.ratio:>10}  {f.budget} {verdict}"
        lines.append(row.rstrip())
    return "\n".join(lines)


def main() -> None:
    """Measure and print."""
    repeat = int(os.environ.get("BENCH_REPEAT", "7"))
    print(f"machine: {machine()}")
    print(f"runs: {repeat} per start-up figure (fewer for the slow ones)\n")
    figures = run(repeat)
    print(report(figures))
    missed = [f.name for f in figures if f.holds is False]
    print(f"\n{'budgets missed: ' + ', '.join(missed) if missed else 'every budget holds'}")


if __name__ == "__main__":
    main()
