"""`lossquiz-import.json`: what `import` records beside the deck it writes (the notes file it came
from, the card ids it gave, the deck's Anki id). Read by the import (re-imports) and the export
(Anki GUIDs), which must not import each other."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

MANIFEST = "lossquiz-import.json"


def read_manifest(deck: Path) -> dict[str, Any]:
    """The deck's import manifest; {} when it has none or it cannot be read."""
    try:
        data = json.loads((deck / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
