"""`adapter.dispatch` as dbt resolves it on DuckDB, the dialect sqlfluff parses: the project's
`duckdb__<macro>` where there is one, else `default__<macro>`."""

import jinja2


@jinja2.pass_context
def dispatch(context, macro_name, macro_namespace=None):
    for candidate in (f"duckdb__{macro_name}", f"default__{macro_name}"):
        macro = context.resolve_or_missing(candidate)
        if macro is not jinja2.utils.missing:
            return macro
    raise jinja2.UndefinedError(f"no duckdb__{macro_name} or default__{macro_name} macro to dispatch to")
