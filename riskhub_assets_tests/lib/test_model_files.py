"""A champion whose files were written after training is refused, never loaded: no code in them runs."""

import json
import pickle
from pathlib import Path

import dagster as dg
import numpy as np
import pandas as pd
import pytest
import yaml
from mlflow import MlflowClient
from sklearn.linear_model import LogisticRegression

from riskhub_assets.defs.scoring import champion
from riskhub_assets.lib import model_files, tracking
from riskhub_assets_tests.resources import tracking_uri

NAME = "riskhub_test_model"


class WritesMarker:
    """Unpickling this writes a marker file: what a planted pickle would do instead of something worse."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return exec, (f"open({str(self.marker)!r}, 'w').write('code ran')",)


@pytest.fixture
def registered(isolated_data) -> tuple[str, Path]:
    """A champion registered the way training registers one, and the folder of its files in the artifact store."""
    tracking.use_store(tracking_uri(isolated_data))
    X = pd.DataFrame({"x": np.arange(20.0)})
    model = LogisticRegression().fit(X, np.arange(20) % 2)
    with tracking.training_run("riskhub", NAME, {}):
        version = tracking.log_model(model, NAME, X, pd.DataFrame({"p": model.predict_proba(X)[:, 1]}))
        tracking.promote(NAME, version, wins=True)
    (stored,) = isolated_data.rglob(model_files.MODEL_FILE)
    return version, stored.parent


def _forge_digests(version: str, tmp_path: Path) -> None:
    """Rewrite the registry's digests to match the files as they are now: an attacker who can write the registry."""
    digests = model_files.file_digests(tracking._downloaded(NAME, version, str(tmp_path / "forged")))
    MlflowClient().set_model_version_tag(NAME, version, model_files.DIGESTS_TAG, json.dumps(digests))


def _recorded(version: str) -> dict[str, str]:
    return json.loads(MlflowClient().get_model_version(NAME, version).tags[model_files.DIGESTS_TAG])


def test_a_registered_model_is_skops_with_every_file_digest_recorded(registered):
    version, folder = registered
    recorded = _recorded(version)
    assert {"MLmodel", model_files.MODEL_FILE} <= set(recorded) and not list(folder.glob("*.pkl"))
    assert all(recorded[f.name] == model_files.file_digests(folder)[f.name] for f in folder.iterdir())
    assert tracking.champion_model(NAME)[0].predict_proba(pd.DataFrame({"x": [1.0]})).shape == (1, 2)


def test_bytes_appended_to_the_champion_are_refused_naming_model_version_and_file(registered):
    version, folder = registered
    with open(folder / model_files.MODEL_FILE, "ab") as stored:
        stored.write(b"appended")
    with pytest.raises(
        tracking.RefusedModel, match=rf"{NAME} version {version} is refused: file model.skops was changed"
    ):
        tracking.champion_model(NAME)
    with pytest.raises(dg.Failure, match="riskhub train"):  # the nightly scoring asset fails, saying what to do
        champion(NAME)


def test_a_planted_pickle_never_runs_even_with_forged_digests(registered, tmp_path):
    version, folder = registered
    marker = tmp_path / "marker"
    (folder / model_files.MODEL_FILE).write_bytes(pickle.dumps(WritesMarker(marker)))
    with pytest.raises(tracking.RefusedModel, match="file model.skops was changed"):
        tracking.load_version(NAME, version)
    _forge_digests(version, tmp_path)
    with pytest.raises(tracking.RefusedModel, match="not a skops file"):
        tracking.load_version(NAME, version)
    assert not marker.exists()


def test_a_model_rewritten_as_cloudpickle_never_runs_even_with_forged_digests(registered, tmp_path):
    version, folder = registered
    marker = tmp_path / "marker"
    mlmodel = yaml.safe_load((folder / "MLmodel").read_text())
    mlmodel["flavors"]["sklearn"] |= {"pickled_model": "model.pkl", "serialization_format": "cloudpickle"}
    (folder / "MLmodel").write_text(yaml.safe_dump(mlmodel))
    (folder / "model.pkl").write_bytes(pickle.dumps(WritesMarker(marker)))
    (folder / model_files.MODEL_FILE).unlink()
    with pytest.raises(
        tracking.RefusedModel, match="file MLmodel was changed; file model.skops is missing; file model.pkl was added"
    ):
        tracking.load_version(NAME, version)
    _forge_digests(version, tmp_path)
    with pytest.raises(tracking.RefusedModel, match="not a skops file"):
        tracking.load_version(NAME, version)
    assert not marker.exists()


def test_a_version_registered_without_digests_is_refused(registered):
    version, _ = registered
    MlflowClient().delete_model_version_tag(NAME, version, model_files.DIGESTS_TAG)
    with pytest.raises(tracking.RefusedModel, match=f"version {version} is refused: it has no SHA-256 digests"):
        tracking.load_version(NAME, version)
