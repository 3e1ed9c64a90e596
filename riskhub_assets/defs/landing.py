"""The landing zone as Dagster sees it: each landing file an observed source whose data version is its size and
checksum per business day (a new delivery shows its raw table as having new data upstream), and a sensor that starts
the daily run of a business day as soon as that day's files are complete."""

import datetime as dt
import json
import warnings

import dagster as dg

from riskhub_assets.lib.complete_days import incomplete_files
from riskhub_assets.lib.contract import LANDING_FILES, LandingFile
from riskhub_assets.lib.landing_versions import FileVersion, day_fingerprint, day_versions
from riskhub_assets.lib.settings import PARTITIONS_START_VAR, landing_days
from riskhub_assets.orchestration.policy import daily_partitions
from riskhub_assets.orchestration.resources import RiskHubPaths
from riskhub_assets.orchestration.table_assets import asset_key

DATA_VERSION_TAG = "dagster/data_version"
"""The tag Dagster reads an observation's data version from (what ObserveResult(data_version=...) writes)."""
LANDING_SENSOR_INTERVAL_SECONDS = 60
warnings.filterwarnings("ignore", message="Function `multi_observable_source_asset`", category=dg.BetaWarning)
"""Observable source assets are Dagster's way to version external files; its beta label is no news to users."""


def landing_spec(spec: LandingFile) -> dg.AssetSpec:
    """The daily CSV a producer drops in the landing zone, as the contract defines it."""
    return dg.AssetSpec(
        key=["landing", spec.name],
        description=f"Landing file `YYYY-MM-DD/{spec.filename}`: {spec.grain}."
        + (" Optional: a day without it loads no rows and says so." if spec.optional else "")
        + " Observed: its data version per business day is the file's size and SHA-256 (`not-sent` when absent)."
        + " See docs/landing_contract.md.",
        group_name="landing",
        partitions_def=daily_partitions,
        kinds={"csv"},
        owners=["team:data-engineering"],
        metadata={
            "dagster/column_schema": dg.TableSchema(
                columns=[dg.TableColumn(c.name, c.type, description=c.description) for c in spec.columns]
            )
        },
    )


def _observed(version: FileVersion) -> dict:
    """What an observation of one landing file shows: where it is, its size and checksum, or that it was not sent."""
    if version.sha256 is None:
        return {"path": dg.MetadataValue.path(str(version.path)), "not_sent": "no such file in the day folder"}
    return {"path": dg.MetadataValue.path(str(version.path)), "size_bytes": version.size, "sha256": version.sha256}


def _mappings(paths: RiskHubPaths) -> dict:
    return {spec.name: paths.mapping(spec) for spec in LANDING_FILES}


@dg.multi_observable_source_asset(
    specs=[landing_spec(spec) for spec in LANDING_FILES],
    name="landing_files",
    partitions_def=daily_partitions,
    description="Observe a business day's landing files: each file's size and SHA-256 is its data version.",
)
def landing_files(context: dg.AssetExecutionContext, paths: RiskHubPaths):
    """Observe one business day's landing files (the UI's *Observe*: one run per day)."""
    day = dt.date.fromisoformat(context.partition_key)
    for name, version in day_versions(paths.landing, day, _mappings(paths)).items():
        yield dg.ObserveResult(
            asset_key=asset_key(f"landing.{name}"),
            data_version=dg.DataVersion(version.data_version),
            metadata=_observed(version),
        )


def _observations(day: dt.date, versions: dict[str, FileVersion], seen: dict[str, str]) -> list[dg.AssetObservation]:
    """Observations of the day's files whose version differs from the one last observed."""
    return [
        dg.AssetObservation(
            asset_key=asset_key(f"landing.{name}"),
            partition=day.isoformat(),
            tags={DATA_VERSION_TAG: version.data_version},
            metadata=_observed(version),
        )
        for name, version in versions.items()
        if seen.get(name) != version.data_version
    ]


def _loaded_days(instance: dg.DagsterInstance) -> set[str]:
    """Business days whose every required raw table is materialized: loaded (by the schedule, a backfill or a
    history load) whether or not the sensor started them."""
    required = [asset_key(f"raw.{spec.name}") for spec in LANDING_FILES if not spec.optional]
    return set.intersection(*(set(instance.get_materialized_partitions(key)) for key in required))


def _outside_partitions(day: dt.date) -> str | None:
    """Why a landed day is no daily partition yet (or ever), None when it is one."""
    first, last = daily_partitions.start.date(), dt.date.fromisoformat(daily_partitions.get_last_partition_key())
    if day < first:
        return f"{day} is before the first daily partition {first} (set {PARTITIONS_START_VAR})"
    if day > last:
        return f"{day} is not over yet (the last complete business day is {last}): it starts once it is"
    return None


def _waiting(day: dt.date, problems: list[str]) -> str:
    return f"{day} waits for its landing files: " + "; ".join(problems)


def _skip_reason(waiting: list[str], started: dict[str, str], landing: str) -> str:
    """Why no run starts: what each landed day still waits for, or that every complete day already ran."""
    if waiting:
        return "No business day to start: " + " | ".join(waiting)
    if not started:
        return f"No YYYY-MM-DD day folder in the landing zone {landing} (RISKHUB_LANDING_DIR)"
    return f"No new landing files: the {len(started)} complete landed day(s) are started or loaded as delivered"


@dg.sensor(
    job_name="daily",
    minimum_interval_seconds=LANDING_SENSOR_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Every minute, observe the landing zone (each file's size and SHA-256 per day) and start the daily"
    " run of a business day once every required file is there with the contract's header; a day delivered again with"
    " other content starts again. The 02:00 schedule stays as the nightly safety net.",
)
def landing_sensor(context: dg.SensorEvaluationContext, paths: RiskHubPaths) -> dg.SensorResult:
    """Start each business day whose landing files are complete, once per distinct content."""
    cursor = json.loads(context.cursor) if context.cursor else {}
    seen, done = cursor.get("observed", {}), cursor.get("started", {})
    mappings, loaded = _mappings(paths), None
    events, requests, waiting, observed, started = [], [], [], {}, {}
    for day in landing_days(paths.landing):
        key = day.isoformat()
        if outside := _outside_partitions(day):
            waiting.append(outside)
            continue
        versions = day_versions(paths.landing, day, mappings)
        events += _observations(day, versions, seen.get(key, {}))
        observed[key], fingerprint = {n: v.data_version for n, v in versions.items()}, day_fingerprint(versions)
        if done.get(key) == fingerprint:
            started[key] = fingerprint
        elif problems := incomplete_files(paths.landing, day, day, mappings):
            waiting.append(_waiting(day, problems))
        else:
            new = key not in done
            loaded = _loaded_days(context.instance) if new and loaded is None else loaded
            if not (new and key in loaded):  # a day loaded before the sensor first saw it is taken as delivered
                requests.append(dg.RunRequest(run_key=f"{key}:{fingerprint}", partition_key=key))
            started[key] = fingerprint
    if requests and waiting:
        context.log.info(" | ".join(waiting))
    return dg.SensorResult(
        run_requests=requests,
        skip_reason=None if requests else _skip_reason(waiting, started, str(paths.landing)),
        cursor=json.dumps({"observed": observed, "started": started}, sort_keys=True),
        asset_events=events,
    )
