"""Clean tables (typed, deduplicated, pseudonymised) and their quarantines, one pair per landing file."""

from functools import partial

import dagster as dg
from dagster_duckdb import DuckDBResource

from riskhub_assets.lib.cleaning import clean_range
from riskhub_assets.lib.cleaning_specs import CLEANING_SPECS, CleaningSpec
from riskhub_assets.lib.quality import CheckOutcome, quarantine_rate, row_conservation, table_check_names
from riskhub_assets.lib.sqltext import describe
from riskhub_assets.orchestration.observability import check_result, check_specs, table_metadata
from riskhub_assets.orchestration.policy import business_days, writer
from riskhub_assets.orchestration.resources import BankTimeZone, Pseudonymiser, QualityLimits
from riskhub_assets.orchestration.table_assets import asset_key, refuse_unpublished, table_asset_spec, write_and_check
from riskhub_assets.tables import table


def _reconciliation(con, spec: CleaningSpec, start, end, limit: float) -> list[CheckOutcome]:
    """The staged quarantine described, and the clean day's checks against its raw day: every row accounted for, no
    more quarantined than the limit."""
    describe(con, table(f"clean.{spec.name}_quarantine"))
    return [
        row_conservation(con, spec.name, spec.landing.header, start, end),
        quarantine_rate(con, spec.name, start, end, limit),
    ]


def clean_asset(spec: CleaningSpec) -> dg.AssetsDefinition:
    """Factory: the clean table and quarantine of one landing file, with row conservation checked and a day that
    quarantines too much of the file stopping the load."""
    clean, quarantine = table(f"clean.{spec.name}"), table(f"clean.{spec.name}_quarantine")
    clean_key, quarantine_key = asset_key(clean.name), asset_key(quarantine.name)
    personal = [c.name for c in spec.landing.columns if c.personal and c.type == "string"]

    @dg.multi_asset(
        name=f"clean_{spec.name}",
        specs=[table_asset_spec(clean), table_asset_spec(quarantine)],
        check_specs=check_specs(clean_key, ["row_conservation", *table_check_names(clean)])
        + check_specs(quarantine_key, ["quarantine_rate"]),
        **writer(partitioned=True),
    )
    def _clean(
        context: dg.AssetExecutionContext,
        duckdb: DuckDBResource,
        pseudonymiser: Pseudonymiser,
        quality_limits: QualityLimits,
        bank_time_zone: BankTimeZone,
    ):
        start, end = business_days(context)
        limit = quality_limits.quarantine_limit
        key = pseudonymiser.secret(context.log) if personal else b""
        with duckdb.get_connection() as con:
            clean_days = partial(clean_range, con, spec, start, end, key, bank_time_zone.zone)
            reconciled = partial(_reconciliation, con, spec, start, end, limit)
            result, clean_meta, outcomes = write_and_check(con, clean, start, end, clean_days, reconciled)
            quarantine_meta = table_metadata(con, quarantine, start, end) if clean_meta is not None else None
        context.log.info(
            f"clean.{spec.name}: {result.clean_rows} clean, {result.quarantined} quarantined,"
            f" {result.duplicates_removed} duplicates removed, {result.parse_rejects} unparseable lines"
            + ("" if clean_meta is not None else "; rolled back: a blocking check failed")
        )
        if clean_meta is not None:
            yield dg.MaterializeResult(
                asset_key=clean_key,
                metadata={**clean_meta, "duplicates_removed": result.duplicates_removed},
            )
            yield dg.MaterializeResult(
                asset_key=quarantine_key,
                metadata={
                    **quarantine_meta,
                    "quarantined_validation": result.quarantined,
                    "quarantined_parse": result.parse_rejects,
                    "reasons": dg.MetadataValue.json(result.reasons),
                },
            )
        for outcome in outcomes:
            yield check_result(outcome, quarantine_key if outcome.name == "quarantine_rate" else clean_key)
        fix = (
            "`riskhub landing check` lists every record the days would quarantine and why (the rolled-back quarantine"
            f" is not kept); correct the days' landing files and run them again (riskhub materialise --start {start}"
            f" --end {end})"
        )
        refuse_unpublished(clean, outcomes, start, end, fix)

    return _clean


clean_assets = [clean_asset(spec) for spec in CLEANING_SPECS.values()]
