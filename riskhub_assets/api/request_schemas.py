"""What a request must hold for a served model: the input columns of its MLflow signature, as strict schemas."""

import pydantic

CLIENT_MODELS = ("default", "churn")
"""The models that score clients: a request may name the client (`client_id`), and the answer repeats it."""

_TYPES = {"string": str, "boolean": bool, None: str}
"""Python type per signature type (numbers are floats); a label column the model never saw filled (a bank that
does not send it) has no inferred type and is taken as text."""


def signature_columns(name: str, version: str) -> dict[str, type]:
    """The input columns and Python types of a registered model version's signature."""
    import mlflow

    return input_types(mlflow.models.get_model_info(f"models:/{name}/{version}").signature)


def input_types(signature) -> dict[str, type]:
    """The input columns of an MLflow signature and the Python type a request gives each (always nullable)."""
    return {c.name: _TYPES.get(getattr(c.type, "name", None), float) for c in signature.inputs.inputs}


def request_schema(kind: str, columns: dict[str, type]) -> type[pydantic.BaseModel]:
    """A strict request body: every input named (null for unknown), no other field, numbers finite."""
    fields = {name: (kind_ | None, ...) for name, kind_ in columns.items()}
    if kind in CLIENT_MODELS:
        fields["client_id"] = (str | None, None)
    config = pydantic.ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)
    return pydantic.create_model(f"{kind.title()}Request", __config__=config, **fields)


def columns_schema(kind: str, columns: dict[str, type], limit: int) -> type[pydantic.BaseModel]:
    """A strict columnar batch: every input named once with an array of up to `limit` values (null for unknown),
    all arrays of one length, no other field, numbers finite."""
    fields = {name: (list[kind_ | None], pydantic.Field(..., max_length=limit)) for name, kind_ in columns.items()}
    if kind in CLIENT_MODELS:
        fields["client_id"] = (list[str | None] | None, pydantic.Field(None, max_length=limit))
    config = pydantic.ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)
    checks = {"one_length": pydantic.model_validator(mode="after")(_one_length)}
    return pydantic.create_model(f"{kind.title()}Columns", __config__=config, __validators__=checks, **fields)


def _one_length(columns: pydantic.BaseModel) -> pydantic.BaseModel:
    """Refuse columns of different lengths, naming those that differ from the most common length."""
    lengths = {name: len(values) for name, values in vars(columns).items() if values is not None}
    common = max(set(lengths.values()), key=list(lengths.values()).count)
    odd = [f"{name} has {n}" for name, n in lengths.items() if n != common]
    if odd:
        raise ValueError(f"every column needs one value per row: most have {common} values, {', '.join(odd)}")
    return columns
