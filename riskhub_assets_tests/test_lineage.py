"""Lineage is complete: every table an asset's SQL reads (as DuckDB parses it) is a declared upstream of the asset."""

import ast
import inspect
from collections import defaultdict
from importlib.resources import files

import pytest

from riskhub_assets.definitions import build_defs
from riskhub_assets.lib import (
    insight_tables,
    insight_training,
    labels,
    model_training,
    performance,
    recommendations,
    scoring,
    sql_files,
    training,
    warehouse,
)
from riskhub_assets.lib.cleaning_specs import CLEANING_SPECS
from riskhub_assets.lib.sql_files import read_sql
from riskhub_assets.lib.sql_reads import tables_read
from riskhub_assets.tables import published, registry, table

SQL_DIR = files(sql_files.__package__) / "sql"
BUILT_BY_ITS_FILE = {"warehouse": ("warehouse",), "marts": ("marts",), "features": ("features", "labels")}
"""Schemas whose tables are built by lib/sql/<stage>/<table>.sql."""
PERFORMANCE_MODELS = [f"models.{level}_performance_model" for level in performance.LEVELS]
PERFORMANCE = PERFORMANCE_MODELS + [f"scores.{level}_performance" for level in performance.LEVELS]
RECOMMENDER = ["scores.product_recommendations", "models.product_recommender"]
SHARED_FILES = {
    ("features", "transaction_features"): ["scores.anomaly_flags", "models.anomaly_model"],
    ("recommendations", "holdings"): RECOMMENDER,
    ("recommendations", "client_profiles"): RECOMMENDER,
    ("performance", "monthly"): PERFORMANCE,
}
"""SQL files read by library functions more than one asset calls (lib/features, recommendations, performance)."""
INLINE_SQL = {
    recommendations: RECOMMENDER,
    labels.write_client_labels: ["features.client_labels"],
    scoring.client_features: ["scores.default_scores", "scores.churn_scores", "scores.churn_actions"],
    training.labelled_frame: ["models.default_model", "models.churn_model"],
    model_training.anomaly_training_frame: ["models.anomaly_model"],
    insight_training.train_recommender: ["models.product_recommender"],
    insight_training.performance_history: PERFORMANCE_MODELS,
    insight_tables.load_churn_actions: ["scores.churn_actions"],
    insight_tables._offers: ["scores.churn_actions"],
}
"""Queries written in Python (string literals), by the module or function that runs them and the assets that call it."""


def _sql_file(stage: str, name: str) -> bool:
    return (SQL_DIR / stage / f"{name}.sql").is_file()


def _warehouse_temps(fact: str) -> list[str]:
    """The temporary tables lib/warehouse.py builds before a fact's INSERT."""
    temps = [read_sql("clean", "account_days")] if fact in warehouse.AS_OF_ACCOUNTS else []
    return temps + (
        [read_sql("clean", "fx_rate_periods")] if "clean.fx_rates" in table(f"warehouse.{fact}").upstream else []
    )


def _inline_queries(code) -> list[str]:
    """The queries a module or function writes as plain string literals (f-strings name their tables elsewhere)."""
    tree = ast.parse(inspect.getsource(code))
    texts = (node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str))
    return [text for text in texts if text.lstrip().upper().startswith(("SELECT ", "WITH "))]


def sql_by_asset() -> dict[str, list[tuple[str, str]]]:
    """The SQL each asset runs, as (where it comes from, text), by asset name ("schema.table")."""
    sql = defaultdict(list)
    for declared in registry().values():
        for stage in BUILT_BY_ITS_FILE.get(declared.schema, ()):
            if _sql_file(stage, declared.short_name):
                sql[declared.name].append((f"{stage}/{declared.short_name}.sql", read_sql(stage, declared.short_name)))
        if declared.schema == "warehouse":
            sql[declared.name] += [("lib/warehouse.py temp table", s) for s in _warehouse_temps(declared.short_name)]
        if declared.schema == "clean" and declared.short_name in CLEANING_SPECS:
            sql[declared.name] += [("lib/cleaning_specs.py", s) for s in CLEANING_SPECS[declared.short_name].queries]
    for (stage, name), assets in SHARED_FILES.items():
        for asset in assets:
            sql[asset].append((f"{stage}/{name}.sql", read_sql(stage, name)))
    for code, assets in INLINE_SQL.items():
        for asset in assets:
            sql[asset] += [(f"{code.__name__} in Python", text) for text in _inline_queries(code)]
    for path in (SQL_DIR / "report").iterdir():
        sql["reporting.daily_report"].append((f"report/{path.name}", path.read_text(encoding="utf-8")))
    for publication in published():
        sql["reporting.bi_database"].append((f"publication {publication.name}", publication.select))
    return sql


@pytest.fixture(scope="module")
def declared_deps() -> dict[str, set[str]]:
    """Each asset's declared upstream assets, as the Dagster asset graph holds them."""
    graph = build_defs().resolve_asset_graph()
    return {
        ".".join(key.path): {".".join(parent.path) for parent in graph.get(key).parent_keys}
        for key in graph.get_all_asset_keys()
    }


def test_every_sql_file_is_attributed_to_an_asset():
    """A new lib/sql file is read by some asset this test knows of, so its reads are checked too."""
    attributed = [text for sources in sql_by_asset().values() for _, text in sources]
    files_of = [(stage, path) for stage in SQL_DIR.iterdir() if stage.is_dir() for path in stage.iterdir()]
    unattributed = [
        f"{stage.name}/{path.name}"
        for stage, path in files_of
        if not any(path.read_text(encoding="utf-8") in text for text in attributed)
    ]
    assert unattributed == []


def test_every_table_an_asset_reads_is_a_declared_upstream(declared_deps):
    undeclared = {}
    for asset, sources in sql_by_asset().items():
        for where, text in sources:
            missing = tables_read(text) - declared_deps[asset] - {asset}
            if missing:
                undeclared[f"{asset} ({where})"] = sorted(missing)
    assert undeclared == {}


def test_every_declared_upstream_of_a_sql_built_table_is_read():
    """A table built by SQL alone declares no upstream its SQL does not read (a stale edge misleads as much as a
    missing one)."""
    never_read = {}
    for asset, sources in sql_by_asset().items():
        declared = registry().get(asset)
        if declared is None or declared.schema not in BUILT_BY_ITS_FILE:
            continue
        read = set().union(*(tables_read(text) for _, text in sources))
        if stale := set(declared.upstream) - read:
            never_read[asset] = sorted(stale)
    assert never_read == {}
