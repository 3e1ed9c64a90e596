"""The table registry: every table of RiskHub declared once; asset keys, deps, checks, docs and BI publishing derive from it.

Declarations live in one module per layer (reference, landing, warehouse and its credit facts, features, scores, marts); they are gathered on first
use, so library modules may look tables up without an import cycle.
"""

import functools

from riskhub_assets.tables.spec import Column, Publish, Table


@functools.cache
def registry() -> dict[str, Table]:
    """Every table by its name, "schema.table", layer by layer in the order data flows."""
    from riskhub_assets.tables import credit, features, landing, marts, reference, scores, warehouse

    layers = (
        reference.TABLES,
        landing.TABLES,
        warehouse.TABLES,
        credit.TABLES,
        features.TABLES,
        scores.TABLES,
        marts.TABLES,
    )
    return {t.name: t for layer in layers for t in layer}


def table(name: str) -> Table:
    """The declaration of a table, by its name ("schema.table")."""
    return registry()[name]


def tables_in(schema: str) -> list[Table]:
    """The declared tables of one schema (layer), in registry order."""
    return [t for t in registry().values() if t.schema == schema]


def published() -> list[Publish]:
    """What BI may read, in registry order: dimensions without personal data, scores, alerts and KPI marts."""
    return [t.published for t in registry().values() if t.publish]


@functools.cache
def personal_columns() -> frozenset[str]:
    """Names of the columns that describe a person anywhere in RiskHub (as declared), pseudonyms included: what no
    preview shows and no BI table holds."""
    return frozenset(name for t in registry().values() for name in t.personal_columns)


__all__ = ["Column", "Publish", "Table", "registry", "table", "tables_in", "published", "personal_columns"]
