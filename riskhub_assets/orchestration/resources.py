"""Resources, chosen once per environment: the warehouse, RiskHub's folders, the pseudonymisation key, the models."""

import logging
import os
import warnings
import zoneinfo
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from riskhub_assets.lib import reference, settings
from riskhub_assets.lib.contract import DEFAULT_TIMEZONE, TIMEZONE_VAR, LandingFile
from riskhub_assets.lib.mapping import SourceMapping, load_mappings
from riskhub_assets.orchestration.mlflow_tracking import UI_URL_VAR, MlflowTracking

DEV_PSEUDONYMISATION_KEY = "riskhub-development-key-do-not-use-in-production"
PSEUDONYMISATION_KEY_VAR = "RISKHUB_PSEUDONYMISATION_KEY"
DEV_KEY_WARNING = (
    f"{PSEUDONYMISATION_KEY_VAR} is not set: pseudonyms use the PUBLIC DEVELOPMENT KEY and can be "
    "reversed by anyone with a list of candidate names. Set a secret key before loading real data."
)


def refuse_public_key_in_production(environment: str) -> None:
    """Stop a production deployment before anything runs when its pseudonyms would use the public development key."""
    if environment == "production" and os.environ.get(PSEUDONYMISATION_KEY_VAR, "") in ("", DEV_PSEUDONYMISATION_KEY):
        raise settings.SettingError(
            f"{PSEUDONYMISATION_KEY_VAR} must hold a secret key when RISKHUB_ENV is production: the public development"
            " key would let anyone reverse the pseudonyms. Set it to a long random secret (the same on every run)."
        )


class RiskHubPaths(dg.ConfigurableResource):
    """Where RiskHub's files live: the producers' landing zone and the mapping of the bank's export to the contract,
    the bank's code lists, the daily reports, and the copy BI tools read."""

    landing_dir: str
    reports_dir: str
    bi_dir: str
    reference_dir: str = str(reference.DEFAULT_DIR)  # RiskHub's example lists unless the bank has its own
    mapping_dir: str = ""

    @property
    def landing(self) -> Path:
        """Folder where producers drop one sub-folder of contract CSVs per business day."""
        return Path(self.landing_dir).resolve()

    def mapping(self, landing: LandingFile) -> SourceMapping | None:
        """How the bank's export gives this landing file (validated), or None when it lands as the contract says."""
        folder = Path(self.mapping_dir).resolve() if self.mapping_dir else None
        return load_mappings(folder).get(landing.name)

    @property
    def reference(self) -> Path:
        """Folder of the bank's code lists, one versioned CSV per list."""
        return Path(self.reference_dir).resolve()

    @property
    def reports(self) -> Path:
        """Where the daily JSON reports are written."""
        return Path(self.reports_dir).resolve()

    @property
    def bi(self) -> Path:
        """Where BI tools read: the published read-only DuckDB copy, Parquet and CSV exports of the marts."""
        return Path(self.bi_dir).resolve()


class Pseudonymiser(dg.ConfigurableResource):
    """The secret key that makes pseudonyms irreversible for anyone who does not hold it."""

    key: str = ""
    production: bool = False

    @property
    def development_key(self) -> bool:
        """Whether pseudonyms would use the public development key, which anyone can reverse."""
        return self.key in ("", DEV_PSEUDONYMISATION_KEY)

    def secret(self, log: logging.Logger | None = None) -> bytes:
        """The HMAC key for pseudonyms: the public development key only outside production, with a loud warning (also
        to `log`, the run's log, where a user reads it)."""
        if not self.development_key:
            return self.key.encode()
        if self.production:
            raise dg.Failure(
                f"{PSEUDONYMISATION_KEY_VAR} must hold a secret key in production: the public development key"
                " would let anyone reverse the pseudonyms"
            )
        warnings.warn(DEV_KEY_WARNING, UserWarning, stacklevel=2)
        if log is not None:
            log.warning(DEV_KEY_WARNING)
        return DEV_PSEUDONYMISATION_KEY.encode()


MAX_QUARANTINE_RATE_VAR = settings.MAX_QUARANTINE_RATE_VAR
DEFAULT_MAX_QUARANTINE_RATE = "0.05"
DEFAULT_MIN_VOLUME_SHARE = "0.2"


def _share(text: str, variable: str, what: str) -> float:
    """A share from 0 to 1 written as 0.05 or 5%; refused naming the variable that sets it."""
    try:
        share = float(text.strip()[:-1]) / 100 if text.strip().endswith("%") else float(text)
    except ValueError:
        share = -1.0
    if not 0 <= share <= 1:
        raise dg.Failure(f"{variable} is {text!r}: expected a share of {what} between 0 and 1, such as 0.05 (or 5%)")
    return share


class QualityLimits(dg.ConfigurableResource):
    """How much bad input a day may carry before the load stops: the share of a landing file's records quarantined,
    and how far a day's transactions may fall below their trailing average (bank holidays aside)."""

    max_quarantine_rate: str = DEFAULT_MAX_QUARANTINE_RATE
    min_volume_share: str = DEFAULT_MIN_VOLUME_SHARE

    @property
    def quarantine_limit(self) -> float:
        """The largest share (0 to 1) of a day's landed records that may be quarantined without failing the run."""
        return _share(self.max_quarantine_rate, MAX_QUARANTINE_RATE_VAR, "a day's landed records")

    @property
    def volume_floor(self) -> float:
        """The smallest share (0 to 1) of its trailing average a day's transactions may fall to without failing."""
        return _share(self.min_volume_share, settings.MIN_VOLUME_SHARE_VAR, "the trailing average of a day's rows")


class BankTimeZone(dg.ConfigurableResource):
    """The bank's time zone: timestamps the bank sends with an offset from UTC are converted into it
    (RISKHUB_BANK_TIMEZONE, an IANA name such as Europe/Paris; UTC unless set)."""

    name: str = DEFAULT_TIMEZONE

    @property
    def zone(self) -> str:
        """The time zone's IANA name, refused naming the setting when no such zone exists."""
        try:
            zoneinfo.ZoneInfo(self.name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
            raise dg.Failure(
                f"{TIMEZONE_VAR} is {self.name!r}: expected an IANA time zone name such as Europe/Paris or UTC"
            ) from error
        return self.name


class ModelStore(dg.ConfigurableResource):
    """The MLflow tracking store and model registry: every training run, registered model and champion; and the
    evidence a model must rest on (RISKHUB_MIN_TRAINING_EVENTS)."""

    tracking_uri: str
    min_training_events: int = settings.DEFAULT_MIN_TRAINING_EVENTS
    """Clients with the outcome, and without, a model must learn from and be validated on to be champion."""

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        """Point the process's MLflow at this store before any asset trains or reads a model."""
        from riskhub_assets.lib import tracking  # MLflow: imported when a step runs, not with the Dagster definitions

        tracking.use_store(self.tracking_uri)


class Warehouse(DuckDBResource):
    """The DuckDB warehouse. Its connection is closed even when the step using it fails: dagster-duckdb's stays open
    until garbage-collected, and in a long-lived process (the `riskhub` command, a test) it keeps the file open
    with its settings, so the next connection with other settings is refused."""

    @contextmanager
    def get_connection(self):
        with DuckDBResource.get_connection(self) as connection:
            try:
                yield connection
            finally:
                connection.close()


def duckdb_config() -> dict:
    """DuckDB settings: memory cap (spills to disk beyond it) and threads."""
    return {
        "memory_limit": settings.duckdb_memory_limit(),
        "threads": settings.duckdb_threads(),
        "preserve_insertion_order": True,
    }


def _variable(name: str, default: str) -> str | dg.EnvVar:
    """A setting Dagster reads from the environment variable `name` when it is set, else the local default."""
    return dg.EnvVar(name) if os.environ.get(name) else default


def resources_for(environment: str) -> dict:
    """The resources of `environment`: set variables override local defaults; production refuses the dev key."""
    refuse_public_key_in_production(environment)
    database = _variable("RISKHUB_DUCKDB_PATH", str(settings.duckdb_path()))
    tracking_uri = _variable("RISKHUB_MLFLOW_TRACKING_URI", settings.mlflow_tracking_uri())
    settings.duckdb_path().parent.mkdir(parents=True, exist_ok=True)
    return {
        "duckdb": Warehouse(database=database, connection_config=duckdb_config()),
        "paths": RiskHubPaths(
            landing_dir=_variable("RISKHUB_LANDING_DIR", str(settings.landing_dir())),
            reports_dir=_variable("RISKHUB_REPORTS_DIR", str(settings.reports_dir())),
            bi_dir=_variable("RISKHUB_BI_DIR", str(settings.bi_dir())),
            reference_dir=_variable("RISKHUB_REFERENCE_DIR", str(settings.reference_dir())),
            mapping_dir=_variable("RISKHUB_MAPPING_DIR", ""),
        ),
        "pseudonymiser": Pseudonymiser(
            key=_variable(PSEUDONYMISATION_KEY_VAR, ""), production=environment == "production"
        ),
        "quality_limits": QualityLimits(
            max_quarantine_rate=_variable(MAX_QUARANTINE_RATE_VAR, DEFAULT_MAX_QUARANTINE_RATE),
            min_volume_share=_variable(settings.MIN_VOLUME_SHARE_VAR, DEFAULT_MIN_VOLUME_SHARE),
        ),
        "bank_time_zone": BankTimeZone(name=_variable(TIMEZONE_VAR, DEFAULT_TIMEZONE)),
        "model_store": ModelStore(tracking_uri=tracking_uri, min_training_events=settings.min_training_events()),
        "mlflow": MlflowTracking(tracking_uri=tracking_uri, ui_url=_variable(UI_URL_VAR, "")),
    }
