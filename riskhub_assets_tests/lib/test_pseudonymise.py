import hashlib
import hmac

import duckdb
import pytest

from riskhub_assets.lib import settings
from riskhub_assets.lib.pseudonymise import hmac_pads, hmac_sql, pseudonym


@pytest.mark.parametrize("key", [b"k", b"x" * 64, b"long" * 40])
def test_sql_hmac_matches_the_standard_library(key):
    ipad, opad = hmac_pads(key)
    sql = "SELECT " + hmac_sql("'jane@bank.example'")
    got = duckdb.execute(sql, {"ipad": ipad, "opad": opad}).fetchone()[0]
    assert got == pseudonym("jane@bank.example", key) == hmac.new(key, b"jane@bank.example", hashlib.sha256).hexdigest()


def test_missing_key_falls_back_loudly(monkeypatch):
    monkeypatch.delenv(settings.PSEUDONYMISATION_KEY_VAR)
    with pytest.warns(UserWarning, match="PUBLIC DEVELOPMENT KEY"):
        assert settings.pseudonymisation_key() == settings.DEV_PSEUDONYMISATION_KEY.encode()


def test_key_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv(settings.PSEUDONYMISATION_KEY_VAR, "s3cret")
    assert settings.pseudonymisation_key() == b"s3cret"
