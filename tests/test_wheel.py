"""The built wheel (not the editable checkout) works from another directory.

The package list is discovered (setup.py), so a new sub-package cannot drop out of the wheel
unnoticed: this installs the real wheel into a fresh venv and runs it from `/`.
"""

from __future__ import annotations

import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def wheel_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # Built from a clean copy of the sources: setuptools' build/ folder in a checkout keeps files
    # that were since deleted or renamed, and they would land in the wheel.
    source = out / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "build", ".venv")
    for name in ("lossquiz", "content"):
        shutil.copytree(REPO / name, source / name, ignore=ignore)
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy2(REPO / name, source / name)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(out), str(source)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = out.glob("lossquiz-*.whl")
    venv = out / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    (target,) = venv.glob("lib/python*/site-packages")
    with zipfile.ZipFile(wheel) as z:
        z.extractall(target)  # what pip does for a pure-Python wheel (minus the console script)
    # Dependencies come from the dev venv's site-packages, added as a plain path: a .pth listed
    # there (the editable install's finder) is not processed for a path added this way.
    (target / "deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    return venv / "bin" / "python"


def _run(python: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(python), "-m", "lossquiz", *args],
        cwd="/",
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )


def test_the_wheel_holds_every_subpackage(wheel_python: Path) -> None:
    packages = sorted(p.parent.name for p in (REPO / "lossquiz").glob("*/__init__.py"))
    code = "import lossquiz, pathlib; print(pathlib.Path(lossquiz.__file__).parent)"
    where = subprocess.run([str(wheel_python), "-c", code], cwd="/", capture_output=True, text=True, check=True)
    installed = Path(where.stdout.strip())
    assert installed != REPO / "lossquiz", "the test ran the checkout, not the wheel"
    assert sorted(p.parent.name for p in installed.glob("*/__init__.py")) == packages
    assert (installed / "content" / "cards").is_dir()


@pytest.mark.torch
def test_the_wheel_runs_from_root(wheel_python: Path) -> None:
    shown = _run(wheel_python, "show", "huber", "--json")
    assert shown.returncode == 0, shown.stderr
    assert '"agree": true' in shown.stdout
    checked = _run(wheel_python, "check", "huber", "focal", "dpo")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    drilled = _run(wheel_python, "drill")
    assert drilled.returncode == 0, drilled.stderr
    assert "1/" in drilled.stdout
