"""Reading a deck's files without blocking or unbounded memory: regular files only, within size caps.

Shared by trust (hashing the deck's code) and `show` (a snippet's source), which must not pay for
the other's imports.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from lossquiz.errors import DeckFileError

MAX_FILE_BYTES = 4 * 1024 * 1024  # one covered file


def read_regular(path: Path, rel: str, deck: Path, budget: int) -> bytes:
    """A regular file's bytes, read without blocking on FIFOs or devices, within size caps."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as e:
        raise DeckFileError(f"cannot read {rel} of deck {deck}: {e.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise DeckFileError(f"{rel} of deck {deck} is not a regular file (a FIFO, device or socket): remove it")
        cap = min(MAX_FILE_BYTES, budget)
        if info.st_size > cap:
            raise DeckFileError(f"{rel} of deck {deck} is too large ({info.st_size} bytes; at most {cap})")
        chunks, size = [], 0
        while chunk := os.read(fd, 1 << 16):
            size += len(chunk)
            if size > cap:
                raise DeckFileError(f"{rel} of deck {deck} is too large (more than {cap} bytes)")
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as e:
        raise DeckFileError(f"cannot read {rel} of deck {deck}: {e.strerror}") from None
    finally:
        os.close(fd)


def snippet_source(path: Path) -> str:
    """A snippet's source text, as `show` prints it; a FIFO, device or oversized file is a DeckFileError."""
    return read_regular(path, path.name, path.parent.parent, MAX_FILE_BYTES).decode("utf-8", errors="replace")
