"""The shape every SQL-built table asset shares: stage in one transaction, run its data tests, publish if they pass."""

from collections.abc import Callable
from typing import TypeVar

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from riskhub_assets.lib import pending_days
from riskhub_assets.lib.quality import CheckOutcome, run_table_checks, table_check_names
from riskhub_assets.lib.sqltext import describe
from riskhub_assets.orchestration.observability import check_result, check_specs, column_schema, table_metadata
from riskhub_assets.orchestration.policy import business_days, writer
from riskhub_assets.tables import Table, table

Written = TypeVar("Written")


def asset_key(name: str) -> dg.AssetKey:
    """The asset key of a table or model, from its dotted name ("warehouse.dim_client")."""
    return dg.AssetKey(name.split("."))


def table_spec_args(table: Table) -> dict:
    """What a table's declaration says of its asset: key, deps, docs, group, owners, partitions, pool."""
    return {
        "key": asset_key(table.name),
        "deps": [asset_key(s) for s in table.sources],
        "description": table.description,
        "group_name": table.group,
        "owners": [table.owner],
        "metadata": column_schema(table),
        **writer(partitioned=table.partition_column is not None),
    }


def table_asset_spec(table: Table) -> dg.AssetSpec:
    """A declared DuckDB table as one spec of a multi-asset (which sets its partitions and pool)."""
    args = table_spec_args(table)
    return dg.AssetSpec(
        args["key"],
        deps=args["deps"],
        description=args["description"],
        group_name=args["group_name"],
        owners=args["owners"],
        metadata=args["metadata"],
        kinds={"duckdb"},
    )


class ChecksFailed(Exception):
    """A table's blocking data tests failed on the rows just staged: they were rolled back, nothing was published."""


def write_and_check(
    con: duckdb.DuckDBPyConnection,
    declared: Table,
    start,
    end,
    write: Callable[[], Written],
    more_checks: Callable[[], list[CheckOutcome]] = list,
) -> tuple[Written, dict | None, list[CheckOutcome]]:
    """Stage a declared table's days in one transaction, run its data tests (and `more_checks`) on the staged rows,
    and publish them only when every blocking test passed: what the UI shows of the table, or None when the
    transaction was rolled back and the table is as it was (a reader never sees half a day or an unchecked value);
    the days stay held back from BI until the table is written again and passes (lib/pending_days.py)."""
    daily = start is not None
    if daily:
        pending_days.writing(con, declared.name, start, end)
    con.execute("BEGIN")
    try:
        written = write()
        describe(con, declared)
        outcomes = [*run_table_checks(con, declared, start, end), *more_checks()]
        if daily:
            pending_days.written(con, declared.name, start, end)
    except BaseException:
        _roll_back(con, declared, start, end)
        raise
    if blocking_failures(outcomes):
        _roll_back(con, declared, start, end)
        return written, None, outcomes
    con.execute("COMMIT")
    return written, table_metadata(con, declared, start, end), outcomes


def _roll_back(con: duckdb.DuckDBPyConnection, declared: Table, start, end) -> None:
    """Undo the staged rows; a daily table's days stay held back from BI until it is written again and passes."""
    con.execute("ROLLBACK")
    if start is not None:
        pending_days.failed(con, declared.name, start, end)


def blocking_failures(outcomes: list[CheckOutcome]) -> list[CheckOutcome]:
    """The data tests that failed and block: their table's rows must not be published."""
    return [outcome for outcome in outcomes if not outcome.passed and not outcome.warn_only]


def refuse_unpublished(declared: Table, outcomes: list[CheckOutcome], start, end, fix: str = "") -> None:
    """Fail the step when a blocking data test failed, naming each test, the table, the days, the failing rows and the
    fix (by default: correct the days' landing files and run them again)."""
    failed = blocking_failures(outcomes)
    if not failed:
        return
    days = f"business days {start}..{end}" if start else "this run (the table is rebuilt whole)"
    rerun = f"--start {start} --end {end}" if start else "--start DAY --end DAY"
    fix = fix or f"correct the days' landing files and run them again (riskhub materialise {rerun})"
    failures = "; ".join(f"blocking check {outcome.name} failed: {outcome.summary}" for outcome in failed)
    raise ChecksFailed(
        f"{declared.name} not published for {days}: {failures}. Its rows were rolled back and the table is as before"
        f" the run: {fix}"
    )


def sql_table_asset(name: str, load: Callable, resource_keys: frozenset[str] = frozenset()) -> dg.AssetsDefinition:
    """Factory: a declared DuckDB table built by `load(con, start, end)`; daily-partitioned when it has a partition column.

    `resource_keys` are set up before `load` runs: model_store for loads that score with a registered model.
    """
    declared = table(name)
    key = asset_key(name)

    @dg.asset(
        **table_spec_args(declared),
        kinds={"duckdb"},
        check_specs=check_specs(key, table_check_names(declared)),
        required_resource_keys={"duckdb", *resource_keys},
    )
    def _table(context: dg.AssetExecutionContext):
        duckdb: DuckDBResource = context.resources.duckdb
        start, end = business_days(context) if declared.partition_column else (None, None)
        with duckdb.get_connection() as con:
            _, metadata, outcomes = write_and_check(con, declared, start, end, lambda: load(con, start, end))
        if metadata is not None:
            yield dg.MaterializeResult(metadata=metadata)
        for outcome in outcomes:
            yield check_result(outcome)
        refuse_unpublished(declared, outcomes, start, end)

    return _table
