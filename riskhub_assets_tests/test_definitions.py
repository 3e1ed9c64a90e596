"""The Dagster definitions as the UI and the daemon load them."""

import dagster as dg
import pytest

from riskhub_assets.definitions import build_defs
from riskhub_assets.lib.contract import LANDING_FILES
from riskhub_assets.orchestration.policy import DUCKDB_POOL


def test_every_table_has_checks_and_writers_share_the_duckdb_pool():
    defs = build_defs()
    graph = defs.resolve_asset_graph()
    tables = [key for key in graph.get_all_asset_keys() if graph.get(key).is_materializable]
    checked = {check.asset_key for check in graph.asset_check_keys}
    # 10 reference lists (holidays among them), 9 raw, 18 clean and quarantine, 16 warehouse, 3 features, 6 models,
    # 7 scores, 5 marts, report, BI database
    assert len(tables) == 76
    assert [t.to_user_string() for t in tables if t not in checked] == []
    for assets_def in defs.resolve_all_asset_specs():
        if assets_def.key.path[0] != "landing":
            assert graph.get(assets_def.key).pools == {DUCKDB_POOL}, assets_def.key


def test_layers_are_groups_and_schedules_load_daily_and_retrain_weekly():
    defs = build_defs()
    specs = defs.resolve_all_asset_specs()
    assert [spec.key.to_user_string() for spec in specs if spec.group_name != spec.key.path[0]] == []
    groups = {spec.group_name for spec in specs}
    assert groups == {
        "reference",
        "landing",
        "raw",
        "clean",
        "warehouse",
        "features",
        "models",
        "scores",
        "marts",
        "reporting",
    }
    schedule = defs.resolve_schedule_def("daily_schedule")
    assert (schedule.cron_schedule, schedule.job_name) == ("0 2 * * *", "daily")
    training = defs.resolve_schedule_def("weekly_training_schedule")
    assert (training.cron_schedule, training.job_name) == ("0 4 * * 1", "weekly_training")
    assert defs.resolve_job_def("daily_spine").executor_def.name == "in_process"


def test_an_unknown_environment_is_refused_when_the_definitions_load(monkeypatch):
    monkeypatch.setenv("RISKHUB_ENV", "staging")
    with pytest.raises(ValueError, match="RISKHUB_ENV"):
        build_defs()


def test_landing_files_are_observed_and_a_sensor_starts_the_daily_job_beside_the_nightly_schedule():
    defs = build_defs()
    graph = defs.resolve_asset_graph()
    landing = [key for key in graph.get_all_asset_keys() if key.path[0] == "landing"]
    assert len(landing) == len(LANDING_FILES) and all(graph.get(key).is_observable for key in landing)
    sensor = defs.resolve_sensor_def("landing_sensor")
    assert (sensor.job_name, sensor.default_status) == ("daily", dg.DefaultSensorStatus.RUNNING)
    assert defs.resolve_schedule_def("daily_schedule").job_name == "daily"
