"""Clean tables (typed, deduplicated, pseudonymised) and their quarantines, one pair per landing file."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from riskhub_assets.defs.observability import check_result, check_specs, table_metadata
from riskhub_assets.defs.partitions import business_days, daily_partitions
from riskhub_assets.defs.resources import DEV_KEY_WARNING, DUCKDB_POOL, Pseudonymiser
from riskhub_assets.lib.cleaning import CLEANING_SPECS, CleaningSpec, clean_column_name, clean_range
from riskhub_assets.lib.quality import (
    TableChecks,
    quarantine_rate,
    row_conservation,
    run_table_checks,
    table_check_names,
)

UPSTREAM_CLEAN = {
    "clients": ["relationship_managers"],
    "accounts": ["clients"],
    "transactions": ["accounts"],
    "events": ["clients", "accounts"],
    "product_holdings": ["clients"],
}
"""Clean tables whose keys a landing file references, so they must be cleaned first."""


def clean_checks(spec: CleaningSpec) -> TableChecks:
    """Data tests of a clean table, derived from the landing contract."""
    columns = spec.landing.columns
    return TableChecks(
        table=f"clean.{spec.name}",
        key=("business_date", spec.landing.key),
        not_null=tuple(clean_column_name(c) for c in columns if c.required and c.name != spec.landing.key),
        accepted={c.name: c.allowed for c in columns if c.allowed},
        partition_column="business_date",
        volume=False,
        freshness=False,
    )


def clean_asset(spec: CleaningSpec) -> dg.AssetsDefinition:
    """Factory: the clean table and quarantine of one landing file, with row conservation checked."""
    clean_key, quarantine_key = dg.AssetKey(["clean", spec.name]), dg.AssetKey(["clean", f"{spec.name}_quarantine"])
    checks = clean_checks(spec)
    deps = [dg.AssetKey(["raw", spec.name]), *(dg.AssetKey(["clean", u]) for u in UPSTREAM_CLEAN.get(spec.name, []))]
    personal = [c.name for c in spec.landing.columns if c.personal and c.type == "string"]

    @dg.multi_asset(
        name=f"clean_{spec.name}",
        specs=[
            dg.AssetSpec(
                clean_key,
                deps=deps,
                description=f"{spec.name.capitalize()} typed, with codes and dates standardised and exact duplicates"
                " removed; one row per valid record."
                + (f" {', '.join(personal)} replaced by keyed HMAC-SHA256 pseudonyms." if personal else ""),
                kinds={"duckdb"},
                owners=["team:data-engineering"],
            ),
            dg.AssetSpec(
                quarantine_key,
                deps=deps,
                description=f"One row per rejected {spec.name} record: file, line, stage (parse or validation)"
                " and every reason it was rejected.",
                kinds={"duckdb"},
                owners=["team:data-engineering"],
            ),
        ],
        check_specs=check_specs(clean_key, ["row_conservation", *table_check_names(checks)])
        + check_specs(quarantine_key, ["quarantine_rate"]),
        group_name="clean",
        partitions_def=daily_partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        pool=DUCKDB_POOL,
    )
    def _clean(context: dg.AssetExecutionContext, duckdb: DuckDBResource, pseudonymiser: Pseudonymiser):
        start, end = business_days(context)
        key = pseudonymiser.secret() if personal else b""
        if personal and pseudonymiser.development_key:
            context.log.warning(DEV_KEY_WARNING)
        window = {"start": start, "end": end}
        scope = "business_date BETWEEN $start AND $end"
        with duckdb.get_connection() as con:
            con.execute("BEGIN")
            result = clean_range(con, spec, start, end, key)
            con.execute("COMMIT")
            clean_meta = table_metadata(con, checks.table, scope, window, detail=start == end)
            quarantine_meta = table_metadata(con, f"clean.{spec.name}_quarantine", scope, window, detail=start == end)
            outcomes = [row_conservation(con, spec.name, spec.landing.header, start, end)]
            outcomes += run_table_checks(con, checks, start, end)
            rate = quarantine_rate(con, spec.name, start, end)
        context.log.info(
            f"clean.{spec.name}: {result.clean_rows} clean, {result.quarantined} quarantined,"
            f" {result.duplicates_removed} duplicates removed, {result.parse_rejects} unparseable lines"
        )
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
            yield check_result(outcome, clean_key)
        yield check_result(rate, quarantine_key)

    return _clean


clean_assets = [clean_asset(spec) for spec in CLEANING_SPECS.values()]
