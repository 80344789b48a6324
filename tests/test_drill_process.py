"""Faults on a real process: the drill driven through stdin, killed, interrupted, doubled.

Each test runs `python -m lossquiz drill` as a user would, answers through a pipe, and then
reads the SQLite file directly: whatever was answered before the fault must be there.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest
from fsrs import Card as FsrsCard
from fsrs import Rating

from lossquiz.progress.scheduling import make_scheduler
from tests.conftest import trust_deck

pytestmark = pytest.mark.torch
pytest.importorskip("torch")


class Drill:
    """A drill subprocess with a line-oriented conversation."""

    def __init__(self, deck: Path, data: Path, *args: str) -> None:
        trust_deck(deck, data)  # a foreign deck's snippets run only once trusted
        env = {**os.environ, "LOSSQUIZ_HOME": str(data), "COLUMNS": "100", "NO_COLOR": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "lossquiz", "drill", "--deck", str(deck), "--seed", "1", "--time-limit", "0", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.output = ""
        self.errors = ""
        self._chunks: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        while chunk := self.proc.stdout.read(1):
            self._chunks.put(chunk)
        self._chunks.put(None)

    def wait_for(self, text: str, count: int = 1, timeout: float = 60) -> None:
        """Read output until `text` has appeared `count` times in all."""
        end = time.monotonic() + timeout
        while self.output.count(text) < count:
            try:
                chunk = self._chunks.get(timeout=max(end - time.monotonic(), 0.01))
            except queue.Empty:
                raise AssertionError(f"timed out waiting for {text!r}; output so far:\n{self.output}") from None
            if chunk is None:
                self._chunks.put(None)  # keep the end-of-output mark for finish()
                raise AssertionError(f"process ended before {text!r}; output:\n{self.output}")
            self.output += chunk

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def finish(self, timeout: float = 60) -> int:
        """Wait for the exit, collect the rest of the output, close the pipes."""
        code = self.proc.wait(timeout=timeout)
        while (chunk := self._chunks.get(timeout=5)) is not None:
            self.output += chunk
        assert self.proc.stderr is not None
        self.errors = self.proc.stderr.read()
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None and not stream.closed:
                try:
                    stream.close()
                except BrokenPipeError:
                    pass
        return code


def _reviews(data: Path) -> list[tuple[str, int, str, int]]:
    conn = sqlite3.connect(data / "progress.db")
    try:
        return conn.execute(
            "SELECT c.slug, r.rating, r.reviewed_at, r.undone "
            "FROM reviews r JOIN cards c ON c.id = r.card_id ORDER BY r.id"
        ).fetchall()
    finally:
        conn.close()


# The fixture deck's queue: square (numeric), bias-variance (concept), absolute (numeric), logistic.
ANSWER_PROMPT = "answer ("
REVEAL_PROMPT = "Enter to reveal"
RATE_PROMPT = "rate 1-4"


def test_scripted_session_records_answers_and_fsrs_states(deck_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    drill = Drill(deck_dir, data, "--cards", "4")
    drill.wait_for(ANSWER_PROMPT)
    drill.send("-1")  # square: a squared error is never negative → wrong → Again
    drill.wait_for(REVEAL_PROMPT)
    drill.send("")
    drill.wait_for(RATE_PROMPT)
    drill.send("what")  # nonsense: re-prompt, nothing recorded
    drill.wait_for(RATE_PROMPT, 2)
    drill.send("3")
    drill.wait_for(ANSWER_PROMPT, 2)
    drill.send("q")
    assert drill.finish() == 0
    assert "session summary" in drill.output and re.search(r"cards answered +2\b", drill.output)
    rows = _reviews(data)
    assert [(r[0], r[1]) for r in rows] == [("square", 1), ("bias-variance", 3)]
    conn = sqlite3.connect(data / "progress.db")
    states = dict(conn.execute("SELECT slug, fsrs_json FROM cards WHERE fsrs_json IS NOT NULL").fetchall())
    ids = dict(conn.execute("SELECT slug, id FROM cards").fetchall())
    conn.close()
    scheduler = make_scheduler(fuzz=False)
    for slug, rating, at, _ in rows:
        when = datetime.fromisoformat(at)
        expected, _ = scheduler.fsrs.review_card(
            FsrsCard(card_id=ids[slug], due=when), Rating(rating), review_datetime=when
        )
        got = FsrsCard.from_json(states[slug])
        # Learning-step intervals are not fuzzed, so the stored state is exactly py-fsrs's.
        assert got.to_dict() == expected.to_dict()


def test_kill_9_loses_nothing_already_answered(deck_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    drill = Drill(deck_dir, data)
    drill.wait_for(ANSWER_PROMPT)
    drill.send("-1")
    drill.wait_for(REVEAL_PROMPT)
    drill.send("")
    drill.wait_for(RATE_PROMPT)
    drill.send("4")
    drill.wait_for("recorded", 2)
    drill.proc.kill()  # SIGKILL: no handler, no cleanup
    assert drill.finish(timeout=10) == -signal.SIGKILL
    assert [(r[0], r[1]) for r in _reviews(data)] == [("square", 1), ("bias-variance", 4)]


def test_ctrl_c_prints_summary_keeps_answers_exit_130(deck_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    drill = Drill(deck_dir, data)
    drill.wait_for(ANSWER_PROMPT)
    drill.send("-1")
    drill.wait_for(REVEAL_PROMPT)
    drill.proc.send_signal(signal.SIGINT)
    assert drill.finish() == 130
    assert "session interrupted" in drill.output and re.search(r"cards answered +1\b", drill.output)
    assert [r[0] for r in _reviews(data)] == ["square"]
    assert "Traceback" not in drill.output


def test_eof_ends_session_with_summary(deck_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    drill = Drill(deck_dir, data)
    drill.wait_for(ANSWER_PROMPT)
    drill.send("-1")
    drill.wait_for(REVEAL_PROMPT)
    assert drill.proc.stdin is not None
    drill.proc.stdin.close()
    assert drill.finish() == 0
    assert "session summary" in drill.output
    assert [r[0] for r in _reviews(data)] == ["square"]


def test_two_drills_at_once_lose_nothing(deck_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    first, second = Drill(deck_dir, data), Drill(deck_dir, data)
    for drill in (first, second):
        drill.wait_for(ANSWER_PROMPT)
    for round_ in range(1, 4):  # interleave answers to the numeric cards of both sessions
        for drill in (first, second):
            drill.send("-1")
        for drill in (first, second):
            drill.wait_for("recorded", round_)
            if round_ < 3:
                drill.wait_for(REVEAL_PROMPT if round_ == 1 else ANSWER_PROMPT, 1 if round_ == 1 else 2)
            if round_ == 1:
                drill.send("")
                drill.wait_for(RATE_PROMPT)
                drill.send("3")
                drill.wait_for("recorded", 2)
                drill.wait_for(ANSWER_PROMPT, 2)
            if round_ == 2:
                break
    for drill in (first, second):
        drill.send("q")
        assert drill.finish() == 0, drill.output + drill.errors
    rows = _reviews(data)
    assert sorted(r[0] for r in rows) == sorted(["square", "bias-variance", "absolute"] * 2)


def test_corrupt_database_one_line_exit_1_untouched(deck_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    db = data / "progress.db"
    db.write_bytes(b"\x00garbage, not sqlite\n" * 50)
    before = db.read_bytes()
    done = subprocess.run(
        [sys.executable, "-m", "lossquiz", "drill", "--deck", str(deck_dir), "--data-dir", str(data)],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.strip().startswith("error: ") and "not a lossquiz database" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert db.read_bytes() == before


@pytest.mark.parametrize("delay", [0.3, 1.1, 2.7])
def test_kill_9_at_a_random_moment_loses_no_answer(deck_dir: Path, tmp_path: Path, delay: float) -> None:
    data = tmp_path / "data"
    drill = Drill(deck_dir, data, "--cards", "50", "--cram")
    drill.wait_for(ANSWER_PROMPT)
    threading.Timer(delay, drill.proc.kill).start()  # SIGKILL wherever the session is by then
    answered = 0
    try:
        while True:  # answer whatever is asked, as fast as the process asks
            before = len(drill.output)
            drill.wait_for("> ", drill.output.count("> ") + 1, timeout=10)
            prompt = drill.output[before:]
            drill.send("-1" if ANSWER_PROMPT in prompt else "" if REVEAL_PROMPT in prompt else "3")
            answered += 1
    except (AssertionError, BrokenPipeError, OSError):
        pass  # the process is gone
    drill.finish(timeout=10)
    recorded_on_screen = drill.output.count("recorded ")
    conn = sqlite3.connect(data / "progress.db")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        in_db = conn.execute("SELECT count(*) FROM reviews").fetchone()[0]
    finally:
        conn.close()
    # Every answer confirmed on screen is in the file (one more may have been committed
    # in the instant between the commit and the confirmation).
    assert recorded_on_screen <= in_db <= recorded_on_screen + 1, (recorded_on_screen, in_db, answered)
