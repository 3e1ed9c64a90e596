"""The landing zone as Dagster sees it: each landing file an observed source whose data version is its size and
checksum per business day (a new delivery shows its raw table as having new data upstream), and a sensor that starts
the daily run of a business day as soon as that day's files are complete."""

import datetime as dt
import json
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

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
RECENT_DAYS = 7
"""A day the sensor never started starts on its own only within the last week: older days never loaded are history,
for `riskhub load-history` or a backfill, not a burst of daily runs (a day started before starts again at any age)."""
MAX_DAYS_TOLD = 5
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
    """How the bank's export gives each landing file (None where it lands as the contract says)."""
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


def _outside_partitions(day: dt.date, last: dt.date) -> str | None:
    """Why a landed day is no daily partition yet (or ever), None when it is one."""
    first = daily_partitions.start.date()
    if day < first:
        return f"{day} is before the first daily partition {first} (set {PARTITIONS_START_VAR})"
    if day > last:
        return f"{day} is not over yet (the last complete business day is {last}): it starts once it is"
    return None


@dataclass
class _Look:
    """What one look at the landing zone found: each day's versions, what starts, what waits and why."""

    seen: dict[str, dict[str, str]]  # the cursor: file versions last observed, by day
    done: dict[str, str]  # the cursor: fingerprint each day was started (or found loaded) with
    loaded: Callable[[], set[str]]
    last: dt.date  # the last business day over: the daily partitions' last
    observed: dict[str, dict[str, str]] = field(default_factory=dict)
    started: dict[str, str] = field(default_factory=dict)
    events: list[dg.AssetObservation] = field(default_factory=list)
    requests: list[dg.RunRequest] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)
    history: list[str] = field(default_factory=list)

    def observe(self, day: dt.date, versions: dict[str, FileVersion]) -> None:
        """Record the day's files, with an observation of each file whose version changed."""
        self.events += _observations(day, versions, self.seen.get(day.isoformat(), {}))
        self.observed[day.isoformat()] = {name: version.data_version for name, version in versions.items()}

    def judge(self, day: dt.date, fingerprint: str, problems: Callable[[], list[str]]) -> None:
        """Start the day once per content; or say what it waits for; or leave an old day never loaded to the user."""
        key, before = day.isoformat(), self.done.get(day.isoformat())
        if before == fingerprint:
            self.started[key] = fingerprint
        elif missing := problems():
            self.waiting.append(f"{day} waits for its landing files: " + "; ".join(missing))
        elif before is None and key in self.loaded():  # loaded before the sensor first saw it: as delivered
            self.started[key] = fingerprint
        elif before is None and day <= self.last - dt.timedelta(days=RECENT_DAYS):
            self.history.append(key)
        else:
            self.requests.append(dg.RunRequest(run_key=f"{key}:{fingerprint}", partition_key=key))
            self.started[key] = fingerprint

    def untold(self, landing: str) -> str:
        """What each landed day not started waits for (the skip reason, or the log beside the runs started)."""
        told = self.waiting[:MAX_DAYS_TOLD]
        if len(self.waiting) > MAX_DAYS_TOLD:
            told.append(f"and {len(self.waiting) - MAX_DAYS_TOLD} more days waiting")
        if self.history:
            told.append(
                f"{len(self.history)} complete day(s) never loaded and older than {RECENT_DAYS} days"
                f" ({self.history[0]}..{self.history[-1]}): the sensor starts only recent days on its own; load them"
                f" with `riskhub load-history --start {self.history[0]} --end {self.history[-1]}` or a backfill"
            )
        if told:
            return "No business day to start: " + " | ".join(told)
        if not self.started:
            return f"No YYYY-MM-DD day folder in the landing zone {landing} (RISKHUB_LANDING_DIR)"
        return (
            f"No new landing files: the {len(self.started)} complete landed day(s) are started or loaded as delivered"
        )


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
    loaded = cache(lambda: _loaded_days(context.instance))
    last = dt.date.fromisoformat(daily_partitions.get_last_partition_key())
    look = _Look(cursor.get("observed", {}), cursor.get("started", {}), loaded, last)
    mappings = _mappings(paths)
    for day in landing_days(paths.landing):
        if outside := _outside_partitions(day, last):
            look.waiting.append(outside)
            continue
        versions = day_versions(paths.landing, day, mappings)
        look.observe(day, versions)
        look.judge(day, day_fingerprint(versions), lambda day=day: incomplete_files(paths.landing, day, day, mappings))
    untold = look.untold(str(paths.landing))
    if look.requests and (look.waiting or look.history):
        context.log.info(untold)
    return dg.SensorResult(
        run_requests=look.requests,
        skip_reason=None if look.requests else untold,
        cursor=json.dumps({"observed": look.observed, "started": look.started}, sort_keys=True),
        asset_events=look.events,
    )
