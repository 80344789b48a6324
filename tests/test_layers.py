"""The layer contract (pyproject's [tool.importlinter]) holds, and it can fail."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).parent.parent
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(package_parent: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT), "--config", str(REPO / "pyproject.toml"), "--no-cache"],
        cwd=package_parent,
        env={"PYTHONPATH": str(package_parent), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _copy(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "lossquiz", tmp_path / "lossquiz", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def test_the_contract_holds_on_the_package() -> None:
    result = _lint(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("progress/store.py", "import rich.console", "Only ui/ imports rich"),
        ("study/queue.py", "import torch", "Only worker/ imports torch"),
        ("deck/cards.py", "import sqlite3", "Only progress/ speaks SQL"),
        ("progress/stats.py", "from lossquiz.ui import stats_view", "never reaches back to the edge"),
    ],
)
def test_a_planted_import_breaks_its_contract(tmp_path: Path, module: str, line: str, contract: str) -> None:
    root = _copy(tmp_path)
    target = root / "lossquiz" / module
    target.write_text(target.read_text() + f"\n\ndef _planted() -> None:\n    {line}\n")
    result = _lint(root)
    assert result.returncode != 0
    broken = [row for row in result.stdout.splitlines() if row.endswith("BROKEN")]
    assert any(contract in row for row in broken), result.stdout
