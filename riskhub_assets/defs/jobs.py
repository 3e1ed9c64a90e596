"""Jobs and schedules: the nightly load and scoring of yesterday's business day, the weekly retraining."""

import dagster as dg

TRAINING = dg.AssetSelection.assets(["features", "client_labels"]) | dg.AssetSelection.groups("models")
SPINE = dg.AssetSelection.groups("reference", "landing", "raw", "clean", "warehouse", "features") - TRAINING
SCORING = dg.AssetSelection.groups("scores")
REPORTING = dg.AssetSelection.groups("marts", "reporting")

daily_spine_job = dg.define_asset_job(
    name="daily_spine",
    selection=SPINE,
    description="Landing files of one business day (or a range, in one run) through raw, clean, the star schema"
    " and the point-in-time features.",
)
daily_scoring_job = dg.define_asset_job(
    name="daily_scoring", selection=SCORING, description="Default, churn and anomaly scores of business days."
)
daily_reporting_job = dg.define_asset_job(
    name="daily_reporting",
    selection=REPORTING,
    description="KPI marts, the daily JSON report and the BI database of business days already scored.",
)
daily_job = dg.define_asset_job(
    name="daily",
    selection=SPINE | SCORING | REPORTING,
    description="The nightly run: load, build features, score a day, then publish its KPIs, report and BI copy.",
)
weekly_training_job = dg.define_asset_job(
    name="weekly_training",
    selection=TRAINING,
    description="Rebuild the labels, retrain the models, validate them out of time and promote winners.",
)

daily_schedule = dg.build_schedule_from_partitioned_job(
    daily_job,
    hour_of_day=2,
    description="Every night at 02:00 UTC, load and score yesterday's business day.",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
weekly_training_schedule = dg.ScheduleDefinition(
    job=weekly_training_job,
    cron_schedule="0 4 * * 1",
    description="Every Monday at 04:00 UTC, after the night's load, retrain and revalidate the models.",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
