"""Running a card's torch snippet in a separate worker process, with a time limit.

The CLI never imports torch: it talks JSON lines to `lossquiz.worker.process`. The worker
can be started early (a drill starts it before showing the first card) so that torch
imports in the background while the user reads.
"""

from __future__ import annotations

import atexit
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from lossquiz.errors import SnippetError
from lossquiz.worker import protocol

if TYPE_CHECKING:
    from lossquiz.deck.trust import TrustedDeck

DEFAULT_TIMEOUT = 10.0  # seconds a snippet may run (docs/DESIGN.md, "Snippets")
STARTUP_TIMEOUT = 120.0  # importing torch (and torch.optim) on a cold cache can be slow
RANDOM_PROBLEMS = 20  # random problems per snippet in `check`
_LIVE: weakref.WeakSet[SnippetRunner] = weakref.WeakSet()


def snippet_timeout() -> float:
    """The per-request limit: $LOSSQUIZ_SNIPPET_TIMEOUT or 10 s (a finite positive number)."""
    try:
        value = float(os.environ.get("LOSSQUIZ_SNIPPET_TIMEOUT", DEFAULT_TIMEOUT))
    except ValueError:
        return DEFAULT_TIMEOUT
    return value if 0 < value <= 3600 else DEFAULT_TIMEOUT


def request_budget(timeout: float, op: str) -> float:
    """The one budget rule, the same for every command and op: the worker's start-up (torch,
    torch.optim) is not counted, and each request gets the per-snippet limit."""
    del op  # run, check, plot: one rule (the worker has imported everything before it says ready)
    return timeout


@dataclass(frozen=True, slots=True)
class Outcome:
    """A worker's answer: `data` when it ran, `error` (one line) when it did not."""

    data: dict[str, Any] | None = None
    error: str | None = None


def worker_command() -> list[str]:
    """`python -I -m lossquiz.worker.process`: no current directory, PYTHON* variables or user site."""
    return [sys.executable, "-I", "-m", "lossquiz.worker.process"]


class SnippetRunner:
    """A lazily started worker process for one trusted deck; restarted after a snippet hangs or kills it.

    It runs only code from `trusted` (see lossquiz.deck.trust.gate): None means the deck is not
    trusted, and every request is refused without starting a worker.
    """

    def __init__(self, trusted: TrustedDeck | None, *, timeout: float | None = None) -> None:
        self.trusted = trusted
        self.timeout = snippet_timeout() if timeout is None else timeout
        self._proc: subprocess.Popen[bytes] | None = None
        self._lines: queue.Queue[bytes | None] = queue.Queue()
        self._ready = False
        self._workdir: str | None = None

    def start(self) -> None:
        """Spawn the worker (torch starts importing there now); idempotent; nothing if untrusted."""
        if self.trusted is None or (self._proc is not None and self._proc.poll() is None):
            return
        self._lines = queue.Queue()
        self._ready = False
        self._workdir = tempfile.mkdtemp(prefix="lossquiz-worker-")
        self._proc = subprocess.Popen(
            worker_command(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=self._workdir,
            start_new_session=True,  # its own process group: killed as a whole in close()
        )
        _LIVE.add(self)
        assert self._proc.stdout is not None
        threading.Thread(target=_pump, args=(self._proc.stdout, self._lines), daemon=True).start()

    def _read_line(self, timeout: float) -> bytes | None:
        """One line; None if the time ran out, b"" if the worker's output closed."""
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            return None
        return line if line is not None else b""

    def _send(self, message: protocol.Request | dict[str, Any]) -> bool:
        assert self._proc is not None and self._proc.stdin is not None
        try:
            self._proc.stdin.write(protocol.encode(message))  # type: ignore[arg-type]
            self._proc.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            return False
        return True

    @property
    def ready(self) -> bool:
        """Whether the worker has finished importing torch (a first problem then comes at once)."""
        return self._ready

    def _ensure_ready(self) -> None:
        self.start()
        if self._ready:
            return
        line = self._read_line(STARTUP_TIMEOUT)
        try:
            hello = protocol.decode_hello(line) if line else None
        except protocol.ProtocolError as e:
            self.close()
            raise SnippetError(f"the snippet worker did not start properly ({e})") from None
        if hello is None:
            self.close()
            raise SnippetError("the snippet worker did not start (is torch installed?)")
        if not hello["ready"]:
            self.close()
            raise SnippetError(f"{hello.get('error', 'snippet worker failed')} — snippets need torch")
        assert self.trusted is not None
        files = {name: protocol.encode_bytes(data) for name, data in self.trusted.code.items()}
        if not self._send(protocol.LoadRequest(op="load", files=files)):
            self.close()
            raise SnippetError("the snippet worker exited while starting")
        loaded = self._reply(STARTUP_TIMEOUT)
        if loaded.error is not None:
            self.close()
            raise SnippetError(f"the snippet worker could not take the deck's code: {loaded.error}")
        self._ready = True

    def _reply(self, limit: float) -> Outcome:
        line = self._read_line(limit)
        if not line:
            self.close()
            if line is None:
                return Outcome(error=f"timed out after {limit:g} s (stopped)")
            return Outcome(error="the snippet process exited before answering")
        try:
            reply = protocol.decode_reply(line)
        except protocol.ProtocolError as e:
            self.close()
            return Outcome(error=f"the snippet process sent {e}")
        if not reply["ok"]:
            return Outcome(error=reply.get("error", "unknown error").splitlines()[0][:500] or "unknown error")
        return Outcome(data=dict(reply))

    def request(self, message: dict[str, Any], *, timeout: float | None = None) -> Outcome:
        """Send one request; a hang, a crash, a garbled reply or a snippet error comes back as `error`.

        A "path" in the message names a file of the trusted deck; it is sent as its deck-relative
        name ("file"), and refused unless it is part of what was trusted.
        """
        if self.trusted is None:
            return Outcome(error="the deck is not trusted: its code does not run")
        message = dict(message)
        if "path" in message:
            name = self.trusted.name_of(message.pop("path"))
            if name not in self.trusted.code:
                return Outcome(error=f"{name} is not a trusted file of the deck")
            message["file"] = name
        if "attempt" in message:
            message["attempt"] = os.path.abspath(message["attempt"])  # the worker runs in its own folder
        self._ensure_ready()
        limit = request_budget(self.timeout, str(message.get("op"))) if timeout is None else timeout
        if not self._send(message):
            self.close()
            return Outcome(error="the snippet process exited")
        return self._reply(limit)

    def run(self, path: Path, *, seed: int | None = None) -> Outcome:
        """The worked example (seed None) or a random problem: inputs, steps, value, reference."""
        outcome = self.request({"op": "run", "path": str(path), "seed": seed})
        if outcome.data is not None:
            result = outcome.data.get("result")
            if not isinstance(result, dict):
                return Outcome(error="the snippet process sent a reply without a result")
            return Outcome(data=result)
        return outcome

    def check(self, path: Path, *, problems: int = RANDOM_PROBLEMS) -> Outcome:
        """The fixed example and `problems` random ones; data = {"results": [...]}."""
        return self.request({"op": "check", "path": str(path), "seeds": list(range(problems))})

    def recall(self, path: Path, mode: str, **fields: Any) -> Outcome:
        """A formula graded, a mistake named, given values, an audit (lossquiz/worker/formula_eval.py)."""
        message = {"op": "recall", "path": str(path), "mode": mode, **fields}
        return self.request(message, timeout=self.timeout * 3)

    def plot(self, path: Path) -> Outcome:
        """The snippet's plot() data; data = {"plots": [{...}, ...]}."""
        return self.request({"op": "plot", "path": str(path)})

    def close(self) -> None:
        """Stop the worker and everything it started (its whole process group)."""
        proc, self._proc = self._proc, None
        self._ready = False
        if proc is not None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            for stream in (proc.stdin, proc.stdout):
                if stream is not None:
                    try:
                        stream.close()
                    except OSError:
                        pass
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    def __enter__(self) -> SnippetRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@atexit.register
def _close_all() -> None:
    """No worker (or anything it forked) outlives the CLI."""
    for runner in list(_LIVE):
        runner.close()


def _pump(stream: IO[bytes], lines: queue.Queue[bytes | None]) -> None:
    """Forward the worker's lines to a queue (each at most MAX_REPLY_BYTES + 1), then None when it closes."""
    try:
        while line := stream.readline(protocol.MAX_REPLY_BYTES + 1):
            lines.put(line)
            if len(line) > protocol.MAX_REPLY_BYTES:
                break  # the reader refuses it; nothing more from this worker is read
    except (OSError, ValueError):
        pass
    lines.put(None)
