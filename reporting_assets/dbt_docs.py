"""`make docs`: generate the dbt docs of the KPI layer and serve them on localhost until Ctrl-C.

What `dbt docs serve` does (a static server over `dbt_project/target`), bound
to 127.0.0.1 and stopped quietly: Ctrl-C ends it with exit 0, without dbt's
`Aborted!` or make's `Error 1`.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import sys
from pathlib import Path

from reporting_assets.dbt import DBT_PROJECT, run_dbt
from reporting_assets.foreground import own_terminal, stop_quietly
from reporting_assets.settings import settings_or_exit


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reporting_assets.dbt_docs")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args(argv)
    settings = settings_or_exit()
    # The catalog (column types) comes from the warehouse; before the first run it is an empty file.
    Path(settings.duckdb_path).parent.mkdir(parents=True, exist_ok=True)
    with own_terminal():
        try:
            generated = run_dbt(settings, "docs", "generate", "--quiet")
            if generated.returncode != 0:
                return generated.returncode
            handler = functools.partial(_Quiet, directory=str(DBT_PROJECT.project_dir / "target"))
            with http.server.ThreadingHTTPServer(("127.0.0.1", args.port), handler) as httpd:
                print(f"dbt docs at http://localhost:{args.port} (Ctrl-C stops)", flush=True)
                httpd.serve_forever()
        except KeyboardInterrupt:
            return stop_quietly("Stopped the dbt docs.")
    return 0


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # a line per file fetched is noise on the terminal
        pass


if __name__ == "__main__":
    sys.exit(main())
