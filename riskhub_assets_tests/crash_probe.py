"""A `riskhub` run that a test can kill: the command's own `run`, over a small job of DuckDB writers in place of the
bank's pipeline (which takes minutes on a busy machine), in a process forked from the test (no imports to wait for)."""

import multiprocessing
import sys
import time
import types

import dagster as dg

from riskhub_assets.orchestration.policy import DUCKDB_POOL

JOB = "crash_probe"
STEPS = 4
STEP_SECONDS = 0.4


def _writer(index: int) -> dg.AssetsDefinition:
    """A step in the DuckDB writer pool that holds its slot a moment and writes one row, as the pipeline's do."""

    @dg.asset(name=f"step_{index}", pool=DUCKDB_POOL, deps=[f"step_{index - 1}"] if index else [])
    def step(context: dg.AssetExecutionContext) -> None:
        import duckdb

        from riskhub_assets.lib import settings

        time.sleep(STEP_SECONDS)
        with duckdb.connect(str(settings.duckdb_path())) as con:
            con.execute("CREATE TABLE IF NOT EXISTS probe (run_id VARCHAR, step INTEGER)")
            con.execute("INSERT INTO probe VALUES (?, ?)", [context.run.run_id, index])

    return step


def probe_defs() -> dg.Definitions:
    """The small job, run in process like RiskHub's."""
    assets = [_writer(i) for i in range(STEPS)]
    return dg.Definitions(
        assets=assets, jobs=[dg.define_asset_job(JOB, selection=assets)], executor=dg.in_process_executor
    )


def run_probe() -> None:
    """Run the probe job through the `riskhub` command's run (crash recovery first), with the probe in place of
    RiskHub's definitions; exit 0 when it succeeded. Meant to be the whole life of a forked process."""
    sys.modules["riskhub_assets.definitions"] = types.SimpleNamespace(build_defs=probe_defs)
    from riskhub_assets import cli

    sys.exit(0 if cli.run(JOB) else 1)


def start_probe() -> multiprocessing.Process:
    """Start a probe run in a process of its own, forked from this one."""
    process = multiprocessing.get_context("fork").Process(target=run_probe, daemon=True)
    process.start()
    return process
