"""The same simulated bank landed in the canonical style and as a foreign bank's export read through its mapping files
(own file and column names, `;`, decimal comma, Latin-1, dd.mm.yyyy dates, date-only bookings, local-language codes,
euro accounts booked in CZK with FX rates, accounts as change records with balances in their own file, no
relationship-manager file, loans with statuses instead of default events): the pipeline must build the same star
schema, features and defaults from both, after currency conversion."""

import datetime as dt
from pathlib import Path

import duckdb

from riskhub_assets.definitions import build_defs
from riskhub_assets.lib import ingest, warehouse
from riskhub_assets.lib.cleaning import clean_range
from riskhub_assets.lib.cleaning_specs import CLEANING_SPECS
from riskhub_assets.lib.contract import LANDING_FILES
from riskhub_assets.lib.features import load_client_daily_activity, load_client_features
from riskhub_assets.lib.labels import client_labels
from riskhub_assets.lib.mapping import load_mappings
from riskhub_assets.lib.reference import load_all_references
from riskhub_assets.orchestration.runs import run_business_days
from riskhub_assets.simulator import SimulationConfig, simulate
from riskhub_assets.tables import tables_in
from riskhub_assets_tests.resources import local_resources

DAY1, DAY2 = dt.date(2025, 3, 3), dt.date(2025, 3, 5)
NATIVE_AMOUNT_FEATURES = {
    "features.client_daily_activity": (),
    "features.client_features": ("card_utilisation", "loan_outstanding_share", "loan_interest_rate"),
}
"""Ratios computed in an account's own currency: the foreign bank converted a limit or principal into CZK once, at
the fixing of the day it was first reported, while balances and instalments follow each day's fixing, so these
ratios differ in their last digits. Every other amount feature reads amount_reporting / balance_reporting and must
match."""
EXCLUDED_COLUMNS = {
    # The foreign export sends bookings with their date only (midnight): everything depending on the time differs.
    "warehouse.fact_transactions": ("transaction_ts", "hour_of_day"),
    "features.client_daily_activity": ("night_count", *NATIVE_AMOUNT_FEATURES["features.client_daily_activity"]),
    "features.client_features": ("night_share_90d", *NATIVE_AMOUNT_FEATURES["features.client_features"]),
    # Change records: an account's latest record is the day it opened (or the first day), not the last snapshot.
    "warehouse.dim_account": ("last_record_date",),
    # No relationship-manager file: clients carry no manager.
    "warehouse.dim_client": ("manager_id",),
    # The evidence names what the bank sent: default events (canonical) or only the loans' statuses (foreign).
    "warehouse.fact_defaults": ("evidence",),
}
ABSENT_TABLES = {
    "warehouse.dim_manager": "no relationship-manager file",
    "warehouse.dim_agency": "branches come from the relationship-manager file",
    "warehouse.fact_manager_objectives": "objectives come from the relationship-manager file",
}
UNSENT_ROWS = {"warehouse.fact_events": "event_type = 'default'"}
"""Rows the canonical bank sends and the foreign one does not: it tells defaults through its loans' statuses."""
IN_EUROS = {
    "warehouse.fact_transactions": {"amount": "transaction_date", "signed_amount": "transaction_date"},
    "warehouse.fact_account_balances": {"balance": "snapshot_date", "limit_or_principal": "signed(account_id)"},
    "warehouse.fact_events": {"amount": "event_date"},
    "warehouse.dim_account": {"limit_or_principal": "signed(account_id)"},
    "warehouse.fact_credit_facility": {
        "principal": f"greatest(start_date, DATE '{DAY1}')",
        "instalment": f"greatest(start_date, DATE '{DAY1}')",
    },
}
"""Native amounts the foreign bank books in CZK for its euro accounts, and the day whose fixing converts them back:
the day's own for amounts of the day, the day the export first reports an account or facility for terms fixed at
signing (simulator/local_currency.py)."""
REPORTING_AMOUNTS = {
    "warehouse.fact_transactions": "amount_reporting",
    "warehouse.fact_account_balances": "balance_reporting",
}
CENT_ROUNDING = 0.005
"""Reporting amounts agree to the cent on every row: a CZK amount rounded to the haléř is within 0.005 CZK (0.0002
EUR at ~0.04 EUR/CZK) of the euro truth, far under the half cent at which rounding the reporting amount to the cent
could tip; a sum may thus differ by at most half a cent per row, which is the tolerance the sums are held to."""


def _load(data: Path, style: str) -> None:
    config = SimulationConfig(start=DAY1, end=DAY2, clients=40, seed=11, tx_per_client=2.0, style=style)
    simulate(config, data)
    mapping = data / "mapping" if style != "canonical" else None
    result = run_business_days(build_defs(local_resources(data, mapping_dir=mapping)), DAY1, DAY2)
    assert result.success, style


def _attach(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    """Both banks' databases, and macros turning the foreign bank's CZK amounts back into euros."""
    con = duckdb.connect()
    for style in ("canonical", "foreign"):
        con.execute(f"ATTACH '{tmp_path / style / 'riskhub.duckdb'}' AS {style}_bank (READ_ONLY)")
    con.execute(
        "CREATE MACRO in_euros(amount, day) AS CAST(amount * (SELECT rate FROM foreign_bank.clean.fx_rates r"
        " WHERE r.currency = 'CZK' AND r.business_date = day) AS DECIMAL(38, 2))"
    )
    con.execute(
        "CREATE MACRO signed(account) AS greatest((SELECT open_date FROM foreign_bank.warehouse.dim_account d"
        f" WHERE d.account_id = account), DATE '{DAY1}')"
    )
    return con


def _tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        f"{schema}.{name}"
        for schema, name in con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables()"
            " WHERE database_name = 'canonical_bank' AND schema_name IN ('warehouse', 'features') ORDER BY ALL"
        ).fetchall()
    ]


def _select(con: duckdb.DuckDBPyConnection, bank: str, table: str) -> str:
    """The table's comparable rows: without excluded columns or unsent rows, the foreign bank's CZK back in euros."""
    excluded = ", ".join(EXCLUDED_COLUMNS.get(table, ()))
    query = f"SELECT * {f'EXCLUDE ({excluded})' if excluded else ''}"
    columns = [c for (c,) in con.execute(f"SELECT column_name FROM (DESCRIBE {bank}_bank.{table})").fetchall()]
    if bank == "foreign" and table in IN_EUROS:
        in_czk = (
            "currency = 'CZK'"
            if "currency" in columns
            else "account_id IN (SELECT account_id FROM foreign_bank.warehouse.dim_account WHERE currency = 'CZK')"
        )
        replaced = [
            f"CASE WHEN {in_czk} THEN in_euros({c}, {day}) ELSE {c} END AS {c}" for c, day in IN_EUROS[table].items()
        ]
        if "currency" in columns:
            replaced.append("CASE WHEN currency = 'CZK' THEN 'EUR' ELSE currency END AS currency")
        query += f" REPLACE ({', '.join(replaced)})"
    where = f" WHERE NOT ({UNSENT_ROWS[table]})" if bank == "canonical" and table in UNSENT_ROWS else ""
    return f"{query} FROM {bank}_bank.{table}{where}"


def _rows_only_in(con: duckdb.DuckDBPyConnection, table: str, first: str, second: str) -> int:
    return con.execute(
        f"SELECT count(*) FROM ({_select(con, first, table)} EXCEPT ALL {_select(con, second, table)})"
    ).fetchone()[0]


def _assert_reporting_totals_match(con: duckdb.DuckDBPyConnection) -> None:
    for table, amount in REPORTING_AMOUNTS.items():
        (count, total), (foreign_count, foreign_total) = [
            con.execute(f"SELECT count(*), sum({amount}) FROM {style}_bank.{table}").fetchone()
            for style in ("canonical", "foreign")
        ]
        assert count == foreign_count and count > 0, table
        assert abs(total - foreign_total) <= CENT_ROUNDING * count, table


def test_a_foreign_export_through_its_mapping_builds_the_same_star_schema(tmp_path):
    _load(tmp_path / "canonical", "canonical")
    _load(tmp_path / "foreign", "foreign")
    con = _attach(tmp_path)
    tables = _tables(con)
    assert {"warehouse.fact_transactions", "warehouse.fact_defaults", "features.client_features"} <= set(tables)
    czk = "SELECT count(*) FROM foreign_bank.warehouse.fact_transactions WHERE currency = 'CZK'"
    assert con.execute(czk).fetchone()[0] > 0  # the foreign bank books its euro accounts in koruna
    _assert_reporting_totals_match(con)
    for table in tables:
        if table in ABSENT_TABLES:
            rows = con.execute(f"SELECT count(*) FROM foreign_bank.{table}").fetchone()[0]
            assert rows == 0, f"{table}: {ABSENT_TABLES[table]}"
            continue
        assert _rows_only_in(con, table, "canonical", "foreign") == 0, table
        assert _rows_only_in(con, table, "foreign", "canonical") == 0, table
    hours = "SELECT count(DISTINCT hour_of_day) FROM {}_bank.warehouse.fact_transactions"
    assert con.execute(hours.format("foreign")).fetchone()[0] == 1  # bookings without a time land at midnight
    assert con.execute(hours.format("canonical")).fetchone()[0] > 1


HISTORY_START, HISTORY_END, HORIZON = dt.date(2025, 1, 1), dt.date(2025, 2, 10), 30
"""Long enough for this bank (seed 4) to see three clients default (January 2, 23 and 27) and label 30 days ahead."""
AS_OF_DATES = [dt.date(2025, 1, 4), dt.date(2025, 1, 11)]


def _defaults(data: Path, style: str) -> tuple[list, list]:
    """Each client's default days and default labels, built from the style's files over the history."""
    simulate(SimulationConfig(HISTORY_START, HISTORY_END, clients=150, seed=4, tx_per_client=0.3, style=style), data)
    mappings = load_mappings(data / "mapping") if style != "canonical" else {}
    with duckdb.connect() as con:
        load_all_references(con)
        for spec in LANDING_FILES:
            mapping = mappings.get(spec.name)
            ingest.load_raw_days(con, spec, data / "landing", HISTORY_START, HISTORY_END, mapping)
            clean_range(con, CLEANING_SPECS[spec.name], HISTORY_START, HISTORY_END, b"unit-test-key")
        for declared in tables_in("warehouse"):
            warehouse.load_table(con, declared.short_name, HISTORY_START, HISTORY_END)
        days = con.execute("SELECT client_id, default_date FROM warehouse.fact_defaults ORDER BY ALL").fetchall()
        load_client_daily_activity(con, HISTORY_START, HISTORY_END)
        for as_of in AS_OF_DATES:
            load_client_features(con, as_of, as_of)
        labels = client_labels(con, AS_OF_DATES, HORIZON)[["as_of_date", "client_id", "default_label"]]
    return days, sorted(labels.itertuples(index=False))


def test_loan_statuses_without_default_events_give_the_same_defaults(tmp_path):
    canonical_days, canonical_labels = _defaults(tmp_path / "canonical", "canonical")
    foreign_days, foreign_labels = _defaults(tmp_path / "foreign", "foreign")
    assert len(canonical_days) >= 2 and foreign_days == canonical_days
    assert sum(label.default_label for label in canonical_labels) >= 2
    assert foreign_labels == canonical_labels
    events = (tmp_path / "foreign" / "landing").glob("*/EREIGNISSE.txt")
    assert not any(";AUSFALL;" in path.read_text(encoding="latin-1") for path in events)  # no default events sent
