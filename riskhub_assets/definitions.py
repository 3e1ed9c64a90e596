"""RiskHub's Dagster definitions: everything in the defs folder, with resources for the environment as it is now."""

from pathlib import Path

import dagster as dg

from riskhub_assets.lib import settings
from riskhub_assets.orchestration.resources import resources_for


def build_defs(resources: dict | None = None) -> dg.Definitions:
    """All of RiskHub: the assets, checks, jobs and schedules of riskhub_assets/defs, run in process, with the given
    resources or those of the environment RISKHUB_ENV names."""
    return dg.Definitions.merge(
        dg.load_from_defs_folder(path_within_project=Path(__file__).parent),
        dg.Definitions(
            resources=resources if resources is not None else resources_for(settings.environment()),
            executor=dg.in_process_executor,
        ),
    )


defs = build_defs()
