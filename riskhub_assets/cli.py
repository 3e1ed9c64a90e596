"""The `riskhub` command: simulate a bank, materialise business days, open the UI, run the demo."""

import argparse
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from riskhub_assets.erase_cli import add_erase_command
from riskhub_assets.lib import processes, settings
from riskhub_assets.quiet import DAGSTER_LOG_LEVEL, quiet_libraries, say_development_key
from riskhub_assets.simulator.cli import add_simulate_command

DEMO_DAYS = 240
DEMO_CLIENTS = 3000
DEMO_RECENT_DAYS = 3
DEMO_MIN_TRAINING_EVENTS = 5
"""Events the demo's small simulated bank trains on (a real bank keeps RISKHUB_MIN_TRAINING_EVENTS' default)."""


def _refuse_public_key_in_production() -> None:
    """Stop before simulating, running or serving anything when production would pseudonymise with the public key."""
    from riskhub_assets.orchestration.resources import refuse_public_key_in_production

    refuse_public_key_in_production(settings.environment())


def _use_dagster_home() -> None:
    """Point Dagster at RiskHub's instance (with RiskHub's settings added if missing) so runs launched here show in
    the UI."""
    from riskhub_assets.orchestration.instance import ensure_instance_settings

    home = settings.dagster_home()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    existed = config.exists()
    added = ensure_instance_settings(config)
    if existed and added:
        print(f"added RiskHub's Dagster settings {', '.join(added)} to {config}")
    os.environ["DAGSTER_HOME"] = str(home)


def run(
    job: str, start: dt.date | None = None, end: dt.date | None = None, bulk: bool = False, log_level: str = "DEBUG"
) -> bool:
    """Run a job (over business days start..end when given) as one run recorded in the Dagster instance or, `bulk`
    (a long history: Dagster writes a few events per asset and day, minutes for months), in process, then record each
    day it loaded in the instance in batches; its event log printed from `log_level` up."""
    _refuse_public_key_in_production()
    _use_dagster_home()
    import dagster as dg

    from riskhub_assets.definitions import build_defs
    from riskhub_assets.orchestration.history import load_in_bulk
    from riskhub_assets.orchestration.recovery import recover_crashed_runs
    from riskhub_assets.orchestration.runs import run_business_days, run_job

    with dg.DagsterInstance.get() as instance:
        for message in recover_crashed_runs(instance):  # a dead run would hold the duckdb_writer slot for good
            print(message)
        defs = build_defs()
        if bulk:
            landed, warehouse = settings.landing_days(), settings.duckdb_path()
            result, recorded = load_in_bulk(defs, start, end, instance, landed, warehouse, job, log_level)
        elif start is None:
            result = run_job(defs, job, instance, log_level)
        else:
            result = run_business_days(defs, start, end, instance, job, log_level=log_level)
    failed_errors = _report_failures(result)
    success = result.success and not failed_errors  # a check failing at ERROR severity fails the run, blocking or not
    days = "" if start is None else f" for {start}..{end}"
    where = f" (in process; {recorded:,} asset days recorded in Dagster)" if bulk else ""
    outcome = "succeeded" if success else "FAILED" + (f" ({failed_errors} checks failed)" if failed_errors else "")
    print(f"{job} run {result.run_id}: {outcome}{days}{where}: {_counts(result)}")
    return success


def _counts(result) -> str:
    """What a run did, in numbers: materializations and data tests passed."""
    checks = result.get_asset_check_evaluations()
    passed = sum(check.passed for check in checks)
    return f"{len(result.get_asset_materialization_events())} materializations, {passed} of {len(checks)} checks passed"


def _report_failures(result) -> int:
    """Print why a run failed (failed steps, checks failing at ERROR severity) and which warning checks did not pass;
    returns how many checks failed at ERROR severity."""
    import dagster as dg

    from riskhub_assets.orchestration.runs import failed_checks, step_failures

    for message in step_failures(result):
        print(message)
    failed = failed_checks(result)
    for check in failed:
        if check.severity == dg.AssetCheckSeverity.ERROR:
            print(f"check {check.check_name} on {check.asset_key.to_user_string()} FAILED: {check.description}")
    warnings = [
        f"{c.asset_key.to_user_string()}:{c.check_name}" for c in failed if c.severity != dg.AssetCheckSeverity.ERROR
    ]
    if warnings:
        print(f"{len(warnings)} warning checks did not pass (see the Dagster UI): {', '.join(warnings)}")
    return len(failed) - len(warnings)


def load_history(start: dt.date, end: dt.date, log_level: str = "DEBUG") -> bool:
    """Load business days start..end of the landing zone at bulk speed: the daily spine over the whole range in one
    in-process run (SQL handles the range), then each day it loaded recorded in Dagster as that day's materialization."""
    return run("daily_spine", start, end, bulk=True, log_level=log_level)


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _cmd_materialise(args: argparse.Namespace) -> int:
    return 0 if run(args.job, args.start, args.end or args.start) else 1


def _cmd_load_history(args: argparse.Namespace) -> int:
    days = settings.landing_days()
    start, end = args.start or next(iter(days), None), args.end or next(reversed(days), None)
    if start is None or end is None:
        print(f"no YYYY-MM-DD day folder in {settings.landing_dir()} (RISKHUB_LANDING_DIR): give --start and --end")
        return 2
    return 0 if load_history(start, end) else 1


def _cmd_train(args: argparse.Namespace) -> int:
    return 0 if run("weekly_training") else 1


def _cmd_demo(args: argparse.Namespace) -> int:
    from riskhub_assets.simulator import SimulationConfig, simulate

    _refuse_public_key_in_production()
    if settings.MIN_TRAINING_EVENTS_VAR not in os.environ:  # a few thousand simulated clients default a dozen times
        os.environ[settings.MIN_TRAINING_EVENTS_VAR] = str(DEMO_MIN_TRAINING_EVENTS)
        print(
            f"demo bank: models may train on {DEMO_MIN_TRAINING_EVENTS} events ({settings.MIN_TRAINING_EVENTS_VAR},"
            f" {settings.DEFAULT_MIN_TRAINING_EVENTS} for a real bank)"
        )

    end = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)  # the last complete (UTC) partition
    start = end - dt.timedelta(days=args.days - 1)
    print(f"[1/5] simulating {args.clients:,} clients over {start}..{end}")
    summary = simulate(
        SimulationConfig(start=start, end=end, clients=args.clients, seed=args.seed), settings.data_dir()
    )
    print(f"simulated into {settings.landing_dir()}: {summary.describe()}")
    recent = max(start + dt.timedelta(days=1), end - dt.timedelta(days=args.recent_days - 1))
    history = (start + dt.timedelta(days=1), recent - dt.timedelta(days=1))
    say_development_key()
    with quiet_libraries():
        ok = _demo_runs(start, history, recent, end)
    print(f"warehouse: {settings.duckdb_path()}  (open the UI with: python3 -m uv run riskhub ui)")
    return 0 if ok else 1


def _demo_runs(start: dt.date, history: tuple[dt.date, dt.date], recent: dt.date, end: dt.date) -> bool:
    """The demo's runs, each announced: the first day recorded, the history in bulk, training, the nightly job."""
    print(f"[2/5] loading the first day, {start}, through Dagster (recorded: the UI shows it)")
    ok = run("daily_spine", start, start, log_level=DAGSTER_LOG_LEVEL)
    if ok and history[0] <= history[1]:
        print(f"[3/5] loading the history, {history[0]}..{history[1]}, in one bulk run")
        ok = load_history(*history, log_level=DAGSTER_LOG_LEVEL)
    if not ok:
        return False
    print("[4/5] training the models (a few minutes)")
    trained = run("weekly_training", log_level=DAGSTER_LOG_LEVEL)  # a failed gate does not stop the demo
    print(f"[5/5] the nightly job over {recent}..{end}")
    return run("daily", recent, end, log_level=DAGSTER_LOG_LEVEL) and trained


def _cmd_landing_check(args: argparse.Namespace) -> int:
    from riskhub_assets.lib.ingest import LandingError
    from riskhub_assets.lib.landing_check import check_landing, render_file
    from riskhub_assets.lib.mapping import MappingError
    from riskhub_assets.lib.reference import ReferenceError

    try:
        profiles = check_landing(args.path, args.mapping, args.reference)
    except (LandingError, MappingError, ReferenceError) as error:
        print(f"riskhub landing check: {error}")
        return 2
    print(f"landing check of {args.path} with {f'the mapping in {args.mapping}' if args.mapping else 'no mapping'}:")
    for profile in profiles:
        print("\n".join(render_file(profile)))
    failures = [failure for p in profiles for failure in p.failures(args.max_quarantine_rate)]
    for failure in failures:
        print(f"WOULD FAIL: {failure}")
    quarantined = sum(p.quarantined for p in profiles)
    verdict = f"{len(failures)} problems would fail a run" if failures else "a run would load"
    print(f"nothing was written; {verdict} ({quarantined:,} rows quarantined)")
    return 1 if failures else 0


def _cmd_docs(args: argparse.Namespace) -> int:
    import duckdb

    from riskhub_assets.lib import docs

    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "landing_contract.md").write_text(docs.landing_contract_markdown())
    (args.out / "star_schema.md").write_text(docs.star_schema_markdown())
    (args.out / "daily_report.schema.json").write_text(docs.report_schema_json())
    with duckdb.connect(str(settings.duckdb_path()), read_only=True) as con:
        (args.out / "star_schema.svg").write_text(docs.star_schema_svg(con))
    print(f"wrote landing_contract.md, star_schema.md, star_schema.svg and daily_report.schema.json to {args.out}")
    return 0


def _cmd_ui(args: argparse.Namespace) -> int:
    _refuse_public_key_in_production()
    _use_dagster_home()
    dg = Path(sys.executable).with_name("dg")  # the dg CLI installed beside this interpreter
    env = {**os.environ, "VIRTUAL_ENV": sys.prefix}  # dg checks it runs in the project's environment
    return subprocess.call([str(dg), "dev", "--port", str(args.port), "--host", args.host], env=env)


def _cmd_serve(args: argparse.Namespace) -> int:
    """Start what users look at: the Dagster webserver and daemon, the scoring API, the dashboard, each started again
    if it exits; stop all on Ctrl-C."""
    _refuse_public_key_in_production()
    env = {**os.environ, "VIRTUAL_ENV": sys.prefix, "RISKHUB_API_URL": f"http://127.0.0.1:{args.api_port}"}
    from riskhub_assets.api.access import guard_serving

    ui_host = guard_serving(args.host, env)
    _use_dagster_home()
    env["DAGSTER_HOME"] = os.environ["DAGSTER_HOME"]
    here = Path(sys.executable).parent
    commands = {
        "dagster": [str(here / "dg"), "dev", "--port", str(args.dagster_port), "--host", ui_host],
        "api": [sys.executable, "-m", "uvicorn", "riskhub_assets.api.app:create_app", "--factory"]
        + ["--host", args.host, "--port", str(args.api_port), "--no-access-log"],
        "dashboard": [sys.executable, "-m", "streamlit", "run", str(Path(__file__).parent / "dashboard" / "app.py")]
        + ["--server.headless", "true", "--server.address", ui_host, "--server.port", str(args.dashboard_port)]
        + ["--browser.gatherUsageStats", "false", "--client.toolbarMode", "viewer"],
    }
    print(
        f"Dagster UI http://{ui_host}:{args.dagster_port}  scoring API http://{args.host}:{args.api_port}/docs"
        f"  dashboard http://{ui_host}:{args.dashboard_port}  (Ctrl-C stops all; one that exits is started again)"
    )
    processes.supervise(commands, env)
    return 0


def _cmd_api_key(args: argparse.Namespace) -> int:
    from riskhub_assets.api import access

    secret, key = access.new_key(args.name, args.scopes.split(","))
    print(f"API key of {args.name} (hand it to the caller: it is shown once and kept nowhere):\n  {secret}")
    print(f"let it in with this entry in {access.KEYS_VAR} (entries separated by ';') or in the file")
    print(f"{access.KEYS_FILE_VAR} names (one a line), then restart the API:\n  {key.entry()}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="riskhub", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    add_simulate_command(commands)
    add_erase_command(commands)

    run = commands.add_parser("materialise", help="materialise business days through a daily job in one run")
    run.add_argument("--start", type=_date, required=True, help="first business day, YYYY-MM-DD")
    run.add_argument("--end", type=_date, help="last business day (default: --start)")
    run.add_argument(
        "--job",
        default="daily",
        choices=["daily", "daily_spine", "daily_scoring", "daily_reporting"],
        help="daily = everything; daily_spine = load and features; daily_scoring = scores; daily_reporting = KPI"
        " marts, report and BI copy",
    )
    run.set_defaults(handler=_cmd_materialise)

    history = commands.add_parser(
        "load-history",
        help="load a long history of landing days at bulk speed: the daily spine over the range in one in-process run,"
        " then each day it loaded recorded in the Dagster instance (materialized partitions, row counts, checks)",
    )
    history.add_argument("--start", type=_date, help="first business day (default: the landing zone's first folder)")
    history.add_argument("--end", type=_date, help="last business day (default: the landing zone's last folder)")
    history.set_defaults(handler=_cmd_load_history)

    train = commands.add_parser("train", help="run the weekly training job now: labels, models, MLflow registry")
    train.set_defaults(handler=_cmd_train)

    demo = commands.add_parser(
        "demo",
        help=f"simulate the last {DEMO_DAYS} days; load the first through Dagster, the history in one in-process run"
        " (each day recorded in Dagster); train the models; run the nightly job over the recent days",
    )
    demo.add_argument("--days", type=int, default=DEMO_DAYS)
    demo.add_argument("--recent-days", type=int, default=DEMO_RECENT_DAYS, help="days run as the nightly job would")
    demo.add_argument("--clients", type=int, default=DEMO_CLIENTS)
    demo.add_argument("--seed", type=int, default=7)
    demo.set_defaults(handler=_cmd_demo)

    landing = commands.add_parser("landing", help="work with the bank's landing files").add_subparsers(
        dest="landing_command", required=True
    )
    check = landing.add_parser(
        "check",
        help="profile a day folder or the landing root against the mapping and the contract, writing nothing: per file"
        " and column what would load, what would be quarantined and why; exit 1 when a run would fail",
    )
    check.add_argument("path", type=Path, help="a day folder (YYYY-MM-DD) or the landing root holding day folders")
    check.add_argument(
        "--mapping", type=Path, default=settings.mapping_dir(), help="mapping folder (default: RISKHUB_MAPPING_DIR)"
    )
    check.add_argument(
        "--reference",
        type=Path,
        default=settings.reference_dir(),
        help="the bank's code lists (default: RISKHUB_REFERENCE_DIR, else the example lists)",
    )
    check.add_argument(
        "--max-quarantine-rate", type=float, default=0.05, help="share of a file's rows quarantined that fails a run"
    )
    check.set_defaults(handler=_cmd_landing_check)

    docs = commands.add_parser("docs", help="regenerate docs/ from the contract and the live warehouse")
    docs.add_argument("--out", type=Path, default=Path("docs"))
    docs.set_defaults(handler=_cmd_docs)

    serve = commands.add_parser("serve", help="start the Dagster UI and daemon, the scoring API and the dashboard")
    serve.add_argument(
        "--host", default="127.0.0.1", help="the API's address; beyond 127.0.0.1 it needs API keys (RISKHUB_API_KEYS)"
    )
    serve.add_argument("--dagster-port", type=int, default=3000)
    serve.add_argument("--api-port", type=int, default=8000)
    serve.add_argument("--dashboard-port", type=int, default=8501)
    serve.set_defaults(handler=_cmd_serve)

    api_key = commands.add_parser(
        "api-key", help="make a scoring API key: the secret for the caller, the entry for RiskHub"
    )
    api_key.add_argument("name", help="who the key is for (shown in 403s), e.g. dashboard")
    api_key.add_argument("--scopes", required=True, help="comma-separated: scoring, analytics, admin")
    api_key.set_defaults(handler=_cmd_api_key)

    ui = commands.add_parser("ui", help="open the Dagster UI on this project's instance")
    ui.add_argument("--port", type=int, default=3000)
    ui.add_argument("--host", default="127.0.0.1")
    ui.set_defaults(handler=_cmd_ui)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args) or 0
    except settings.SettingError as error:
        print(f"riskhub {args.command}: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
