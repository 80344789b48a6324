"""Formulas already rendered to unicode, remembered beside the parse cache, so `show` and a drill's
reveal import pylatexenc (~30 ms of imports, the most of `show --no-run` beyond the floor) only for
a formula they have not drawn before.

One JSON file, `<cache>/formulas.json`, maps each formula's LaTeX source to its unicode text: an
edited formula is a different key, so it is rendered afresh. The file is keyed on what renders
(lossquiz's version, latex.py's and pylatexenc's mtime and size): a change to the renderer drops every entry. New
entries are written once, when the process ends, into the cache folder the parse cache made. A
missing, stale, corrupt or unwritable file just means rendering again; `LOSSQUIZ_CACHE_DIR=""`
turns it off with the other caches.
"""

from __future__ import annotations

import atexit
import json
import os
from pathlib import Path
from typing import Any

from lossquiz import __version__

MAX_ENTRIES = 10_000  # past this (years of edits) the file starts again from what this run drew

_memo: dict[str, tuple[list[Any], dict[str, str], dict[str, str]]] = {}  # file -> (key, known, new)


def to_unicode(latex: str) -> str:
    """`latex.to_unicode(latex)`, from the cache when this formula was rendered before."""
    path = _path()
    if path is None:
        return _render(latex)
    entry = _memo.get(str(path))
    if entry is None:
        try:
            entry = _memo[str(path)] = _load(path)
        except OSError:  # latex.py itself cannot be stat'ed: render without remembering
            return _render(latex)
    _, known, new = entry
    text = known.get(latex)
    if text is None:
        text = known[latex] = new[latex] = _render(latex)
    return text


def _render(latex: str) -> str:
    from lossquiz.deck.latex import to_unicode

    return to_unicode(latex)


def _renderer_key() -> list[Any]:
    info = (Path(__file__).parent / "latex.py").stat()
    return [__version__, info.st_mtime_ns, info.st_size, _pylatexenc_stamp()]


def _pylatexenc_stamp() -> list[int] | None:
    """pylatexenc's installed files, by mtime and size: an upgrade may render the same LaTeX otherwise.

    Found with find_spec, which imports nothing of pylatexenc (the point of this cache)."""
    import importlib.util

    spec = importlib.util.find_spec("pylatexenc")
    if spec is None or spec.origin is None:
        return None
    info = Path(spec.origin).stat()
    return [info.st_mtime_ns, info.st_size]


def _path() -> Path | None:
    from lossquiz.deck.yaml_files import cache_root

    root = cache_root()
    return root / "formulas.json" if root is not None else None


def _load(path: Path) -> tuple[list[Any], dict[str, str], dict[str, str]]:
    """(the renderer's key, the formulas cached for it, none new yet); raises OSError if latex.py cannot be stat'ed."""
    key = _renderer_key()
    try:
        cached = json.loads(path.read_text(encoding="utf-8"))
        if cached["key"] == key and isinstance(cached["text"], dict):
            return key, cached["text"], {}
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return key, {}, {}


def flush() -> None:
    """Write the formulas rendered in this process (silently skipped when the cache cannot be written)."""
    for name, (key, known, new) in list(_memo.items()):
        if not new:
            continue
        path = Path(name)
        if not path.parent.is_dir():  # the cache folder is gone (a test's temp dir): nothing to recreate
            continue
        try:
            fresh = _load(path)  # another process may have added formulas since this one read the file
        except OSError:
            continue
        merged = {**fresh[1], **new} if fresh[0] == key else dict(new)
        if len(merged) > MAX_ENTRIES:
            merged = dict(new)
        try:
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"key": key, "text": merged}, ensure_ascii=False), encoding="utf-8")
            tmp.replace(path)  # atomic: a concurrent reader sees the old or the new copy
        except (OSError, TypeError, ValueError):
            pass
        new.clear()
        known.update(merged)


atexit.register(flush)
