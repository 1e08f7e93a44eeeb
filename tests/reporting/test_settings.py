"""Settings refuse what cannot work, naming the variable, before anything runs; secrets are redacted."""

from __future__ import annotations

import pytest

from reporting_assets.settings import ConfigError, Settings, redact

BASE = {"ODOO_URL": "http://127.0.0.1:8069", "ODOO_DB": "db", "ODOO_USERNAME": "u", "ODOO_PASSWORD": "pw"}


def settings(**values: str) -> Settings:
    return Settings.from_env(BASE | values)


@pytest.mark.parametrize(
    "variable, value, message",
    [
        ("ODOO_TIMEOUT", "nan", "ODOO_TIMEOUT must be a number >= 0.1, got 'nan'"),
        ("ODOO_TIMEOUT", "inf", "ODOO_TIMEOUT must be a number >= 0.1, got 'inf'"),
        ("REPORTING_SENSOR_INTERVAL", "abc", "REPORTING_SENSOR_INTERVAL must be a number >= 1, got 'abc'"),
        ("REPORTING_SENSOR_INTERVAL", "0", "REPORTING_SENSOR_INTERVAL must be a number >= 1, got '0'"),
        ("REPORTING_SENSOR_INTERVAL", "-5", "REPORTING_SENSOR_INTERVAL must be a number >= 1, got '-5'"),
        ("REPORTING_SMTP_PORT", "abc", "REPORTING_SMTP_PORT must be a number from 1 to 65535, got 'abc'"),
        ("REPORTING_SMTP_PORT", "70000", "REPORTING_SMTP_PORT must be a number from 1 to 65535, got '70000'"),
        (
            "REPORTING_TIMEZONE",
            "Mars/Olympus",
            "REPORTING_TIMEZONE must be an IANA time zone such as UTC or Europe/Brussels, got 'Mars/Olympus'",
        ),
        (
            "REPORTING_FULL_REFRESH_CRON",
            "every night",
            "REPORTING_FULL_REFRESH_CRON must be a cron expression with five fields, e.g. '0 2 * * *', "
            "got 'every night'",
        ),
        (
            "REPORTING_RAW_FRESHNESS_WARN_HOURS",
            "12",
            "REPORTING_RAW_FRESHNESS_WARN_HOURS (12) must not be more than REPORTING_RAW_FRESHNESS_FAIL_HOURS (6)",
        ),
        (
            "REPORTING_WEBHOOK_TOKEN",
            "abc/def?ghi#jkl-0123456789",
            "REPORTING_WEBHOOK_TOKEN may contain only letters, digits and . _ ~ - (it is part of a URL)",
        ),
        (
            "REPORTING_ALERT_WEBHOOK_URL",
            "file:///etc/passwd",
            "REPORTING_ALERT_WEBHOOK_URL must be an http:// or https:// URL",
        ),
        (
            "REPORTING_SMTP_STARTTLS",
            "maybe",
            "REPORTING_SMTP_STARTTLS must be true or false (also yes/no, on/off, 1/0), got 'maybe'",
        ),
        (
            "ODOO_URL",
            "http://admin:S3cr3t-pw@odoo.example.com",
            "ODOO_URL must not carry a user or password: the credentials have variables of their own "
            "(ODOO_USERNAME, ODOO_PASSWORD)",
        ),
        (
            "CARRIER_API_TOKEN",
            "tok en-with-space",
            "CARRIER_API_TOKEN contains spaces or control characters: an HTTP header cannot carry it",
        ),
    ],
)
def test_an_unusable_value_is_refused_with_its_variable(variable, value, message):
    values = {variable: value}
    if variable == "CARRIER_API_TOKEN":
        values["CARRIER_API_URL"] = "http://carrier.example.com/v1"
    with pytest.raises(ConfigError) as refused:
        settings(**values)
    assert str(refused.value) == message


@pytest.mark.parametrize(
    "spelling, meaning", [("on", True), ("y", True), ("TRUE ", True), ("Off", False), ("0", False)]
)
def test_booleans_accept_the_usual_spellings(spelling, meaning):
    assert settings(REPORTING_SMTP_STARTTLS=spelling).smtp_starttls is meaning


def test_an_smtp_login_never_goes_out_unencrypted_unless_explicitly_allowed():
    with pytest.raises(ConfigError, match="the SMTP password would travel unencrypted"):
        settings(REPORTING_SMTP_USER="alerts", REPORTING_SMTP_PASSWORD="Smtp-Secret-9")
    assert settings(REPORTING_SMTP_USER="alerts", REPORTING_SMTP_STARTTLS="yes").smtp_starttls
    allowed = settings(REPORTING_SMTP_USER="alerts", REPORTING_SMTP_ALLOW_PLAINTEXT_AUTH="true")
    assert not allowed.smtp_starttls


def test_secrets_are_stripped_and_never_in_the_repr():
    loaded = settings(ODOO_PASSWORD="  Odoo-Secret-1\n", REPORTING_SMTP_PASSWORD="Smtp-Secret-2 ")
    assert (loaded.odoo_password, loaded.smtp_password) == ("Odoo-Secret-1", "Smtp-Secret-2")
    assert "Secret" not in repr(loaded)


def test_redaction_removes_configured_secrets_and_url_credentials_but_not_e_mail_addresses():
    loaded = settings(
        ODOO_PASSWORD="Odoo-Secret-1",
        REPORTING_WAREHOUSE="postgres",
        REPORTING_PG_DSN="postgresql://rep:Pg-Secret-3@db.example.com:5432/wh",
    )
    said = loaded.redact(
        "login with Odoo-Secret-1 failed; dsn postgresql://rep:Pg-Secret-3@db.example.com:5432/wh; "
        "password Pg-Secret-3; mail controller@example.com"
    )
    assert said == "login with *** failed; dsn ***; password ***; mail controller@example.com"
    assert redact('invalid dsn: missing "=" after "repuser:Pw-Secret-4@host/db"') == (
        'invalid dsn: missing "=" after "***@host/db"'
    )
