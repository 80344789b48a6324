"""The messages between the CLI (`client.py`) and the snippet worker (`process.py`), in one place.

One JSON object per line, each way. The CLI sends the worker the trusted deck's code once
(`LoadRequest`: deck-relative name -> source, as latin-1 text so the exact bytes survive JSON),
then names files from it; the worker never reads a deck file from disk.

Replies are read strictly (`decode_reply`): a line longer than MAX_REPLY_BYTES, nested deeper
than MAX_DEPTH, not JSON, or not an object with a boolean "ok" (or "ready") is a protocol error,
which the client reports as a snippet failure in one line.
"""

from __future__ import annotations

import json
from typing import Any, Literal, NotRequired, TypedDict

MAX_REPLY_BYTES = 32 * 1024 * 1024
MAX_DEPTH = 64


class LoadRequest(TypedDict):
    op: Literal["load"]
    files: dict[str, str]  # deck-relative name -> bytes as latin-1 text


class RunRequest(TypedDict):
    op: Literal["run"]
    file: str  # e.g. snippets/huber.py, a key of the loaded files
    seed: int | None


class CheckRequest(TypedDict):
    op: Literal["check"]
    file: str
    seeds: list[int]


class PlotRequest(TypedDict):
    op: Literal["plot"]
    file: str


class PracticeRequest(TypedDict):
    op: Literal["practice"]
    file: str  # the task, e.g. practice/huber.py
    attempt: str  # the user's own attempt: an absolute path
    seed: int
    budget: float


Request = LoadRequest | RunRequest | CheckRequest | PlotRequest | PracticeRequest


class Hello(TypedDict):
    ready: bool
    torch: NotRequired[str]
    error: NotRequired[str]


class Reply(TypedDict):
    ok: bool
    error: NotRequired[str]
    result: NotRequired[dict[str, Any]]
    results: NotRequired[list[dict[str, Any]]]
    plots: NotRequired[list[Any]]


class ProtocolError(ValueError):
    """The worker's line is not a message of this protocol."""


def encode(message: Request | Reply | Hello) -> bytes:
    """One line of JSON."""
    return json.dumps(message, allow_nan=False, default=str).encode() + b"\n"


def encode_bytes(data: bytes) -> str:
    return data.decode("latin-1")


def decode_bytes(text: str) -> bytes:
    return text.encode("latin-1")


def _depth_ok(value: Any) -> bool:
    stack = [(value, 1)]
    while stack:
        current, depth = stack.pop()
        if depth > MAX_DEPTH:
            return False
        if isinstance(current, dict):
            stack.extend((v, depth + 1) for v in current.values())
        elif isinstance(current, list):
            stack.extend((v, depth + 1) for v in current)
    return True


def _nesting(line: bytes) -> int:
    """The deepest bracket nesting of a JSON line (strings skipped), without parsing it."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in line:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


def _decode(line: bytes, key: str) -> dict[str, Any]:
    if len(line) > MAX_REPLY_BYTES:
        raise ProtocolError(f"a reply of more than {MAX_REPLY_BYTES} bytes")
    if line.count(b"[") + line.count(b"{") > MAX_DEPTH and _nesting(line) > MAX_DEPTH:
        raise ProtocolError(f"a reply nested more than {MAX_DEPTH} deep")
    try:
        value = json.loads(line)
    except (ValueError, RecursionError):
        raise ProtocolError("a garbled reply (not JSON)") from None
    if not isinstance(value, dict) or not isinstance(value.get(key), bool) or not _depth_ok(value):
        raise ProtocolError("a reply that is not a worker message")
    if "error" in value and not isinstance(value["error"], str):
        raise ProtocolError("a reply with a malformed error")
    return value


def decode_reply(line: bytes) -> Reply:
    """A worker's reply to a request; ProtocolError when it is anything else."""
    value = _decode(line, "ok")
    reply: Reply = value  # type: ignore[assignment]  # checked by _decode: a dict with a boolean "ok"
    return reply


def decode_hello(line: bytes) -> Hello:
    """The worker's first line."""
    value = _decode(line, "ready")
    hello: Hello = value  # type: ignore[assignment]  # checked by _decode: a dict with a boolean "ready"
    return hello
