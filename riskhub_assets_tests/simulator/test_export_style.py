"""The simulator's foreign export style: the same bank as a foreign export would write it, with its mapping files."""

import datetime
import pathlib

import dagster as dg
import numpy as np
import pandas as pd
import pytest

from riskhub_assets import cli
from riskhub_assets.lib.contract import TRANSACTIONS
from riskhub_assets.lib.mapping import load_mappings
from riskhub_assets.orchestration.resources import RiskHubPaths, resources_for
from riskhub_assets.simulator import SimulationConfig, simulate
from riskhub_assets.simulator.fx import fx_rate

DAY = datetime.date(2025, 1, 6)


def test_the_foreign_style_writes_its_own_files_and_the_mapping_that_reads_them(tmp_path):
    simulate(SimulationConfig(DAY, DAY, clients=30, seed=2, style="foreign"), tmp_path)
    mappings = load_mappings(tmp_path / "mapping")
    folder = tmp_path / "landing" / DAY.isoformat()
    assert sorted(p.name for p in folder.iterdir()) == sorted(m.file for m in mappings.values())
    bookings = (folder / mappings["transactions"].file).read_bytes()
    header, first = bookings.decode("latin-1").splitlines()[:2]
    assert header.split(";") == list(mappings["transactions"].columns.values())
    booking_day, amount = first.split(";")[2:4]
    assert booking_day == "06.01.2025" and "," in amount and "." not in amount
    clients = (folder / mappings["clients"].file).read_bytes()
    assert "BESCHÄFTIGUNG".encode("latin-1") in clients
    with pytest.raises(UnicodeDecodeError):
        clients.decode("utf-8")


def test_defects_are_planted_in_the_canonical_style_only(capsys, tmp_path):
    command = ["simulate", "--start", "2025-01-06", "--end", "2025-01-06", "--out", str(tmp_path / "out")]
    assert cli.main([*command, "--style", "foreign", "--dirty-rate", "0.1"]) == 2
    assert "canonical style only" in capsys.readouterr().out and not (tmp_path / "out").exists()
    with pytest.raises(ValueError, match="unknown export style 'klingon'"):
        SimulationConfig(DAY, DAY, style="klingon")


def test_the_mapping_folder_setting_reaches_the_paths_resource(monkeypatch, tmp_path: pathlib.Path):
    assert resources_for("local")["paths"].mapping(TRANSACTIONS) is None  # no setting: the contract as is
    monkeypatch.setenv("RISKHUB_MAPPING_DIR", str(tmp_path / "mapping"))
    setting = resources_for("local")["paths"].mapping_dir
    assert isinstance(setting, dg.EnvVar) and setting.env_var_name == "RISKHUB_MAPPING_DIR"  # read when a run starts
    simulate(SimulationConfig(DAY, DAY, clients=5, seed=2, style="foreign"), tmp_path)
    paths = RiskHubPaths(landing_dir="l", reports_dir="r", bi_dir="b", mapping_dir=str(tmp_path / "mapping"))
    assert paths.mapping(TRANSACTIONS).file == "UMSAETZE.txt"


def test_the_foreign_bank_books_its_euro_accounts_in_koruna_at_the_days_fixing(tmp_path):
    for style in ("canonical", "foreign"):
        simulate(SimulationConfig(DAY, DAY, clients=60, seed=2, style=style), tmp_path / style)  # CHF, GBP too
    canonical = pd.read_csv(tmp_path / "canonical" / "landing" / DAY.isoformat() / "transactions.csv")
    foreign_day = tmp_path / "foreign" / "landing" / DAY.isoformat()
    read = {"sep": ";", "decimal": ",", "encoding": "latin-1"}
    foreign = pd.read_csv(foreign_day / "UMSAETZE.txt", **read).set_index("BUCHUNGSREFERENZ")
    fixings = pd.read_csv(foreign_day / "DEVISENKURSE.txt", **read).set_index("WAEHRUNG")["KURS_IN_EUR"]
    assert fixings["CZK"] == fx_rate("CZK", DAY) and 0.038 < fixings["CZK"] < 0.042
    assert set(fixings.index) == {"CZK", "USD", "GBP", "CHF"}
    booked = foreign.loc[canonical["transaction_id"]]
    euros = canonical["currency"].eq("EUR").to_numpy()
    assert euros.any() and (~euros).any()
    assert (booked["WAEHRUNG"][euros] == "CZK").all()
    assert np.allclose(booked["BETRAG"][euros], (canonical["amount"][euros] / fixings["CZK"]).round(2), atol=0.001)
    assert (booked["BETRAG"][~euros].to_numpy() == canonical["amount"][~euros].to_numpy()).all()


def test_the_foreign_style_sends_accounts_as_changes_only():
    assert SimulationConfig(DAY, DAY, style="foreign").accounts == "changes"
    assert SimulationConfig(DAY, DAY).accounts == "snapshot"
    with pytest.raises(ValueError, match="the foreign style sends accounts as change records"):
        SimulationConfig(DAY, DAY, style="foreign", accounts="snapshot")
