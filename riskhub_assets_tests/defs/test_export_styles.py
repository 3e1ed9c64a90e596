"""The same simulated bank landed in the canonical style and as a foreign bank's export (own file and column names,
`;`, decimal comma, Latin-1, dd.mm.yyyy dates, date-only bookings, local-language codes) read through its mapping
files: the pipeline must build the same star schema and features from both."""

import datetime as dt
from pathlib import Path

import duckdb

from riskhub_assets.definitions import build_defs
from riskhub_assets.orchestration.runs import run_business_days
from riskhub_assets.simulator import SimulationConfig, simulate
from riskhub_assets_tests.resources import local_resources

DAY1, DAY2 = dt.date(2025, 3, 3), dt.date(2025, 3, 4)
TIME_OF_DAY = {
    "warehouse.fact_transactions": ("transaction_ts", "hour_of_day"),
    "features.client_daily_activity": ("night_count",),
    "features.client_features": ("night_share_90d",),
}
"""Columns that depend on the time of day, which the foreign export does not send for bookings (date only: midnight).
Everything else, including the booking date of every transaction, must be equal."""
AMOUNTS = {
    "warehouse.fact_transactions": "amount",
    "warehouse.fact_account_balances": "balance",
    "warehouse.fact_events": "coalesce(amount, 0)",
    "warehouse.dim_account": "coalesce(limit_or_principal, 0)",
    "warehouse.dim_client": "coalesce(annual_income, 0)",
}


def _load(data: Path, style: str) -> None:
    config = SimulationConfig(start=DAY1, end=DAY2, clients=40, seed=11, tx_per_client=2.0, style=style)
    simulate(config, data)
    mapping = data / "mapping" if style != "canonical" else None
    result = run_business_days(build_defs(local_resources(data, mapping_dir=mapping)), DAY1, DAY2)
    assert result.success, style


def _tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        f"{schema}.{name}"
        for schema, name in con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables()"
            " WHERE database_name = 'canonical_bank' AND schema_name IN ('warehouse', 'features') ORDER BY ALL"
        ).fetchall()
    ]


def _rows_only_in(con: duckdb.DuckDBPyConnection, table: str, first: str, second: str) -> int:
    excluded = ", ".join(TIME_OF_DAY.get(table, ()))
    select = f"SELECT * {f'EXCLUDE ({excluded})' if excluded else ''} FROM"
    return con.execute(
        f"SELECT count(*) FROM ({select} {first}.{table} EXCEPT ALL {select} {second}.{table})"
    ).fetchone()[0]


def test_a_foreign_export_through_its_mapping_builds_the_same_star_schema(tmp_path):
    _load(tmp_path / "canonical", "canonical")
    _load(tmp_path / "foreign", "foreign")
    con = duckdb.connect()
    for style in ("canonical", "foreign"):
        con.execute(f"ATTACH '{tmp_path / style / 'riskhub.duckdb'}' AS {style}_bank (READ_ONLY)")
    tables = _tables(con)
    assert {"warehouse.fact_transactions", "warehouse.dim_client", "features.client_features"} <= set(tables)
    for table, amount in AMOUNTS.items():
        totals = [
            con.execute(f"SELECT count(*), sum({amount}) FROM {style}_bank.{table}").fetchone()
            for style in ("canonical", "foreign")
        ]
        assert totals[0] == totals[1] and totals[0][0] > 0, table
    for table in tables:
        counts = [
            con.execute(f"SELECT count(*) FROM {style}_bank.{table}").fetchone()[0]
            for style in ("canonical", "foreign")
        ]
        assert counts[0] == counts[1], table
        assert _rows_only_in(con, table, "canonical_bank", "foreign_bank") == 0, table
        assert _rows_only_in(con, table, "foreign_bank", "canonical_bank") == 0, table
    hours = "SELECT count(DISTINCT hour_of_day) FROM {}_bank.warehouse.fact_transactions"
    assert con.execute(hours.format("foreign")).fetchone()[0] == 1  # bookings without a time land at midnight
    assert con.execute(hours.format("canonical")).fetchone()[0] > 1
    booking_days = (
        "SELECT CAST(transaction_ts AS DATE) AS d, count(*) FROM {}_bank.warehouse.fact_transactions GROUP BY d"
    )
    assert sorted(con.execute(booking_days.format("canonical")).fetchall()) == sorted(
        con.execute(booking_days.format("foreign")).fetchall()
    )
