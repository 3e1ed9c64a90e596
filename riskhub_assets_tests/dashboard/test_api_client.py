"""The dashboard scores CSVs through the API with its own key when the API's keys are on."""

import io
import json
import urllib.request

from riskhub_assets.dashboard import api_client


def _capture(monkeypatch) -> list[urllib.request.Request]:
    sent = []

    def urlopen(request, timeout):
        sent.append(request)
        return io.BytesIO(json.dumps({"ok": True}).encode())

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    return sent


def test_the_dashboard_sends_its_key_from_the_environment(monkeypatch):
    sent = _capture(monkeypatch)
    monkeypatch.setenv(api_client.KEY_VAR, "rh_secret")
    assert api_client.call("/predict/batch", {"model": "default", "rows": []}) == {"ok": True}
    assert sent[0].get_header("Authorization") == "Bearer rh_secret"
    assert sent[0].get_header("Content-type") == "application/json"


def test_without_a_key_the_dashboard_sends_none(monkeypatch):
    sent = _capture(monkeypatch)
    monkeypatch.delenv(api_client.KEY_VAR, raising=False)
    api_client.call("/model/info")
    assert sent[0].get_header("Authorization") is None
