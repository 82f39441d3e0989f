"""The server set-up end to end: PostgreSQL, daemon, webserver, sensors, alerts.

A throwaway PostgreSQL cluster (run by an unprivileged user) holds the instance of
deploy/dagster.yaml; dagster-daemon and dagster-webserver start from the systemd units'
commands on 127.0.0.1. The raw-folder and report sensors are turned on through GraphQL, the
sample delivery is dropped into the empty raw folder, and the build and report runs are
followed through GraphQL and found in PostgreSQL. Then a delivery without crime files is
built, a blocking check stops it, and the alert reaches a local SMTP server and webhook.

Run it alone with `pytest -m service -s` (it prints the time of a full cycle). Takes ~2-3
minutes on two cores.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assets.registry import ALL_CHECKS
from tests.service.dagster_service import (
    REPO,
    dagster_service,
    env_for,
    listening_addresses,
)
from tests.service.postgres import free_port, throwaway_cluster
from tests.service.receivers import smtp_server, wait_for, webhook_server

pytestmark = [pytest.mark.service, pytest.mark.slow]

SAMPLE_RAW = REPO / "data" / "raw"
FINISHED = {"SUCCESS", "FAILURE", "CANCELED"}

SENSOR = """
query($selector: SensorSelector!) { sensorOrError(sensorSelector: $selector) {
    __typename ... on Sensor { sensorState { id status } } } }
"""
START_SENSOR = """
mutation($selector: SensorSelector!) { startSensor(sensorSelector: $selector) {
    __typename ... on Sensor { sensorState { status } } ... on PythonError { message } } }
"""
STOP_SENSOR = """
mutation($id: String!) { stopSensor(id: $id) {
    __typename ... on StopSensorMutationResult { instigationState { status } }
    ... on PythonError { message } } }
"""
RUNS = """
{ runsOrError { ... on Runs { results { runId jobName status startTime endTime } } } }
"""
CHECKS = """
query($runId: ID!) { logsForRun(runId: $runId, limit: 100000) { __typename
    ... on EventConnection { hasMore events { __typename
        ... on AssetCheckEvaluationEvent { evaluation {
            checkName success assetKey { path } } } } } } }
"""
LAUNCH = """
mutation($params: ExecutionParams!) { launchRun(executionParams: $params) { __typename
    ... on LaunchRunSuccess { run { runId } } ... on PythonError { message } } }
"""


def test_a_delivery_is_built_and_reported_by_the_service_and_a_failure_alerts(
    tmp_path,
) -> None:
    home, raw, logs = tmp_path / "dagster_home", tmp_path / "raw", tmp_path / "logs"
    for folder in (home, logs):
        folder.mkdir()
    shutil.copy(REPO / "deploy" / "dagster.yaml", home / "dagster.yaml")
    web_port = free_port()
    with (
        throwaway_cluster() as postgres,
        smtp_server() as (smtp_port, mails),
        webhook_server() as (webhook_url, posts),
    ):
        env = env_for(
            {
                **postgres.env,
                "DAGSTER_HOME": str(home),
                "LAGESBILD_RAW_DIR": str(raw),
                "LAGESBILD_MARTS_DIR": str(tmp_path / "marts"),
                "LAGESBILD_REPORTS_DIR": str(tmp_path / "reports"),
                "LAGESBILD_ALERT_SMTP_HOST": "127.0.0.1",
                "LAGESBILD_ALERT_SMTP_PORT": str(smtp_port),
                "LAGESBILD_ALERT_SMTP_TO": "it-drift@kommun.se",
                "LAGESBILD_ALERT_WEBHOOK_URL": webhook_url,
                "LAGESBILD_ALERT_UI_URL": f"http://127.0.0.1:{web_port}",
            }
        )
        with dagster_service(env, logs, web_port) as graphql:
            webserver_pid = _pid_listening(web_port)
            assert listening_addresses(webserver_pid) <= {"127.0.0.1", "::1"}

            location = graphql(WORKSPACE_NAMES)["workspaceOrError"]["locationEntries"][0]
            repository = location["locationOrLoadError"]["repositories"][0]["name"]

            def selector(name: str) -> dict[str, str]:
                return {
                    "repositoryLocationName": location["name"],
                    "repositoryName": repository,
                    "sensorName": name,
                }

            for name in ("raw_folder_sensor", "report_after_build"):
                started = graphql(START_SENSOR, selector=selector(name))["startSensor"]
                assert started["sensorState"]["status"] == "RUNNING", started

            # The delivery lands whole: copied beside, then renamed into place.
            incoming = tmp_path / ".incoming"
            shutil.copytree(SAMPLE_RAW, incoming)
            incoming.rename(raw)
            dropped = time.time()

            def finished(job: str) -> dict | None:
                runs = graphql(RUNS)["runsOrError"]["results"]
                done = [r for r in runs if r["jobName"] == job and r["status"] in FINISHED]
                return done[0] if done else None

            build = wait_for(lambda: finished("build"), 240, "the build run", step=2)
            assert build["status"] == "SUCCESS", _log_tail(logs)
            report = wait_for(lambda: finished("report"), 180, "the report run", step=2)
            assert report["status"] == "SUCCESS", _log_tail(logs)
            reports = list((tmp_path / "reports").glob("lagesbild-*.html"))
            assert len(reports) == 1
            print(
                "\nfull cycle through the daemon, delivery dropped -> report written: "
                f"{report['endTime'] - dropped:.0f} s (until the build started "
                f"{build['startTime'] - dropped:.0f} s, build run "
                f"{build['endTime'] - build['startTime']:.0f} s, report run "
                f"{report['endTime'] - report['startTime']:.0f} s)"
            )

            # Every check of the build ran, and the run passed every blocking one.
            events = graphql(CHECKS, runId=build["runId"])["logsForRun"]
            assert events["hasMore"] is False
            evaluations = {
                ("/".join(e["evaluation"]["assetKey"]["path"]), e["evaluation"]["checkName"]): e[
                    "evaluation"
                ]["success"]
                for e in events["events"]
                if e["__typename"] == "AssetCheckEvaluationEvent"
            }
            specs = {
                (spec.asset_key.to_user_string(), spec.name): spec.blocking
                for checks in ALL_CHECKS
                for spec in checks.check_specs
            }
            assert set(evaluations) == set(specs)
            assert all(evaluations[key] for key, blocking in specs.items() if blocking)

            # The run is in PostgreSQL, not in files under DAGSTER_HOME.
            with postgres.connect() as con, con.cursor() as cursor:
                cursor.execute("SELECT status FROM runs WHERE run_id = %s", [build["runId"]])
                assert cursor.fetchone() == ("SUCCESS",)
                cursor.execute(
                    "SELECT count(*) FROM event_logs WHERE run_id = %s", [build["runId"]]
                )
                assert cursor.fetchone()[0] > 100
            con.close()
            assert not list(home.rglob("*.db"))

            # The publication is kept as a version named by the build's run id.
            versions = subprocess.run(
                [str(Path(sys.executable).with_name("lagesbild")), "versions"],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert versions.returncode == 0, versions.stderr
            assert versions.stdout.split() == [
                build["runId"],
                versions.stdout.split()[1],
                "current",
            ]

            # A delivery without crime files: a blocking check stops the build, and says so.
            raw_state = graphql(SENSOR, selector=selector("raw_folder_sensor"))
            stopped = graphql(STOP_SENSOR, id=raw_state["sensorOrError"]["sensorState"]["id"])
            assert stopped["stopSensor"]["instigationState"]["status"] == "STOPPED", stopped
            shutil.rmtree(raw / "brott")
            launched = graphql(
                LAUNCH,
                params={
                    "selector": {
                        "repositoryLocationName": location["name"],
                        "repositoryName": repository,
                        "jobName": "build",
                    },
                    "runConfigData": {},
                },
            )["launchRun"]
            assert launched["__typename"] == "LaunchRunSuccess", launched
            failed_id = launched["run"]["runId"]
            wait_for(lambda: mails and posts, 180, "the alert by e-mail and webhook", step=1)

    (mail,) = mails
    (post,) = posts
    assert mail["Subject"] == "Lägesbild: jobbet build stoppades av en datakvalitetskontroll"
    assert mail["To"] == "it-drift@kommun.se"
    text = mail.get_content()
    assert "staging/crime: has_accepted_rows" in text
    assert f"Körning: {failed_id}" in text
    assert f"http://127.0.0.1:{web_port}/runs/{failed_id}" in text
    assert post["json"]["text"] == f"{mail['Subject']}\n\n{text}"


def _pid_listening(port: int) -> int:
    import psutil

    for conn in psutil.net_connections(kind="tcp"):
        if conn.status == psutil.CONN_LISTEN and conn.laddr.port == port and conn.pid:
            return conn.pid
    raise AssertionError(f"nothing listens on port {port}")


def _log_tail(logs: Path) -> str:
    return "\n".join(
        f"--- {log.name}\n" + "\n".join(log.read_text().splitlines()[-40:])
        for log in sorted(logs.glob("*.log"))
    )


WORKSPACE_NAMES = """
{ workspaceOrError { ... on Workspace { locationEntries { name
    locationOrLoadError { ... on RepositoryLocation { repositories { name } } } } } } }
"""
