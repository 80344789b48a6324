"""The Makefile's set-up repairs what an interrupted first `make drill` leaves behind."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def _make(where: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = ["make", "--no-print-directory", *args]
    return subprocess.run(command, cwd=where, capture_output=True, text=True, timeout=300)


def test_an_interrupted_venv_is_made_again_and_a_whole_one_is_kept(tmp_path: Path) -> None:
    shutil.copy(REPO / "Makefile", tmp_path / "Makefile")
    # What Ctrl-C during `python3 -m venv .venv` leaves: python, no pip.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / ".venv")], check=True)
    assert not (tmp_path / ".venv" / "bin" / "pip").exists()

    first = _make(tmp_path, "venv")
    assert first.returncode == 0, first.stderr
    assert ".venv is incomplete (an interrupted set-up?): making it again" in first.stdout
    pip = subprocess.run([tmp_path / ".venv/bin/python", "-m", "pip", "--version"], capture_output=True)
    assert pip.returncode == 0

    marker = tmp_path / ".venv" / "kept"
    marker.write_text("")
    second = _make(tmp_path, "venv")
    assert second.returncode == 0 and second.stdout == "", second.stdout
    assert marker.exists(), "a whole venv is never remade"
