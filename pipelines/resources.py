"""The one place that reads configuration from the environment.

Every setting of `LagesbildSettings` can be set with an environment variable named
LAGESBILD_<SETTING>, e.g. LAGESBILD_RAW_DIR or LAGESBILD_MAX_QUARANTINE_SHARE. The CLI's
flags override them. Relative paths are taken from the current directory.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from assets.database import WorkDatabase
from assets.settings import LagesbildSettings
from pipelines.alerts import AlertSettings

ENV_PREFIX = "LAGESBILD_"
#: Alert settings are LAGESBILD_ALERT_<SETTING>, e.g. LAGESBILD_ALERT_SMTP_HOST.
ALERT_PREFIX = ENV_PREFIX + "ALERT_"

DEFAULT_PATHS = {
    "raw_dir": "data/raw",
    "marts_dir": "data/marts",
    "reports_dir": "reports",
}


def env_name(setting: str) -> str:
    return ENV_PREFIX + setting.upper()


def settings_from_env(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> LagesbildSettings:
    """Settings from defaults, then LAGESBILD_* variables, then explicit overrides."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = dict(DEFAULT_PATHS)
    for name in LagesbildSettings.model_fields:
        if env_name(name) in environ:
            values[name] = environ[env_name(name)]
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    for name in DEFAULT_PATHS:
        values[name] = str(Path(values[name]).expanduser().resolve())
    return LagesbildSettings(**values)


def alert_settings_from_env(environ: Mapping[str, str] | None = None) -> AlertSettings:
    """Alert destinations from LAGESBILD_ALERT_* variables; unset ones stay off."""
    environ = os.environ if environ is None else environ
    values = {
        name: environ[ALERT_PREFIX + name.upper()]
        for name in AlertSettings.model_fields
        if environ.get(ALERT_PREFIX + name.upper(), "") != ""
    }
    return AlertSettings(**values)


def build_resources(
    settings: LagesbildSettings, alerts: AlertSettings | None = None
) -> dict[str, object]:
    """The resources every asset, check and sensor gets, all derived from one settings object."""
    return {
        "settings": settings,
        "alerts": alerts if alerts is not None else alert_settings_from_env(),
        "duckdb": WorkDatabase(
            database=str(settings.work_db_path),
            connection_config={"memory_limit": settings.duckdb_memory_limit},
        ),
    }
