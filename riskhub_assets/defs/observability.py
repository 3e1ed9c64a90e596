"""What the Dagster UI shows of a table and of a data test: row counts, schema, preview, verdicts."""

import dagster as dg
import duckdb

from riskhub_assets.lib.markdown import markdown_table
from riskhub_assets.lib.model_outcome import GateVerdict
from riskhub_assets.lib.quality import CHECK_DESCRIPTIONS, WARN_ONLY, CheckOutcome


def table_metadata(
    con: duckdb.DuckDBPyConnection,
    table: str,
    where: str = "true",
    params: dict | None = None,
    detail: bool = True,
    preview: bool = True,
) -> dict:
    """Row counts of a DuckDB table and of the slice just written; with `detail`, its schema and a five-row preview.

    A run over a range of days repeats the metadata on every partition's event: keep it to counts there.
    """
    slice_rows = con.execute(f"SELECT count(*) FROM {table} WHERE {where}", params or {}).fetchone()[0]
    total_rows = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    metadata = {
        "dagster/row_count": dg.MetadataValue.int(total_rows),
        "rows_in_run": dg.MetadataValue.int(slice_rows),
        "dagster/table_name": f"riskhub.{table}",
    }
    if not detail:
        return metadata
    described = con.execute(f"DESCRIBE {table}").fetchall()
    metadata["dagster/column_schema"] = dg.TableSchema(
        columns=[dg.TableColumn(name=name, type=kind) for name, kind, *_ in described]
    )
    if preview:
        cursor = con.execute(f"SELECT * FROM {table} WHERE {where} LIMIT 5", params or {})
        metadata["preview"] = dg.MetadataValue.md(markdown_table([d[0] for d in cursor.description], cursor.fetchall()))
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
