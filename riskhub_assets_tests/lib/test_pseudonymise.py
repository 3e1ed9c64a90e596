import hashlib
import hmac

import dagster as dg
import duckdb
import pytest

from riskhub_assets.definitions import build_defs
from riskhub_assets.lib.pseudonymise import hmac_pads, hmac_sql, pseudonym
from riskhub_assets.lib.settings import SettingError
from riskhub_assets.orchestration.resources import (
    DEV_PSEUDONYMISATION_KEY,
    PSEUDONYMISATION_KEY_VAR,
    Pseudonymiser,
    resources_for,
)


@pytest.mark.parametrize("key", [b"k", b"x" * 64, b"long" * 40])
def test_sql_hmac_matches_the_standard_library(key):
    ipad, opad = hmac_pads(key)
    sql = "SELECT " + hmac_sql("'jane@bank.example'")
    got = duckdb.execute(sql, {"ipad": ipad, "opad": opad}).fetchone()[0]
    assert got == pseudonym("jane@bank.example", key) == hmac.new(key, b"jane@bank.example", hashlib.sha256).hexdigest()


def test_missing_key_falls_back_loudly():
    with pytest.warns(UserWarning, match="PUBLIC DEVELOPMENT KEY"):
        assert Pseudonymiser().secret() == DEV_PSEUDONYMISATION_KEY.encode()


def test_production_refuses_the_development_key_and_names_the_variable():
    for key in ("", DEV_PSEUDONYMISATION_KEY):
        with pytest.raises(dg.Failure, match=PSEUDONYMISATION_KEY_VAR):
            Pseudonymiser(key=key, production=True).secret()


def test_the_key_is_configured_from_the_environment_once_per_environment(monkeypatch):
    monkeypatch.setenv(PSEUDONYMISATION_KEY_VAR, "s3cret")
    for environment in ("local", "production"):
        pseudonymiser = resources_for(environment)["pseudonymiser"]
        assert pseudonymiser.key == dg.EnvVar(PSEUDONYMISATION_KEY_VAR)
        assert pseudonymiser.production == (environment == "production")
        with dg.build_resources({"pseudonymiser": pseudonymiser}) as built:
            assert built.pseudonymiser.secret() == b"s3cret"


@pytest.mark.parametrize("key", [None, DEV_PSEUDONYMISATION_KEY])
def test_production_resources_and_definitions_refuse_the_public_key_before_any_run(monkeypatch, key):
    if key is None:
        monkeypatch.delenv(PSEUDONYMISATION_KEY_VAR, raising=False)
    else:
        monkeypatch.setenv(PSEUDONYMISATION_KEY_VAR, key)
    with pytest.raises(SettingError, match=PSEUDONYMISATION_KEY_VAR):
        resources_for("production")
    monkeypatch.setenv("RISKHUB_ENV", "production")
    with pytest.raises(SettingError, match=PSEUDONYMISATION_KEY_VAR):  # the code location the UI and daemon load
        build_defs()
    assert resources_for("local")["pseudonymiser"].production is False  # locally a run using it only warns
