"""A bank sending only credit-facility statuses and arrears gets the same default labels as one sending default events."""

import datetime as dt
import pathlib

import duckdb
import pytest

from riskhub_assets.lib import ingest, warehouse
from riskhub_assets.lib.cleaning import clean_range
from riskhub_assets.lib.cleaning_specs import CLEANING_SPECS
from riskhub_assets.lib.contract import CREDIT_FACILITIES, EVENTS, LANDING_FILES
from riskhub_assets.lib.features import load_client_daily_activity, load_client_features
from riskhub_assets.lib.labels import client_labels
from riskhub_assets.lib.reference import load_all_references
from riskhub_assets.simulator import SimulationConfig, simulate
from riskhub_assets.tables import tables_in

START, END, HORIZON = dt.date(2025, 1, 1), dt.date(2025, 4, 10), 30
AS_OF_DATES = [START + dt.timedelta(days=d) for d in range(14, (END - START).days - HORIZON + 1, 7)]
KEY = b"unit-test-key"


def _load(con: duckdb.DuckDBPyConnection, landing: pathlib.Path, files) -> None:
    """Land, clean and rebuild the star schema from these landing files over the whole period."""
    load_all_references(con)
    for spec in files:
        ingest.load_raw_days(con, spec, landing, START, END)
        clean_range(con, CLEANING_SPECS[spec.name], START, END, KEY)
    for declared in tables_in("warehouse"):
        warehouse.load_table(con, declared.short_name, START, END)


def _labels(con: duckdb.DuckDBPyConnection):
    load_client_daily_activity(con, START, END)
    for as_of in AS_OF_DATES:
        load_client_features(con, as_of, as_of)
    return client_labels(con, AS_OF_DATES, HORIZON)[["as_of_date", "client_id", "default_label"]]


def _drop_default_events(landing: pathlib.Path) -> int:
    dropped = 0
    for path in landing.glob(f"*/{EVENTS.filename}"):
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        kept = [line for line in lines if ",default," not in line]
        dropped += len(lines) - len(kept)
        path.write_text("".join(kept), encoding="utf-8")
    return dropped


@pytest.fixture(scope="module")
def bank(tmp_path_factory) -> pathlib.Path:
    out = tmp_path_factory.mktemp("bank")
    simulate(SimulationConfig(START, END, clients=150, seed=4, tx_per_client=1.0), out)
    return out / "landing"


def test_facility_statuses_alone_give_the_default_labels_of_default_events(bank, tmp_path):
    with duckdb.connect() as con:
        _load(con, bank, LANDING_FILES)
        both = _labels(con)
        facilities = {path: tmp_path / path.parent.name for path in bank.glob(f"*/{CREDIT_FACILITIES.filename}")}
        for path, aside in facilities.items():
            path.rename(aside)
        _load(con, bank, [CREDIT_FACILITIES])  # the optional file absent every day: events alone
        events_only = _labels(con)
        for path, aside in facilities.items():
            aside.rename(path)
        assert _drop_default_events(bank) >= 2
        _load(con, bank, [EVENTS, CREDIT_FACILITIES])  # events without a default, facilities back
        facilities_only = _labels(con)
        assert con.execute("SELECT count(*) FROM warehouse.fact_events WHERE event_type = 'default'").fetchone() == (0,)
    assert both["default_label"].sum() >= 2 and not both["default_label"].all()  # two classes: a model can train
    assert events_only.equals(both)
    assert facilities_only.equals(both)
