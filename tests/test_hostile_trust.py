"""Issue 12: trust and isolation against a hostile deck and a hostile directory.

Every attack plants code that writes a marker file when executed; the assertion is that the
marker never appears (and that the command says why in one line).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lossquiz import paths
from lossquiz.cli import app
from lossquiz.deck import trust
from lossquiz.worker import protocol
from lossquiz.worker.client import SnippetRunner, request_budget
from tests.conftest import trust_deck, write_snippet

MARK = "from pathlib import Path as _P; _P({marker!r}).write_text('ran')\n"

SNIPPET = """import random
import torch
{extra}

def example():
    return {{"x": torch.tensor([1.0, 2.0])}}


def problem(rng: random.Random):
    return {{"x": torch.tensor([float(rng.randint(0, 3))])}}


def loss(x):
    return {{"value": x.sum()}}


def reference(x):
    return x.sum()


def plot():
    {plot_body}
    series = [{{"name": "s", "x": [0.0, 1.0], "y": [0.0, 1.0]}}]
    return {{"title": "t", "x_label": "x", "y_label": "y", "series": series}}
"""

CARD = """
- id: spy
  title: Spy
  topic: regression
  kind: concept
  question: What does the spy snippet sum?
  answer: The inputs.
  key_points: [sum, inputs]
  snippet: {name}
  source: fixture
"""


def snippet(extra: str = "", plot_body: str = "pass") -> str:
    return SNIPPET.format(extra=extra, plot_body=plot_body)


def add_card(deck: Path, name: str) -> None:
    with (deck / "cards" / "01-basics.yaml").open("a") as f:
        f.write(CARD.format(name=json.dumps(name)))


@pytest.fixture
def marker(tmp_path: Path) -> Path:
    return tmp_path / "MARKER"


# -- 1. one gate ------------------------------------------------------------------------------


def test_show_plot_on_an_untrusted_deck_runs_nothing(runner: CliRunner, deck_dir: Path, marker: Path) -> None:
    write_snippet(deck_dir, "spy", snippet(plot_body=MARK.format(marker=str(marker)).strip()))
    add_card(deck_dir, "spy")
    result = runner.invoke(app, ["show", "spy", "--plot", "--deck", str(deck_dir)])
    assert result.exit_code == 1, result.output
    assert "not trusted" in result.output
    assert not marker.exists()


def test_a_runner_cannot_be_made_without_the_gate(deck_dir: Path) -> None:
    with pytest.raises(TypeError):
        trust.TrustedDeck(deck_dir, trust.read_covered(deck_dir), object())
    outcome = SnippetRunner(None).run(deck_dir / "snippets" / "square.py")
    assert outcome.data is None and "not trusted" in (outcome.error or "")


# -- 2. snippet names -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["../evil", "/tmp/evil", "__pycache__/evil", "Evil", "a.b"])
def test_a_snippet_that_is_not_a_plain_name_is_a_deck_error(
    runner: CliRunner, deck_dir: Path, marker: Path, tmp_path: Path, name: str
) -> None:
    (deck_dir / "snippets" / "__pycache__").mkdir()
    for where in (tmp_path / "evil.py", deck_dir / "snippets" / "__pycache__" / "evil.py", Path(name + ".py")):
        if where.is_absolute() or name.startswith(".."):
            pass
    (tmp_path / "evil.py").write_text(snippet(MARK.format(marker=str(marker))))
    (deck_dir / "snippets" / "__pycache__" / "evil.py").write_text(snippet(MARK.format(marker=str(marker))))
    add_card(deck_dir, name)
    for args in (["show", "spy"], ["check"], ["list"]):
        result = runner.invoke(app, [*args, "--deck", str(deck_dir)])
        assert result.exit_code == 3, result.output
        assert "plain name" in result.output
    assert not marker.exists()


def test_editing_only_the_yaml_of_a_trusted_deck_revokes_trust(runner: CliRunner, deck_dir: Path, env: Path) -> None:
    trust_deck(deck_dir)
    assert trust.is_trusted(deck_dir, env).trusted
    path = deck_dir / "cards" / "01-basics.yaml"
    path.write_text(path.read_text().replace("snippet: absolute", "snippet: square", 1))
    verdict = trust.is_trusted(deck_dir, env)
    assert not verdict.trusted and "changed" in verdict.reason


@pytest.mark.parametrize("where", ["helper.py", "snippets/__pycache__/helper.py", "tools/x/y.py", "cards/x.py"])
def test_every_python_file_anywhere_is_covered(deck_dir: Path, env: Path, where: str) -> None:
    trust_deck(deck_dir)
    (deck_dir / where).parent.mkdir(parents=True, exist_ok=True)
    (deck_dir / where).write_text("print('hi')\n")
    assert where in trust.code_digest(deck_dir).files
    assert not trust.is_trusted(deck_dir, env).trusted


def test_trust_lists_every_covered_file(runner: CliRunner, deck_dir: Path) -> None:
    (deck_dir / "helper.py").write_text("X = 1\n")
    result = runner.invoke(app, ["trust", str(deck_dir), "--json"])
    assert result.exit_code == 0, result.output
    files = json.loads(result.output)["files"]
    assert {"helper.py", "snippets/square.py", "snippets/absolute.py", "cards/01-basics.yaml"} <= set(files)


def test_a_deck_with_only_a_yaml_pointing_at_code_is_not_auto_trusted(
    runner: CliRunner, deck_dir: Path, marker: Path
) -> None:
    for f in (deck_dir / "snippets").iterdir():
        f.unlink()
    (deck_dir / "evil.py").write_text(MARK.format(marker=str(marker)))
    add_card(deck_dir, "../evil")
    result = runner.invoke(app, ["show", "spy", "--deck", str(deck_dir)])
    assert result.exit_code == 3
    assert not marker.exists()


# -- 3. the directory you run in --------------------------------------------------------------


def test_a_hostile_current_directory_runs_nothing(tmp_path: Path, marker: Path) -> None:
    cwd = tmp_path / "hostile"
    (cwd / "lossquiz").mkdir(parents=True)
    for name in ("json.py", "random.py", "torch.py", "numpy.py", "lossquiz/__init__.py", "sitecustomize.py"):
        (cwd / name).write_text(MARK.format(marker=str(marker)))
    exe = Path(sys.executable).parent / "lossquiz"
    env = {**os.environ, "LOSSQUIZ_HOME": str(tmp_path / "home"), "LOSSQUIZ_CACHE_DIR": ""}
    done = subprocess.run(
        [str(exe), "show", "huber", "--json"], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["example"] is not None
    assert not marker.exists()


# -- 4. the bytes that run are the bytes that were trusted -----------------------------------


def test_a_snippet_swapped_after_the_check_does_not_run(deck_dir: Path, env: Path, marker: Path) -> None:
    write_snippet(deck_dir, "spy", snippet())
    add_card(deck_dir, "spy")
    trust_deck(deck_dir)
    trusted = trust.gate(deck_dir, env)
    (deck_dir / "snippets" / "spy.py").write_text(snippet(MARK.format(marker=str(marker))))
    with SnippetRunner(trusted) as runner:
        outcome = runner.run(deck_dir / "snippets" / "spy.py")
    assert outcome.data is not None, outcome.error
    assert outcome.data["value"] == 3.0
    assert not marker.exists()


def test_a_file_outside_what_was_trusted_is_refused(deck_dir: Path, env: Path, tmp_path: Path) -> None:
    trust_deck(deck_dir)
    trusted = trust.gate(deck_dir, env)
    outcome = SnippetRunner(trusted).run(tmp_path / "elsewhere.py")
    assert outcome.data is None and "not a trusted file" in (outcome.error or "")


# -- 5. __pycache__ ---------------------------------------------------------------------------


def test_imports_from_pycache_are_impossible(runner: CliRunner, deck_dir: Path, marker: Path) -> None:
    cache = deck_dir / "snippets" / "__pycache__"
    cache.mkdir()
    (cache / "helper.py").write_text(MARK.format(marker=str(marker)))
    (cache / "__init__.py").write_text("")
    write_snippet(deck_dir, "spy", snippet("from __pycache__ import helper"))
    add_card(deck_dir, "spy")
    assert "snippets/__pycache__/helper.py" in trust.code_digest(deck_dir).files
    trust_deck(deck_dir)
    result = runner.invoke(app, ["show", "spy", "--deck", str(deck_dir)])
    assert result.exit_code == 4, result.output
    assert not marker.exists()


def test_a_helper_beside_the_snippet_still_imports(runner: CliRunner, deck_dir: Path) -> None:
    (deck_dir / "snippets" / "helper_two.py").write_text("TWO = 2.0\n")
    write_snippet(deck_dir, "spy", snippet("from helper_two import TWO"))
    add_card(deck_dir, "spy")
    trust_deck(deck_dir)
    result = runner.invoke(app, ["show", "spy", "--json", "--deck", str(deck_dir)])
    assert result.exit_code == 0, result.output


# -- isolation --------------------------------------------------------------------------------


def test_the_worker_has_limits_and_preloaded_torch_optim(
    deck_dir: Path, env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "limits.json"
    probe = (
        "import resource, sys, os\n"
        f"open({str(out)!r}, 'w').write(__import__('json').dumps({{"
        "'as': resource.getrlimit(resource.RLIMIT_AS)[0], 'fsize': resource.getrlimit(resource.RLIMIT_FSIZE)[0],"
        "'cpu': resource.getrlimit(resource.RLIMIT_CPU)[0], 'nproc': resource.getrlimit(resource.RLIMIT_NPROC)[0],"
        "'optim': 'torch.optim' in sys.modules, 'cwd': os.getcwd(), 'isolated': sys.flags.isolated}))"
    )
    write_snippet(deck_dir, "spy", snippet(probe))
    add_card(deck_dir, "spy")
    trust_deck(deck_dir)
    monkeypatch.setenv("LOSSQUIZ_WORKER_FILE_MB", "3")
    with SnippetRunner(trust.gate(deck_dir, env)) as runner:
        assert runner.run(deck_dir / "snippets" / "spy.py").data is not None
    seen = json.loads(out.read_text())
    assert seen["fsize"] == 3 * 1024 * 1024
    assert seen["as"] > 0 and seen["cpu"] > 0 and seen["nproc"] > 0
    assert seen["optim"] is True
    assert seen["isolated"] == 1
    assert "lossquiz-worker-" in seen["cwd"]


def test_a_forked_child_does_not_outlive_the_command(runner: CliRunner, deck_dir: Path, tmp_path: Path) -> None:
    pidfile = tmp_path / "child.pid"
    spawn = (
        f"import subprocess\n_c = subprocess.Popen(['sleep', '300'])\nopen({str(pidfile)!r}, 'w').write(str(_c.pid))\n"
    )
    write_snippet(deck_dir, "spy", snippet(spawn))
    add_card(deck_dir, "spy")
    trust_deck(deck_dir)
    result = runner.invoke(app, ["show", "spy", "--json", "--deck", str(deck_dir)])
    assert result.exit_code == 0, result.output
    pid = int(pidfile.read_text())
    state = Path(f"/proc/{pid}/stat")
    alive = state.exists() and state.read_text().split(")")[-1].split()[0] not in ("Z", "X")
    assert not alive


def test_a_garbled_reply_is_a_snippet_failure(runner: CliRunner, deck_dir: Path) -> None:
    garble = (
        "import os, stat\n"
        "for _fd in range(3, 64):\n"
        "    try:\n"
        "        if stat.S_ISFIFO(os.fstat(_fd).st_mode) and os.get_blocking(_fd) is not None:\n"
        "            os.write(_fd, b'[' * 200000 + b'\\n')\n"
        "    except OSError:\n"
        "        pass\n"
    )
    write_snippet(deck_dir, "spy", snippet(garble))
    add_card(deck_dir, "spy")
    trust_deck(deck_dir)
    result = runner.invoke(app, ["show", "spy", "--deck", str(deck_dir)])
    assert result.exit_code == 4, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize(
    "line",
    [b"not json\n", b"[" * 100_000 + b"\n", b'{"ok": "yes"}\n', b"[1, 2]\n", b'{"ok": false, "error": 3}\n'],
)
def test_the_reply_reader_is_strict(line: bytes) -> None:
    with pytest.raises(protocol.ProtocolError):
        protocol.decode_reply(line)


def test_one_budget_rule_for_every_op() -> None:
    assert {request_budget(10.0, op) for op in ("run", "check", "plot")} == {10.0}


# -- hostile deck files -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["fifo", "devzero"])
def test_a_fifo_or_device_in_snippets_is_one_line(runner: CliRunner, deck_dir: Path, kind: str) -> None:
    target = deck_dir / "snippets" / "bad.py"
    if kind == "fifo":
        os.mkfifo(target)
    else:
        target.symlink_to("/dev/zero")
    for args in (["trust", str(deck_dir)], ["show", "square", "--deck", str(deck_dir)]):
        result = runner.invoke(app, args)
        assert result.exit_code == 3, result.output
        assert "not a regular file" in result.output


def test_a_yaml_alias_bomb_is_refused(runner: CliRunner, deck_dir: Path) -> None:
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for name, prev in zip("bcdefghi", "abcdefgh", strict=True):
        bomb += f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]\n"
    (deck_dir / "cards" / "99-bomb.yaml").write_text(bomb)
    result = runner.invoke(app, ["list", "--deck", str(deck_dir)])
    assert result.exit_code == 3, result.output
    assert "alias" in result.output


def test_builtin_deck_is_gated_too(env: Path) -> None:
    trusted = trust.gate(paths.builtin_deck(), env)
    assert "snippets/huber.py" in trusted.code


# -- exports never clobber --------------------------------------------------------------------


def _seed_database(env: Path) -> bytes:
    from lossquiz.progress.store import DB_NAME, Store

    with Store.open(env):
        pass
    return (env / DB_NAME).read_bytes()


@pytest.mark.parametrize(
    "args", [["history", "export"], ["export", "--format", "json"], ["history", "export", "--force"]]
)
def test_no_export_writes_onto_the_progress_database(runner: CliRunner, env: Path, args: list[str]) -> None:
    from lossquiz.progress.store import DB_NAME

    before = _seed_database(env)
    result = runner.invoke(app, [*args, str(env / DB_NAME)])
    assert result.exit_code == 1, result.output
    assert "progress database" in result.output
    assert (env / DB_NAME).read_bytes() == before


def test_an_existing_output_is_replaced_only_with_force(runner: CliRunner, env: Path, tmp_path: Path) -> None:
    _seed_database(env)
    target = tmp_path / "out.json"
    target.write_text("precious")
    for args in (["history", "export", str(target)], ["export", "--format", "json", str(target)]):
        result = runner.invoke(app, args)
        assert result.exit_code == 1 and "--force" in result.output, result.output
        assert target.read_text() == "precious"
    result = runner.invoke(app, ["export", "--format", "json", str(target), "--force"])
    assert result.exit_code == 0, result.output
    assert target.read_text() != "precious"


# -- absurd options ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["drill", "--minutes", "inf"],
        ["drill", "--minutes", "nan"],
        ["drill", "--minutes", "1e13"],
        ["drill", "--time-limit", "inf"],
        ["drill", "--time-limit", "1e300"],
        ["drill", "--retention", "nan"],
        ["history", "import", "-", "--retention", "nan"],
    ],
)
def test_absurd_numbers_in_options_are_usage_errors(runner: CliRunner, args: list[str]) -> None:
    result = runner.invoke(app, args, input="")
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
