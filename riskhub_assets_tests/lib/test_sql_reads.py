"""The tables a piece of SQL reads, as DuckDB parses it."""

import pytest

from riskhub_assets.lib.sql_reads import tables_read


def test_a_query_reads_its_joined_and_subquery_tables():
    sql = "SELECT * FROM a.b JOIN c.d USING (k) WHERE k IN (SELECT k FROM e.f) AND $start < DATE '2025-01-01'"
    assert tables_read(sql) == {"a.b", "c.d", "e.f"}


def test_a_cte_or_temporary_table_is_not_a_table():
    assert tables_read("WITH recent AS (SELECT * FROM s.t) SELECT * FROM recent JOIN account_days USING (k)") == {"s.t"}


def test_create_as_and_insert_select_read_their_query_not_their_target():
    sql = (
        "CREATE OR REPLACE TABLE w.x AS SELECT * FROM s.t;"
        " INSERT INTO w.y BY NAME SELECT * FROM s.u; INSERT INTO w.z (a, b) SELECT a, b FROM s.v"
    )
    assert tables_read(sql) == {"s.t", "s.u", "s.v"}


def test_a_statement_it_cannot_read_is_an_error_not_an_empty_answer():
    with pytest.raises(ValueError, match="not a query"):
        tables_read("DELETE FROM w.x WHERE k IN (SELECT k FROM s.t)")
    with pytest.raises(Exception, match="syntax error"):
        tables_read("SELEC * FROM s.t")
