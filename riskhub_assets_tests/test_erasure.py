"""Right to erasure: `riskhub erase --client` removes a client everywhere, proves it, and keeps every check green."""

import json
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from riskhub_assets import cli
from riskhub_assets.definitions import build_defs
from riskhub_assets.lib import erasure, tracking
from riskhub_assets.lib.contract import ACCOUNTS, LANDING_FILES
from riskhub_assets.lib.erasure_certificate import ErasureTargets, erase_client
from riskhub_assets.lib.erasure_files import erase_landing, rewrite_delimited
from riskhub_assets.lib.mapping import SourceMapping, load_mappings
from riskhub_assets.orchestration.runs import failed_checks, run_business_days, step_failures
from riskhub_assets.simulator import SimulationConfig, simulate
from riskhub_assets.tables import registry
from riskhub_assets_tests.resources import TEST_KEY, data_folder_environment, local_resources, tracking_uri
from riskhub_assets_tests.scored_bank import DAY1, DAY2

FEATURES = ["age_years", "tenure_days", "frequency_90d", "recency_days", "products_held"]


def _pick_client(con: duckdb.DuckDBPyConnection) -> str:
    """A client with accounts, a flagged transaction (so the report names them) and a name nobody else has."""
    return con.execute(
        """SELECT f.client_id FROM scores.anomaly_flags f JOIN raw.clients c ON c.client_id = f.client_id
           WHERE f.flagged AND c.full_name IN (SELECT full_name FROM raw.clients GROUP BY 1
                                              HAVING count(DISTINCT client_id) = 1)
           ORDER BY f.client_id LIMIT 1"""
    ).fetchone()[0]


def _identifiers(con: duckdb.DuckDBPyConnection, client: str) -> set[str]:
    """Everything that names the client: numbers of theirs, their personal data as sent and its pseudonyms."""
    found = erasure.find_identity(con, client)
    personal = [c.name for spec in LANDING_FILES for c in spec.columns if c.personal and c.type == "string"]
    sent = con.execute(f"SELECT {', '.join(personal)} FROM raw.clients WHERE client_id = ?", [client]).fetchall()
    return set(found.tokens) | {v for row in sent for v in row if v}


def _log_training_sample(con: duckdb.DuckDBPyConnection, client: str) -> None:
    """A training run as lib/model_training.py logs one: a baseline sample and a model with an input example, both
    holding the client's feature rows among others (no identifier: only their values)."""
    frame = con.execute(f"SELECT client_id, {', '.join(FEATURES)} FROM features.client_features").df().dropna()
    frame = pd.concat([frame[frame.client_id == client], frame[frame.client_id != client].head(20)])
    X = frame[FEATURES]
    with tracking.training_run("erasure_test", "riskhub_default_model", {}):
        tracking.log_baseline(X.assign(score=0.1))
        model = LogisticRegression().fit(X.fillna(0), [0, 1] * (len(X) // 2) + [0] * (len(X) % 2))
        tracking.log_model(model, "riskhub_default_model", X.head(5), pd.DataFrame({"p": [0.1] * 5}))


@pytest.fixture(scope="module")
def erased(published, tmp_path_factory):
    """A copy of the published two-day bank with a training run logged, then `riskhub erase` of one client."""
    data = tmp_path_factory.mktemp("erasure") / "data"
    shutil.copytree(published, data, ignore=shutil.ignore_patterns("dagster"))
    with data_folder_environment(data):
        tracking.use_store(tracking_uri(data))
        with duckdb.connect(str(data / "riskhub.duckdb")) as con:
            client = _pick_client(con)
            names = _identifiers(con, client)
            _log_training_sample(con, client)
            their_landing = con.execute(
                "SELECT count(*) FROM raw.transactions"
                " WHERE account_id IN (SELECT account_id FROM raw.accounts WHERE client_id = ?)",
                [client],
            ).fetchone()[0]
        sent = {p: p.read_bytes() for p in (data / "landing").glob("*/*.csv")}
        yield SimpleNamespace(data=data, client=client, names=names, sent=sent, transactions=their_landing)


@pytest.fixture
def bank(erased, monkeypatch):
    """The erased bank as the current data folder; erased once, the first time a test asks."""
    monkeypatch.setenv("RISKHUB_DATA_DIR", str(erased.data))
    monkeypatch.setenv("DAGSTER_HOME", str(erased.data / "dagster"))
    tracking.use_store(tracking_uri(erased.data))
    if not hasattr(erased, "code"):
        erased.code = cli.main(["erase", "--client", erased.client])
        erased.certificate_path = next((erased.data / "erasures").glob("*.json"))
    return erased


def _pattern(names: set[str]) -> re.Pattern:
    words = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(f"(^|[^A-Za-z0-9_])({words})([^A-Za-z0-9_]|$)")


def _found_in_database(path: Path, names: set[str]) -> list[str]:
    """Every table.column of a DuckDB file holding one of the names."""
    pattern = _pattern(names).pattern
    found = []
    with duckdb.connect(str(path), read_only=True) as con:
        columns = con.execute(
            "SELECT schema_name, table_name, column_name FROM duckdb_columns() WHERE database_name = current_database()"
        ).fetchall()
        for schema, name, column in columns:
            hits = con.execute(
                f'SELECT count(*) FROM "{schema}"."{name}" WHERE regexp_matches(CAST("{column}" AS VARCHAR), ?)',
                [pattern],
            ).fetchone()[0]
            if hits:
                found.append(f"{path.name}:{schema}.{name}.{column} ({hits})")
    return found


def test_erase_removes_the_client_from_every_table_and_file(bank, capsys):
    assert bank.code == 0
    assert len(bank.names) > 5  # their number, accounts, transactions, name, pseudonyms...
    found = _found_in_database(bank.data / "riskhub.duckdb", bank.names)
    found += _found_in_database(bank.data / "bi" / "riskhub_bi.duckdb", bank.names)
    pattern = re.compile(_pattern(bank.names).pattern.encode())
    # Not RiskHub's: the simulated bank's own ground truth; Dagster's run history is covered in docs/erasure.md.
    searched = [p for p in bank.data.rglob("*") if p.is_file() and not {"truth", "dagster"} & set(p.parts)]
    found += [str(p.relative_to(bank.data)) for p in searched if pattern.search(p.read_bytes())]
    assert any(p.suffix == ".csv" and "landing" in p.parts for p in searched)
    assert any("mlartifacts" in p.parts for p in searched) and any(p.suffix == ".json" for p in searched)
    assert found == []


def test_the_certificate_lists_each_place_with_rows_before_and_after_without_the_client_number(bank):
    text = bank.certificate_path.read_text()
    assert bank.client not in text
    certificate = json.loads(text)
    assert certificate["erasure"] == bank.certificate_path.stem.split("_")[1] + certificate["erasure"][16:]
    changed = {p["place"] for p in certificate["places"] if p["after"] < p["before"]}
    for place in (
        "raw.clients",
        "clean.clients",
        "warehouse.dim_client",
        "warehouse.fact_transactions",
        "scores.anomaly_flags",
        "riskhub_bi.duckdb:dims.client",
        "landing/*/transactions.csv",
    ):
        assert place in changed
    assert any(p.startswith("reports/") for p in changed) and any("mlartifacts" in p for p in changed)
    landing = next(p for p in certificate["places"] if p["place"] == "landing/*/transactions.csv")
    assert landing["before"] - landing["after"] == bank.transactions


def test_every_registry_table_with_a_client_identifying_column_is_erased(bank):
    certificate = json.loads(bank.certificate_path.read_text())
    listed = {p["place"] for p in certificate["places"]}
    with duckdb.connect(str(bank.data / "riskhub.duckdb"), read_only=True) as con:
        holding = [
            name for name in registry() if set(erasure.stored_columns(con, name)) & set(erasure.identifying_columns())
        ]
    assert len(holding) > 20 and set(holding) <= listed


def test_identifying_columns_follow_the_contract():
    owned = [spec for spec in LANDING_FILES if {"client_id", "account_id"} & set(spec.header)]
    assert set(erasure.identifying_columns()) == {"client_id", "account_id", *(spec.key for spec in owned)}
    assert "manager_id" not in erasure.identifying_columns()


def _green(result) -> None:
    assert result.success, step_failures(result)
    blocking = [c for c in failed_checks(result) if c.severity.value == "ERROR"]
    assert blocking == [], [c.description for c in blocking]


def test_the_next_nightly_run_over_a_past_day_is_green(bank):
    defs = build_defs(local_resources(bank.data))
    _green(run_business_days(defs, DAY2, DAY2))
    _green(run_business_days(defs, DAY2, DAY2, job="daily_reporting"))


def test_a_redelivered_landing_file_does_not_bring_the_client_back(bank):
    for path, content in bank.sent.items():
        path.write_bytes(content)  # the bank sends both days again, client included
    defs = build_defs(local_resources(bank.data))
    result = run_business_days(defs, DAY1, DAY2)
    _green(result)
    said = result.asset_materializations_for_node("raw__transactions")[0].metadata
    assert said["erased_rows_left_out"].value == bank.transactions
    with duckdb.connect(str(bank.data / "riskhub.duckdb"), read_only=True) as con:
        left_out = dict(
            con.execute(f"SELECT landing_file, sum(rows) FROM {erasure.ERASED_ON_LOAD} GROUP BY 1").fetchall()
        )
    assert left_out["transactions"] == bank.transactions and left_out["clients"] >= 1
    assert _found_in_database(bank.data / "riskhub.duckdb", bank.names) == []


def test_an_unknown_client_is_refused_and_nothing_is_written(bank, capsys):
    assert cli.main(["erase", "--client", "NO-SUCH-CLIENT"]) == 2
    assert "check the client number" in capsys.readouterr().err
    assert len(list((bank.data / "erasures").glob("*.json"))) == 1


def test_a_mapped_export_is_rewritten_in_its_own_format(tmp_path):
    path = tmp_path / "KONTA.csv"
    text = (
        'Konto;Klient;Pozn\xe1mka\r\n"A1";"C1";"m\xe1 ""dluh""\r\nna dva \u0159\xe1dky"\r\n"A2";"C2";"ok"\r\nA3;C1;\r\n'
    )
    path.write_bytes(text.encode("cp1250"))
    identity = erasure.Identity({"client_id": frozenset({"C1"}), "account_id": frozenset({"A1", "A3"})}, frozenset())
    assert rewrite_delimited(path, identity, {"account_id": "Konto", "client_id": "Klient"}, ";", '"', "cp1250") == (
        3,
        1,
    )
    assert path.read_bytes() == 'Konto;Klient;Pozn\xe1mka\r\n"A2";"C2";"ok"\r\n'.encode("cp1250")


def test_the_landing_archive_is_read_through_the_banks_mapping(tmp_path):
    mapping = SourceMapping(
        ACCOUNTS, tmp_path / "accounts.toml", "UCTY.txt", delimiter="|", columns={"account_id": "U", "client_id": "K"}
    )
    for day in ("2025-03-03", "2025-03-04"):
        (tmp_path / day).mkdir()
        (tmp_path / day / "UCTY.txt").write_text("U|K|TYP\nA1|C1|bezny\nA2|C2|bezny\n")
    identity = erasure.Identity({"client_id": frozenset({"C1"}), "account_id": frozenset({"A1"})}, frozenset())
    place = next(p for p in erase_landing(tmp_path, {"accounts": mapping}, identity) if p.place.endswith("UCTY.txt"))
    assert (place.before, place.after) == (4, 2) and place.action.startswith("2 of 2 day files")
    assert (tmp_path / "2025-03-04" / "UCTY.txt").read_text() == "U|K|TYP\nA2|C2|bezny\n"


def test_a_foreign_export_is_erased_in_its_own_format_and_the_next_run_is_green(isolated_data):
    simulate(
        SimulationConfig(start=DAY1, end=DAY2, clients=40, seed=11, tx_per_client=2.0, style="foreign"), isolated_data
    )
    mapping = isolated_data / "mapping"
    defs = build_defs(local_resources(isolated_data, mapping_dir=mapping))
    _green(run_business_days(defs, DAY1, DAY2))
    with duckdb.connect(str(isolated_data / "riskhub.duckdb")) as con:
        client = con.execute(
            "SELECT a.client_id FROM raw.transactions t JOIN raw.accounts a USING (account_id) ORDER BY 1 LIMIT 1"
        ).fetchone()[0]
        names = erasure.find_identity(con, client).values
    owners = {v for c in erasure.OWNER_COLUMNS for v in names[c]}
    landed = sorted((isolated_data / "landing").glob("*/*"))
    unchanged = {p: p.read_bytes() for p in landed}
    targets = ErasureTargets(
        isolated_data / "riskhub.duckdb",
        isolated_data / "bi",
        isolated_data / "landing",
        load_mappings(mapping),
        isolated_data / "reports",
        None,
        isolated_data / "erasures",
    )
    erase_client(client, TEST_KEY.encode(), targets)
    pattern = _pattern(owners)
    changed = [p for p in landed if p.read_bytes() != unchanged[p]]
    assert {p.name for p in changed} >= {"KUNDEN.txt", "KONTENAENDERUNGEN.txt", "UMSAETZE.txt"}  # the bank's names
    for path in changed:  # the bank's encoding and delimiter kept: every other line as it was
        text, before = path.read_bytes().decode("latin-1"), unchanged[path].decode("latin-1")
        assert not pattern.search(text) and set(text.splitlines()) < set(before.splitlines())
    _green(run_business_days(defs, DAY2, DAY2))
