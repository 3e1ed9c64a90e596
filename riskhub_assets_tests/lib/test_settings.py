import pytest

from riskhub_assets.lib import settings


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
