"""The raw tables loaded from the landing files as landed (the landing files themselves: defs/landing.py)."""

from functools import partial

import dagster as dg
from dagster_duckdb import DuckDBResource

from riskhub_assets.lib import erasure, ingest
from riskhub_assets.lib.complete_days import require_complete_days
from riskhub_assets.lib.contract import LANDING_FILES, LandingFile
from riskhub_assets.lib.quality import day_volume_not_collapsed, table_check_names
from riskhub_assets.orchestration.observability import check_result, check_specs
from riskhub_assets.orchestration.policy import business_days
from riskhub_assets.orchestration.resources import Pseudonymiser, QualityLimits, RiskHubPaths
from riskhub_assets.orchestration.table_assets import asset_key, refuse_unpublished, table_spec_args, write_and_check
from riskhub_assets.tables import table


def _loaded(
    context: dg.AssetExecutionContext, spec: LandingFile, loads: list[ingest.RawLoad], metadata: dict
) -> dg.MaterializeResult:
    """A raw table's days published: rows loaded, lines rejected, erased clients' rows left out, and what the bank did
    not send (logged too)."""
    rejected, erased = sum(load.rejected for load in loads), sum(load.erased for load in loads)
    context.log.info(
        f"raw.{spec.name}: {metadata['rows_in_run'].value} rows loaded, {rejected} lines rejected"
        + (f", {erased} rows of erased clients left out ({erasure.ERASED_ON_LOAD})" if erased else "")
    )
    not_sent = ingest.not_sent(loads)
    for what in not_sent.values():
        context.log.warning(f"raw.{spec.name}: {what}")
    return dg.MaterializeResult(
        metadata={
            **metadata,
            "rejected_lines": rejected,
            "erased_rows_left_out": erased,
            "landing_files": f"{len(loads)} days from {loads[0].path}",
            **not_sent,
        }
    )


def _volume(con, raw, start, end, floor: float) -> list:
    """The staged days' volume against their trailing average: a collapsed day is not published."""
    return [day_volume_not_collapsed(con, raw, start, end, floor)]


def raw_asset(spec: LandingFile) -> dg.AssetsDefinition:
    """Factory: the raw table of one landing file, every column as landed plus file, line and load time."""
    raw = table(f"raw.{spec.name}")
    volume_checks = ["day_volume_not_collapsed"] if raw.volume else []  # bank holidays aside, blocking

    @dg.asset(
        **table_spec_args(raw),
        kinds={"duckdb"},
        check_specs=check_specs(asset_key(raw.name), table_check_names(raw) + volume_checks),
    )
    def _raw(
        context: dg.AssetExecutionContext,
        duckdb: DuckDBResource,
        paths: RiskHubPaths,
        pseudonymiser: Pseudonymiser,
        quality_limits: QualityLimits,
    ):
        start, end = business_days(context)
        require_complete_days(paths.landing, start, end, {s.name: paths.mapping(s) for s in LANDING_FILES})
        with duckdb.get_connection() as con:
            erased = erasure.client_owned(spec) and erasure.has_erasures(con)
            key = pseudonymiser.secret(context.log) if erased else b""  # matches rows with the erasure ledger
            load = partial(ingest.load_raw_days, con, spec, paths.landing, start, end, paths.mapping(spec), key)
            volume = partial(_volume, con, raw, start, end, quality_limits.volume_floor) if volume_checks else list
            loads, metadata, outcomes = write_and_check(con, raw, start, end, load, volume)
        if metadata is not None:
            yield _loaded(context, spec, loads, metadata)
        for outcome in outcomes:
            yield check_result(outcome)
        refuse_unpublished(raw, outcomes, start, end)

    return _raw


raw_assets = [raw_asset(spec) for spec in LANDING_FILES]
