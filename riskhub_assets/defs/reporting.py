"""Insights out: KPI marts for BI, the daily JSON report, and the BI-safe published database."""

import datetime as dt

import dagster as dg
from dagster_duckdb import DuckDBResource

from riskhub_assets.lib import marts, pending_days, publish, report
from riskhub_assets.lib.markdown import markdown_table
from riskhub_assets.lib.sql_reads import tables_read
from riskhub_assets.lib.sqltext import days
from riskhub_assets.orchestration.policy import business_days, writer
from riskhub_assets.orchestration.resources import RiskHubPaths
from riskhub_assets.orchestration.table_assets import asset_key, sql_table_asset
from riskhub_assets.tables import Table, published, tables_in

GROUP = "reporting"
OWNERS = ["team:bi"]


def _mart_asset(mart: Table) -> dg.AssetsDefinition:
    return sql_table_asset(mart.name, lambda con, start, end: marts.load_mart(con, mart, start, end))


mart_assets = [_mart_asset(m) for m in tables_in("marts")]


DAILY_WRITER = {"group_name": GROUP, "owners": OWNERS, **writer(partitioned=True)}
"""What every reporting asset shares: its group and owners, and the policy of every daily DuckDB writer."""


def _check_results(context: dg.AssetExecutionContext) -> list[dict]:
    """The data tests this run has evaluated so far (every table upstream of the report in a daily run)."""
    records = context.instance.all_logs(context.run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
    results = []
    for record in records:
        evaluation = record.dagster_event.event_specific_data
        results.append(
            {
                "asset": evaluation.asset_key.to_user_string(),
                "check": evaluation.check_name,
                "passed": evaluation.passed,
                "severity": evaluation.severity.value,
                "description": evaluation.description,
            }
        )
    return results


@dg.asset(
    key=["reporting", "daily_report"],
    deps=[asset_key(name) for name in report.upstream()],
    description="One JSON file per business day (data/reports/daily_report_<date>.json): KPIs, model names and"
    " versions, score distributions, top alerts and the data-test results of the run that built the day;"
    " validated against docs/daily_report.schema.json before it is written.",
    kinds={"json"},
    **DAILY_WRITER,
    check_specs=[
        dg.AssetCheckSpec(
            "run_data_tests_passed",
            asset=["reporting", "daily_report"],
            description="Every data test of the run that built the day passed (the report lists any that failed).",
        )
    ],
)
def daily_report(context: dg.AssetExecutionContext, duckdb: DuckDBResource, paths: RiskHubPaths):
    start, end = business_days(context)
    checks = _check_results(context)
    generated_at = dt.datetime.now(dt.UTC)
    with duckdb.get_connection() as con:
        reports = [report.build_report(con, day, checks, generated_at) for day in days(start, end)]
    written = [report.write_report(r, paths.reports) for r in reports]
    last = reports[-1]
    preview = markdown_table(["KPI", "value"], list(last["portfolio"].items()))
    failed = sorted({f"{c['asset']}:{c['check']}" for c in checks if not c["passed"]})
    yield dg.AssetCheckResult(
        check_name="run_data_tests_passed",
        passed=not failed,
        severity=dg.AssetCheckSeverity.WARN,
        description=f"{len(checks) - len(failed)} of {len(checks)} data tests passed"
        + (f"; failed: {', '.join(failed)}" if failed else ""),
    )
    yield dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(written[-1])),
            "reports_written": len(written),
            "checks_failed": last["checks"]["failed"],
            "alerts": last["anomalies"]["flagged"],
            "preview": dg.MetadataValue.md(preview),
        }
    )


BI_KEY = dg.AssetKey(["reporting", "bi_database"])
PUBLISHED_READS = sorted({name for p in published() for name in (p.source, *tables_read(p.select))})
"""Every table the BI copy is published from: each publication's source and whatever its SELECT reads."""


@dg.asset(
    key=BI_KEY,
    deps=[*(asset_key(name) for name in PUBLISHED_READS), daily_report.key],
    description="The read-only copy BI tools connect to (data/bi/riskhub_bi.duckdb), with Parquet and daily CSV"
    " exports of the marts: KPI marts, scores, alerts, customer insights and dimensions without personal data."
    " Written beside the old copy and renamed over it, so a connected BI tool never blocks the pipeline. A business"
    " day appears whole or not at all: while a day is half written (a run of it failed) the copy is not refreshed.",
    kinds={"duckdb", "parquet", "csv"},
    **DAILY_WRITER,
    check_specs=[
        dg.AssetCheckSpec(
            "no_personal_data", asset=BI_KEY, description="No personal-data column in the published database."
        ),
        dg.AssetCheckSpec(
            "rows_match_warehouse",
            asset=BI_KEY,
            description="Each daily table holds, for the run's days, as many rows as the warehouse it comes from.",
        ),
    ],
)
def bi_database(context: dg.AssetExecutionContext, duckdb: DuckDBResource, paths: RiskHubPaths):
    start, end = business_days(context)
    with duckdb.get_connection() as con:
        first, last = pending_days.ready_to_publish(con, start, end)
        publication = publish.publish_database(con, paths.bi, first, last)
        exports = publish.export_files(con, paths.bi, first, last)
        pending_days.published(con, first, last)
    path, personal, unreconciled = publication.path, publication.personal_columns, publication.unreconciled
    yield dg.AssetCheckResult(
        check_name="no_personal_data",
        passed=not personal,
        description=f"personal-data columns published: {personal}" if personal else "no personal-data column",
    )
    yield dg.AssetCheckResult(
        check_name="rows_match_warehouse",
        passed=not unreconciled,
        description=f"published vs warehouse rows: {unreconciled}" if unreconciled else "every daily table reconciles",
    )
    yield dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(path)),
            "size_mb": round(path.stat().st_size / 1e6, 1),
            "files_exported": len(exports),
            "tables": dg.MetadataValue.md(markdown_table(["table", "rows"], publication.tables)),
            "not_yet_published": ", ".join(publication.missing) or "none",
        }
    )


reporting_assets = [*mart_assets, daily_report, bi_database]
