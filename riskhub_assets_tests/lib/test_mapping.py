import datetime as dt
from pathlib import Path

import pytest

from riskhub_assets.lib.cleaning import clean_range, clean_table_ddl
from riskhub_assets.lib.cleaning_specs import CLEANING_SPECS
from riskhub_assets.lib.contract import TRANSACTIONS
from riskhub_assets.lib.ingest import LandingError, landing_file, load_raw_day, raw_table_ddl
from riskhub_assets.lib.mapping import MappingError, load_mappings, read_mapping
from riskhub_assets.lib.reference import load_all_references
from riskhub_assets_tests.conftest import open_accounts

DAY = dt.date(2025, 3, 4)
TRANSACTIONS_MAPPING = """
file = "UMSAETZE.txt"
delimiter = ";"
decimal = ","
thousands = "."
encoding = "latin-1"
timestamp_formats = ["%d.%m.%Y %H:%M", "%d.%m.%Y"]

[columns]
transaction_id = "REFERENZ"
account_id = "KONTO"
timestamp = "BUCHUNGSTAG"
amount = "BETRAG"
direction = "SOLL_HABEN"
channel = "KANAL"
counterparty_country = "LÄNDERCODE"

[codes.direction]
S = "debit"
H = "credit"

[codes.channel]
KARTE = "pos"
"ÜBERWEISUNG" = "transfer"

[constants]
currency = "EUR"
"""
HEADER = "REFERENZ;KONTO;BUCHUNGSTAG;BETRAG;SOLL_HABEN;KANAL;LÄNDERCODE;NOT_MAPPED"


def _mapping_dir(tmp_path: Path, text: str = TRANSACTIONS_MAPPING, name: str = "transactions") -> Path:
    folder = tmp_path / "mapping"
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.toml").write_text(text, encoding="utf-8")
    return folder


def _error(tmp_path: Path, text: str) -> str:
    with pytest.raises(MappingError) as error:
        load_mappings(_mapping_dir(tmp_path, text))
    return str(error.value)


def _load(con, tmp_path: Path, rows: list[str], header: str = HEADER):
    mapping = load_mappings(_mapping_dir(tmp_path))["transactions"]
    path = landing_file(tmp_path / "landing", DAY, TRANSACTIONS, mapping)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes("\r\n".join([header, *rows, ""]).encode("latin-1"))
    for ddl in raw_table_ddl(TRANSACTIONS):
        con.execute(ddl)
    return load_raw_day(con, TRANSACTIONS, path, DAY, mapping)


def test_a_mapping_file_declares_the_banks_file_format_columns_codes_and_constants(tmp_path):
    mapping = read_mapping(_mapping_dir(tmp_path) / "transactions.toml", TRANSACTIONS)
    assert (mapping.file, mapping.delimiter, mapping.decimal, mapping.thousands) == ("UMSAETZE.txt", ";", ",", ".")
    assert mapping.encoding == "latin-1"
    assert mapping.timestamp_formats == ("%d.%m.%Y %H:%M", "%d.%m.%Y")
    assert mapping.columns["counterparty_country"] == "LÄNDERCODE"
    assert mapping.codes["channel"] == {"KARTE": "pos", "ÜBERWEISUNG": "transfer"}
    assert mapping.constants == {"currency": "EUR"}


def test_no_mapping_folder_means_the_contract_as_is():
    assert load_mappings(None) == {}


@pytest.mark.parametrize(
    ("change", "key", "problem"),
    [
        (("thousands", "thousand"), "thousand", "unknown key"),
        (('amount = "BETRAG"', 'amt = "BETRAG"'), "columns.amt", "not a column of transactions.csv"),
        (('channel = "KANAL"', ""), "columns.channel", "required by the contract"),
        (('currency = "EUR"', ""), "columns.currency", "required by the contract"),
        (('decimal = ","', 'decimal = ";"'), "decimal", "';' is not one of"),
        (('"latin-1"', '"cp1252"'), "encoding", "'cp1252' is not one of"),
        (('delimiter = ";"', 'delimiter = ";;"'), "delimiter", "expected one character"),
        (("[codes.direction]", "[codes.merchant_category]"), "codes.merchant_category", "does not read"),
        (('H = "credit"', "H = 1"), "codes.direction", "table of bank code"),
        (('"%d.%m.%Y"]', '"dd.mm.yyyy"]'), "timestamp_formats", "expected a format"),
        (
            ('[constants]\ncurrency = "EUR"', '[constants]\ncurrency = "EUR"\nchannel = "pos"'),
            "constants.channel",
            "also read",
        ),
    ],
)
def test_a_wrong_mapping_is_an_error_naming_the_file_and_the_key(tmp_path, change, key, problem):
    message = _error(tmp_path, TRANSACTIONS_MAPPING.replace(*change))
    assert message.startswith(f"mapping {tmp_path / 'mapping' / 'transactions.toml'}: {key}: ")
    assert problem in message


def test_a_mapping_named_after_no_landing_file_or_not_toml_is_an_error(tmp_path):
    with pytest.raises(MappingError, match=r"umsaetze.toml: no landing file 'umsaetze'"):
        load_mappings(_mapping_dir(tmp_path, name="umsaetze"))
    with pytest.raises(MappingError, match="transactions.toml: not valid TOML"):
        load_mappings(_mapping_dir(tmp_path, "file = ", name="transactions"))
    with pytest.raises(MappingError, match="does not exist: fix RISKHUB_MAPPING_DIR"):
        load_mappings(tmp_path / "nowhere")


def test_bank_values_become_canonical_text_in_the_contracts_columns(con, tmp_path):
    rows = [
        "T1;A1;04.03.2025 10:15;1.234,50;S;KARTE;FR;x",
        "T2;A1;04.03.2025;12,5;H;ÜBERWEISUNG;DE;y",
        "T3;A1;04.03.2025;7;S;KARTE;FR;z",
    ]
    assert _load(con, tmp_path, rows).rows == 3
    assert con.execute(
        "SELECT transaction_id, timestamp, amount, currency, direction, channel, merchant_category,"
        " counterparty_country, _row_number FROM raw.transactions ORDER BY 1"
    ).fetchall() == [
        ("T1", "2025-03-04T10:15:00", "1234.50", "EUR", "debit", "pos", None, "FR", 2),
        ("T2", "2025-03-04T00:00:00", "12.5", "EUR", "credit", "transfer", None, "DE", 3),
        ("T3", "2025-03-04T00:00:00", "7", "EUR", "debit", "pos", None, "FR", 4),
    ]


def test_a_value_that_does_not_convert_stays_as_landed_and_is_quarantined_with_its_reason(con, tmp_path):
    rows = [
        "T1;A1;31.02.2025;12,5;S;KARTE;FR;",
        "T2;A1;04.03.2025;12,5x;S;KARTE;FR;",
        "T3;A1;04.03.2025;1,5;S;BARGELD;FR;",
        "T4;A1;04.03.2025;1,5;S;KARTE;FR",
        "T5;A1;04.03.2025;1,5;S;KARTE;FR;",
    ]
    load = _load(con, tmp_path, rows)
    assert (load.rows, load.rejected) == (4, 1)
    assert con.execute("SELECT timestamp, amount, channel FROM raw.transactions ORDER BY transaction_id").fetchall()[
        :3
    ] == [
        ("31.02.2025", "12.5", "pos"),
        ("2025-03-04T00:00:00", "12,5x", "pos"),
        ("2025-03-04T00:00:00", "1.5", "BARGELD"),
    ]
    open_accounts(con, DAY, "A1")
    load_all_references(con)
    for ddl in clean_table_ddl(CLEANING_SPECS["fx_rates"]):  # EUR, the reporting currency, needs no rate
        con.execute(ddl)
    result = clean_range(con, CLEANING_SPECS["transactions"], DAY, DAY, b"key")
    assert (result.clean_rows, result.quarantined, result.parse_rejects) == (1, 3, 1)
    reasons = dict(con.execute("SELECT _row_number, reason FROM clean.transactions_quarantine").fetchall())
    assert reasons[2] == "invalid timestamp in timestamp: '31.02.2025'"
    assert reasons[3] == "invalid decimal in amount: '12,5x'"
    assert reasons[4] == "channel not in reference.channels: 'BARGELD'"
    assert reasons[5].startswith("MISSING COLUMNS")


def test_a_bank_file_lacking_a_mapped_column_names_the_file_and_the_mapping(con, tmp_path):
    with pytest.raises(LandingError, match=r"UMSAETZE.txt for the mapping .*transactions.toml.*missing: \['KANAL'\]"):
        _load(con, tmp_path, [], HEADER.replace("KANAL", "CHANNEL"))
    mapping = load_mappings(_mapping_dir(tmp_path))["transactions"]
    missing = landing_file(tmp_path / "landing", DAY + dt.timedelta(days=1), TRANSACTIONS, mapping)
    with pytest.raises(
        LandingError, match=r"landing file missing: .*2025-03-05/UMSAETZE.txt \(expected by the mapping"
    ):
        load_raw_day(con, TRANSACTIONS, missing, DAY, mapping)


@pytest.mark.parametrize(("encoding", "written"), [("utf-16", "utf-16"), ("utf-8", "utf-8-sig")])
def test_the_declared_encoding_reads_the_header_and_the_rows(con, tmp_path, encoding, written):
    mapping = read_mapping(
        _mapping_dir(tmp_path, TRANSACTIONS_MAPPING.replace("latin-1", encoding)) / "transactions.toml", TRANSACTIONS
    )
    path = landing_file(tmp_path / "landing", DAY, TRANSACTIONS, mapping)
    path.parent.mkdir(parents=True)
    path.write_bytes(f"{HEADER}\n T1 ;A1;04.03.2025;1,5;H;ÜBERWEISUNG;FR;x\n".encode(written))
    for ddl in raw_table_ddl(TRANSACTIONS):
        con.execute(ddl)
    assert load_raw_day(con, TRANSACTIONS, path, DAY, mapping).rows == 1
    assert con.execute("SELECT direction, channel, counterparty_country FROM raw.transactions").fetchall() == [
        ("credit", "transfer", "FR")
    ]
