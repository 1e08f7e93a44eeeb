"""`odoo-sim`: run the Odoo-compatible demo server, or write the generator's ground truth.

odoo-sim serve --port 8069 --scale 1 --seed 42 [--as-of YYYY-MM-DD] [--odoo-version 17|16] [--stock-odoo]
               [--webhook-url URL]
odoo-sim truth --scale 1 --seed 42 [--as-of YYYY-MM-DD] [--stock-odoo] --out truth.json

The secrets of `serve` (the password, API key, carrier token, admin password, and the webhook URL,
which carries the receiver's token) are also read from ODOO_SIM_* variables: a command line is
visible to every user in `ps`, the environment is not. An option on the command line wins. They are
the server's own names, not the clients' ODOO_PASSWORD or CARRIER_API_TOKEN, so that a client's
settings in the environment never change the password of a demo Odoo started beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from datetime import date

from .db import Database
from .faults import Faults
from .generator import World, generate
from .schema import NOT_IN_STOCK_ODOO
from .server import Sim, make_server
from .truth import ground_truth
from .webhooks import Webhook


def _as_of(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--as-of must be a date like 2026-11-27, got {text!r}") from None


def _positive(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"--scale must be positive, got {text}")
    return value


def _env(name: str, default: str | None = None) -> str | None:
    """A secret's value from the environment (see the module's docstring); unset or empty: `default`."""
    return os.environ.get(name) or default


def _data_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--scale", type=_positive, default=1.0, help="volume multiplier (1 = ~3,000 sale orders)")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--as-of", type=_as_of, default=None, help="last day of history (default: today, UTC)")
    p.add_argument(
        "--stock-odoo",
        action="store_true",
        help="a stock Odoo 17 Community (sale_management, stock, purchase, account): no delivery or "
        "stock_delivery module (no carriers, no carrier API), no sale_margin",
    )


def build_database(world: World, name: str, version: int, login: str, password: str, api_key: str | None) -> Database:
    """Load a generated world into a fresh database, dropping the generator's private bookkeeping
    and, for a stock Odoo, the columns of the modules it does not have."""
    db = Database(name, version, world.as_of.isoformat(), login, password, api_key, world.stock_odoo)
    keep = {"_currency_rate"}
    for model, rows in world.tables.items():
        absent = set(NOT_IN_STOCK_ODOO.get(model) or ()) if world.stock_odoo else set()
        for rec in rows:
            values = {k: v for k, v in rec.items() if (not k.startswith("_") or k in keep) and k not in absent}
            if version == 16 and model == "sale.order":
                values.pop("locked", None)
                if values["state"] == "sale" and values.get("invoice_status") == "invoiced":
                    values["state"] = "done"  # Odoo 16 locks fully processed orders
            db.insert(model, values)
    return db


def build_sim(args) -> Sim:
    as_of = args.as_of or date.today()
    world = generate(args.scale, args.seed, as_of, args.stock_odoo)
    db = build_database(world, args.db, args.odoo_version, args.login, args.password, args.api_key)
    faults = Faults(
        fail_every=args.fail_every,
        fail_mode=args.fail_mode,
        cut_every=args.cut_every,
        html_every=args.html_every,
        latency_ms=args.latency_ms,
    )
    webhook = Webhook(args.webhook_url) if args.webhook_url else None
    carrier_token = None if world.stock_odoo else args.carrier_token  # a stock Odoo has no carrier API
    return Sim(db, world.shipments, carrier_token, args.admin_password or args.password, faults, webhook)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="odoo-sim", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve a synthetic distributor over Odoo's JSON-RPC")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8069)
    _data_args(serve)
    serve.add_argument("--db", default="distribution_demo")
    serve.add_argument("--login", default="admin")
    serve.add_argument(
        "--password",
        default=_env("ODOO_SIM_PASSWORD", "admin"),
        help="the user's password (default: $ODOO_SIM_PASSWORD, else admin)",
    )
    serve.add_argument(
        "--api-key",
        default=_env("ODOO_SIM_API_KEY"),
        help="also accept this API key in place of the password (default: $ODOO_SIM_API_KEY)",
    )
    serve.add_argument("--odoo-version", type=int, choices=(16, 17), default=17)
    serve.add_argument(
        "--carrier-token",
        default=_env("ODOO_SIM_CARRIER_TOKEN", "carrier-demo-token"),
        help="bearer token of the carrier API (default: $ODOO_SIM_CARRIER_TOKEN, else carrier-demo-token)",
    )
    serve.add_argument(
        "--admin-password",
        default=_env("ODOO_SIM_ADMIN_PASSWORD"),
        help="protects /sim/admin/faults (default: $ODOO_SIM_ADMIN_PASSWORD, else --password)",
    )
    serve.add_argument("--fail-every", type=int, default=0, help="fail every Nth request")
    serve.add_argument("--fail-mode", choices=("http500", "odoo"), default="http500")
    serve.add_argument("--cut-every", type=int, default=0, help="cut every Nth response halfway")
    serve.add_argument("--html-every", type=int, default=0, help="answer every Nth request with an HTML page")
    serve.add_argument("--latency-ms", type=int, default=0, help="delay every response")
    serve.add_argument(
        "--webhook-url",
        default=_env("ODOO_SIM_WEBHOOK_URL"),
        help="POST an Odoo 17 webhook notification here for every record created, written or deleted "
        "(default: $ODOO_SIM_WEBHOOK_URL)",
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="processes serving requests, as Odoo's `workers` setting; more than 1 makes the server "
        "read-only (each process holds its own copy of the data): for throughput measurements",
    )
    serve.add_argument("--verbose", action="store_true", help="log every request")
    truth = sub.add_parser("truth", help="write the generator's ground truth as JSON")
    _data_args(truth)
    truth.add_argument("--out", default="-", help="file to write (default: stdout)")
    args = parser.parse_args(argv)

    if args.command == "truth":
        world = generate(args.scale, args.seed, args.as_of or date.today(), args.stock_odoo)
        text = json.dumps(ground_truth(world), sort_keys=True, indent=1) + "\n"
        if args.out == "-":
            sys.stdout.write(text)
        else:
            with open(args.out, "w") as fh:
                fh.write(text)
        return 0

    started = time.monotonic()
    try:
        sim = build_sim(args)
    except ValueError as exc:
        parser.error(str(exc))
    if args.workers < 1:
        parser.error(f"--workers must be at least 1, got {args.workers}")
    sim.read_only = args.workers > 1
    server = make_server(sim, args.host, args.port, quiet=not args.verbose)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    children = [pid for pid in (_fork_worker(server) for _ in range(args.workers - 1)) if pid]
    print(
        f"odoo-sim: Odoo {args.odoo_version}.0{' (stock modules only)' if args.stock_odoo else ''}, database "
        f"{args.db!r}, as of {sim.db.today}, scale {args.scale:g}, seed {args.seed} "
        f"(generated in {time.monotonic() - started:.1f}s)",
        flush=True,
    )
    carrier = "" if args.stock_odoo else ", carrier API at /carrier-api/v1/shipments"
    print(
        f"odoo-sim: serving http://{args.host}:{server.server_address[1]} (JSON-RPC at /jsonrpc{carrier})", flush=True
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        for pid in children:
            os.kill(pid, signal.SIGTERM)
    return 0


def _fork_worker(server) -> int:
    """A child process serving the same listening socket from its own copy of the data (the pid in
    the parent, 0 in the child, which serves until terminated and never returns)."""
    pid = os.fork()
    if pid:
        return pid
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
