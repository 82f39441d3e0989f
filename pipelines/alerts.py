"""Alerts: a failed or blocked run is reported by e-mail (SMTP) and/or to a webhook.

The server runs unwatched, so a run that fails (a bug, a dead process) or that a blocking
data-quality check stops must reach a person. The message is short and in Swedish: the job,
the failed steps or blocking checks, the run id and the link to the run in the UI. It never
carries an error message or check metadata, which can quote rows of the delivery.

Destinations are settings (pipelines.resources.alert_settings_from_env):
LAGESBILD_ALERT_SMTP_HOST/_PORT/_FROM/_TO (/_USER/_PASSWORD/_STARTTLS) and
LAGESBILD_ALERT_WEBHOOK_URL (Teams or Slack incoming webhook: a JSON body {"text": ...}).
Without either, the sensor logs a warning that no alert destination is configured.
"""

from __future__ import annotations

import json
import smtplib
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage

import dagster as dg
from pydantic import Field

#: Network calls must not hang the sensor daemon.
TIMEOUT_SECONDS = 15


class AlertSettings(dg.ConfigurableResource):
    """Where alerts go. Empty values mean: that destination is off."""

    smtp_host: str = Field(default="", description="SMTP server; empty: no e-mail.")
    smtp_port: int = Field(default=25, description="SMTP port (587 with STARTTLS).")
    smtp_starttls: bool = Field(default=False, description="Upgrade the connection with TLS.")
    smtp_user: str = Field(default="", description="SMTP login; empty: no login.")
    smtp_password: str = Field(default="", description="SMTP password (from the env file).")
    smtp_from: str = Field(default="lagesbild@localhost", description="Sender address.")
    smtp_to: str = Field(default="", description="Recipients, separated by commas.")
    webhook_url: str = Field(default="", description="Incoming webhook (Teams/Slack).")
    ui_url: str = Field(
        default="http://127.0.0.1:3000",
        description="The Dagster UI as the readers of the alert reach it (behind the proxy).",
    )

    @property
    def recipients(self) -> list[str]:
        return [r.strip() for r in self.smtp_to.split(",") if r.strip()]

    @property
    def email_enabled(self) -> bool:
        return bool(self.smtp_host and self.recipients)

    @property
    def webhook_enabled(self) -> bool:
        return bool(self.webhook_url)


@dataclass(frozen=True)
class Alert:
    subject: str
    text: str


def compose_alert(
    *,
    job_name: str,
    run_id: str,
    failed_steps: list[str],
    blocking_checks: list[str],
    ui_url: str,
) -> Alert:
    """The Swedish message: what stopped, where, and where to look."""
    link = f"{ui_url.rstrip('/')}/runs/{run_id}"
    if blocking_checks:
        subject = f"Lägesbild: jobbet {job_name} stoppades av en datakvalitetskontroll"
        what = (
            f"Körningen av jobbet {job_name} stoppades av en blockerande "
            f"datakvalitetskontroll: {', '.join(blocking_checks)}. "
            "Leveransen behöver rättas; inget nytt publicerades."
        )
    else:
        subject = f"Lägesbild: jobbet {job_name} misslyckades"
        where = (
            f"i steget {', '.join(failed_steps)}"
            if failed_steps
            else "innan något steg hann slutföras (processen avbröts, t.ex. vid en omstart)"
        )
        what = f"Körningen av jobbet {job_name} misslyckades {where}."
    text = (
        f"{what}\n"
        "Den senast publicerade versionen av marts ligger kvar.\n"
        f"Körning: {run_id}\n"
        f"Se körningen och dess logg: {link}\n"
    )
    return Alert(subject=subject, text=text)


def send_alert(alert: Alert, settings: AlertSettings) -> list[str]:
    """Send to every configured destination; returns the ones used.

    Both are tried before an error is raised, so one broken destination doesn't silence the
    other; the raised error fails the sensor tick, which shows in the UI and is retried.
    """
    used, errors = [], []
    if settings.email_enabled:
        try:
            _send_email(alert, settings)
            used.append("e-mail")
        except (OSError, smtplib.SMTPException) as exc:
            errors.append(f"e-mail via {settings.smtp_host}:{settings.smtp_port}: {exc}")
    if settings.webhook_enabled:
        try:
            _post_webhook(alert, settings.webhook_url)
            used.append("webhook")
        except OSError as exc:
            errors.append(f"webhook: {exc}")
    if errors:
        raise RuntimeError("alert not delivered: " + "; ".join(errors))
    return used


def _send_email(alert: Alert, settings: AlertSettings) -> None:
    message = EmailMessage()
    message["Subject"] = alert.subject
    message["From"] = settings.smtp_from
    message["To"] = ", ".join(settings.recipients)
    # quoted-printable: the Swedish letters pass through servers without 8BITMIME.
    message.set_content(alert.text, cte="quoted-printable")
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT_SECONDS) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
        smtp.send_message(message)


def _post_webhook(alert: Alert, url: str) -> None:
    body = json.dumps({"text": f"{alert.subject}\n\n{alert.text}"}, ensure_ascii=False)
    request = urllib.request.Request(
        url,
        data=body.encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
        response.read()


def failure_details(instance: dg.DagsterInstance, run_id: str) -> tuple[list[str], list[str]]:
    """(failed steps, failed blocking checks) of a run, from its event log."""
    steps = sorted(
        {
            record.event_log_entry.dagster_event.step_key
            for record in instance.get_records_for_run(
                run_id=run_id, of_type=dg.DagsterEventType.STEP_FAILURE
            ).records
            if record.event_log_entry.dagster_event
            and record.event_log_entry.dagster_event.step_key
        }
    )
    checks = set()
    for record in instance.get_records_for_run(
        run_id=run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
    ).records:
        event = record.event_log_entry.dagster_event
        evaluation = event.event_specific_data if event else None
        if evaluation is not None and not evaluation.passed and evaluation.blocking:
            checks.add(f"{evaluation.asset_key.to_user_string()}: {evaluation.check_name}")
    return steps, sorted(checks)


@dg.run_failure_sensor(
    name="alert_on_failure",
    minimum_interval_seconds=15,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Sends a short alert (e-mail and/or webhook) when a run fails or a blocking "
    "data-quality check stops it. Destinations: LAGESBILD_ALERT_* settings.",
)
def alert_on_failure(context: dg.RunFailureSensorContext, alerts: AlertSettings) -> None:
    run = context.dagster_run
    steps, checks = failure_details(context.instance, run.run_id)
    alert = compose_alert(
        job_name=run.job_name,
        run_id=run.run_id,
        failed_steps=steps,
        blocking_checks=checks,
        ui_url=alerts.ui_url,
    )
    if not (alerts.email_enabled or alerts.webhook_enabled):
        context.log.warning(
            f"run {run.run_id} of {run.job_name} failed, but no alert destination is "
            "configured: set LAGESBILD_ALERT_SMTP_HOST and LAGESBILD_ALERT_SMTP_TO, "
            "or LAGESBILD_ALERT_WEBHOOK_URL"
        )
        return
    used = send_alert(alert, alerts)
    context.log.info(f"alert for run {run.run_id} sent by {' and '.join(used)}")
