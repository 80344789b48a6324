"""--help reads well at 80 columns, and shell completion works."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lossquiz.cli import app

COMMANDS = [
    [],
    ["drill"],
    ["list"],
    ["show"],
    ["check"],
    ["trust"],
    ["untrust"],
    ["import"],
    ["export"],
    ["stats"],
    ["optimize"],
    ["history"],
    ["history", "export"],
    ["history", "import"],
    ["code"],
    ["code", "start"],
    ["code", "check"],
    ["code", "solution"],
    ["code", "list"],
]


def _words(command: list[str], columns: int) -> list[str]:
    env = {**os.environ, "COLUMNS": str(columns), "NO_COLOR": "1", "TERM": "dumb"}
    result = CliRunner().invoke(app, [*command, "--help"], env=env, terminal_width=columns)
    assert result.exit_code == 0, result.output
    lines = [line.strip(" │╭╮╰╯─") for line in result.output.splitlines()]
    return " ".join(lines).split()


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "lossquiz")
def test_help_at_80_columns_breaks_no_word(command: list[str]) -> None:
    # A word broken across lines would be two tokens at 80 columns and one at 300.
    assert _words(command, 80) == _words(command, 300)


def test_placeholders_are_upper_case() -> None:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    for command in COMMANDS:
        out = CliRunner().invoke(app, [*command, "--help"], env=env).output
        # Lower-case `{query}` / `[file]` forms: every placeholder is named in upper case instead;
        # and no `{QUERY}` either: braces mean a choice.
        assert not re.search(r"\{[a-z_]+\}|\[(?!required\])[a-z_]+\]|\{[A-Z_]+\}", out), (command, out)


def test_drill_comes_first_and_version_has_a_short_flag() -> None:
    out = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "100"}).output
    listed = out.split("Commands:", 1)[1]
    commands = re.findall(r"^  (\w+) ", listed, re.M)
    assert commands[0] == "drill", commands
    assert len(commands) == len(set(commands)) >= 15, commands
    version = CliRunner().invoke(app, ["-V"])
    assert version.exit_code == 0 and version.output.startswith("lossquiz ")


def test_completion_script_generation_works() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "lossquiz", "--show-completion", "bash"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "SHELL": "/bin/bash"},
    )
    assert result.returncode == 0, result.stderr
    assert "complete" in result.stdout and "lossquiz" in result.stdout


@pytest.mark.parametrize(("shell", "mark"), [("zsh", "#compdef lossquiz"), ("fish", "complete --command lossquiz")])
def test_a_shell_named_after_show_completion_gets_its_script(shell: str, mark: str) -> None:
    """N19-4: `--show-completion zsh` from bash printed bash's script: Typer's flag ignored the name."""
    command = [sys.executable, "-m", "lossquiz", "--show-completion", shell]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=60, env={**os.environ, "SHELL": "/bin/bash"}
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(mark) and "_LOSSQUIZ_COMPLETE" in result.stdout
    unknown = subprocess.run([*command[:-1], "tcsh"], capture_output=True, text=True, timeout=60)
    assert unknown.returncode == 2 and "unknown shell 'tcsh'" in unknown.stderr, unknown.stderr


def test_a_completion_script_into_a_closed_pipe_is_no_traceback() -> None:
    """Found re-running the Done-when list: `lossquiz --show-completion bash | head -2` ended in a
    BrokenPipeError traceback (the shell-named path runs outside Typer's main, which quiets it)."""
    command = f"{sys.executable} -m lossquiz --show-completion bash | head -c 1 > /dev/null; echo $" + "{PIPESTATUS[0]}"
    result = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=60)
    assert result.stderr == "" and result.stdout.strip() == "0", (result.stdout, result.stderr)


def test_card_ids_and_topics_complete() -> None:
    script = str(Path(sys.executable).with_name("lossquiz"))  # completion is keyed on the program's name
    env = {**os.environ, "_LOSSQUIZ_COMPLETE": "complete_bash", "COMP_WORDS": "lossquiz show hub", "COMP_CWORD": "2"}
    result = subprocess.run([script], capture_output=True, text=True, timeout=60, env=env)
    assert "huber" in result.stdout.split()
    env.update(COMP_WORDS="lossquiz drill --topic reg", COMP_CWORD="3")
    result = subprocess.run([script], capture_output=True, text=True, timeout=60, env=env)
    assert result.stdout.split() == ["regression", "regularization"]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "lossquiz")
def test_help_paragraphs_are_not_broken_mid_sentence(command: list[str]) -> None:
    # 300 columns wide, nothing needs wrapping: a line that ends in a word and is continued in
    # lower case on the next line is a sentence the help text itself broke.
    env = {**os.environ, "COLUMNS": "300", "NO_COLOR": "1", "TERM": "dumb"}
    out = CliRunner().invoke(app, [*command, "--help"], env=env, terminal_width=300).output
    # Prose is indented two spaces; examples and other literal blocks deeper.
    lines = out.splitlines()
    for first, second in zip(lines, lines[1:], strict=False):
        if not (first.startswith("  ") and second.startswith("  ")) or first[2] == " " or second[2] == " ":
            continue
        first, second = first.strip(), second.strip()
        assert not (first[-1].isalpha() and second[0].islower()), (command, first, second)


def test_help_keeps_globs_and_placeholders_literal() -> None:
    wide = {"env": {"COLUMNS": "200"}, "terminal_width": 200}
    drill = CliRunner().invoke(app, ["drill", "--help"], **wide).output
    assert "cards/*.yaml + snippets/*.py" in drill
    code = CliRunner().invoke(app, ["code", "start", "--help"], **wide).output
    assert "DATA_DIR/practice/CARD.py" in code


def test_every_command_has_its_module_in_the_lazy_table() -> None:
    """A command's module is imported only when it runs (cli/app.py COMMANDS): a command missing
    from the table would still run, but late in help; one listed but gone would fail to load."""
    import importlib

    import typer

    from lossquiz.cli.app import COMMANDS

    for module in set(COMMANDS.values()):
        importlib.import_module(f"lossquiz.cli.{module}")
    registered = set(typer.main.get_group(app).commands)
    assert registered == set(COMMANDS), registered ^ set(COMMANDS)
    out = CliRunner().invoke(app, ["list", "--help"]).output  # one command: its module only
    assert "Usage: lossquiz list" in out
