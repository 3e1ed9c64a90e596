"""The Dagster UI tells the truth after a history load, seen as a user sees it: the webserver on the loaded instance,
its GraphQL API (materialized partitions are the landed days, no check failed) and headless Chromium (the asset
graph, fact_transactions' Partitions tab). Set RISKHUB_SCREENSHOTS_DIR=docs/screenshots to refresh the README's
screenshots; otherwise they go to a temporary folder."""

import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from riskhub_assets.orchestration.instance import ensure_instance_settings
from riskhub_assets.simulator import SimulationConfig, simulate
from riskhub_assets_tests.conftest import USER_SETTINGS
from riskhub_assets_tests.resources import TEST_KEY

REPO = Path(__file__).parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DAYS = 3
FACT = "warehouse/fact_transactions"
FAILED = {"FAILED", "EXECUTION_FAILED"}
ASSETS_QUERY = """{ assetNodes { assetKey { path } groupName isPartitioned
  partitionStats { numMaterialized numPartitions numFailed numMaterializing }
  assetPartitionStatuses { ... on TimePartitionStatuses { ranges { startKey endKey status } } }
  assetChecksOrError { ... on AssetChecks { checks { name } } } } }"""


class Ui:
    """A Dagster webserver serving a freshly loaded instance."""

    def __init__(self, url: str, landed: list[str], screenshots: Path) -> None:
        self.url, self.landed, self.screenshots = url, landed, screenshots

    def graphql(self, query: str) -> dict:
        """The data of a GraphQL query; its errors fail the test."""
        request = urllib.request.Request(
            f"{self.url}/graphql", json.dumps({"query": query}).encode(), {"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=120) as response:
            body = json.load(response)
        assert "errors" not in body, body.get("errors")
        return body["data"]

    def assets(self) -> dict[str, dict]:
        """Every asset node the UI shows, by key path."""
        return {"/".join(n["assetKey"]["path"]): n for n in self.graphql(ASSETS_QUERY)["assetNodes"]}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _user_environment(data: Path) -> dict[str, str]:
    """The shell of a user whose data folder is `data`: partitions start where its landing zone starts."""
    env = {k: v for k, v in os.environ.items() if k not in USER_SETTINGS and k != "RISKHUB_PARTITIONS_START"}
    env.update(RISKHUB_DATA_DIR=str(data), DAGSTER_HOME=str(data / "dagster"), RISKHUB_PSEUDONYMISATION_KEY=TEST_KEY)
    return env


def _wait_for_definitions(ui: Ui, server: subprocess.Popen) -> None:
    """Wait until the webserver answers and has loaded RiskHub's code location."""
    for _ in range(360):
        assert server.poll() is None, "dagster-webserver exited; see webserver.log in the test's folder"
        try:
            if ui.graphql("{ assetNodes { id } }")["assetNodes"]:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"no asset at {ui.url} after 3 minutes")


@pytest.fixture(scope="module")
def ui(tmp_path_factory):
    """The last DAYS days (to yesterday, as `riskhub demo` simulates) of a small bank loaded with `riskhub
    load-history` while the webserver starts on the same instance, as `riskhub ui` would serve it."""
    folder = tmp_path_factory.mktemp("ui")
    data = folder / "data"
    (data / "dagster").mkdir(parents=True)
    ensure_instance_settings(data / "dagster" / "dagster.yaml")
    end = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    start = end - dt.timedelta(days=DAYS - 1)
    simulate(SimulationConfig(start=start, end=end, clients=30, seed=5, tx_per_client=1.0), data)
    env, bin_dir = _user_environment(data), Path(sys.executable).parent
    port = _free_port()
    with open(folder / "webserver.log", "w") as log:
        server = subprocess.Popen(
            [str(bin_dir / "dagster-webserver"), "-w", str(REPO / "workspace.yaml"), "-h", "127.0.0.1"]
            + ["-p", str(port)],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        load = subprocess.run([str(bin_dir / "riskhub"), "load-history"], env=env, capture_output=True, text=True)
        assert load.returncode == 0, load.stdout[-2000:] + load.stderr[-2000:]
        landed = sorted(p.name for p in (data / "landing").iterdir() if p.is_dir())
        screenshots = Path(os.environ.get("RISKHUB_SCREENSHOTS_DIR", folder))
        served = Ui(f"http://127.0.0.1:{port}", landed, screenshots)
        _wait_for_definitions(served, server)
        yield served
    finally:
        server.terminate()
        server.wait(timeout=60)


def test_the_materialized_partitions_are_exactly_the_landed_days(ui):
    assets = ui.assets()
    assert len(ui.landed) == DAYS
    fact = assets[FACT]
    landed_range = [{"startKey": ui.landed[0], "endKey": ui.landed[-1], "status": "MATERIALIZED"}]
    assert fact["assetPartitionStatuses"]["ranges"] == landed_range
    days_to_yesterday = (dt.datetime.now(dt.UTC).date() - dt.date.fromisoformat(ui.landed[0])).days
    assert fact["partitionStats"] == {
        "numMaterialized": DAYS,
        "numPartitions": days_to_yesterday,  # partitions begin where the landing zone begins
        "numFailed": 0,
        "numMaterializing": 0,
    }
    recorded = {k: a for k, a in assets.items() if a["isPartitioned"] and a["partitionStats"]["numMaterialized"]}
    assert {"raw/transactions", "clean/transactions", FACT} <= set(recorded)
    assert all(a["assetPartitionStatuses"]["ranges"] == landed_range for a in recorded.values())


def _check_executions(ui: Ui, assets: dict[str, dict]) -> dict[tuple[str, str], list[dict]]:
    """Every execution of every asset check in the instance, by (asset, check), in one GraphQL query."""
    checks = [(k, c["name"]) for k, a in assets.items() for c in a["assetChecksOrError"].get("checks", [])]
    fields = [
        f'c{i}: assetCheckExecutions(assetKey: {{path: {json.dumps(key.split("/"))}}}, checkName: "{name}",'
        " limit: 100) { status evaluation { description targetMaterialization { storageId } } }"
        for i, (key, name) in enumerate(checks)
    ]
    data = ui.graphql("{ " + "\n".join(fields) + " }")
    return {check: data[f"c{i}"] for i, check in enumerate(checks)}


def test_no_check_failed_and_each_landed_day_of_the_fact_was_checked(ui):
    executions = _check_executions(ui, ui.assets())
    failed = [(check, e["evaluation"]) for check, runs in executions.items() for e in runs if e["status"] in FAILED]
    assert not failed
    fact_checks = {name: runs for (key, name), runs in executions.items() if key == FACT}
    checked_days = [
        {e["evaluation"]["targetMaterialization"]["storageId"] for e in runs} for runs in fact_checks.values()
    ]
    assert fact_checks and all(len(days) == DAYS for days in checked_days)  # each check, each day's materialization
    assert all(e["status"] == "SUCCEEDED" for runs in fact_checks.values() for e in runs)


def _open(page, url: str, ready: str) -> None:
    """Open a page of the UI, dismiss the first-run dialog and wait for `ready` text to show."""
    page.goto(url, timeout=60_000)
    skip = page.get_by_role("button", name="Skip")
    try:
        skip.wait_for(timeout=5_000)
        skip.click()
    except Exception:  # the dialog shows once per browser profile
        pass
    page.get_by_text(ready).first.wait_for(timeout=60_000)


@pytest.mark.skipif(not CHROMIUM and not os.environ.get("CI"), reason="needs Chromium (installed by .ci/run)")
def test_a_browser_shows_the_landed_days_materialized_and_the_asset_graph(ui):
    from playwright.sync_api import sync_playwright

    assets = ui.assets()
    fact, groups = assets[FACT], {a["groupName"] for a in assets.values()}
    ui.screenshots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        _open(page, f"{ui.url}/assets/{FACT}?view=partitions", f"Materialized ({DAYS})")
        partitions = page.inner_text("body")
        page.screenshot(path=str(ui.screenshots / "fact_transactions_partitions.png"))
        _open(page, f"{ui.url}/asset-groups", "Global asset lineage")
        graph = page.inner_text("body")
        page.screenshot(path=str(ui.screenshots / "dagster_asset_graph.png"))
        browser.close()
    days = fact["partitionStats"]["numPartitions"]  # DAYS, or one more if the test runs past midnight UTC
    assert f"{days} Partitions Selected" in partitions and f"Missing ({days - DAYS})" in partitions
    assert "Failed (0)" in partitions and f"Materialized ({DAYS})" in partitions
    assert all(day in partitions for day in ui.landed)
    assert groups >= {"landing", "raw", "clean", "warehouse", "features", "scores"}
    assert all(group in graph for group in groups)  # each group a node of the graph and a folder beside it
