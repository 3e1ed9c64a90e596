"""Loading the definitions (what the UI, the daemon and every run worker do first) does not import the ML stack:
scikit-learn, XGBoost, MLflow and matplotlib are imported by the steps that train, score or plot, when they run."""

import json
import subprocess
import sys

ML_STACK = ("sklearn", "xgboost", "mlflow", "matplotlib", "skops", "dagster_mlflow")


def test_loading_the_definitions_imports_no_ml_library():
    probe = (
        "import json, sys; import riskhub_assets.definitions;"
        f" print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {ML_STACK!r})))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True).stdout
    assert json.loads(loaded.splitlines()[-1]) == []
