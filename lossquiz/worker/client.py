"""Running a card's torch snippet in a separate worker process, with a time limit.

The CLI never imports torch: it talks JSON lines to `lossquiz.worker.process`. The worker
can be started early (a drill starts it before showing the first card) so that torch
imports in the background while the user reads.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from lossquiz.errors import SnippetError

DEFAULT_TIMEOUT = 10.0  # seconds a snippet may run (docs/DESIGN.md, "Snippets")
STARTUP_TIMEOUT = 120.0  # importing torch on a cold cache can be slow
RANDOM_PROBLEMS = 20  # random problems per snippet in `check`


def snippet_timeout() -> float:
    """The per-snippet limit: $LOSSQUIZ_SNIPPET_TIMEOUT or 10 s."""
    try:
        return float(os.environ.get("LOSSQUIZ_SNIPPET_TIMEOUT", DEFAULT_TIMEOUT))
    except ValueError:
        return DEFAULT_TIMEOUT


@dataclass(frozen=True, slots=True)
class Outcome:
    """A worker's answer: `data` when it ran, `error` (one line) when it did not."""

    data: dict[str, Any] | None = None
    error: str | None = None


class SnippetRunner:
    """A lazily started worker process; restarted after a snippet hangs or kills it."""

    def __init__(self, *, timeout: float | None = None) -> None:
        self.timeout = snippet_timeout() if timeout is None else timeout
        self._proc: subprocess.Popen[str] | None = None
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._ready = False

    def start(self) -> None:
        """Spawn the worker (torch starts importing there now); idempotent."""
        if self._proc is not None and self._proc.poll() is None:
            return
        self._lines = queue.Queue()
        self._ready = False
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "lossquiz.worker.process"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            bufsize=1,
        )
        assert self._proc.stdout is not None
        threading.Thread(target=_pump, args=(self._proc.stdout, self._lines), daemon=True).start()

    def _read(self, timeout: float) -> dict[str, Any] | None:
        """One JSON message; None if the time ran out, {} if the worker's output closed."""
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            return None
        return json.loads(line) if line is not None else {}

    def _ensure_ready(self) -> None:
        self.start()
        if self._ready:
            return
        hello = self._read(STARTUP_TIMEOUT)
        if not hello:
            self.close()
            raise SnippetError("the snippet worker did not start (is torch installed?)")
        if not hello.get("ready"):
            self.close()
            raise SnippetError(f"{hello.get('error', 'snippet worker failed')} — snippets need torch")
        self._ready = True

    def request(self, message: dict[str, Any], *, timeout: float | None = None) -> Outcome:
        """Send one request; a hang, a crash or a snippet error comes back as `error`."""
        self._ensure_ready()
        assert self._proc is not None and self._proc.stdin is not None
        limit = self.timeout if timeout is None else timeout
        try:
            self._proc.stdin.write(json.dumps(message) + "\n")
            self._proc.stdin.flush()
        except (BrokenPipeError, OSError):
            self.close()
            return Outcome(error="the snippet process exited")
        reply = self._read(limit)
        if not reply:
            self.close()
            if reply is None:
                return Outcome(error=f"timed out after {limit:g} s (stopped)")
            return Outcome(error="the snippet process exited before answering")
        if not reply.get("ok"):
            return Outcome(error=str(reply.get("error", "unknown error")))
        return Outcome(data=reply)

    def run(self, path: Path, *, seed: int | None = None) -> Outcome:
        """The worked example (seed None) or a random problem: inputs, steps, value, reference."""
        outcome = self.request({"op": "run", "path": str(path), "seed": seed})
        if outcome.data is not None:
            return Outcome(data=outcome.data["result"])
        return outcome

    def check(self, path: Path, *, problems: int = RANDOM_PROBLEMS) -> Outcome:
        """The fixed example and `problems` random ones; data = {"results": [...]}."""
        message = {"op": "check", "path": str(path), "seeds": list(range(problems))}
        return self.request(message, timeout=self.timeout * 3)

    def recall(self, path: Path, mode: str, **fields: Any) -> Outcome:
        """A formula graded, a mistake named, given values, an audit (lossquiz/worker/formula_eval.py)."""
        message = {"op": "recall", "path": str(path), "mode": mode, **fields}
        return self.request(message, timeout=self.timeout * 3)

    def plot(self, path: Path) -> Outcome:
        """The snippet's plot() data; data = {"plots": [{...}, ...]}."""
        return self.request({"op": "plot", "path": str(path)}, timeout=self.timeout * 3)

    def close(self) -> None:
        """Stop the worker."""
        if self._proc is None:
            return
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait()
        for stream in (self._proc.stdin, self._proc.stdout):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass
        self._proc = None
        self._ready = False

    def __enter__(self) -> SnippetRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _pump(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    """Forward the worker's lines to a queue, then None when it closes."""
    for line in stream:
        lines.put(line)
    lines.put(None)


def read_source(path: Path) -> str:
    """A snippet's source text (shown by `show`, no torch needed)."""
    return path.read_text(encoding="utf-8")
