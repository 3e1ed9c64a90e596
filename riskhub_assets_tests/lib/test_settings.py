import dagster as dg
import pytest

from riskhub_assets.lib import settings
from riskhub_assets.orchestration.resources import QualityLimits, resources_for


def test_partitions_start_where_the_landing_zone_starts(isolated_data, monkeypatch):
    monkeypatch.delenv("RISKHUB_PARTITIONS_START")
    assert settings.partitions_start() == settings.DEFAULT_PARTITIONS_START  # no landing zone yet
    for folder in ("2023-05-02", "2023-05-01", "2023-13-01", "notes"):
        (isolated_data / "landing" / folder).mkdir(parents=True)
    assert settings.partitions_start() == "2023-05-01"
    monkeypatch.setenv("RISKHUB_PARTITIONS_START", "2022-01-03")
    assert settings.partitions_start() == "2022-01-03"


def test_a_malformed_partitions_start_names_the_setting(monkeypatch):
    monkeypatch.setenv("RISKHUB_PARTITIONS_START", "01/03/2022")
    with pytest.raises(settings.SettingError, match="RISKHUB_PARTITIONS_START is '01/03/2022': expected .*YYYY-MM-DD"):
        settings.partitions_start()


def test_the_quarantine_limit_reaches_assets_through_a_resource(monkeypatch):
    assert resources_for("local")["quality_limits"].quarantine_limit == 0.05
    monkeypatch.setenv("RISKHUB_MAX_QUARANTINE_RATE", "20%")
    limits = resources_for("local")["quality_limits"]
    assert limits.max_quarantine_rate == dg.EnvVar("RISKHUB_MAX_QUARANTINE_RATE")
    with dg.build_resources({"quality_limits": limits}) as built:
        assert built.quality_limits.quarantine_limit == 0.2
    for wrong in ("lots", "1.5", "-1%"):
        with pytest.raises(dg.Failure, match=f"RISKHUB_MAX_QUARANTINE_RATE is '{wrong}': expected a share"):
            QualityLimits(max_quarantine_rate=wrong).quarantine_limit  # noqa: B018


def test_the_volume_floor_reaches_assets_through_a_resource(monkeypatch):
    assert resources_for("local")["quality_limits"].volume_floor == 0.2
    monkeypatch.setenv("RISKHUB_MIN_VOLUME_SHARE", "10%")
    with dg.build_resources({"quality_limits": resources_for("local")["quality_limits"]}) as built:
        assert built.quality_limits.volume_floor == 0.1
    with pytest.raises(dg.Failure, match="RISKHUB_MIN_VOLUME_SHARE is '2': expected a share"):
        QualityLimits(min_volume_share="2").volume_floor  # noqa: B018


def test_the_bank_time_zone_reaches_cleaning_through_a_resource(monkeypatch):
    from riskhub_assets.orchestration.resources import BankTimeZone

    assert resources_for("local")["bank_time_zone"].zone == "UTC"
    monkeypatch.setenv("RISKHUB_BANK_TIMEZONE", "Europe/Paris")
    with dg.build_resources({"bank_time_zone": resources_for("local")["bank_time_zone"]}) as built:
        assert built.bank_time_zone.zone == "Europe/Paris"
    with pytest.raises(dg.Failure, match="RISKHUB_BANK_TIMEZONE is 'Paris': expected an IANA time zone name"):
        BankTimeZone(name="Paris").zone  # noqa: B018
