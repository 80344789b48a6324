"""`config`: every setting in force and where it came from."""

from lossquiz.cli.app import JsonOption, app, exit_on_error, print_json


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
        cfg = config.load()
    if as_json:
        print_json(cfg.to_dict())
    else:
        console.out().print(card_admin_view.config_table(cfg, config.KEYS))
