"""RiskHub's Dagster definitions: assembles assets, checks, jobs, schedules and resources."""

import dagster as dg

from riskhub_assets.defs.automation import jobs, schedules
from riskhub_assets.defs.clean import clean_assets
from riskhub_assets.defs.features import feature_assets
from riskhub_assets.defs.ingest import landing_assets, raw_assets
from riskhub_assets.defs.insights import insight_assets
from riskhub_assets.defs.models import model_assets
from riskhub_assets.defs.reporting import reporting_assets
from riskhub_assets.defs.resources import build_resources
from riskhub_assets.defs.scoring import score_assets
from riskhub_assets.defs.warehouse import warehouse_assets


def build_defs() -> dg.Definitions:
    """All of RiskHub, with resources for the environment as it is now."""
    return dg.Definitions(
        assets=[
            *landing_assets,
            *raw_assets,
            *clean_assets,
            *warehouse_assets,
            *feature_assets,
            *model_assets,
            *score_assets,
            *insight_assets,
            *reporting_assets,
        ],
        jobs=jobs,
        schedules=schedules,
        resources=build_resources(),
        executor=dg.in_process_executor,
    )


defs = build_defs()
