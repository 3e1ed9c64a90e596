"""The dashboard reads the published BI database: KPIs, risk, alerts and client lookup render from it."""

import io
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from riskhub_assets.dashboard import queries
from riskhub_assets_tests.scored_bank import DAY2

APP = str(Path(__file__).parents[2] / "riskhub_assets" / "dashboard" / "app.py")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def bank(published, monkeypatch):
    monkeypatch.setenv("RISKHUB_DATA_DIR", str(published))
    return published


def test_the_main_page_shows_the_days_kpis_risk_and_alerts(bank):
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.exception and not app.error
    assert app.sidebar.selectbox[0].value == DAY2
    with duckdb.connect(str(queries.bi_database()), read_only=True) as con:
        active = con.execute("SELECT active_clients FROM marts.portfolio_kpis WHERE business_date = ?", [DAY2])
        expected = f"{active.fetchone()[0]:,}"
    assert {m.label: m.value for m in app.metric}["Active clients"] == expected
    assert [t.label for t in app.tabs] == [
        "KPIs",
        "Credit & churn risk",
        "Alerts",
        "Client lookup",
        "Recommendations",
        "Performance",
        "Score a CSV",
    ]
    assert any("5 transactions flagged" in s.value for s in app.subheader)
    headings = " | ".join(s.value for s in app.subheader)
    assert "First offer per client" in headings and "Churn actions" in headings
    assert "Relationship managers: predicted performance" in headings and "Branches: predicted" in headings
    assert not [m.value for m in app.main.markdown if "Rows per" in m.value]  # no stray text from Streamlit magic


def test_client_lookup_shows_scores_and_reasons(bank):
    client = queries.read("SELECT client_id FROM scores.default_scores LIMIT 1")["client_id"][0]
    app = AppTest.from_file(APP, default_timeout=60).run()
    app.text_input[0].input(client).run()
    assert not app.exception
    assert any(m.label == "Probability of default (90 days)" for m in app.metric)
    assert any("missed_payments_90d" in md.value for md in app.markdown)


def test_without_relationship_managers_the_performance_tab_says_none_were_sent(published, tmp_path, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(published / "bi", data / "bi")
    monkeypatch.setenv("RISKHUB_DATA_DIR", str(data))
    with duckdb.connect(str(queries.bi_database())) as con:
        con.execute("DELETE FROM dims.manager")
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.exception and not app.error
    assert any("No relationship managers sent" in i.value for i in app.info)
    assert "Relationship managers: predicted performance" not in " | ".join(s.value for s in app.subheader)


def test_the_campaign_list_download_writes_a_formula_client_id_as_text(published, tmp_path, monkeypatch):
    data, formula = tmp_path / "data", "=cmd|' /C calc'!A0"
    shutil.copytree(published / "bi", data / "bi")
    monkeypatch.setenv("RISKHUB_DATA_DIR", str(data))
    with duckdb.connect(str(queries.bi_database())) as con:
        con.execute(
            "UPDATE scores.churn_actions SET client_id = ? WHERE client_id = (SELECT min(client_id)"
            " FROM scores.churn_actions WHERE as_of_date = ?)",
            [formula, DAY2],
        )
    downloads, download_button = {}, st.download_button

    def kept(label, data, *args, **kwargs):
        downloads[label] = data
        return download_button(label, data, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", kept)
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.exception and not app.error
    campaign = pd.read_csv(io.StringIO(downloads["Download the campaign list"]))
    assert "'" + formula in campaign["client_id"].tolist() and formula not in campaign["client_id"].tolist()
    assert campaign["churn_probability"].dtype == float


def test_without_a_published_database_the_page_says_what_to_run(tmp_path, monkeypatch):
    monkeypatch.setenv("RISKHUB_DATA_DIR", str(tmp_path))
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert "run the daily job first" in app.error[0].value


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(not CHROMIUM and not os.environ.get("CI"), reason="needs Chromium (installed by .ci/run)")
def test_the_main_page_renders_in_a_headless_browser(bank, tmp_path):
    from playwright.sync_api import sync_playwright

    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", APP, "--server.headless", "true", "--server.port", str(port)]
        + ["--browser.gatherUsageStats", "false"],
        env={**os.environ, "RISKHUB_DATA_DIR": str(bank)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
            )
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            for _ in range(60):
                try:
                    page.goto(f"http://127.0.0.1:{port}", timeout=5000)
                    break
                except Exception:
                    time.sleep(0.5)
            page.get_by_text("Active clients").first.wait_for(timeout=60_000)
            shot = tmp_path / "dashboard.png"
            page.screenshot(path=str(shot), full_page=True)
            browser.close()
        assert shot.stat().st_size > 20_000  # a rendered page, not a blank one
    finally:
        server.terminate()
        server.wait(timeout=30)
