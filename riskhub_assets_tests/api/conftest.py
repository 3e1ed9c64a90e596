"""The fake champions every API test module serves, and the explicit local mode (no keys) unless a test sets keys."""

import pytest

from riskhub_assets_tests.api.test_app import models  # noqa: F401


@pytest.fixture(autouse=True)
def local_mode(monkeypatch):
    """Authentication off, as `riskhub serve` on 127.0.0.1 without keys runs the API."""
    monkeypatch.setenv("RISKHUB_API_AUTH", "off")
    monkeypatch.delenv("RISKHUB_API_KEYS", raising=False)
    monkeypatch.delenv("RISKHUB_API_KEYS_FILE", raising=False)
    monkeypatch.delenv("RISKHUB_ENV", raising=False)
