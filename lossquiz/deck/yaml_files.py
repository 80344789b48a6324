"""Reading one deck YAML file: safely (bounded size, no alias bombs), with line numbers, and fast.

Parsing dominates loading a deck (PyYAML's constructor is pure Python even with libyaml), so the
parsed form of each file is cached as JSON keyed on the file's mtime and size, and PyYAML itself
is imported only on a cache miss: `list`, `show` and `stats` on an unchanged deck never load it.
A missing, stale, corrupt or unwritable cache just means parsing again; the deck is validated
after every load either way (`cards.load_deck`).
"""

from __future__ import annotations

import functools
import json
import os
import re
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import yaml

MAX_YAML_BYTES = 4 * 1024 * 1024  # one card file
MAX_YAML_NODES = 200_000  # nodes after expanding aliases: a 591-byte alias bomb expands to billions

# Where an anchor (`&name`) can start: at the start of the text or after a blank, a flow indicator,
# a ':' or a quote. Without one there are no anchors, so no aliases and nothing to expand: the
# (pure Python) count of expanded nodes is skipped. Text such as "Koenker & Bassett" never matches.
# The pattern starts with the literal '&' and looks back from it, so the search skips to each '&'
# (70x faster on a 1,000-card deck than trying the look-behind at every character).
_ANCHOR = re.compile(r"&(?=[^\s\[\]{},])(?:(?<=[\s\[\]{},:\"'\ufeff]&)|(?<=^&))")


class YamlFileError(Exception):
    """A deck file that cannot be read or parsed: `message`, and `line` (1-based) when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message, self.line = message, line


def read(path: Path) -> Any:
    """The parsed document of one deck file (mappings carry `__line__`); raises YamlFileError."""
    try:
        stat, resolved = path.stat(), str(path.resolve())
        key = [stat.st_mtime_ns, stat.st_size, resolved]
        cache = _cache_path(resolved)
    except OSError as e:
        raise YamlFileError(f"cannot read: {e}") from None
    if cache is not None:
        try:
            cached = json.loads(cache.read_text(encoding="utf-8"))
            if cached["key"] == key:
                return cached["data"]
        except (OSError, ValueError, KeyError, TypeError):
            pass
    data = _parse(path, stat)
    if cache is not None:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"key": key, "data": data}), encoding="utf-8")
            tmp.replace(cache)  # atomic: a concurrent reader sees the old or the new copy
        except (OSError, TypeError, ValueError):  # read-only cache dir, or YAML with non-JSON values
            pass
    return data


def cache_root() -> Path | None:
    """lossquiz's cache folder: $LOSSQUIZ_CACHE_DIR, else the user cache dir; None when set to ""."""
    root = os.environ.get("LOSSQUIZ_CACHE_DIR")
    if root is None:
        import platformdirs

        root = platformdirs.user_cache_dir("lossquiz", appauthor=False)
    return Path(root) if root else None  # LOSSQUIZ_CACHE_DIR="" turns the caches off


def _cache_path(resolved: str) -> Path | None:
    """Where one file's parse is cached; the name is a checksum of the path (the path itself is in
    the key, so a collision only means a re-parse)."""
    root = cache_root()
    if root is None:
        return None
    return root / "yaml" / f"{zlib.crc32(resolved.encode()):08x}-{Path(resolved).stem}.json"


def _parse(path: Path, info: os.stat_result) -> Any:
    """Parse one YAML file: a regular file of bounded size whose aliases expand to a bounded size."""
    import stat as stat_mod

    import yaml

    if not stat_mod.S_ISREG(info.st_mode):
        raise YamlFileError("cannot read: not a regular file (a FIFO or device?)")
    if info.st_size > MAX_YAML_BYTES:
        raise YamlFileError(f"cannot read: too large ({info.st_size} bytes; at most {MAX_YAML_BYTES})")
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_YAML_BYTES + 1)
        if len(raw) > MAX_YAML_BYTES:
            raise YamlFileError(f"cannot read: too large (more than {MAX_YAML_BYTES} bytes)")
        text = raw.decode("utf-8")
        loader = _loader()(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            if not _ANCHOR.search(text):  # no anchors, so no aliases: every node is its own
                try:
                    return _construct_plain(node, loader)
                except _Unusual:
                    pass  # a tag, merge key or error only PyYAML's own constructor knows how to handle
            elif _expanded_size(node, MAX_YAML_NODES) > MAX_YAML_NODES:
                raise YamlFileError(f"cannot read: aliases expand to more than {MAX_YAML_NODES} nodes (an alias bomb?)")
            return loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark
        raise YamlFileError(f"YAML syntax error: {e.problem or e}", mark.line + 1 if mark else None) from None
    except RecursionError:
        raise YamlFileError("cannot read: nested too deeply") from None
    except (yaml.YAMLError, UnicodeDecodeError, OSError) as e:
        raise YamlFileError(f"cannot read: {e}") from None


@functools.cache
def _loader() -> type[yaml.SafeLoader]:
    """A safe loader (C-accelerated when available) that records each mapping's line."""
    import yaml

    base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class LineLoader(base):  # type: ignore[misc, valid-type]
        def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Any:
            mapping = super().construct_mapping(node, deep=deep)
            mapping["__line__"] = node.start_mark.line + 1
            return mapping

    return LineLoader  # type: ignore[no-any-return]


class _Unusual(Exception):
    """The document needs PyYAML's full constructor (which then builds it, or raises its error)."""


_STR, _SEQ, _MAP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
_SCALARS = frozenset(f"tag:yaml.org,2002:{name}" for name in ("null", "bool", "int", "float", "binary", "timestamp"))


def _construct_plain(node: yaml.Node, loader: Any) -> Any:
    """What `loader.construct_document(node)` returns, for a document without aliases, built in one
    pass: strings, lists and dicts directly, other scalars (int, float, bool, null, timestamps) by the
    loader's own constructors, each mapping with its `__line__`. PyYAML's generic constructor is
    pure Python even with libyaml and was most of a cold deck load; anything else it supports
    (merge keys, !!set, !!omap, a non-scalar key, an unknown tag) raises _Unusual."""
    import yaml

    scalar, sequence, mapping = yaml.ScalarNode, yaml.SequenceNode, yaml.MappingNode
    constructors = loader.yaml_constructors

    def build(current: yaml.Node) -> Any:
        kind, tag = type(current), current.tag
        if kind is scalar:
            if tag == _STR:
                return current.value
            if tag in _SCALARS:
                return constructors[tag](loader, current)
            raise _Unusual
        if kind is sequence and tag == _SEQ:
            return [build(child) for child in current.value]
        if kind is mapping and tag == _MAP:
            built: dict[Any, Any] = {}
            for key_node, value_node in current.value:
                if type(key_node) is not scalar:  # a merge key (<<) has its own tag: _Unusual below
                    raise _Unusual
                built[build(key_node)] = build(value_node)
            built["__line__"] = current.start_mark.line + 1
            return built
        raise _Unusual

    try:
        return build(node)
    except _Unusual:
        raise
    except Exception:  # e.g. a malformed timestamp: PyYAML's constructor raises the error users see
        raise _Unusual from None


def _expanded_size(node: yaml.Node, cap: int) -> int:
    """How many nodes the document has once aliases are expanded (stops counting past cap)."""
    import yaml

    memo: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(node, False)]
    while stack:
        current, done = stack.pop()
        if id(current) in memo:
            continue
        children: list[yaml.Node] = []
        if isinstance(current, yaml.SequenceNode):
            children = list(current.value)
        elif isinstance(current, yaml.MappingNode):
            children = [n for pair in current.value for n in pair]
        if not done:
            stack.append((current, True))
            stack.extend((c, False) for c in children if id(c) not in memo)
            continue
        memo[id(current)] = min(cap + 1, 1 + sum(memo.get(id(c), 1) for c in children))
    return memo[id(node)]
