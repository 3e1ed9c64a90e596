"""RiskHub's Dagster definitions: everything in the defs folder, with resources for the environment as it is now."""

from pathlib import Path

import dagster as dg

from riskhub_assets.defs.resources import build_resources


def build_defs() -> dg.Definitions:
    """All of RiskHub: the assets, checks, jobs and schedules of riskhub_assets/defs, run in process."""
    return dg.Definitions.merge(
        dg.load_from_defs_folder(path_within_project=Path(__file__).parent),
        dg.Definitions(resources=build_resources(), executor=dg.in_process_executor),
    )


defs = build_defs()
