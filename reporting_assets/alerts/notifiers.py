"""Saying loudly that something failed: one small interface, two ways to deliver.

An `Alert` names what failed, why, since when, and links to the run in the Dagster
UI. `EmailNotifier` sends it over SMTP (STARTTLS and login when configured);
`WebhookNotifier` posts JSON that Slack's incoming webhooks accept (`text`)
with the structured fields beside it for any other receiver. Configured from the
settings (`notifiers_for`); the SMTP password is never logged.
"""

from __future__ import annotations

import json
import smtplib
import urllib.request
from dataclasses import asdict, dataclass
from email.message import EmailMessage
from typing import Protocol

from reporting_assets.settings import Settings


@dataclass(frozen=True)
class Alert:
    subject: str  # e.g. "Run failed: full_refresh"
    what: str  # the job, asset or check that failed
    why: str  # the error message
    since: str  # ISO timestamp (UTC) of the failure
    link: str  # the run (or asset) in the Dagster UI

    def text(self) -> str:
        return f"{self.subject}\nWhat: {self.what}\nWhy: {self.why}\nSince: {self.since}\nDetails: {self.link}"


class Notifier(Protocol):
    def send(self, alert: Alert) -> None: ...


@dataclass(frozen=True)
class EmailNotifier:
    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]
    username: str = ""
    password: str = ""
    starttls: bool = False

    def send(self, alert: Alert) -> None:
        message = EmailMessage()
        message["Subject"] = f"[reporting] {alert.subject}"
        message["From"] = self.sender
        message["To"] = ", ".join(self.recipients)
        message.set_content(alert.text())
        with smtplib.SMTP(self.host, self.port, timeout=30) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(message)

    def __repr__(self) -> str:
        return f"EmailNotifier(host={self.host!r}, port={self.port}, recipients={self.recipients!r}, password=***)"


@dataclass(frozen=True)
class WebhookNotifier:
    url: str

    def send(self, alert: Alert) -> None:
        body = json.dumps({"text": alert.text(), **asdict(alert)}).encode()
        request = urllib.request.Request(self.url, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()


def notifiers_for(settings: Settings) -> list[Notifier]:
    """Email when REPORTING_ALERT_EMAIL_TO is set (SMTP from REPORTING_SMTP_*), a webhook when
    REPORTING_ALERT_WEBHOOK_URL is set; none, and alerts only go to the run log, otherwise."""
    notifiers: list[Notifier] = []
    if settings.alert_email_to:
        notifiers.append(
            EmailNotifier(
                host=settings.smtp_host,
                port=settings.smtp_port,
                sender=settings.smtp_from,
                recipients=settings.alert_email_to,
                username=settings.smtp_user,
                password=settings.smtp_password,
                starttls=settings.smtp_starttls,
            )
        )
    if settings.alert_webhook_url:
        notifiers.append(WebhookNotifier(settings.alert_webhook_url))
    return notifiers
