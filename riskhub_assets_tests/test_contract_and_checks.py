"""The landing contract and the data tests walked together: nothing the contract accepts is blocked downstream."""

import datetime as dt

import duckdb
import pytest

from riskhub_assets.definitions import build_defs
from riskhub_assets.lib import settings
from riskhub_assets.lib.cleaning import clean_column_name
from riskhub_assets.lib.cleaning_specs import CLEANING_SPECS
from riskhub_assets.lib.contract import LANDING_FILES, LandingFile
from riskhub_assets.lib.reference import load_all_references
from riskhub_assets.orchestration.runs import failed_checks, run_business_days
from riskhub_assets.tables import Table, registry, table
from riskhub_assets_tests.boundary_bank import DECIMAL_PROBES, accepted_probes, boundary_bank, write_bank

DAY1 = dt.date(2025, 1, 6)
DAY2 = DAY1 + dt.timedelta(days=91)  # a quarter later: an account untouched since DAY1 is dormant
LANDING = {f.name: f for f in LANDING_FILES}


def _fed_by(declared: Table, direct: bool = False) -> list[LandingFile]:
    """The landing files whose columns reach a table: read by it (direct) or anywhere upstream."""
    found, seen, todo = [], set(), list(declared.upstream)
    while todo:
        name = todo.pop()
        schema, short = name.split(".", 1)
        if name in seen:
            continue
        seen.add(name)
        if schema in ("landing", "raw", "clean") and short in LANDING:
            found.append(LANDING[short])
        elif not direct and name in registry():
            todo.extend(table(name).upstream)
    return found


def _landing_columns(declared: Table, column: str, direct: bool = False):
    """The landing columns (file, column) a table's column carries, matched by their clean name."""
    return [(f, c) for f in _fed_by(declared, direct) for c in f.columns if clean_column_name(c) == column]


FED_TABLES = [t for t in registry().values() if _fed_by(t)]
FILLED_IN = {("marts.transaction_kpis", "segment")}
"""Columns whose build spells a value the bank did not send ('unknown'), so they are never null."""


@pytest.mark.parametrize("declared", FED_TABLES, ids=lambda t: t.name)
def test_range_checks_are_at_least_as_wide_as_the_contract(declared, con):
    load_all_references(con)  # rules may read the bank's code lists
    for column, (low, high) in declared.ranges.items():
        for landing, landed in _landing_columns(declared, column):
            if landed.type != "decimal":
                continue
            accepted = [
                float(v) for v in accepted_probes(con, CLEANING_SPECS[landing.name], landed, DECIMAL_PROBES, DAY1)
            ]
            where = f"{declared.name}.{column} range [{low}, {high}] vs {landing.name}.{landed.name}"
            assert low is None or float(low) <= min(accepted), f"{where}: the contract accepts {min(accepted)}"
            assert high is None or float(high) >= max(accepted), f"{where}: the contract accepts {max(accepted)}"


@pytest.mark.parametrize("declared", FED_TABLES, ids=lambda t: t.name)
def test_accepted_values_and_required_columns_agree_with_the_contract(declared):
    for column, values in declared.accepted.items():
        for landing, landed in _landing_columns(declared, column):
            where = f"{declared.name}.{column} accepted values vs {landing.name}.{landed.name}"
            if landed.codes:  # the bank's code list: the check must read that same list
                assert values == f"reference.{landed.codes}", f"{where}: checked against {values}"
                continue
            assert landed.allowed, f"{where}: the contract accepts any value"
            assert set(landed.allowed) <= set(values), f"{where}: missing {set(landed.allowed) - set(values)}"
    for column in (c for c in declared.not_null if (declared.name, c) not in FILLED_IN):
        landed = _landing_columns(declared, column, direct=True)
        assert not landed or any(c.required for _, c in landed), (
            f"{declared.name}.{column} must not be null but the contract lets"
            f" {', '.join(f'{f.name}.{c.name}' for f, c in landed)} be empty"
        )


def test_the_walk_reaches_the_warehouse_and_features():
    assert {"warehouse.fact_transactions", "warehouse.dim_client", "features.client_features"} <= {
        t.name for t in FED_TABLES
    }
    landed = _landing_columns(table("warehouse.fact_account_balances"), "balance")
    assert sorted((f.name, c.name) for f, c in landed) == [("accounts", "balance"), ("balances", "balance")]


def _landed_days(landing_dir) -> dict[dt.date, dict[str, list[dict]]]:
    """The boundary bank on two days a quarter apart; half the clients' accounts have no transaction after the first."""
    first, later = boundary_bank(DAY1, since=DAY1), boundary_bank(DAY2, since=DAY1)
    dormant_clients = {c["client_id"] for c in first["clients"][::2]}
    dormant = {a["account_id"] for a in first["accounts"] if a["client_id"] in dormant_clients}
    later["transactions"] = [t for t in later["transactions"] if t["account_id"] not in dormant]
    for day, bank in ((DAY1, first), (DAY2, later)):
        write_bank(landing_dir, day, bank)
    return {DAY1: first, DAY2: later}


def _blocking(result) -> list[tuple[str, str, str]]:
    return [
        (c.asset_key.to_user_string(), c.check_name, c.description)
        for c in failed_checks(result)
        if c.severity.value == "ERROR"
    ]


def test_a_bank_at_the_contract_s_limits_loads_without_blocking_checks_or_quarantine(resources):
    days = _landed_days(resources["paths"].landing)
    defs = build_defs(resources)
    warnings = set()
    for day in days:
        result = run_business_days(defs, day, day)
        assert _blocking(result) == [], day
        assert result.success, day
        warnings |= {(c.asset_key.to_user_string(), c.check_name) for c in failed_checks(result)}
    assert ("features/client_features", "plausible_values") in warnings  # centenarians warn, they do not block
    with duckdb.connect(str(settings.duckdb_path()), read_only=True) as con:
        for name in LANDING:
            landed = sum(len(bank[name]) for bank in days.values())
            assert con.execute(f"SELECT count(*) FROM clean.{name}").fetchone()[0] == landed, name
            assert con.execute(f"SELECT count(*) FROM clean.{name}_quarantine").fetchone()[0] == 0, name
        ages = con.execute("SELECT min(age_years), max(age_years) FROM features.client_features").fetchone()
        closed = con.execute("SELECT count(*) FROM warehouse.dim_account WHERE NOT is_open").fetchone()[0]
        zero_events = con.execute("SELECT count(*) FROM warehouse.fact_events WHERE amount = 0").fetchone()[0]
        without_accounts = con.execute(
            "SELECT count(*) FROM warehouse.dim_client c"
            " WHERE NOT EXISTS (SELECT 1 FROM warehouse.dim_account a WHERE a.client_id = c.client_id)"
        ).fetchone()[0]
        dormant = con.execute(
            "SELECT count(*) FROM features.client_features f WHERE as_of_date = $later AND recency_days = 90"
            " AND EXISTS (SELECT 1 FROM warehouse.fact_transactions t WHERE t.client_id = f.client_id"
            " AND transaction_date = $first)",
            {"first": DAY1, "later": DAY2},
        ).fetchone()[0]
    assert ages[0] < 1 and ages[1] > 120  # a newborn's junior account and a client born in 1900
    assert closed and zero_events and without_accounts
    assert dormant  # active a quarter ago, no transaction in the last 90 days
