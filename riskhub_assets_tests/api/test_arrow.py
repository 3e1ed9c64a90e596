"""Arrow batches: typed columns read straight into the inputs the models take, refused as strictly as JSON."""

import numpy as np
import pyarrow as pa
import pytest

from riskhub_assets.api import arrow
from riskhub_assets.api.inputs import Inputs, numbers

COLUMNS = {"segment": str, "balance": float, "has_card": bool}


def test_flags_labels_and_unknown_values_read_as_the_json_rows_would():
    table = pa.table(
        {
            "segment": pa.array(["mass", None, "private"]).dictionary_encode(),  # a pandas categorical
            "balance": pa.array([1, None, 3], type=pa.int64()),
            "has_card": pa.array([True, None, False]),
            "client_id": pa.array([None, None, None], type=pa.null()),
        }
    )
    inputs = arrow.arrow_inputs(arrow.stream(table), COLUMNS, limit=10, optional=("client_id",))
    as_json = Inputs.of_rows(
        [
            {"segment": "mass", "balance": 1.0, "has_card": True, "client_id": None},
            {"segment": None, "balance": None, "has_card": None, "client_id": None},
            {"segment": "private", "balance": 3.0, "has_card": False, "client_id": None},
        ]
    )
    assert inputs["segment"] == as_json["segment"] and inputs.get("client_id") == [None] * 3
    for column in ("balance", "has_card"):
        np.testing.assert_array_equal(numbers(inputs, column), numbers(as_json, column))
    assert len(inputs.part(slice(1, 3))) == 2 and inputs.part(slice(1, 3))["segment"] == [None, "private"]


@pytest.mark.parametrize(
    "column, values, where",
    [
        ("has_card", pa.array([1.0, 0.0]), ("has_card",)),  # a flag must be a boolean, as in JSON
        ("balance", pa.array([1.0, float("nan")]), ("balance", 1)),  # NaN is not a value (null is)
        ("segment", pa.array([1, 2]), ("segment",)),
    ],
)
def test_each_wrong_column_is_named(column, values, where):
    good = {"segment": pa.array(["a", "b"]), "balance": pa.array([1.0, 2.0]), "has_card": pa.array([True, False])}
    with pytest.raises(arrow.Refused) as refused:
        arrow.arrow_inputs(arrow.stream(pa.table({**good, column: values})), COLUMNS, limit=10)
    assert [loc for loc, _ in refused.value.problems] == [where]


def test_a_column_given_twice_is_refused():
    table = pa.Table.from_arrays([pa.array([1.0]), pa.array([2.0])], names=["balance", "balance"])
    with pytest.raises(arrow.Refused, match="more than once"):
        arrow.arrow_inputs(arrow.stream(table), COLUMNS, limit=10)


def test_text_of_any_arrow_string_type_is_read_and_undecodable_text_is_refused():
    views = pa.table({"segment": pa.array(["mass", None], type=pa.string_view()), "balance": [1.0, 2.0],
                      "has_card": [True, False]})  # fmt: skip
    assert arrow.arrow_inputs(arrow.stream(views), COLUMNS, limit=10)["segment"] == ["mass", None]
    categories = pa.DictionaryArray.from_arrays(pa.array([0, 0], pa.int8()), pa.array(["a"], type=pa.string_view()))
    with pytest.raises(arrow.Refused) as refused:  # pyarrow cannot decode these: a 422 for the column, not a 500
        arrow.arrow_inputs(arrow.stream(views.set_column(0, "segment", categories)), COLUMNS, limit=10)
    assert [loc for loc, _ in refused.value.problems] == [("segment",)]
    body = arrow.stream(views)
    with pytest.raises(arrow.Refused, match="not a valid Arrow IPC stream"):
        arrow.arrow_inputs(body.replace(b"mass", b"m\xffss"), COLUMNS, limit=10)  # not UTF-8


def test_a_corrupted_stream_is_refused_or_read_never_a_crash():
    table = pa.table({"segment": pa.array(["mass", "private", None] * 20).dictionary_encode(),
                      "balance": [1.5, None, 3.0] * 20, "has_card": [True, None, False] * 20})  # fmt: skip
    body, rng, outcomes = bytearray(arrow.stream(table)), np.random.default_rng(0), set()
    for _ in range(600):  # one byte changed: buffers, offsets, lengths or metadata
        corrupt = body.copy()
        corrupt[rng.integers(len(corrupt))] = rng.integers(256)
        try:
            arrow.arrow_inputs(bytes(corrupt), COLUMNS, limit=100)
            outcomes.add("read")
        except arrow.Refused:
            outcomes.add("refused")
    assert outcomes == {"read", "refused"}
