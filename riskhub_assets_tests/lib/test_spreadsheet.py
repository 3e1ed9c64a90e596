"""CSV exports a spreadsheet opens as data: a text cell that would start a formula is written as text, numbers stay
numbers (CSV injection, OWASP)."""

import csv
import datetime as dt
import io

import duckdb
import pandas as pd

from riskhub_assets.lib import publish
from riskhub_assets.lib.spreadsheet import neutralised, safe_csv
from riskhub_assets.tables import registry

FORMULA = "=cmd|' /C calc'!A0"
DAY = dt.date(2025, 3, 4)


def test_text_that_starts_a_formula_is_quoted_and_plain_numbers_stay():
    for attack in (FORMULA, "+1+cmd|x", "-2+3+cmd|' /C calc'!A0", "@SUM(A1)", "\t=1", "\r=1"):
        assert neutralised(attack) == "'" + attack
    for harmless in ("-12.50", "+3", "1e-5", "north", "a=b", ""):
        assert neutralised(harmless) == harmless


def test_a_dashboard_download_neutralises_text_cells_and_keeps_negative_amounts_numbers():
    frame = pd.DataFrame({"client_id": [FORMULA, "c-2"], "amount": [-12.5, 3.0], "note": ["-7", None]})
    rows = list(csv.reader(io.StringIO(safe_csv(frame))))
    assert rows == [["client_id", "amount", "note"], ["'" + FORMULA, "-12.5", "-7"], ["c-2", "3.0", ""]]


def test_mart_csv_exports_neutralise_a_merchant_formula_and_keep_negative_values_numbers(tmp_path):
    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts")
    marts = [t for t in registry().values() if t.publish and t.publish.export]
    for mart in marts:
        con.execute(f"CREATE TABLE {mart.name} ({mart.ddl_columns})")
    con.execute(
        "INSERT INTO marts.transaction_kpis VALUES (?, 'pos', 'mass', ?, 'debit', 'EUR', 1, 1, -12.50, -12.50)",
        [DAY, FORMULA],
    )
    publish.export_files(con, tmp_path, DAY, DAY)
    exported = pd.read_csv(tmp_path / "csv" / "transaction_kpis" / f"transaction_kpis_{DAY}.csv")
    assert exported["merchant_category"].tolist() == ["'" + FORMULA]
    assert exported["value"].tolist() == [-12.5] and exported["channel"].tolist() == ["pos"]
    parquet = pd.read_parquet(tmp_path / "parquet" / "transaction_kpis.parquet")
    assert parquet["merchant_category"].tolist() == [FORMULA]  # typed data, not a spreadsheet: kept as sent
