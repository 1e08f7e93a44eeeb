"""The dbt project (`dbt_project/`) as Dagster sees it.

The manifest is prepared once, by `make` (`dbt parse` whenever a model, macro or
the project file changes), never at import: the code location loads in seconds.
"""

from pathlib import Path

from dagster_dbt import DbtProject

ROOT = Path(__file__).resolve().parents[3]
DBT_PROJECT = DbtProject(project_dir=ROOT / "dbt_project", profiles_dir=ROOT / "dbt_project")
