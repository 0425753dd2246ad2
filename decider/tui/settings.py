"""Settings kept between runs (the theme), in $DECIDER_STATE_DIR or the user config directory."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from decider.errors import DeciderError
from decider.storage.atomic import write_atomic
from decider.interview.session import STATE_DIR_ENV


def settings_path() -> Path:
    base = os.environ.get(STATE_DIR_ENV)
    if not base:
        import platformdirs

        base = platformdirs.user_config_dir("decider")
    return Path(base) / "settings.json"


def load_settings() -> dict[str, Any]:
    """The saved settings, or {} when there are none or they are unreadable (settings never stop a run)."""
    try:
        data = json.loads(settings_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save_settings(**changes: Any) -> None:
    """Merge `changes` into the saved settings (a failure to save is ignored: it is only a preference)."""
    try:
        write_atomic(settings_path(), json.dumps({**load_settings(), **changes}, indent=2) + "\n")
    except DeciderError:
        pass  # a preference that cannot be saved must not break the interview
