"""The dbt project (`dbt_project/`) as Dagster sees it, and the resource that runs its dbt.

Beside the resources rather than under `defs/`: the CLI's `check`, `make docs` and the
definitions all use it.

The manifest is prepared once, by `make` (`dbt parse` whenever a model, macro or
the project file changes), never at import: the code location loads in seconds.
"""

import importlib.metadata
import subprocess
import sys
from functools import cached_property
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from packaging import version

from reporting_assets.resources import WarehouseResource
from reporting_assets.settings import Settings, settings_or_exit

ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT = DbtProject(project_dir=ROOT / "dbt_project", profiles_dir=ROOT / "dbt_project")
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")  # this environment's dbt


class DbtCli(DbtCliResource):
    """dagster-dbt's dbt resource, running this environment's dbt, without a `dbt --version` per run.

    DbtCliResource learns which dbt it drives by running `dbt --version` in a
    subprocess once per run process: about 4 s here, a third of the dbt step of
    a small refresh. The executable is this environment's own, so the version of
    the installed dbt-core package is the same answer (tests/reporting/test_kpi_layer.py
    checks that they agree).
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))


def dbt_resource() -> DbtCli:
    return DbtCli(project_dir=DBT_PROJECT, dbt_executable=DBT_EXECUTABLE)


def run_dbt(settings: Settings, *args: str, **run) -> subprocess.CompletedProcess:
    """dbt on this project, its profile fed from the settings: how `make`, `make docs` and
    `reporting check` run it (runs go through `dbt_resource()`, fed the same way)."""
    warehouse = WarehouseResource(kind=settings.warehouse, duckdb_path=settings.duckdb_path, pg_dsn=settings.pg_dsn)
    dirs = ["--profiles-dir", str(DBT_PROJECT.profiles_dir), "--project-dir", str(DBT_PROJECT.project_dir)]
    with warehouse.dbt_environment():
        return subprocess.run([DBT_EXECUTABLE, *args, *dirs], **run)


def main(argv: list[str] | None = None) -> int:
    """`python -m reporting_assets.dbt <dbt arguments>`, e.g. `parse` (what `make` runs) or `build`."""
    settings = settings_or_exit()
    return run_dbt(settings, *(sys.argv[1:] if argv is None else argv)).returncode


if __name__ == "__main__":
    sys.exit(main())
