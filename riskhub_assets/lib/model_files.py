"""Registered model files that cannot run code when loaded: skops with RiskHub's trusted types, checked against the
SHA-256 digests the registry recorded at training.

Two locks, because whoever can write the artifact store (by default under the data folder, beside the landing zone)
may also write the registry: the digests refuse any file changed after training, naming it; and the model itself is
read with skops against the trusted types listed in riskhub_assets.ml, never unpickled, and never with the format or
type list its own MLmodel file claims, so a model and digests forged together still cannot run code.
"""

import hashlib
import json
import zipfile
from pathlib import Path

import skops.io
from mlflow.store.artifact.models_artifact_repo import REGISTERED_MODEL_META_FILE_NAME
from skops.io.exceptions import UntrustedTypesFoundException

from riskhub_assets.ml import SKOPS_TRUSTED_TYPES

DIGESTS_TAG = "riskhub.sha256"
"""Model-version tag recorded at training: a JSON object of each model file (path in the model) and its SHA-256."""
MODEL_FILE = "model.skops"
"""The fitted estimator in a registered model, as MLflow's sklearn flavour writes it in the skops format."""
REMEDY = (
    "someone or something wrote to the MLflow store (RISKHUB_MLFLOW_TRACKING_URI, by default under RISKHUB_DATA_DIR):"
    " find out who, then retrain the model with `riskhub train`"
)


class RefusedModel(RuntimeError):
    """A registered model version that is not loaded: its files differ from those recorded at training, or it was
    registered without digests, or its estimator is not a skops file of trusted types."""


def file_digests(folder: Path) -> dict[str, str]:
    """Every stored file of a downloaded model, by its path in the model, and its SHA-256 (not the name and version
    MLflow writes beside them as it downloads)."""
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p != folder / REGISTERED_MODEL_META_FILE_NAME)
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def _recorded(where: str, tag: str | None) -> dict[str, str]:
    """The digests recorded at training, from the model-version tag."""
    if tag is None:
        raise RefusedModel(
            f"{where} is refused: it has no SHA-256 digests in the registry (model-version tag {DIGESTS_TAG}), so it was"
            " registered outside RiskHub's training or before RiskHub checked model files; retrain it with `riskhub train`"
        )
    try:
        digests = json.loads(tag)
    except json.JSONDecodeError:
        digests = None
    if not isinstance(digests, dict) or not digests:
        raise RefusedModel(
            f"{where} is refused: its model-version tag {DIGESTS_TAG} is not the JSON object of file digests RiskHub writes; {REMEDY}"
        )
    return digests


def _differences(recorded: dict[str, str], found: dict[str, str]) -> list[str]:
    """What changed since training, file by file, in words."""
    changed = [f"file {f} was changed" for f in recorded if f in found and found[f] != recorded[f]]
    missing = [f"file {f} is missing" for f in recorded if f not in found]
    added = [f"file {f} was added" for f in found if f not in recorded]
    return changed + missing + added


def load_checked(name: str, version: str, folder: Path, tag: str | None) -> object:
    """The estimator of a model version downloaded to `folder`, once every file matches the digests recorded at
    training (`tag`); read with skops and RiskHub's trusted types only."""
    where = f"model {name} version {version}"
    differences = _differences(_recorded(where, tag), file_digests(folder))
    if differences:
        raise RefusedModel(
            f"{where} is refused: {'; '.join(differences)} since training (SHA-256 digests in model-version tag"
            f" {DIGESTS_TAG}); {REMEDY}"
        )
    try:
        return skops.io.loads((folder / MODEL_FILE).read_bytes(), trusted=SKOPS_TRUSTED_TYPES)
    except (FileNotFoundError, zipfile.BadZipFile, UntrustedTypesFoundException) as error:
        raise RefusedModel(
            f"{where} is refused: its estimator is not a skops file ({MODEL_FILE}) of types RiskHub trusts ({error});"
            " retrain it with `riskhub train`"
        ) from error
