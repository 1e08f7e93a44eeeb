"""`make demo`: start the demo Odoo, read it with the real odoorpc client, and say what it serves.

This is the most complete end-to-end path the project has today; it grows as
ingestion, the KPI layer and operations land.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
import urllib.request

import odoorpc

from .schema import MODELS


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m odoo_sim.demo")
    parser.add_argument("--port", type=int, default=8069)
    parser.add_argument("--scale", default="1")
    parser.add_argument("--seed", default="42")
    args = parser.parse_args()
    cmd = [sys.executable, "-m", "odoo_sim.cli", "serve", "--port", str(args.port), "--scale", args.scale, "--seed", args.seed]
    print(f"Starting the demo Odoo: {' '.join(cmd[2:])}", flush=True)
    server = subprocess.Popen(cmd)
    try:
        odoo = _connect(args.port, server)
        print(f"\nConnected with odoorpc to Odoo {odoo.version} at http://127.0.0.1:{args.port}, database distribution_demo\n")
        print(f"{'model':<24}{'records':>10}")
        for model in MODELS:
            count = odoo.env[model].search_count([], context={"active_test": False})
            print(f"{model:<24}{count:>10,}")
        suppliers = odoo.env["res.partner"].search_read([("supplier_rank", ">", 0)], ["name", "on_time_rate"],
                                                        order="on_time_rate asc", limit=3)
        print("\nLeast punctual suppliers (Odoo's on-time rate):")
        for s in suppliers:
            print(f"  {s['name']:<32}{s['on_time_rate']:6.1f}%")
        print("\nRun it yourself:  .venv/bin/odoo-sim serve --port 8069   (login admin / admin)")
        print("Ground truth:     .venv/bin/odoo-sim truth --out truth.json")
        return 0
    finally:
        server.terminate()
        server.wait()


def _connect(port: int, server: subprocess.Popen) -> odoorpc.ODOO:
    deadline = time.monotonic() + 300
    while True:
        try:
            urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/web/webclient/version_info",
                                                          data=b'{"params": {}}'), timeout=2)
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the demo Odoo did not start; see its output above")
            time.sleep(0.3)
    odoo = odoorpc.ODOO("127.0.0.1", port=port)
    odoo.login("distribution_demo", "admin", "admin")
    return odoo


if __name__ == "__main__":
    sys.exit(main())
