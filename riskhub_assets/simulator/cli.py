"""The `simulate` command: write a simulated bank's landing files and ground truth to a folder."""

import argparse
import datetime
import pathlib
import time

from riskhub_assets.simulator import ACCOUNT_STYLES, SimulationConfig, simulate
from riskhub_assets.simulator.export_style import STYLES


def _run(args: argparse.Namespace) -> int:
    try:
        config = SimulationConfig(
            start=args.start,
            end=args.end,
            clients=args.clients,
            seed=args.seed,
            tx_per_client=args.tx_per_client,
            dirty_rate=args.dirty_rate,
            style=args.style,
            accounts=args.accounts,
        )
    except ValueError as error:
        print(f"riskhub simulate: {error}")
        return 2
    began = time.perf_counter()
    summary = simulate(config, args.out)
    print(
        f"simulated {summary.days} days into {args.out}: {summary.describe()}, {summary.dirty_rows} dirty rows "
        f"({time.perf_counter() - began:.1f}s)"
    )
    if args.style != "canonical":
        print(f"{args.style} style: load it with RISKHUB_MAPPING_DIR={args.out / 'mapping'}")
    return 0


def add_simulate_command(subparsers) -> argparse.ArgumentParser:
    """Register `simulate` on a parser's subparsers; the parsed namespace's `handler` runs it."""
    parser = subparsers.add_parser("simulate", help="Simulate a bank and write daily landing files and ground truth")
    parser.add_argument("--start", type=datetime.date.fromisoformat, required=True, help="first day, YYYY-MM-DD")
    parser.add_argument("--end", type=datetime.date.fromisoformat, required=True, help="last day (inclusive)")
    parser.add_argument("--clients", type=int, default=5000, help="initial book size")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--tx-per-client", type=float, default=2.5, help="mean transactions per active client per day")
    parser.add_argument("--dirty-rate", type=float, default=0.0, help="share of rows to corrupt, 0..1")
    parser.add_argument(
        "--style",
        choices=STYLES,
        default="canonical",
        help="canonical = the landing contract; foreign = a foreign bank's export with its mapping files in"
        " OUT/mapping: German file and column names and codes, `;`, decimal comma, Latin-1, euro accounts booked in"
        " CZK with the day's fixings in its FX file, accounts as change records with balances in their own file, no"
        " relationship-manager file, loans with statuses and days past due instead of default events",
    )
    parser.add_argument(
        "--accounts",
        choices=ACCOUNT_STYLES,
        default=None,
        help="snapshot (the canonical style's default): accounts.csv is every account every day, with balances;"
        " changes (the foreign style's, and its only one): accounts.csv holds only accounts opened or closed that day"
        " and balances go to balances.csv",
    )
    parser.add_argument("--out", type=pathlib.Path, default=pathlib.Path("data"), help="output folder")
    parser.set_defaults(handler=_run)
    return parser
