"""What the Dagster UI shows of a table and of a data test: row counts, schema, preview, verdicts."""

import datetime as dt

import dagster as dg
import duckdb

from riskhub_assets.lib.erasure import identifying_columns
from riskhub_assets.lib.markdown import markdown_table
from riskhub_assets.lib.model_outcome import GateVerdict
from riskhub_assets.lib.quality import CHECK_DESCRIPTIONS, WARN_ONLY, CheckOutcome
from riskhub_assets.tables import Table, personal_columns


def table_metadata(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> dict:
    """Row counts of a DuckDB table and of the days just written, its schema with the declared meanings and, for one
    day or a whole table, a five-row preview without the columns that describe a person or tie a row to one (client,
    account and record numbers: Dagster's event log keeps previews for good, out of reach of an erasure), none for
    tables restricted to personal data in clear.

    A run over a range of days repeats the metadata on every partition's event: no preview there.
    """
    partitioned = table.partition_column is not None and start is not None
    where = f"{table.partition_column} BETWEEN $start AND $end" if partitioned else "true"
    params = {"start": start, "end": end} if partitioned else {}
    slice_rows = con.execute(f"SELECT count(*) FROM {table.name} WHERE {where}", params).fetchone()[0]
    total_rows = con.execute(f"SELECT count(*) FROM {table.name}").fetchone()[0]
    described = con.execute(f"DESCRIBE {table.name}").fetchall()
    meanings = table.meanings
    metadata = {
        "dagster/row_count": dg.MetadataValue.int(total_rows),
        "rows_in_run": dg.MetadataValue.int(slice_rows),
        "dagster/table_name": f"riskhub.{table.name}",
        "dagster/column_schema": dg.TableSchema(
            columns=[dg.TableColumn(name, kind, description=meanings.get(name)) for name, kind, *_ in described]
        ),
    }
    if partitioned and start == end:
        metadata["dagster/partition_row_count"] = dg.MetadataValue.int(slice_rows)  # as a history's recorded days say
    hidden = personal_columns() | set(identifying_columns())
    shown = [name for name, *_ in described if name not in hidden]
    if start == end and not table.restricted and shown:
        select = ", ".join(f'"{name}"' for name in shown)
        cursor = con.execute(f"SELECT {select} FROM {table.name} WHERE {where} LIMIT 5", params)
        metadata["preview"] = dg.MetadataValue.md(markdown_table(shown, cursor.fetchall()))
    return metadata


def check_result(outcome: CheckOutcome, asset_key: dg.AssetKey | None = None) -> dg.AssetCheckResult:
    """A Dagster check result that says what failed and on how many rows."""
    return dg.AssetCheckResult(
        asset_key=asset_key,
        check_name=outcome.name,
        passed=outcome.passed,
        severity=dg.AssetCheckSeverity.WARN if outcome.warn_only else dg.AssetCheckSeverity.ERROR,
        description=outcome.summary,
        metadata={"failing_rows": outcome.failing_rows, **{k: v for k, v in outcome.detail.items()}},
    )


def column_schema(table: Table) -> dict:
    """The declared columns with their meaning, as the asset's static schema in the UI (none when undeclared)."""
    if not table.columns:
        return {}
    columns = [dg.TableColumn(c.name, c.type, description=c.meaning or None) for c in table.columns]
    return {"dagster/column_schema": dg.TableSchema(columns=columns)}


def check_specs(asset_key: dg.AssetKey, names: list[str]) -> list[dg.AssetCheckSpec]:
    """Check specs for an asset; all block downstream assets except the warning-only ones."""
    return [
        dg.AssetCheckSpec(
            name, asset=asset_key, blocking=name not in WARN_ONLY, description=CHECK_DESCRIPTIONS.get(name)
        )
        for name in names
    ]


def gate_result(verdict: GateVerdict) -> dg.AssetCheckResult:
    """A Dagster check result for a gate a new model version was judged by, with the evidence."""
    return dg.AssetCheckResult(check_name=verdict.name, passed=verdict.passed, description=verdict.description)
