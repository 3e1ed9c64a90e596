"""Reference tables: the bank's code lists, loaded whole from the reference folder on every run."""

from functools import partial

import dagster as dg
from dagster_duckdb import DuckDBResource

from riskhub_assets.lib.quality import table_check_names
from riskhub_assets.lib.reference import load_reference
from riskhub_assets.orchestration.observability import check_result, check_specs
from riskhub_assets.orchestration.resources import RiskHubPaths
from riskhub_assets.orchestration.table_assets import asset_key, refuse_unpublished, table_spec_args, write_and_check
from riskhub_assets.tables import Table, tables_in
from riskhub_assets.tables.reference import header


def reference_asset(declared: Table) -> dg.AssetsDefinition:
    """Factory: one code list, replaced by the current version of its file, with its data tests."""

    @dg.asset(
        **table_spec_args(declared),
        kinds={"duckdb", "csv"},
        check_specs=check_specs(asset_key(declared.name), table_check_names(declared)),
    )
    def _reference(context: dg.AssetExecutionContext, duckdb: DuckDBResource, paths: RiskHubPaths):
        with duckdb.get_connection() as con:
            load = partial(load_reference, con, declared.short_name, header(declared), paths.reference)
            version, metadata, outcomes = write_and_check(con, declared, None, None, load)
        context.log.info(f"{declared.name}: version {version} from {paths.reference}")
        if metadata is not None:
            yield dg.MaterializeResult(
                metadata={**metadata, "version": version, "file": str(paths.reference / f"{declared.short_name}.csv")},
                data_version=dg.DataVersion(version),
            )
        for outcome in outcomes:
            yield check_result(outcome)
        fix = f"correct {paths.reference / f'{declared.short_name}.csv'} (RISKHUB_REFERENCE_DIR) and run again"
        refuse_unpublished(declared, outcomes, None, None, fix)

    return _reference


reference_assets = [reference_asset(t) for t in tables_in("reference")]
