"""The bank simulator writes deterministic, contract-conformant landing files and honest ground truth."""

import csv
import datetime
import functools
import io
import pathlib

import pytest

from riskhub_assets.lib.contract import (
    ACCOUNTS,
    BALANCES,
    CLIENTS,
    DATE_FORMATS,
    LANDING_FILES,
    MAX_AMOUNT,
    RELATIONSHIP_MANAGERS,
    TIMESTAMP_FORMATS,
    TRANSACTIONS,
    LandingFile,
)
from riskhub_assets.lib.reference import default_codes
from riskhub_assets.simulator import SimulationConfig, simulate
from riskhub_assets.simulator.codes import CHANNELS
from riskhub_assets.simulator.dirty import KINDS
from riskhub_assets.simulator.transactions import FRAUD_PATTERNS

START = datetime.date(2025, 1, 1)
CLEAN = SimulationConfig(START, START + datetime.timedelta(days=30), clients=2000, seed=3, tx_per_client=0.3)
DIRTY = SimulationConfig(START, START + datetime.timedelta(days=2), clients=300, seed=5, dirty_rate=0.1)
SNAPSHOT_FILES = [f for f in LANDING_FILES if f is not BALANCES]
"""The files written with accounts as daily snapshots (the default style): no balances.csv."""


_codes = functools.cache(default_codes)
"""The default code lists, each read once: the contract check looks up every coded value of a month of files."""


def _days(config: SimulationConfig) -> list[str]:
    return [
        (config.start + datetime.timedelta(days=i)).isoformat() for i in range((config.end - config.start).days + 1)
    ]


def _read(path: pathlib.Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> pathlib.Path:
    out = tmp_path_factory.mktemp("clean")
    simulate(CLEAN, out)
    return out


@pytest.fixture(scope="module")
def dirty(tmp_path_factory) -> pathlib.Path:
    out = tmp_path_factory.mktemp("dirty")
    simulate(DIRTY, out)
    return out


def test_same_config_gives_same_bytes(dirty, tmp_path):
    simulate(DIRTY, tmp_path)
    first = {p.relative_to(dirty): p.read_bytes() for p in sorted(dirty.rglob("*.csv"))}
    second = {p.relative_to(tmp_path): p.read_bytes() for p in sorted(tmp_path.rglob("*.csv"))}
    assert first == second
    assert len(first) == 3 * (len(LANDING_FILES) - 1 + 5)  # 3 days of every landing file but balances.csv (a
    # snapshot carries the balances) and 5 truth files


def test_headers_equal_the_contract(clean):
    for day in _days(CLEAN):
        for landing in SNAPSHOT_FILES:
            header = (clean / "landing" / day / landing.filename).read_text(encoding="utf-8").split("\n")[0]
            assert header == ",".join(landing.header)


def _valid(value: str, kind: str, day: str, future: bool = False) -> bool:
    if kind == "date":
        return future or datetime.date.fromisoformat(value) <= datetime.date.fromisoformat(day)
    if kind == "integer":
        return value.isdigit()
    if kind == "timestamp":
        return datetime.datetime.strptime(value, TIMESTAMP_FORMATS[0]).date().isoformat() == day
    if kind == "flag":
        return value in ("0", "1")
    if kind == "decimal":
        return float(value) == round(float(value), 2)
    return True


def _violations(rows: list[dict[str, str]], landing: LandingFile, day: str) -> list[str]:
    problems = []
    for row in rows:
        for column in landing.columns:
            value = row[column.name]
            if value == "":
                if column.required:
                    problems.append(f"{landing.name}.{column.name} missing")
            elif column.allowed and value not in column.allowed:
                problems.append(f"{landing.name}.{column.name}={value!r} not allowed")
            elif column.codes and value not in _codes(column.codes):
                problems.append(f"{landing.name}.{column.name}={value!r} not in reference/{column.codes}.csv")
            elif not _valid(value, column.type, day, future=column.name == "maturity_date"):
                problems.append(f"{landing.name}.{column.name}={value!r} invalid")
    return problems


def test_clean_run_keeps_the_contract(clean):
    seen_clients, transaction_ids, event_ids = set(), set(), set()
    for day in _days(CLEAN):
        files = {f.name: _read(clean / "landing" / day / f.filename) for f in SNAPSHOT_FILES}
        for landing in SNAPSHOT_FILES:
            assert _violations(files[landing.name], landing, day) == []
        seen_clients |= {r["client_id"] for r in files["clients"]}
        accounts = {r["account_id"]: r for r in files["accounts"]}
        assert len(accounts) == len(files["accounts"])
        assert {r["client_id"] for r in files["accounts"]} <= seen_clients
        for t in files["transactions"]:
            assert t["account_id"] in accounts
            assert 0 < float(t["amount"]) < MAX_AMOUNT
            assert (t["merchant_category"] == "") == (t["channel"] not in ("pos", "ecommerce", "atm"))
            assert accounts[t["account_id"]]["account_type"] != "loan" or t["channel"] == "transfer"
        for e in files["events"]:
            assert e["client_id"] in seen_clients
            if e["event_type"] == "account_opened":
                assert accounts[e["account_id"]]["open_date"] == day
            if e["event_type"] == "account_closed":
                assert accounts[e["account_id"]]["close_date"] == day
        ids = [t["transaction_id"] for t in files["transactions"]]
        assert transaction_ids.isdisjoint(ids) and len(set(ids)) == len(ids)
        transaction_ids |= set(ids)
        ids = [e["event_id"] for e in files["events"]]
        assert event_ids.isdisjoint(ids) and len(set(ids)) == len(ids)
        event_ids |= set(ids)
    assert len(seen_clients) > CLEAN.clients


def test_accounts_as_changes_send_only_what_changed_and_every_balance(clean, tmp_path):
    config = SimulationConfig(
        CLEAN.start, CLEAN.end, CLEAN.clients, CLEAN.seed, CLEAN.tx_per_client, accounts="changes"
    )
    simulate(config, tmp_path)
    for number, day in enumerate(_days(CLEAN)):
        snapshot = _read(clean / "landing" / day / "accounts.csv")
        changes = _read(tmp_path / "landing" / day / "accounts.csv")
        balances = _read(tmp_path / "landing" / day / "balances.csv")
        assert _violations(changes, ACCOUNTS, day) == [] and _violations(balances, BALANCES, day) == []
        assert {r["account_id"]: r["balance"] for r in balances} == {r["account_id"]: r["balance"] for r in snapshot}
        assert all(r["balance"] == "" for r in changes)
        changed = [r for r in snapshot if number == 0 or day in (r["open_date"], r["close_date"])]
        assert [r["account_id"] for r in changes] == [r["account_id"] for r in changed]


def test_the_book_behaves_like_a_bank(clean):
    first = _read(clean / "landing" / CLEAN.start.isoformat() / "accounts.csv")
    holdings: dict[str, list[str]] = {}
    for row in first:
        holdings.setdefault(row["client_id"], []).append(row["account_type"])
    assert max(len(kinds) for kinds in holdings.values()) <= 4
    assert sum("current" in kinds for kinds in holdings.values()) > 0.9 * len(holdings)
    for row in first:
        has_limit = row["limit_or_principal"] != ""
        assert has_limit == (row["account_type"] in ("card", "loan"))
        if row["account_type"] == "loan":
            assert float(row["balance"]) <= 0
    events = [e for day in _days(CLEAN) for e in _read(clean / "landing" / day / "events.csv")]
    kinds = {e["event_type"] for e in events}
    assert {
        "payment_due",
        "payment_made",
        "payment_missed",
        "default",
        "account_opened",
        "account_closed",
        "kyc_review",
        "complaint",
        "address_change",
    } <= kinds
    for e in events:
        if e["event_type"] in ("kyc_review", "address_change"):
            assert e["account_id"] == ""
        elif e["event_type"] != "complaint":
            assert e["account_id"] != ""


def test_truth_is_probabilities_and_defaulters_had_higher_pd(clean):
    first = _read(clean / "truth" / CLEAN.start.isoformat() / "clients.csv")
    last = {r["client_id"]: r["status"] for r in _read(clean / "truth" / CLEAN.end.isoformat() / "clients.csv")}
    for row in first:
        for name in ("default_probability_90d", "churn_probability_90d"):
            assert row[name] == "" or 0 <= float(row[name]) <= 1
    pd_of = {r["client_id"]: float(r["default_probability_90d"]) for r in first if r["status"] == "active"}
    defaulted = [p for c, p in pd_of.items() if last[c] == "defaulted"]
    others = [p for c, p in pd_of.items() if last[c] == "active" and p > 0]
    assert len(defaulted) >= 5
    assert sum(defaulted) / len(defaulted) > 5 * sum(others) / len(others)
    churn_of = {r["client_id"]: float(r["churn_probability_90d"]) for r in first if r["status"] == "active"}
    churned = [p for c, p in churn_of.items() if last[c] == "churned"]
    stayed = [p for c, p in churn_of.items() if last[c] == "active"]
    assert churned and sum(churned) / len(churned) > 2 * sum(stayed) / len(stayed)


def test_fraud_is_present_and_marked(clean):
    fraud, flagged = 0, 0
    for day in _days(CLEAN):
        transactions = {t["transaction_id"]: t for t in _read(clean / "landing" / day / "transactions.csv")}
        marked = _read(clean / "truth" / day / "fraud.csv")
        assert all(m["transaction_id"] in transactions and m["pattern"] in FRAUD_PATTERNS for m in marked)
        assert all(transactions[m["transaction_id"]]["direction"] == "debit" for m in marked)
        assert all(transactions[m["transaction_id"]]["channel"] in CHANNELS for m in marked)
        fraud += len(marked)
        flagged += len(transactions)
    assert 0.001 < fraud / flagged < 0.01


def _parses(value: str, formats: tuple[str, ...]) -> bool:
    for fmt in formats:
        try:
            datetime.datetime.strptime(value, fmt)
            return True
        except ValueError:
            pass
    return False


def _defect_is_there(line: bytes, previous: bytes, kind: str, column: str, landing: LandingFile, accounts) -> bool:
    if kind == "duplicate":
        return line == previous
    if kind == "bad_encoding":
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            return True
        return False
    fields = next(csv.reader([line.decode("utf-8")]))
    if kind == "malformed":
        return len(fields) != len(landing.header)
    value = fields[landing.header.index(column)]
    if kind == "alt_date_format":
        kind_of = {c.name: c.type for c in landing.columns}[column]
        formats = DATE_FORMATS if kind_of == "date" else TIMESTAMP_FORMATS
        return _parses(value, formats) and not _parses(value, formats[:1])
    if kind == "missing_required":
        return value == ""
    if kind == "unknown_account":
        return value not in accounts
    try:
        return not 0 < float(value) < MAX_AMOUNT
    except ValueError:
        return True


def test_dirty_run_plants_every_kind_and_records_it(dirty):
    planted = set()
    for day in _days(DIRTY):
        records = _read(dirty / "truth" / day / "dirty.csv")
        accounts = {r["account_id"] for r in _read(dirty / "landing" / day / "accounts.csv") if r["account_id"]}
        lines = {f.filename: (dirty / "landing" / day / f.filename).read_bytes().split(b"\n") for f in SNAPSHOT_FILES}
        landing = {f.filename: f for f in SNAPSHOT_FILES}
        for r in records:
            line = int(r["line"])
            content = lines[r["file"]][line - 1]
            assert _defect_is_there(
                content, lines[r["file"]][line - 2], r["kind"], r["column"], landing[r["file"]], accounts
            ), r
            planted.add(r["kind"])
    assert planted == set(KINDS)


def test_the_summary_counts_distinct_clients_accounts_and_managers_not_daily_rows(tmp_path):
    config = SimulationConfig(START, START + datetime.timedelta(days=4), clients=40, seed=5, tx_per_client=1.0)
    summary = simulate(config, tmp_path)
    landing = sorted((tmp_path / "landing").iterdir())
    distinct = {
        f.name: len({row[f.key] for day in landing for row in _read(day / f.filename)})
        for f in (CLIENTS, ACCOUNTS, RELATIONSHIP_MANAGERS)
    }
    transactions = sum(len(_read(day / TRANSACTIONS.filename)) for day in landing)
    assert summary.rows["accounts"] >= 5 * distinct["accounts"] * 0.9  # a snapshot a day: rows repeat the accounts
    assert summary.describe().startswith(
        f"{distinct['clients']:,} clients, {distinct['accounts']:,} accounts,"
        f" {distinct['relationship_managers']:,} relationship_managers, "
    )
    assert f"(distinct); {transactions:,} transactions, " in summary.describe()
    assert "balances" not in summary.describe()  # never written in the snapshot style
