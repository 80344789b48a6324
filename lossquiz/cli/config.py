"""`config`: every setting in force and where it came from."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lossquiz.cli.app import JsonOption, app, exit_on_error, print_json

if TYPE_CHECKING:
    from lossquiz import config


@app.command("config", short_help="Show each setting in force and where it came from.")
def show_config(as_json: JsonOption = False) -> None:
    """Show each setting in force (deck, time limit, new cards a day, retention, day start, fuzz) and its source.

    Sources, lowest first: default, file (config.toml), env (LOSSQUIZ_...), option (on a command line).

    \b
    Examples:
      lossquiz config
      lossquiz config --json
    """
    from lossquiz import config
    from lossquiz.ui import card_admin_view, console

    with exit_on_error():
        cfg = _with_optimized_retention(config.load())
    if as_json:
        print_json(cfg.to_dict())
    else:
        console.out().print(card_admin_view.config_table(cfg, config.KEYS))


def _with_optimized_retention(cfg: config.Config) -> config.Config:
    """A retention chosen with `optimize --apply-retention` outranks the file and the environment
    in every drill (option > optimize > config), so it is the one in force here too."""
    from lossquiz import paths
    from lossquiz.config import Config, Value
    from lossquiz.progress import settings
    from lossquiz.progress.store import Store

    with Store.open(paths.data_dir(None), readonly=True) as store:  # no file: nothing chosen
        chosen = settings.desired_retention(store)
    if chosen is None:
        return cfg
    return Config(cfg.path, {**cfg.values, "retention": Value("retention", chosen, "optimize --apply-retention")})
