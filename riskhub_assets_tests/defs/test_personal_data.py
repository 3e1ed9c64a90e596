"""Personal data minimised on a tiny run: birth dates and incomes coarsened past the clean layer, and nothing personal
in what the Dagster UI shows (every asset's materialisation metadata)."""

import datetime as dt

import duckdb
import mlflow
import numpy as np

from riskhub_assets.definitions import build_defs
from riskhub_assets.lib import model_training, settings, tracking, training
from riskhub_assets.lib.frames import replace_table
from riskhub_assets.lib.model_specs import CHURN
from riskhub_assets.lib.publish import BI_DATABASE
from riskhub_assets.orchestration.runs import run_business_days
from riskhub_assets.simulator import SimulationConfig, simulate
from riskhub_assets.tables import personal_columns, table
from riskhub_assets_tests.resources import local_resources
from riskhub_assets_tests.scored_bank import DAY1, DAY2, fill_insights, fill_scores

IDENTIFYING = ("full_name", "email", "phone", "national_id", "address")


def _metadata_of_every_asset(data) -> dict[str, dict]:
    """The metadata of every asset a one-day run of the spine and the reporting job materialised (a one-day run
    shows previews), by asset."""
    simulate(SimulationConfig(start=DAY1, end=DAY1, clients=40, seed=3, tx_per_client=2.0), data)
    defs = build_defs(local_resources(data))
    spine = run_business_days(defs, DAY1, DAY1)
    assert spine.success
    fill_scores(DAY1)
    fill_insights(DAY1)
    reporting = run_business_days(defs, DAY1, DAY1, job="daily_reporting")
    assert reporting.success
    return {
        e.event_specific_data.materialization.asset_key.to_user_string(): e.event_specific_data.materialization.metadata
        for result in (spine, reporting)
        for e in result.all_events
        if e.event_type_value == "ASSET_MATERIALIZATION"
    }


def _personal_values() -> set[str]:
    """What identifies the tiny bank's clients: names, contacts, national ids, birth dates, their pseudonyms, and the
    numbers that tie a record to one of them (client, account and transaction numbers: an erasure cannot reach
    Dagster's event log)."""
    pseudonyms = ", ".join(f"{c}_pseudonym" for c in IDENTIFYING)
    with duckdb.connect(str(settings.duckdb_path()), read_only=True) as con:
        clear = con.execute(f"SELECT {', '.join(IDENTIFYING)}, birth_date FROM raw.clients").fetchall()
        hidden = con.execute(f"SELECT {pseudonyms} FROM clean.clients").fetchall()
        numbers = con.execute(
            "SELECT client_id FROM raw.clients UNION SELECT account_id FROM raw.accounts"
            " UNION SELECT transaction_id FROM raw.transactions"
        ).fetchall()
    return {value for row in (*clear, *hidden, *numbers) for value in row if value}


def test_no_preview_or_metadata_of_any_asset_shows_personal_data(isolated_data):
    metadata = _metadata_of_every_asset(isolated_data)
    previews = {asset: str(values["preview"].value) for asset, values in metadata.items() if "preview" in values}
    assert "features/client_features" in previews and "warehouse/fact_transactions" in previews
    for asset, preview in previews.items():
        header = {cell.strip() for cell in preview.splitlines()[0].split("|")}
        assert not header & personal_columns() and not header & {"client_id", "account_id"}, asset

    values = _personal_values()
    assert len(values) > 100  # the tiny bank sent names, birth dates and contacts
    for asset, entries in metadata.items():
        text = " ".join(str(getattr(v, "value", v)) for v in entries.values())
        assert not [v for v in values if v in text], asset


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    return dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE {table})").fetchall())


def test_birth_dates_and_incomes_are_coarsened_past_the_clean_layer(isolated_data):
    _metadata_of_every_asset(isolated_data)
    exact = {"birth_date", "annual_income", "age_years"}
    with duckdb.connect(str(settings.duckdb_path()), read_only=True) as con:
        assert "birth_date" not in _columns(con, "clean.clients")
        assert con.execute("SELECT count(*) FROM clean.clients WHERE day(birth_month) <> 1").fetchone()[0] == 0
        dim = _columns(con, "warehouse.dim_client")
        assert not dim.keys() & {*exact, "birth_month"} and dim["birth_year"] == "INTEGER"
        bands = {b for (b,) in con.execute("SELECT DISTINCT income_band FROM warehouse.dim_client").fetchall()}
        assert len(bands) > 1 and bands <= {*table("warehouse.dim_client").accepted["income_band"], None}
        assert _columns(con, "features.client_features")["age_years"] == "INTEGER"
        con.execute(f"ATTACH '{settings.bi_dir() / BI_DATABASE}' AS bi (READ_ONLY)")
        published = _columns(con, "bi.dims.client")
        assert {"age_band", "income_band"} <= published.keys() and not published.keys() & personal_columns()


def test_mlflow_training_samples_hold_whole_year_ages_and_no_identifiers(isolated_data):
    day3 = DAY2 + dt.timedelta(days=1)  # out-of-time validation needs three as-of dates
    simulate(SimulationConfig(start=DAY1, end=day3, clients=120, seed=3, tx_per_client=2.0), isolated_data)
    assert run_business_days(build_defs(local_resources(isolated_data)), DAY1, day3).success
    with duckdb.connect(str(settings.duckdb_path())) as con:
        clients = con.execute("SELECT as_of_date, client_id FROM features.client_features").df()
        outcomes = np.random.default_rng(0).random(len(clients)) < 0.5
        labels = clients.assign(default_label=outcomes, churn_label=outcomes, rfm_proxy_label=False)
        replace_table(con, "features.client_labels", labels)
        frame = training.labelled_frame(con, CHURN.population)
    outcome = model_training.train_client_model(CHURN, frame, {}, min_events=3)

    baseline = tracking.load_baseline(CHURN.name, outcome.version)
    example = mlflow.artifacts.load_dict(f"models:/{CHURN.name}/{outcome.version}/input_example.json")
    logged = {*baseline, *example["columns"]}
    assert "age_years" in logged and not logged & {"client_id", "as_of_date", *IDENTIFYING}
    assert not logged & {c for c in personal_columns() if c not in training.feature_columns(frame)}
    ages = baseline["age_years"][~np.isnan(baseline["age_years"])]
    assert len(ages) and (ages == ages.round()).all()  # whole years, no fractional age that dates a birthday
