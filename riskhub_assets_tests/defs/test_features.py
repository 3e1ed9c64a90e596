"""Point-in-time features: what is known at an as-of date never changes when later days arrive."""

import datetime as dt

import duckdb

from riskhub_assets.definitions import build_defs
from riskhub_assets.lib import settings
from riskhub_assets.lib.labels import client_labels
from riskhub_assets.orchestration.runs import run_business_days
from riskhub_assets.simulator import SimulationConfig, simulate

START, AS_OF, END = dt.date(2025, 5, 1), dt.date(2025, 5, 4), dt.date(2025, 5, 9)


def _features(as_of: dt.date):
    with duckdb.connect(str(settings.duckdb_path()), read_only=True) as con:
        return con.execute(
            "SELECT * FROM features.client_features WHERE as_of_date = $d ORDER BY client_id", {"d": as_of}
        ).df()


def test_features_of_an_as_of_date_ignore_later_data_and_labels_look_ahead(isolated_data, resources):
    simulate(SimulationConfig(start=START, end=END, clients=80, seed=11, tx_per_client=2.0), isolated_data)
    defs = build_defs(resources)
    assert run_business_days(defs, START, AS_OF).success
    before = _features(AS_OF)
    assert len(before) > 50 and before["frequency_90d"].sum() > 0

    assert run_business_days(defs, AS_OF + dt.timedelta(days=1), END).success
    assert run_business_days(defs, AS_OF, AS_OF).success  # recompute the as-of date with later data present
    after = _features(AS_OF)
    assert after.equals(before)

    with duckdb.connect(str(settings.duckdb_path())) as con:
        labels = client_labels(con, [AS_OF], horizon=5)
        defaulted = {
            r[0]
            for r in con.execute(
                "SELECT client_id FROM warehouse.fact_events WHERE event_type = 'default'"
                " AND event_date > $d AND event_date <= $d + 5",
                {"d": AS_OF},
            ).fetchall()
        }
    assert set(labels.loc[labels["default_label"], "client_id"]) == defaulted & set(before["client_id"])
    assert len(labels) == len(before)
