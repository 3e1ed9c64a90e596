"""The tables a piece of SQL reads, as DuckDB itself parses it: what an asset built by that SQL depends on."""

import functools
import json
import re

import duckdb

_TARGET = re.compile(
    r"\s*(?:CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP(?:ORARY)?\s+)?(?:TABLE|VIEW)\s+\S+\s+AS"
    r"|INSERT\s+(?:OR\s+REPLACE\s+)?INTO\s+\S+(?:\s+BY\s+NAME)?(?:\s*\([^)]*\))?)\s",
    re.IGNORECASE,
)
"""What a CREATE ... AS or INSERT INTO statement writes, before the query that reads (DuckDB serialises SELECTs only)."""


@functools.cache
def tables_read(sql: str) -> frozenset[str]:
    """Every "schema.table" the statements of `sql` read (CTEs and unqualified temporary tables are not tables);
    SQL DuckDB cannot parse, or a statement other than a query, CREATE ... AS or INSERT ... SELECT, is an error."""
    con = duckdb.connect()
    try:
        return frozenset(name for s in duckdb.extract_statements(sql) for name in _query_reads(con, s))
    finally:
        con.close()


def _query_reads(con: duckdb.DuckDBPyConnection, statement) -> set[str]:
    query = statement.query.strip().rstrip(";")
    if statement.type != duckdb.StatementType.SELECT:
        target = _TARGET.match(query)
        if target is None:
            raise ValueError(f"not a query, CREATE ... AS or INSERT ... SELECT: {query[:200]}")
        query = query[target.end() :]
    (serialised,) = con.execute("SELECT json_serialize_sql(?)", [query]).fetchone()
    tree = json.loads(serialised)
    if tree["error"]:
        raise ValueError(f"DuckDB cannot parse {query[:200]}: {tree['error_message']}")
    return set(_base_tables(tree["statements"]))


def _base_tables(node):
    """The schema-qualified BASE_TABLE references anywhere in a parse tree (a CTE reference has no schema)."""
    if isinstance(node, dict):
        if node.get("type") == "BASE_TABLE" and node.get("schema_name"):
            yield f"{node['schema_name']}.{node['table_name']}"
        for value in node.values():
            yield from _base_tables(value)
    elif isinstance(node, list):
        for item in node:
            yield from _base_tables(item)
