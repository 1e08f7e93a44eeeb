"""PostgreSQL: the production warehouse.

Batches go in with COPY (CSV) into a temporary text table that disappears at
commit; the shared merge casts from there. psycopg2 comes with dbt-postgres
and dagster-postgres, so it is not an extra dependency.
"""

from __future__ import annotations

import csv
import io

import psycopg2

from reporting_assets.settings import redact
from reporting_assets.warehouse.base import Warehouse, q


class PostgresWarehouse(Warehouse):
    kind = "postgres"
    PRIMARY_KEYS = True
    TYPES = {
        "bigint": "bigint",
        "double": "double precision",
        "boolean": "boolean",
        "date": "date",
        "timestamp": "timestamp",
        "text": "text",
        "bigint[]": "bigint[]",
    }

    def __init__(self, dsn: str):
        try:
            self.con = psycopg2.connect(dsn, connect_timeout=10)
        except psycopg2.Error as exc:
            # psycopg2 quotes the DSN (password included) when it cannot parse it: redacted, and not chained,
            # so that neither the message nor the traceback Dagster stores carries it.
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ConnectionError(
                f"cannot connect to the PostgreSQL warehouse (REPORTING_PG_DSN): {redact(first, [dsn])}"
            ) from None
        self.con.autocommit = True
        self._staged = 0

    def execute(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self.con.cursor() as cur:
            cur.execute(sql.replace("?", "%s"), params or None)
            return cur.fetchall() if cur.description else []

    def stage(self, data: dict[str, list], types: dict[str, str]) -> str:
        self._staged += 1
        name = f"_stage_{self._staged}"
        self.execute(f"CREATE TEMPORARY TABLE {name} ({', '.join(f'{q(c)} text' for c in types)}) ON COMMIT DROP")
        buf = io.StringIO()
        columns = [data[c] if types[c] != "bigint[]" else [_pg_array(v) for v in data[c]] for c in types]
        csv.writer(buf, lineterminator="\n").writerows(zip(*columns, strict=True))
        buf.seek(0)
        with self.con.cursor() as cur:
            cur.copy_expert(f"COPY {name} FROM STDIN WITH (FORMAT csv)", buf)
        return name

    def begin(self) -> None:
        self.con.autocommit = False

    def commit(self) -> None:
        self.con.commit()
        self.con.autocommit = True
        self._staged = 0

    def rollback(self) -> None:
        self.con.rollback()
        self.con.autocommit = True
        self._staged = 0

    def close(self) -> None:
        self.con.close()

    def table_columns(self, schema: str, table: str) -> dict[str, str]:
        rows = self.execute(
            "SELECT column_name, CASE WHEN data_type = 'ARRAY' THEN udt_name ELSE data_type END "
            "FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
            (schema, table),
        )
        return dict(rows)


def _pg_array(ids: list) -> str:
    return "{" + ",".join(str(i) for i in ids) + "}"
