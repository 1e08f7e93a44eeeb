"""The settings, read from the environment (and `.env`) in one place, checked before anything runs.

`VARIABLES` is the list of every variable the platform reads, with what it is
for: `reporting --help` prints it and the README points at it. `Settings.from_env`
builds the frozen object the CLI and the resources use; a value that cannot be
used raises `ConfigError` with one line naming the variable, the problem and
what to do (the CLI prints it and exits 2). Secrets (passwords, tokens, DSNs)
are not kept here: the resources hand them to Dagster as `dg.EnvVar`, resolved at
run time, so they never appear in the UI, metadata or logs.
"""

from __future__ import annotations

import functools
import math
import os
import re
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_DUCKDB_PATH = ".reporting/warehouse.duckdb"
DEFAULT_DAGSTER_HOME = ".reporting/dagster"
DEFAULT_REPORTS_DIR = ".reporting/reports"
HOW_TO_SET = "set it in .env (start from .env.example) or in the environment"


class ConfigError(ValueError):
    """A setting is missing or unusable; the message names the variable and the fix."""


@dataclass(frozen=True)
class Variable:
    name: str
    help: str
    default: str = ""  # shown by --help; "" when there is none
    required: bool = False


VARIABLES: tuple[Variable, ...] = (
    Variable("ODOO_URL", "the Odoo server, e.g. https://odoo.example.com or http://127.0.0.1:8069", required=True),
    Variable("ODOO_DB", "the Odoo database", required=True),
    Variable("ODOO_USERNAME", "the login of a (read-only) reporting user", required=True),
    Variable("ODOO_PASSWORD", "its password or, better, an API key (secret)", required=True),
    Variable("ODOO_TIMEOUT", "seconds per Odoo request", "120"),
    Variable("ODOO_PAGE_SIZE", "records per search_read page", "5000"),
    Variable("ODOO_RETRIES", "retries of a failed request, with backoff", "5"),
    Variable("ODOO_WORKERS", "id ranges read in parallel (at most Odoo's worker processes)", "1"),
    Variable("CARRIER_API_URL", "the carrier tracking API (optional: unset, shipments are not extracted)"),
    Variable("CARRIER_API_TOKEN", "its bearer token (secret; required with CARRIER_API_URL)"),
    Variable("REPORTING_WAREHOUSE", "duckdb or postgres", "duckdb"),
    Variable("REPORTING_DUCKDB_PATH", "the DuckDB warehouse file", DEFAULT_DUCKDB_PATH),
    Variable("REPORTING_DUCKDB_LOCK_WAIT", "seconds to wait while another process writes the DuckDB file", "60"),
    Variable("REPORTING_PG_DSN", "the PostgreSQL warehouse, postgresql://user:password@host:5432/db (secret)"),
    Variable("DAGSTER_HOME", "the Dagster instance (run history, logs)", DEFAULT_DAGSTER_HOME),
    Variable("REPORTING_WEBHOOK_TOKEN", "secret in the URL Odoo's automation rules post to (16+ characters)"),
    Variable("REPORTING_SENSOR_INTERVAL", "seconds between the change sensors' looks at the sources", "60"),
    Variable("REPORTING_FULL_REFRESH_CRON", "the daily full refresh (cron)", "0 2 * * *"),
    Variable("REPORTING_TIMEZONE", "time zone of that schedule", "UTC"),
    Variable("REPORTING_RAW_FRESHNESS_WARN_HOURS", "raw tables older than this are late (warn)", "2"),
    Variable("REPORTING_RAW_FRESHNESS_FAIL_HOURS", "... and failed", "6"),
    Variable("REPORTING_MART_FRESHNESS_WARN_HOURS", "marts older than this are late (warn)", "6"),
    Variable("REPORTING_MART_FRESHNESS_FAIL_HOURS", "... and failed", "26"),
    Variable("REPORTING_ALERT_EMAIL_TO", "alert recipients, comma-separated"),
    Variable("REPORTING_SMTP_HOST", "SMTP server of the alerts", "127.0.0.1"),
    Variable("REPORTING_SMTP_PORT", "its port", "25"),
    Variable("REPORTING_SMTP_FROM", "alert sender address", "reporting@localhost"),
    Variable("REPORTING_SMTP_USER", "SMTP login"),
    Variable("REPORTING_SMTP_PASSWORD", "SMTP password (secret)"),
    Variable("REPORTING_SMTP_STARTTLS", "true to use STARTTLS", "false"),
    Variable(
        "REPORTING_SMTP_ALLOW_PLAINTEXT_AUTH", "true to send the SMTP login without STARTTLS (a local relay)", "false"
    ),
    Variable("REPORTING_ALERT_WEBHOOK_URL", "JSON webhook of the alerts, e.g. a Slack incoming webhook (secret)"),
    Variable("DAGSTER_WEBSERVER_URL", "where alert links point (the Dagster UI)", "http://localhost:3000"),
    Variable("DBT_DOCS_URL", "where the dbt docs links of the assets point", "http://localhost:8080"),
    Variable("REPORTING_REPORTS_DIR", "where rendered report versions are kept", DEFAULT_REPORTS_DIR),
    Variable("REPORTING_REPORTS_START", "the first reporting date of the report partitions (YYYY-MM-DD)", "2026-01-01"),
)


def variables_help() -> str:
    """The environment variables, one per line, for `reporting --help`."""
    lines = ["environment variables (also read from .env in the current directory):"]
    for v in VARIABLES:
        default = " (required)" if v.required else f" (default {v.default})" if v.default else ""
        lines.append(f"  {v.name:<37}{v.help}{default}")
    return "\n".join(lines)


def load_dotenv(path: Path = Path(".env")) -> None:
    """Read `.env` (KEY=value lines) into the environment; variables already set win."""
    if path.is_file():
        from dotenv import load_dotenv as _load

        _load(path, override=False)


@dataclass(frozen=True)
class Settings:
    """Every setting, typed and checked; the defaults are written once, in `VARIABLES`. Secrets are
    fields with `repr=False` (never printed); the Dagster resources still take them as `dg.EnvVar`,
    so the UI shows only the variable's name."""

    # Odoo
    odoo_url: str
    odoo_db: str
    odoo_username: str
    odoo_password: str = field(repr=False)
    odoo_timeout: float
    odoo_page_size: int
    odoo_retries: int
    odoo_workers: int
    # the carrier tracking API: "" when the site has none
    carrier_api_url: str
    carrier_api_token: str = field(repr=False)
    # the warehouse
    warehouse: str  # duckdb | postgres
    duckdb_path: str  # absolute
    duckdb_lock_wait: float
    pg_dsn: str = field(repr=False)
    # Dagster and operations
    dagster_home: str  # absolute
    webhook_token: str = field(repr=False)
    sensor_interval: int
    full_refresh_cron: str
    timezone: str
    raw_freshness_hours: tuple[float, float]  # warn, fail
    mart_freshness_hours: tuple[float, float]  # warn, fail
    # alerts
    alert_email_to: tuple[str, ...]
    smtp_host: str
    smtp_port: int
    smtp_from: str
    smtp_user: str
    smtp_password: str = field(repr=False)
    smtp_starttls: bool
    alert_webhook_url: str = field(repr=False)
    # where links point
    webserver_url: str
    dbt_docs_url: str
    # reports
    reports_dir: str  # absolute
    reports_start: str  # YYYY-MM-DD

    @property
    def carrier_configured(self) -> bool:
        return bool(self.carrier_api_url)

    def secrets(self) -> tuple[str, ...]:
        """Every configured secret value: what `redact` removes from anything the product says."""
        # The password inside the DSN too, for messages that quote only that part of it.
        dsn_password = (urlsplit(self.pg_dsn).password or "") if "://" in self.pg_dsn else ""
        values = (
            self.odoo_password,
            self.carrier_api_token,
            self.pg_dsn,
            dsn_password,
            self.smtp_password,
            self.webhook_token,
            self.alert_webhook_url,
        )
        return tuple(v for v in values if v)

    def redact(self, text: str) -> str:
        return redact(text, self.secrets())

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ, require_odoo: bool = True) -> Settings:
        """`require_odoo=False` for the commands that do not talk to Odoo (the webhook receiver)."""

        def value(name: str) -> str:
            return (env.get(name) or "").strip() or default_of(name)

        for v in VARIABLES:
            if v.required and require_odoo and not value(v.name):
                raise ConfigError(f"{v.name} is not set: {v.help}; {HOW_TO_SET}")
        odoo_url = value("ODOO_URL")
        if require_odoo and (urlsplit(odoo_url).scheme not in ("http", "https") or not urlsplit(odoo_url).hostname):
            raise ConfigError(
                f"ODOO_URL must look like https://odoo.example.com or http://host:8069, got {redact(odoo_url)!r}"
            )
        carrier_url = value("CARRIER_API_URL").rstrip("/")
        for name, url in (("ODOO_URL", odoo_url), ("CARRIER_API_URL", carrier_url)):
            if "@" in urlsplit(url).netloc:
                raise ConfigError(
                    f"{name} must not carry a user or password: the credentials have variables of "
                    f"their own ({'ODOO_USERNAME, ODOO_PASSWORD' if name == 'ODOO_URL' else 'CARRIER_API_TOKEN'})"
                )
        if value("CARRIER_API_TOKEN") and not re.fullmatch(r"[\x21-\x7e]+", value("CARRIER_API_TOKEN")):
            raise ConfigError("CARRIER_API_TOKEN contains spaces or control characters: an HTTP header cannot carry it")
        if carrier_url and not value("CARRIER_API_TOKEN"):
            raise ConfigError(
                f"CARRIER_API_TOKEN is not set but CARRIER_API_URL is: the carrier API's bearer token; "
                f"{HOW_TO_SET}, or unset CARRIER_API_URL to go without the carrier source"
            )
        warehouse = value("REPORTING_WAREHOUSE")
        if warehouse not in ("duckdb", "postgres"):
            raise ConfigError(f"REPORTING_WAREHOUSE must be 'duckdb' or 'postgres', got {warehouse!r}")
        if warehouse == "postgres" and not value("REPORTING_PG_DSN"):
            raise ConfigError(
                f"REPORTING_PG_DSN is not set but REPORTING_WAREHOUSE is postgres: "
                f"postgresql://user:password@host:5432/db; {HOW_TO_SET}"
            )
        if value("REPORTING_SMTP_USER") and not boolean(env, "REPORTING_SMTP_STARTTLS"):
            if not boolean(env, "REPORTING_SMTP_ALLOW_PLAINTEXT_AUTH"):
                raise ConfigError(
                    "REPORTING_SMTP_USER is set but REPORTING_SMTP_STARTTLS is not true: the SMTP password would "
                    "travel unencrypted; set REPORTING_SMTP_STARTTLS=true (or, for a trusted local relay, "
                    "REPORTING_SMTP_ALLOW_PLAINTEXT_AUTH=true)"
                )
        duckdb_path = str(Path(value("REPORTING_DUCKDB_PATH")).resolve())
        if warehouse == "duckdb":
            check_writable_file("REPORTING_DUCKDB_PATH", Path(duckdb_path))
        return cls(
            odoo_url=odoo_url,
            odoo_db=value("ODOO_DB"),
            odoo_username=value("ODOO_USERNAME"),
            odoo_password=value("ODOO_PASSWORD"),
            odoo_timeout=number(env, "ODOO_TIMEOUT", float, minimum=0.1),
            odoo_page_size=number(env, "ODOO_PAGE_SIZE", int, minimum=1),
            odoo_retries=number(env, "ODOO_RETRIES", int, minimum=0),
            odoo_workers=number(env, "ODOO_WORKERS", int, minimum=1),
            carrier_api_url=carrier_url,
            carrier_api_token=value("CARRIER_API_TOKEN"),
            warehouse=warehouse,
            duckdb_path=duckdb_path,
            duckdb_lock_wait=number(env, "REPORTING_DUCKDB_LOCK_WAIT", float, minimum=0),
            pg_dsn=value("REPORTING_PG_DSN"),
            dagster_home=str(Path(value("DAGSTER_HOME")).resolve()),
            webhook_token=url_segment(env, "REPORTING_WEBHOOK_TOKEN"),
            sensor_interval=number(env, "REPORTING_SENSOR_INTERVAL", int, minimum=1),
            full_refresh_cron=cron(env, "REPORTING_FULL_REFRESH_CRON"),
            timezone=time_zone(env, "REPORTING_TIMEZONE"),
            raw_freshness_hours=window(env, "REPORTING_RAW_FRESHNESS_WARN_HOURS", "REPORTING_RAW_FRESHNESS_FAIL_HOURS"),
            mart_freshness_hours=window(
                env, "REPORTING_MART_FRESHNESS_WARN_HOURS", "REPORTING_MART_FRESHNESS_FAIL_HOURS"
            ),
            alert_email_to=tuple(a.strip() for a in value("REPORTING_ALERT_EMAIL_TO").split(",") if a.strip()),
            smtp_host=value("REPORTING_SMTP_HOST"),
            smtp_port=number(env, "REPORTING_SMTP_PORT", int, minimum=1, maximum=65535),
            smtp_from=value("REPORTING_SMTP_FROM"),
            smtp_user=value("REPORTING_SMTP_USER"),
            smtp_password=value("REPORTING_SMTP_PASSWORD"),
            smtp_starttls=boolean(env, "REPORTING_SMTP_STARTTLS"),
            alert_webhook_url=http_url(env, "REPORTING_ALERT_WEBHOOK_URL"),
            webserver_url=value("DAGSTER_WEBSERVER_URL").rstrip("/"),
            dbt_docs_url=value("DBT_DOCS_URL").rstrip("/"),
            reports_dir=str(Path(value("REPORTING_REPORTS_DIR")).resolve()),
            reports_start=iso_date(env, "REPORTING_REPORTS_START"),
        )


# `user:password@` in a URL or a DSN (an e-mail address, without the colon, is left alone).
_USERINFO = re.compile(r"[^\s/@:'\"]+:[^\s/@'\"]+@")


def redact(text: str, secrets=()) -> str:
    """`text` without the given secrets and without any `user:password@` of a URL: the one step every
    message the product emits goes through. Secrets shorter than 6 characters (the demo's `admin`) are
    left: replacing such a common word would garble messages, and such a secret protects nothing."""
    for secret in sorted((s for s in secrets if len(s) >= 6), key=len, reverse=True):
        text = text.replace(secret, "***")
    return _USERINFO.sub("***@", text)


def settings_or_exit(require_odoo: bool = False) -> Settings:
    """For the small commands beside `reporting` (`make docs`, `python -m reporting_assets.dbt`):
    the settings from the environment and `.env`, or one line naming the problem and exit 2."""
    load_dotenv()
    try:
        return Settings.from_env(require_odoo=require_odoo)
    except ConfigError as exc:
        raise SystemExit(f"error: {exc}") from None


def set_environment(**values: str) -> None:
    """Set variables for this process and the processes it starts (the demo configures itself and its
    servers this way), and forget the settings read before."""
    os.environ.update(values)
    get_settings.cache_clear()


@functools.cache
def get_settings() -> Settings:
    """The settings of this process, read once: what the code location is built from."""
    return Settings.from_env()


def default_of(name: str) -> str:
    return next(v.default for v in VARIABLES if v.name == name)


def raw_value(env: Mapping[str, str], name: str) -> str:
    return (env.get(name) or "").strip() or default_of(name)


def number(env: Mapping[str, str], name: str, cast, minimum, maximum=None):
    """A finite number in [minimum, maximum]: `nan`, `inf` and words are refused, naming the variable."""
    raw = raw_value(env, name)
    try:
        parsed = cast(raw)
    except ValueError:
        parsed = None
    if parsed is None or not math.isfinite(parsed) or parsed < minimum or (maximum is not None and parsed > maximum):
        allowed = f">= {minimum}" if maximum is None else f"from {minimum} to {maximum}"
        raise ConfigError(f"{name} must be a number {allowed}, got {raw!r}")
    return parsed


TRUE, FALSE = ("1", "true", "yes", "y", "on"), ("0", "false", "no", "n", "off", "")


def boolean(env: Mapping[str, str], name: str) -> bool:
    """The usual spellings of yes and no, any case; anything else is refused rather than read as no."""
    raw = raw_value(env, name).lower()
    if raw not in TRUE + FALSE:
        raise ConfigError(f"{name} must be true or false (also yes/no, on/off, 1/0), got {raw!r}")
    return raw in TRUE


def time_zone(env: Mapping[str, str], name: str) -> str:
    raw = raw_value(env, name)
    try:
        zoneinfo.ZoneInfo(raw)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{name} must be an IANA time zone such as UTC or Europe/Brussels, got {raw!r}") from None
    return raw


def iso_date(env: Mapping[str, str], name: str) -> str:
    text = (env.get(name) or "").strip() or default_of(name)
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise ConfigError(f"{name} must be a date YYYY-MM-DD, got {text!r}") from None


def cron(env: Mapping[str, str], name: str) -> str:
    from dagster._utils.schedules import is_valid_cron_string

    raw = raw_value(env, name)
    if not is_valid_cron_string(raw):
        raise ConfigError(f"{name} must be a cron expression with five fields, e.g. '0 2 * * *', got {raw!r}")
    return raw


def window(env: Mapping[str, str], warn_name: str, fail_name: str) -> tuple[float, float]:
    warn, fail = hours(env, warn_name), hours(env, fail_name)
    if warn > fail:
        raise ConfigError(f"{warn_name} ({warn:g}) must not be more than {fail_name} ({fail:g})")
    return warn, fail


def url_segment(env: Mapping[str, str], name: str) -> str:
    """A secret that goes into a URL path: only characters a URL segment carries unchanged."""
    raw = raw_value(env, name)
    if raw and not re.fullmatch(r"[A-Za-z0-9._~-]+", raw):
        raise ConfigError(f"{name} may contain only letters, digits and . _ ~ - (it is part of a URL)")
    return raw


def http_url(env: Mapping[str, str], name: str) -> str:
    raw = raw_value(env, name)
    if raw and (urlsplit(raw).scheme not in ("http", "https") or not urlsplit(raw).hostname):
        raise ConfigError(f"{name} must be an http:// or https:// URL")
    return raw


def hours(env: Mapping[str, str], name: str) -> float:
    raw = (env.get(name) or "").strip() or default_of(name)
    try:
        parsed = float(raw)
    except ValueError:
        parsed = -1.0
    if parsed <= 0:
        raise ConfigError(f"{name} must be a positive number of hours, got {raw!r}")
    return parsed


def check_writable_file(name: str, path: Path) -> None:
    """The file (which may not exist yet) can be created or written: its nearest existing folder
    is a writable folder, and the path itself, if it exists, is a writable file."""
    if path.exists():
        if not path.is_file():
            raise ConfigError(f"{name}={path} is not a file; point it at a file name in a writable folder")
        if not os.access(path, os.W_OK):
            raise ConfigError(f"{name}={path} is not writable by this user; fix its permissions or choose another file")
        return
    folder = path.parent
    while not folder.exists():
        folder = folder.parent
    if not folder.is_dir():
        raise ConfigError(f"{name}={path}: {folder} is a file, not a folder; point it at a file in a writable folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ConfigError(
            f"{name}={path}: the folder {folder} is not writable by this user; choose a file in a writable folder"
        )
