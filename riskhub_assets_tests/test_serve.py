"""`riskhub serve` binds nothing beyond this machine without API keys, and never the UIs that have no authentication
of their own; the Docker image's command refuses to start without keys; `riskhub api-key` makes keys the API takes."""

import json
import re
from pathlib import Path

import pytest

from riskhub_assets import cli
from riskhub_assets.api import access
from riskhub_assets.lib import processes

ROOT = Path(__file__).parents[1]


@pytest.fixture
def started(monkeypatch, tmp_path):
    """What `riskhub serve` would start, without starting it."""
    for var in (access.AUTH_VAR, access.KEYS_VAR, access.KEYS_FILE_VAR, "RISKHUB_ENV", "RISKHUB_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("RISKHUB_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    runs = []
    monkeypatch.setattr(processes, "supervise", lambda commands, env: runs.append((commands, env)))
    return runs


def _bound(commands: dict[str, list[str]]) -> dict[str, str]:
    """The address each started process listens on."""
    flags = ("--host", "--server.address")
    return {name: next(c[i + 1] for i, a in enumerate(c) if a in flags) for name, c in commands.items()}


def test_beyond_this_machine_without_keys_nothing_starts(started, capsys):
    assert cli.main(["serve", "--host", "0.0.0.0"]) == 2 and started == []
    assert "RISKHUB_API_KEYS" in capsys.readouterr().err


def test_auth_off_is_refused_beyond_this_machine_and_in_production(started, monkeypatch, capsys):
    monkeypatch.setenv(access.KEYS_VAR, access.new_key("ops", ["admin"])[1].entry())
    monkeypatch.setenv(access.AUTH_VAR, "off")
    assert cli.main(["serve", "--host", "0.0.0.0"]) == 2 and "beyond this machine" in capsys.readouterr().err
    monkeypatch.setenv("RISKHUB_ENV", "production")
    assert cli.main(["serve"]) == 2 and "in production" in capsys.readouterr().err
    assert started == []


def test_with_keys_the_api_serves_the_network_and_the_uis_only_loopback(started, monkeypatch, capsys):
    monkeypatch.setenv(access.KEYS_VAR, access.new_key("ops", ["admin"])[1].entry())
    assert cli.main(["serve", "--host", "0.0.0.0"]) == 0
    commands, env = started[0]
    assert _bound(commands) == {"dagster": "127.0.0.1", "api": "0.0.0.0", "dashboard": "127.0.0.1"}
    assert access.AUTH_VAR not in env and "deploy/proxy/nginx.conf" in capsys.readouterr().out


def test_on_this_machine_without_keys_the_api_runs_in_local_mode_loudly(started, capsys):
    assert cli.main(["serve"]) == 0
    commands, env = started[0]
    assert set(_bound(commands).values()) == {"127.0.0.1"} and env[access.AUTH_VAR] == "off"
    assert "answers ANYONE" in capsys.readouterr().err


def test_the_docker_image_binds_nothing_without_keys(started, monkeypatch, capsys):
    dockerfile = (ROOT / "Dockerfile").read_text()
    for name, value in re.findall(r"^ENV (\w+)=(\S+)$", dockerfile, re.MULTILINE):
        monkeypatch.setenv(name, value)
    command = json.loads(re.search(r"^CMD (\[.*\])$", dockerfile, re.MULTILINE).group(1))
    assert cli.main(command[command.index("riskhub") + 1 :]) == 2 and started == []
    assert "RISKHUB_API_KEYS" in capsys.readouterr().err


def test_api_key_prints_a_secret_and_the_entry_that_lets_it_in(capsys, monkeypatch):
    assert cli.main(["api-key", "dashboard", "--scopes", "scoring,analytics"]) == 0
    secret, entry = re.findall(r"^  (\S+)$", capsys.readouterr().out, re.MULTILINE)
    monkeypatch.setenv(access.KEYS_VAR, entry)
    (key,) = access.configured_keys()
    assert key.name == "dashboard" and key.scopes == {"scoring", "analytics"} and secret not in entry
    assert cli.main(["api-key", "dashboard", "--scopes", "everything"]) == 2


def test_the_proxy_config_checks_the_api_keys_before_each_ui():
    config = (ROOT / "deploy" / "proxy" / "nginx.conf").read_text()
    checks = re.findall(r"proxy_pass http://127\.0\.0\.1:8000/auth/check\?scope=(\w+);", config)
    assert checks and set(checks) <= set(access.SCOPES)
    upstreams = set(re.findall(r"proxy_pass http://127\.0\.0\.1:(\d+);", config))
    assert upstreams == {"3000", "8501"}  # `riskhub serve`'s Dagster UI and dashboard ports
    assert config.count("auth_request /") == len(upstreams)
