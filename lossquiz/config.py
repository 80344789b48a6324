"""User defaults from `config.toml` (platformdirs' user config dir), with where each value came from.

Precedence, lowest first: the built-in default, the file, an environment variable, a command-line
option. `lossquiz config` shows every value in force and its source. The file is TOML:

    deck = "~/notes/lossdeck"
    time_limit = 45
    new_per_day = 15
    retention = 0.9
    day_start_hour = 4
    fuzz = true

$LOSSQUIZ_CONFIG names another file (tests, or a second set-up).
"""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path
from typing import Any, NamedTuple

from lossquiz.errors import LossquizError

CONFIG_ENV = "LOSSQUIZ_CONFIG"
FILE_NAME = "config.toml"


class ConfigError(LossquizError):
    """config.toml (or an environment variable) holds a value lossquiz cannot use."""

    exit_code = 2


# NamedTuples and a slotted class, not frozen dataclasses: every command reads the config, and a
# dataclass compiles its methods when it is defined (about 5M instructions each, 1M for these).


class Key(NamedTuple):
    """One setting: its type, default, bounds, environment variable and meaning."""

    name: str
    kind: type
    default: Any
    env: str
    help: str
    low: float | None = None
    high: float | None = None


KEYS: tuple[Key, ...] = (
    Key("deck", str, None, "LOSSQUIZ_DECK", "deck folder (none: the built-in deck)"),
    Key("time_limit", float, 60.0, "LOSSQUIZ_TIME_LIMIT", "seconds per card in a drill (0 = untimed)", 0, 3600),
    Key("new_per_day", int, 10, "LOSSQUIZ_NEW_PER_DAY", "new cards introduced per study day", 0, 10_000),
    Key(
        "retention", float, 0.9, "LOSSQUIZ_RETENTION", "desired retention (optimize --apply-retention wins)", 0.7, 0.99
    ),
    Key("day_start_hour", int, 4, "LOSSQUIZ_DAY_START_HOUR", "local hour a new study day starts (Anki: 4)", 0, 23),
    Key("fuzz", bool, True, "LOSSQUIZ_FUZZ", "spread review intervals by Anki's fuzz"),
)
_BY_NAME = {k.name: k for k in KEYS}


class Value(NamedTuple):
    """A setting in force and where it came from: default, file, env or option."""

    name: str
    value: Any
    source: str


class Config:
    """Every setting in force."""

    __slots__ = ("path", "values")

    def __init__(self, path: Path, values: dict[str, Value]) -> None:
        self.path, self.values = path, values

    def __repr__(self) -> str:
        return f"Config({self.path!r}, {self.values!r})"

    def __getitem__(self, name: str) -> Any:
        return self.values[name].value

    def with_option(self, name: str, value: Any) -> Config:
        """The config with a command-line option applied (None leaves the value alone)."""
        if value is None:
            return self
        return Config(self.path, {**self.values, name: Value(name, value, "option")})

    def to_dict(self) -> dict[str, Any]:
        """The `config --json` object."""
        return {
            "path": str(self.path),
            "exists": self.path.is_file(),
            "values": {n: {"value": v.value, "source": v.source} for n, v in self.values.items()},
        }


def config_path() -> Path:
    """$LOSSQUIZ_CONFIG, else config.toml in the platform's user config directory."""
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir("lossquiz", appauthor=False)) / FILE_NAME


def _check(key: Key, raw: Any, where: str) -> Any:
    if key.kind is bool:
        if isinstance(raw, str) and raw.strip().lower() in ("1", "true", "yes", "on", "0", "false", "no", "off"):
            return raw.strip().lower() in ("1", "true", "yes", "on")
        if not isinstance(raw, bool):
            raise ConfigError(f"{where}: '{key.name}' must be true or false, got {raw!r}")
        return raw
    if key.kind is str:
        if not isinstance(raw, str) or not raw.strip():
            raise ConfigError(f"{where}: '{key.name}' must be text, got {raw!r}")
        return str(Path(raw).expanduser())
    value: Any = raw
    if isinstance(raw, str):
        try:
            value = key.kind(raw.strip())
        except ValueError:
            raise ConfigError(f"{where}: '{key.name}' must be a number, got {raw!r}") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError(f"{where}: '{key.name}' must be a finite number, got {raw!r}")
    if key.kind is int and value != int(value):
        raise ConfigError(f"{where}: '{key.name}' must be a whole number, got {raw!r}")
    if (key.low is not None and value < key.low) or (key.high is not None and value > key.high):
        raise ConfigError(f"{where}: '{key.name}' must be between {key.low:g} and {key.high:g}, got {raw!r}")
    return key.kind(value)


def _read_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"cannot read {path}: {e}") from None
    if sys.version_info >= (3, 11):  # imported only when there is a file to parse
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path} is not valid TOML: {e}") from None
    unknown = sorted(set(data) - set(_BY_NAME))
    if unknown:
        raise ConfigError(f"{path}: unknown setting {', '.join(map(repr, unknown))} (known: {', '.join(_BY_NAME)})")
    return data


def load() -> Config:
    """Defaults, overridden by config.toml, overridden by environment variables."""
    path = config_path()
    data = _read_file(path)
    values: dict[str, Value] = {}
    for key in KEYS:
        value, source = key.default, "default"
        if key.name in data:
            value, source = _check(key, data[key.name], str(path)), "file"
        env = os.environ.get(key.env)
        if env:
            value, source = _check(key, env, f"${key.env}"), "env"
        values[key.name] = Value(key.name, value, source)
    return Config(path, values)
