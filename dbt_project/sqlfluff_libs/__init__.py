"""What dbt gives the models' Jinja and sqlfluff's jinja templater lacks, for `sqlfluff lint` only.

sqlfluff renders the models with its jinja templater (no database connection, unlike the dbt
templater): `apply_dbt_builtins` gives ref, source, var, config and return, and
`load_macros_from_path` the project's macros (macros/). Those macros call two things of dbt's own:
`adapter.dispatch` (adapter.py) and dbt's cross-database macros `dbt.dateadd` / `dbt.datediff`
(dbt.py). Each module here is a name in the templater's context (see .sqlfluff, `library_path`).
dbt never reads this folder.
"""
