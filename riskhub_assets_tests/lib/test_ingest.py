import datetime as dt

import pytest

from riskhub_assets.lib.contract import BALANCES, RELATIONSHIP_MANAGERS, TRANSACTIONS
from riskhub_assets.lib.ingest import LandingError, landing_file, load_raw_day, load_raw_days, not_sent, raw_table_ddl
from riskhub_assets.lib.landing_lines import single_line_records
from riskhub_assets_tests.conftest import write_landing

DAY = dt.date(2025, 3, 4)
GOOD = "T1,A1,2025-03-04T10:00:00,12.50,EUR,debit,pos,5411,FR"


def _load(con, tmp_path, rows, header=None):
    write_landing(tmp_path, DAY, TRANSACTIONS, rows, header)
    for ddl in raw_table_ddl(TRANSACTIONS):
        con.execute(ddl)
    return load_raw_day(con, TRANSACTIONS, landing_file(tmp_path, DAY, TRANSACTIONS), DAY)


def test_missing_file_is_a_clear_error(con, tmp_path):
    for ddl in raw_table_ddl(TRANSACTIONS):
        con.execute(ddl)
    with pytest.raises(LandingError, match="landing file missing: .*2025-03-04/transactions.csv"):
        load_raw_day(con, TRANSACTIONS, landing_file(tmp_path, DAY, TRANSACTIONS), DAY)


def test_an_optional_file_not_sent_loads_no_rows_and_says_so(con, tmp_path):
    for ddl in raw_table_ddl(RELATIONSHIP_MANAGERS):
        con.execute(ddl)
    con.execute(
        "INSERT INTO raw.relationship_managers (manager_id, business_date, _file, _row_number, _loaded_at)"
        " VALUES ('M1', $day, 'earlier', 2, now())",
        {"day": DAY},
    )
    load = load_raw_day(con, RELATIONSHIP_MANAGERS, landing_file(tmp_path, DAY, RELATIONSHIP_MANAGERS), DAY)
    assert (load.rows, load.absent) == (0, True)
    assert con.execute("SELECT count(*) FROM raw.relationship_managers").fetchone()[0] == 0  # the day is replaced
    assert not_sent([load]) == {
        "file_not_sent": "optional file relationship_managers.csv not sent on 1 of 1 days (2025-03-04..2025-03-04):"
        " no rows loaded for those days"
    }


def test_optional_columns_may_be_left_out_of_the_header(con, tmp_path):
    header = "transaction_id,account_id,amount,currency,direction,channel"
    load = _load(con, tmp_path, ["T1,A1,12.50,EUR,debit,pos"], header)
    assert load.columns_not_sent == ("timestamp", "merchant_category", "counterparty_country")
    row = con.execute('SELECT transaction_id, "timestamp", amount, counterparty_country FROM raw.transactions')
    assert row.fetchone() == ("T1", None, "12.50", None)
    assert "loaded as empty: counterparty_country, merchant_category, timestamp" in not_sent([load])["columns_not_sent"]


def test_a_required_column_left_out_or_columns_out_of_order_are_refused(con, tmp_path):
    with pytest.raises(LandingError, match=r"missing: \['amount'\]"):
        _load(con, tmp_path, ["T1,A1,EUR,debit,pos"], "transaction_id,account_id,currency,direction,channel")
    with pytest.raises(LandingError, match="order matters"):
        _load(
            con, tmp_path, ["A1,T1,12.50,EUR,debit,pos"], "account_id,transaction_id,amount,currency,direction,channel"
        )


def test_wrong_header_names_what_differs(con, tmp_path):
    header = ",".join(TRANSACTIONS.header).replace("amount", "amt")
    with pytest.raises(LandingError, match=r"missing: \['amount'\], unexpected: \['amt'\]"):
        _load(con, tmp_path, [GOOD], header)


def test_malformed_lines_are_kept_as_rejects_with_line_numbers(con, tmp_path):
    rows = [
        GOOD,
        "T2,A1,2025-03-04T10:00:00,1.00,EUR",
        GOOD.replace("T1", "T3"),
        "T4,A1,x,1,EUR,debit,pos,5411,FR,extra",
        GOOD.replace("T1", "T5"),
    ]
    load = _load(con, tmp_path, rows)
    assert (load.rows, load.rejected) == (3, 2)
    assert con.execute("SELECT transaction_id, _row_number FROM raw.transactions ORDER BY 2").fetchall() == [
        ("T1", 2),
        ("T3", 4),
        ("T5", 6),
    ]
    rejects = con.execute("SELECT _row_number, error_type FROM raw.transactions_rejects ORDER BY 1").fetchall()
    assert rejects == [(3, "MISSING COLUMNS"), (5, "TOO MANY COLUMNS")]


def test_bad_encoding_is_rejected_not_dropped(con, tmp_path):
    path = write_landing(tmp_path, DAY, TRANSACTIONS, [GOOD])
    with path.open("ab") as f:
        f.write(b"T9,A1,2025-03-04T10:00:00,1.00,EUR,debit,pos,5411,F\xe9\n")
    for ddl in raw_table_ddl(TRANSACTIONS):
        con.execute(ddl)
    load = load_raw_day(con, TRANSACTIONS, path, DAY)
    assert (load.rows, load.rejected) == (1, 1)
    assert con.execute("SELECT error_type FROM raw.transactions_rejects").fetchone()[0] == "INVALID ENCODING"


def test_reloading_a_day_replaces_it(con, tmp_path):
    _load(con, tmp_path, [GOOD, "bad"])
    load = _load(con, tmp_path, [GOOD, "bad"])
    assert (load.rows, load.rejected) == (1, 1)
    assert con.execute("SELECT count(*) FROM raw.transactions_rejects").fetchone()[0] == 1


def test_windows_line_endings_and_a_byte_order_mark_are_read_as_landed(con, tmp_path):
    path = landing_file(tmp_path, DAY, TRANSACTIONS)
    path.parent.mkdir(parents=True)
    path.write_bytes(("\ufeff" + ",".join(TRANSACTIONS.header) + "\r\n" + GOOD + "\r\n").encode())
    for ddl in raw_table_ddl(TRANSACTIONS):
        con.execute(ddl)
    assert load_raw_day(con, TRANSACTIONS, path, DAY).rows == 1
    assert con.execute("SELECT counterparty_country, _row_number FROM raw.transactions").fetchall() == [("FR", 2)]


def test_an_absent_optional_file_loads_no_rows_and_replaces_the_day(con, tmp_path):
    for ddl in raw_table_ddl(BALANCES):
        con.execute(ddl)
    path = write_landing(tmp_path, DAY, BALANCES, ["A1,10.00"])
    assert load_raw_day(con, BALANCES, path, DAY).rows == 1
    path.unlink()
    load = load_raw_day(con, BALANCES, path, DAY)
    assert (load.rows, load.absent) == (0, True)
    assert con.execute("SELECT count(*) FROM raw.balances").fetchone()[0] == 0


def test_a_day_without_records_is_still_loaded_so_a_change_feed_stays_fresh(con, tmp_path):
    from riskhub_assets.lib.contract import CLIENTS
    from riskhub_assets.lib.quality import freshness
    from riskhub_assets.tables import table

    days = [DAY + dt.timedelta(days=i) for i in range(4)]
    client = "C1,Ann Lee,1980-01-02,1 Rue X,FR,a@x.com,+33123,ID1,50000,employed,mass,2020-01-01,,0,0,M1"
    for day in days:  # the client on the first day, no change after it
        write_landing(tmp_path, day, CLIENTS, [client] if day == DAY else [])
        load_raw_days(con, CLIENTS, tmp_path, day, day)
    loads = con.execute("SELECT business_date, rows FROM raw.landing_loads ORDER BY 1").fetchall()
    assert loads == [(DAY, 1), *((day, 0) for day in days[1:])]
    today = dt.date(2026, 12, 3)
    assert freshness(con, table("raw.clients"), days[-1], today).passed
    assert not freshness(con, table("raw.clients"), days[-1] + dt.timedelta(days=3), today).passed  # days not loaded


def test_an_unterminated_quote_rejects_every_line_it_swallows_with_the_line_it_opened_on(con, tmp_path):
    rows = [GOOD, GOOD.replace("T1", "T2").replace("pos", '"pos'), *(GOOD.replace("T1", f"T{i}") for i in range(3, 9))]
    load = _load(con, tmp_path, rows)
    assert (load.rows, load.rejected) == (1, 7)  # 8 data lines: 1 loaded + 7 rejected, none lost
    rejects = con.execute("SELECT _row_number, reason, record FROM raw.transactions_rejects ORDER BY 1").fetchall()
    assert [(line, reason) for line, reason, _ in rejects] == [
        (line, "unterminated quote opened on line 3") for line in range(3, 10)
    ]
    assert rejects[-1][2] == GOOD.replace("T1", "T8")


def test_a_quote_closed_lines_later_still_accounts_for_every_line(con, tmp_path):
    rows = [GOOD, GOOD.replace("T1", "T2").replace("pos", '"pos'), GOOD.replace("T1", "T3"), 'x",5411,FR', GOOD]
    load = _load(con, tmp_path, rows)
    assert load.rows + load.rejected == 5
    assert (
        con.execute(
            "SELECT count(*) FROM raw.transactions_rejects WHERE reason LIKE 'unterminated quote opened on line 3'"
        ).fetchone()[0]
        == 3
    )


def test_a_line_break_inside_a_quoted_free_text_value_is_one_record_numbered_by_its_first_line(con, tmp_path):
    manager = "M{},AG1,{},north,2020-01-01,10"
    rows = [manager.format(1, "Nord"), "", manager.format(2, '"Rue X\nBatiment B"'), "bad", manager.format(3, "Sud")]
    path = write_landing(tmp_path, DAY, RELATIONSHIP_MANAGERS, rows)
    for ddl in raw_table_ddl(RELATIONSHIP_MANAGERS):
        con.execute(ddl)
    load = load_raw_day(con, RELATIONSHIP_MANAGERS, path, DAY)
    assert (load.rows, load.rejected) == (3, 1)
    assert con.execute(
        "SELECT manager_id, agency_name, _row_number FROM raw.relationship_managers ORDER BY 3"
    ).fetchall() == [
        ("M1", "Nord", 2),
        ("M2", "Rue X\nBatiment B", 4),
        ("M3", "Sud", 7),
    ]
    assert con.execute("SELECT _row_number, record FROM raw.relationship_managers_rejects").fetchall() == [(6, "bad")]


def test_a_file_whose_records_do_not_reconcile_is_refused(con, tmp_path, monkeypatch):
    from riskhub_assets.lib import ingest

    monkeypatch.setattr(ingest, "record_spans", lambda *_, **__: [ingest.Span(2, 2)] * 3)  # a reader that lost one
    monkeypatch.setattr(ingest, "single_line_records", lambda *_: False)  # as its line count would then say
    with pytest.raises(LandingError, match="does not reconcile: its data lines hold 3 records, but the CSV reader"):
        _load(con, tmp_path, [GOOD, GOOD.replace("T1", "T2")])


@pytest.mark.parametrize(
    ("text", "records", "one_line_each"),
    [
        ("h\r\na\r\nb\r\n", 2, True),  # CRLF line ends
        ("h\na\nb", 2, True),  # no line end after the last record
        ("h\na\n\nb\n", 2, False),  # a blank line: reconciled record by record
        ('h\n"a\nstill a"\nb\n', 2, False),  # a value over two lines
        ("h\n", 0, True),  # the header alone
    ],
)
def test_a_file_of_one_line_records_is_reconciled_by_counting_its_lines(tmp_path, text, records, one_line_each):
    path = tmp_path / "f.csv"
    path.write_bytes(text.encode())
    assert single_line_records(path, "utf-8", records) is one_line_each
    assert not single_line_records(path, "utf-16", records)
