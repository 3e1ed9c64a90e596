"""A batch sent as an Arrow IPC stream (a DataFrame's columns as they are in memory), validated as strictly as JSON.

A JSON body of 10,000 rows is some 5 MB of text whose every number becomes a Python float before it reaches
numpy: reading it costs about as much as scoring it. An Arrow stream carries each column as one typed buffer,
so numbers go straight to float arrays. The rules are the JSON schemas': every input once (`client_id`
optional), no other column, numbers (integers, floats or decimals) for numeric inputs, booleans for flags, text
(or text categories) for labels, nulls for unknown values, no NaN or infinity (the first such row of a column
is named), at most the batch cap of rows, and nothing after the stream's end.
"""

from collections import Counter

import numpy as np
import pyarrow as pa

from riskhub_assets.api.inputs import Inputs

MEDIA_TYPE = "application/vnd.apache.arrow.stream"
"""The body's content type (IANA's name for the Arrow IPC stream format)."""


class Refused(Exception):
    """The body breaks the schema: `problems` lists each (location, message), as pydantic's errors would."""

    def __init__(self, problems: list[tuple[tuple, str]]):
        super().__init__(problems)
        self.problems = problems


def stream(table: pa.Table) -> bytes:
    """A table as an Arrow IPC stream: the body a client sends (`pa.Table.from_pandas(frame, preserve_index=False)`)."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def _fits(kind: type, arrow_type: pa.DataType) -> bool:
    """Whether a column of this Arrow type holds what the JSON schema accepts for an input of this kind (a
    dictionary-encoded column, a pandas categorical, by the type of its values)."""
    if pa.types.is_dictionary(arrow_type):
        return _fits(kind, arrow_type.value_type)
    if pa.types.is_null(arrow_type):
        return True  # a column of nulls: every value unknown
    if kind is str:
        return (
            pa.types.is_string(arrow_type)
            or pa.types.is_large_string(arrow_type)
            or pa.types.is_string_view(arrow_type)
        )
    if kind is bool:
        return pa.types.is_boolean(arrow_type)
    return pa.types.is_integer(arrow_type) or pa.types.is_floating(arrow_type) or pa.types.is_decimal(arrow_type)


_EXPECTED = {str: "text", bool: "booleans", float: "numbers"}


def _read_table(body: bytes) -> tuple[pa.Table, list[str]]:
    """The stream's table, checked to the last byte (a corrupt buffer must not reach numpy), and its column names.
    The body must be that one stream: bytes after its end (a second stream, trailing data) refuse it whole."""
    source = pa.BufferReader(body)
    try:
        table = pa.ipc.open_stream(source).read_all()
        table.validate(full=True)  # offsets, UTF-8, dictionary indices: the stream reader checks only the layout
    except (pa.ArrowException, UnicodeDecodeError, OSError) as error:
        raise Refused([((), f"the body is not a valid Arrow IPC stream: {error}")]) from None
    left = len(body) - source.tell()
    if left:
        problem = f"{left:,} bytes follow the end of the Arrow IPC stream (a second stream or trailing data)"
        raise Refused([((), f"{problem}: send one stream, all of its record batches before its end")])
    return table, table.column_names


def _values(column: pa.ChunkedArray, kind: type) -> list | np.ndarray:
    """Text as a list (None unknown); numbers and flags as floats (NaN unknown, flags 0/1; integers beyond 2**53
    round to the nearest float, as JSON numbers do)."""
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    return column.cast(pa.string()).to_pylist() if kind is str else column.cast(pa.float64(), safe=False).to_numpy()


def arrow_inputs(body: bytes, columns: dict[str, type], limit: int, optional: tuple[str, ...] = ()) -> Inputs:
    """The validated columns of an Arrow stream, as `_values` gives them. `optional` columns (text) may be left
    out; Refused lists every problem found."""
    table, names = _read_table(body)
    twice = sorted(name for name, count in Counter(names).items() if count > 1)
    if twice:
        raise Refused([((name,), "the column is given more than once") for name in twice])
    expected = {**columns, **dict.fromkeys(optional, str)}
    problems = [((name,), "Field required") for name in columns if name not in names]
    problems += [((name,), "Extra inputs are not permitted") for name in names if name not in expected]
    if table.num_rows > limit:
        problems.append(((), f"at most {limit:,} rows a request, not {table.num_rows:,}"))
    values = {}
    for name in (name for name in names if name in expected):
        kind, column = expected[name], table.column(name)
        if not _fits(kind, column.type):
            problems.append(((name,), f"Input should be {_EXPECTED[kind]}, not {column.type}"))
            continue
        try:
            values[name] = _values(column, kind)
        except pa.ArrowException as error:
            problems.append(((name,), f"these values cannot be read: {error}"))
            continue
        if kind is float and not pa.types.is_null(column.type):
            unknown = column.is_null().to_numpy()
            finite = np.isfinite(values[name]) | unknown  # NaN is a value here; null is unknown
            if not finite.all():
                problems.append(((name, int(np.argmin(finite))), "Input should be a finite number"))
    if problems:
        raise Refused(problems)
    return Inputs(values, table.num_rows)
