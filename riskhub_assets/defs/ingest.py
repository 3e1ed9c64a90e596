"""Landing files (external, written by the bank's producers) and the raw tables loaded from them as landed."""

import datetime as dt

import dagster as dg
from dagster_duckdb import DuckDBResource

from riskhub_assets.defs.observability import check_result, check_specs, table_metadata
from riskhub_assets.defs.partitions import business_days, daily_partitions
from riskhub_assets.defs.resources import DUCKDB_POOL, RiskHubPaths
from riskhub_assets.lib import ingest
from riskhub_assets.lib.contract import LANDING_FILES, LandingFile
from riskhub_assets.lib.quality import TableChecks, run_table_checks, table_check_names

STEADY_VOLUME = {"accounts", "transactions"}
"""Landing files whose daily row count is steady enough to test against the trailing days (clients and
events come in bursts: the first load, due dates, month ends)."""


def landing_spec(spec: LandingFile) -> dg.AssetSpec:
    """The daily CSV a producer drops in the landing zone, as the contract defines it."""
    return dg.AssetSpec(
        key=["landing", spec.name],
        description=f"Landing file `YYYY-MM-DD/{spec.filename}`: {spec.grain}. See docs/landing_contract.md.",
        group_name="landing",
        partitions_def=daily_partitions,
        kinds={"csv"},
        owners=["team:data-engineering"],
        metadata={
            "dagster/column_schema": dg.TableSchema(
                columns=[dg.TableColumn(c.name, c.type, description=c.description) for c in spec.columns]
            )
        },
    )


def raw_asset(spec: LandingFile) -> dg.AssetsDefinition:
    """Factory: the raw table of one landing file, every column as landed plus file, line and load time."""
    key = dg.AssetKey(["raw", spec.name])
    checks = TableChecks(table=f"raw.{spec.name}", partition_column="business_date", volume=spec.name in STEADY_VOLUME)

    @dg.asset(
        key=key,
        deps=[dg.AssetKey(["landing", spec.name])],
        description=f"{spec.filename} as landed (all text), with file, line number and load time; unparseable lines"
        f" are kept in raw.{spec.name}_rejects."
        + (" Restricted: holds personal data in clear." if spec.has_personal_data else ""),
        group_name="raw",
        partitions_def=daily_partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        kinds={"duckdb"},
        owners=["team:data-engineering"],
        pool=DUCKDB_POOL,
        check_specs=check_specs(key, table_check_names(checks)),
    )
    def _raw(context: dg.AssetExecutionContext, duckdb: DuckDBResource, paths: RiskHubPaths):
        start, end = business_days(context)
        days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
        with duckdb.get_connection() as con:
            con.execute("BEGIN")
            for ddl in ingest.raw_table_ddl(spec):
                con.execute(ddl)
            loads = [ingest.load_raw_day(con, spec, ingest.landing_file(paths.landing, d, spec), d) for d in days]
            con.execute("COMMIT")
            window = {"start": start, "end": end}
            metadata = table_metadata(
                con,
                checks.table,
                "business_date BETWEEN $start AND $end",
                window,
                detail=start == end,
                preview=not spec.has_personal_data,
            )
            outcomes = run_table_checks(con, checks, start, end)
        rejected = sum(load.rejected for load in loads)
        context.log.info(f"raw.{spec.name}: {metadata['rows_in_run'].value} rows loaded, {rejected} lines rejected")
        yield dg.MaterializeResult(
            metadata={
                **metadata,
                "rejected_lines": rejected,
                "landing_files": f"{len(loads)} days from {loads[0].path}",
            }
        )
        for outcome in outcomes:
            yield check_result(outcome)

    return _raw


landing_assets = [landing_spec(spec) for spec in LANDING_FILES]
raw_assets = [raw_asset(spec) for spec in LANDING_FILES]
