"""RiskHub's Dagster definitions: assembles assets, checks, jobs, schedules and resources."""

import dagster as dg

from riskhub_assets.defs.automation import jobs, schedules
from riskhub_assets.defs.clean import clean_assets
from riskhub_assets.defs.features import feature_assets
from riskhub_assets.defs.ingest import landing_assets, raw_assets
from riskhub_assets.defs.insights import insight_assets
from riskhub_assets.defs.models import model_assets
from riskhub_assets.defs.reporting import reporting_assets
from riskhub_assets.defs.resources import resources_for
from riskhub_assets.defs.scoring import score_assets
from riskhub_assets.defs.warehouse import warehouse_assets, warehouse_checks
from riskhub_assets.lib import settings


def build_defs(resources: dict | None = None) -> dg.Definitions:
    """All of RiskHub, with the given resources or those of the environment RISKHUB_ENV names."""
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
        asset_checks=warehouse_checks,
        jobs=jobs,
        schedules=schedules,
        resources=resources if resources is not None else resources_for(settings.environment()),
        executor=dg.in_process_executor,
    )


defs = build_defs()
