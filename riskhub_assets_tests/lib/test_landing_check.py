"""`riskhub landing check`: a foreign export profiled against its mapping and the contract, writing nothing."""

import datetime as dt
from pathlib import Path

import pytest

from riskhub_assets import cli
from riskhub_assets.lib import settings
from riskhub_assets.simulator import SimulationConfig, simulate

DAY = dt.date(2025, 3, 3)


@pytest.fixture
def foreign(tmp_path: Path) -> Path:
    """One tiny day of the simulated bank written as a foreign export, with its mapping folder beside it."""
    simulate(SimulationConfig(start=DAY, end=DAY, clients=30, seed=5, tx_per_client=2.0, style="foreign"), tmp_path)
    return tmp_path


def _check(capsys, *args: str) -> tuple[int, str]:
    code = cli.main(["landing", "check", *args])
    return code, capsys.readouterr().out


def _rewrite(path: Path, change) -> None:
    path.write_bytes(change(path.read_bytes().decode("latin-1")).encode("latin-1"))


def test_a_clean_foreign_export_would_load_and_nothing_is_written(foreign, capsys, monkeypatch):
    monkeypatch.setenv("RISKHUB_MAPPING_DIR", str(foreign / "mapping"))
    code, out = _check(capsys, str(foreign / "landing"))
    assert code == 0, out
    assert "transactions <- UMSAETZE.txt: " in out and " 0 quarantined" in out
    assert "  channel                  from KANAL " in out
    assert out.rstrip().endswith("nothing was written; a run would load (0 rows quarantined)")
    assert not settings.duckdb_path().exists()


def test_untranslated_codes_and_broken_references_are_counted_per_column_and_fail(foreign, capsys):
    day = foreign / "landing" / DAY.isoformat()
    _rewrite(day / "UMSAETZE.txt", lambda text: text.replace(";LASTSCHRIFT;", ";DAUERAUFTRAG;"))
    dropped = "A000000001"  # an account with bookings, removed from the accounts file
    _rewrite(
        day / "KONTENAENDERUNGEN.txt",
        lambda text: "".join(x for x in text.splitlines(True) if not x.startswith(dropped)),
    )
    code, out = _check(capsys, str(day), "--mapping", str(foreign / "mapping"))
    assert code == 1, out
    channel = next(line for line in out.splitlines() if line.startswith("  channel "))
    direct_debits = (day / "UMSAETZE.txt").read_text(encoding="latin-1").count(";DAUERAUFTRAG;")
    assert f"channel not in reference.channels: 'DAUERAUFTRAG' ({direct_debits})" in channel
    account = next(line for line in out.splitlines() if line.startswith("  account_id ") and "unknown" in line)
    assert f"unknown account_id: '{dropped}'" in account
    assert "WOULD FAIL: UMSAETZE.txt: " in out and "of rows would be quarantined (over 5%)" in out


def test_a_bad_mapping_or_a_missing_mapping_is_named(foreign, capsys):
    _rewrite(foreign / "mapping" / "accounts.toml", lambda text: text.replace('decimal = ","', 'decimal_mark = ","'))
    code, out = _check(capsys, str(foreign / "landing"), "--mapping", str(foreign / "mapping"))
    assert code == 2 and f"mapping {foreign / 'mapping' / 'accounts.toml'}: decimal_mark: unknown key" in out
    code, out = _check(capsys, str(foreign / "landing"))
    assert code == 1
    assert f"WOULD FAIL: landing file missing: {foreign / 'landing' / DAY.isoformat() / 'clients.csv'}" in out
    assert "RISKHUB_MAPPING_DIR" in out
