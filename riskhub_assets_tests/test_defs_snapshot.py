"""Every asset spec, check spec, job, schedule and sensor, compared with a reviewed snapshot.

A refactor that changes none of them passes untouched; an intended change updates the snapshot
(`uv run pytest riskhub_assets_tests/test_defs_snapshot.py --snapshot-update`) and says why in its commit.
"""

import dagster as dg

from riskhub_assets.definitions import build_defs


def _asset(graph, key: dg.AssetKey) -> dict:
    node = graph.get(key)
    partitions = node.partitions_def
    metadata = node.metadata or {}
    schema = metadata.get("dagster/column_schema")
    return {
        "key": key.to_user_string(),
        "deps": sorted(parent.to_user_string() for parent in node.parent_keys),
        "group": node.group_name,
        "kinds": sorted(node.kinds),
        "owners": sorted(node.owners),
        "pools": sorted(node.pools or ()),
        "partitions": type(partitions).__name__ if partitions else None,
        "backfill_policy": str(node.backfill_policy.policy_type) if node.backfill_policy else None,
        "description": node.description,
        "columns": [(c.name, c.type, c.description) for c in schema.columns] if schema else None,
    }


def _check(graph, key: dg.AssetCheckKey) -> dict:
    spec = graph.get_check_spec(key)
    return {
        "asset": key.asset_key.to_user_string(),
        "name": key.name,
        "blocking": spec.blocking,
        "description": spec.description,
    }


def test_asset_specs_match_snapshot(snapshot):
    graph = build_defs().resolve_asset_graph()
    assets = [_asset(graph, key) for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string())]
    assert assets == snapshot


def test_check_specs_match_snapshot(snapshot):
    graph = build_defs().resolve_asset_graph()
    checks = [_check(graph, key) for key in sorted(graph.asset_check_keys, key=lambda k: k.to_user_string())]
    assert checks == snapshot


def test_jobs_and_schedules_match_snapshot(snapshot):
    defs = build_defs()
    jobs = {
        job.name: sorted(k.to_user_string() for k in defs.resolve_job_def(job.name).asset_layer.executable_asset_keys)
        for job in defs.jobs
    }
    schedules = {
        name: (s.cron_schedule, s.job_name, str(s.default_status), s.description)
        for name, s in ((s.name, defs.resolve_schedule_def(s.name)) for s in defs.schedules)
    }
    assert (jobs, schedules) == snapshot


def test_sensors_match_snapshot(snapshot):
    defs = build_defs()
    sensors = {
        s.name: (s.job_name, str(s.default_status), s.minimum_interval_seconds, s.description)
        for s in (defs.resolve_sensor_def(s.name) for s in defs.sensors)
    }
    assert sensors == snapshot
