"""The twelfth newcomer pass: `show --json` gives float32 numbers to the 6 significant digits
float32 keeps (the README's sample is real output), and `list` at 80 columns stays readable."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lossquiz.cli.app import app

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


# -- N12-9: no float32 noise in show --json ------------------------------------------------------


@pytest.mark.torch
def test_show_json_gives_float32_steps_without_noise_as_the_readme_shows(runner: CliRunner) -> None:
    """4 − 4.2 in float32 printed as -0.1999998 (the 7th digit is 4.2's rounding); the README's
    sample, and the text view, say -0.2."""
    result = runner.invoke(app, ["show", "huber", "--json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    steps = {step["name"]: step["value"] for step in shown["example"]["steps"]}
    assert steps["residual"] == [-0.5, 0.0, 3.0, -0.2]
    assert steps["per_element"] == [0.125, 0.0, 2.5, 0.02]

    sample = README.split("`--json` follows this shape:\n\n", 1)[1].split("\n\n", 1)[0]
    documented = json.loads(textwrap.dedent(sample).replace(", ...]", "]"))  # the sample elides steps
    assert list(documented) == list(shown)
    assert list(documented["example"]) == list(shown["example"])
    for key in ("inputs", "value", "reference", "agree"):
        assert documented["example"][key] == shown["example"][key], key
    assert documented["example"]["steps"] == shown["example"]["steps"][:1]
