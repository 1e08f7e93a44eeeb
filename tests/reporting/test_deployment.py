"""The deployment's Dagster instance (`deploy/dagster.yaml`): PostgreSQL-backed, from the environment."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import urlsplit

import dagster as dg
import psycopg2
import pytest

pytestmark = pytest.mark.slow  # starts demo servers or processes; `make test-fast` skips it

CONFIG = Path(__file__).resolve().parents[2] / "deploy" / "dagster.yaml"


def test_the_deployment_instance_keeps_runs_events_and_schedules_in_postgres(pg_dsn, tmp_path, monkeypatch):
    shutil.copy(CONFIG, tmp_path / "dagster.yaml")
    dsn = urlsplit(pg_dsn)
    for name, value in {
        "DAGSTER_PG_HOST": dsn.hostname,
        "DAGSTER_PG_PORT": str(dsn.port or 5432),
        "DAGSTER_PG_USER": dsn.username or "postgres",
        "DAGSTER_PG_PASSWORD": dsn.password or "",
        "DAGSTER_PG_DB": dsn.path.lstrip("/"),
    }.items():
        monkeypatch.setenv(name, value)

    @dg.asset
    def probe() -> int:
        return 1

    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
        assert type(instance.schedule_storage).__name__ == "PostgresScheduleStorage"
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        result = dg.materialize([probe], instance=instance)
    with psycopg2.connect(pg_dsn) as con, con.cursor() as cur:
        cur.execute("select run_id, status from runs")
        assert cur.fetchall() == [(result.run_id, "SUCCESS")]
        cur.execute("select count(*) from event_logs where run_id = %s", (result.run_id,))
        assert cur.fetchone()[0] > 5
