"""Dagster glue the asset modules share: global policy, table-asset factories, UI metadata, run helpers."""
