"""deploy/dagster.yaml: valid for this Dagster, PostgreSQL from the environment, one writer.

The service test runs on this file; these checks name what it must keep saying.
"""

from __future__ import annotations

import shutil

import yaml
from dagster._core.instance.config import dagster_instance_config

from pipelines.jobs import WORK_DB_TAG, build_job, lagesbild_job, report_job
from tests.service.units import REPO

CONFIG = REPO / "deploy" / "dagster.yaml"
PG_ENV = {
    "LAGESBILD_PG_HOST": "127.0.0.1",
    "LAGESBILD_PG_PORT": "5432",
    "LAGESBILD_PG_DB": "lagesbild_dagster",
    "LAGESBILD_PG_USER": "lagesbild",
    "LAGESBILD_PG_PASSWORD": "not-a-real-secret",
}


def test_the_production_config_is_valid_for_this_dagster(tmp_path, monkeypatch) -> None:
    shutil.copy(CONFIG, tmp_path / "dagster.yaml")
    for name, value in PG_ENV.items():
        monkeypatch.setenv(name, value)
    config, _ = dagster_instance_config(str(tmp_path))
    assert config["run_coordinator"]["class"] == "QueuedRunCoordinator"
    assert config["run_monitoring"]["enabled"] is True


def test_every_connection_setting_comes_from_the_environment() -> None:
    pg = yaml.safe_load(CONFIG.read_text())["storage"]["postgres"]["postgres_db"]
    secrets = {"hostname", "port", "db_name", "username", "password"}
    assert {key: pg[key] for key in secrets} == {
        "hostname": {"env": "LAGESBILD_PG_HOST"},
        "port": {"env": "LAGESBILD_PG_PORT"},
        "db_name": {"env": "LAGESBILD_PG_DB"},
        "username": {"env": "LAGESBILD_PG_USER"},
        "password": {"env": "LAGESBILD_PG_PASSWORD"},
    }


def test_runs_that_write_the_work_database_queue_one_at_a_time() -> None:
    limits = yaml.safe_load(CONFIG.read_text())["concurrency"]["runs"]["tag_concurrency_limits"]
    ((key, _),) = WORK_DB_TAG.items()
    assert {"key": key, "limit": 1} in limits
    assert build_job.tags == WORK_DB_TAG and lagesbild_job.tags == WORK_DB_TAG
    assert key not in (report_job.tags or {})
