"""Alerts on failed or blocked runs: the Swedish message, its delivery, its silence.

Delivery goes to an SMTP server and a webhook on 127.0.0.1 (tests/service/receivers.py).
The run-failure sensor is evaluated on real failed runs of small jobs, so what it reads
from the event log (failed steps, failed blocking checks) is Dagster's own.
"""

from __future__ import annotations

import dagster as dg
import pytest

from pipelines.alerts import (
    AlertSettings,
    alert_on_failure,
    compose_alert,
    failure_details,
    send_alert,
)
from pipelines.resources import alert_settings_from_env
from tests.service.receivers import smtp_server, webhook_server

RUN_ID = "0b5c1f2e-7d1a-4c9e-9a11-2f3e4d5c6b7a"


def test_a_blocked_run_names_the_check_and_where_to_look() -> None:
    alert = compose_alert(
        job_name="build",
        run_id=RUN_ID,
        failed_steps=["staging__crime"],
        blocking_checks=["staging/crime: required_sources_present"],
        ui_url="https://lagesbild.kommun.se/",
    )
    assert alert.subject == "Lägesbild: jobbet build stoppades av en datakvalitetskontroll"
    assert alert.text == (
        "Körningen av jobbet build stoppades av en blockerande datakvalitetskontroll: "
        "staging/crime: required_sources_present. Leveransen behöver rättas; inget nytt "
        "publicerades.\n"
        "Den senast publicerade versionen av marts ligger kvar.\n"
        f"Körning: {RUN_ID}\n"
        f"Se körningen och dess logg: https://lagesbild.kommun.se/runs/{RUN_ID}\n"
    )


def test_a_failed_run_names_the_step_or_says_none_finished() -> None:
    alert = compose_alert(
        job_name="report",
        run_id=RUN_ID,
        failed_steps=["report"],
        blocking_checks=[],
        ui_url="http://127.0.0.1:3000",
    )
    assert alert.subject == "Lägesbild: jobbet report misslyckades"
    assert alert.text.startswith("Körningen av jobbet report misslyckades i steget report.\n")
    assert f"http://127.0.0.1:3000/runs/{RUN_ID}" in alert.text
    killed = compose_alert(
        job_name="build", run_id=RUN_ID, failed_steps=[], blocking_checks=[], ui_url="u"
    )
    assert "innan något steg hann slutföras" in killed.text


def test_the_alert_arrives_by_email_and_webhook() -> None:
    alert = compose_alert(
        job_name="build",
        run_id=RUN_ID,
        failed_steps=["marts__area_year"],
        blocking_checks=[],
        ui_url="http://127.0.0.1:3000",
    )
    with smtp_server() as (port, mails), webhook_server() as (url, posts):
        settings = alert_settings_from_env(
            {
                "LAGESBILD_ALERT_SMTP_HOST": "127.0.0.1",
                "LAGESBILD_ALERT_SMTP_PORT": str(port),
                "LAGESBILD_ALERT_SMTP_FROM": "lagesbild@kommun.se",
                "LAGESBILD_ALERT_SMTP_TO": "it@kommun.se, analys@kommun.se",
                "LAGESBILD_ALERT_WEBHOOK_URL": url,
            }
        )
        assert send_alert(alert, settings) == ["e-mail", "webhook"]
    (mail,) = mails
    assert mail["Subject"] == "Lägesbild: jobbet build misslyckades"
    assert mail["To"] == "it@kommun.se, analys@kommun.se"
    assert mail.get_content() == alert.text
    (post,) = posts
    assert post["content_type"].startswith("application/json")
    assert post["json"] == {"text": f"{alert.subject}\n\n{alert.text}"}


def test_an_unreachable_destination_fails_loudly_after_trying_the_other() -> None:
    alert = compose_alert(
        job_name="build", run_id=RUN_ID, failed_steps=["x"], blocking_checks=[], ui_url="u"
    )
    with smtp_server() as (port, _):
        pass  # the SMTP port is closed again: nothing listens there
    with webhook_server() as (url, posts):
        settings = AlertSettings(
            smtp_host="127.0.0.1", smtp_port=port, smtp_to="it@kommun.se", webhook_url=url
        )
        with pytest.raises(RuntimeError, match=r"alert not delivered: e-mail via 127\.0\.0\.1"):
            send_alert(alert, settings)
    assert len(posts) == 1


def test_settings_come_from_lagesbild_alert_variables() -> None:
    settings = alert_settings_from_env(
        {"LAGESBILD_ALERT_SMTP_PORT": "587", "LAGESBILD_ALERT_SMTP_STARTTLS": "true"}
    )
    assert (settings.smtp_port, settings.smtp_starttls) == (587, True)
    assert not settings.email_enabled and not settings.webhook_enabled
    # An address without a server (or the reverse) is not a destination.
    assert not alert_settings_from_env({"LAGESBILD_ALERT_SMTP_TO": "it@kommun.se"}).email_enabled


# Small jobs whose runs fail the two ways a lägesbild run can: a bug, and a blocking check.
@dg.asset
def counts() -> int:
    return 3


@dg.asset_check(asset=counts, blocking=True)
def counts_positive() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=False)


@dg.asset_check(asset=counts, blocking=False)
def counts_warning() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=False)


@dg.asset(deps=[counts])
def published() -> None:
    pass


@dg.asset
def broken() -> None:
    raise ValueError("a bug with personnummer 19121212-1212 in its message")


def _failed_run(instance: dg.DagsterInstance, *assets) -> dg.DagsterRun:
    result = dg.materialize(list(assets), instance=instance, raise_on_error=False)
    assert not result.success
    return instance.get_run_by_id(result.run_id)


def _evaluate(instance: dg.DagsterInstance, run: dg.DagsterRun, alerts: AlertSettings) -> None:
    failure = instance.get_records_for_run(
        run.run_id, of_type=dg.DagsterEventType.RUN_FAILURE
    ).records[0]
    context = dg.build_run_status_sensor_context(
        sensor_name="alert_on_failure",
        dagster_event=failure.event_log_entry.dagster_event,
        dagster_instance=instance,
        dagster_run=run,
        resources={"alerts": alerts},
    ).for_run_failure()
    alert_on_failure(context)


def test_the_sensor_reports_the_blocking_check_not_the_warning() -> None:
    with dg.instance_for_test() as instance:
        run = _failed_run(instance, counts, published, counts_positive, counts_warning)
        steps, checks = failure_details(instance, run.run_id)
        assert checks == ["counts: counts_positive"]
        assert steps == ["counts_counts_positive"]
        with smtp_server() as (port, mails):
            _evaluate(
                instance,
                run,
                AlertSettings(smtp_host="127.0.0.1", smtp_port=port, smtp_to="it@kommun.se"),
            )
    (mail,) = mails
    assert "blockerande datakvalitetskontroll: counts: counts_positive." in mail.get_content()
    assert "counts_warning" not in mail.get_content()
    assert run.run_id in mail.get_content()


def test_the_sensor_names_the_failed_step_and_keeps_the_error_out() -> None:
    with dg.instance_for_test() as instance, webhook_server() as (url, posts):
        run = _failed_run(instance, broken)
        _evaluate(instance, run, AlertSettings(webhook_url=url))
    (post,) = posts
    assert "misslyckades i steget broken." in post["json"]["text"]
    assert "19121212" not in post["json"]["text"]


def test_without_a_destination_the_sensor_warns(capfd) -> None:
    with dg.instance_for_test() as instance:
        run = _failed_run(instance, broken)
        _evaluate(instance, run, AlertSettings())
    warnings = [line for line in capfd.readouterr().err.splitlines() if " - WARNING - " in line]
    assert any("no alert destination is configured" in line for line in warnings), warnings
