"""Request schemas follow the model's signature, including inputs a bank never sends."""

import numpy as np
import pandas as pd
import pydantic
import pytest
from mlflow.models import infer_signature

from riskhub_assets.api.request_schemas import input_types, request_schema


def test_inputs_never_filled_in_training_are_still_accepted_as_null_or_their_kind():
    training = pd.DataFrame(
        {
            "segment": pd.Series([None, None], dtype=object),  # the bank sends no segment at all
            "pep_flag": pd.Series([True, pd.NA], dtype="boolean"),
            "hour_of_day": pd.Series([10, pd.NA], dtype="Int32"),
            "age_years": [np.nan, np.nan],
        }
    )
    types = input_types(infer_signature(training, pd.DataFrame({"pd": [0.1, 0.2]})))
    assert types == {"segment": str, "pep_flag": bool, "hour_of_day": float, "age_years": float}
    schema = request_schema("default", types)
    assert schema(segment=None, pep_flag=None, hour_of_day=None, age_years=None).segment is None
    with pytest.raises(pydantic.ValidationError):
        schema(segment=3.0, pep_flag=None, hour_of_day=None, age_years=None)
