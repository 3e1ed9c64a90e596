"""The JSON Schema of the daily report, published as docs/daily_report.schema.json."""

import jsonschema

SCHEMA_VERSION = "1.0.0"
"""The report schema's version: a breaking change bumps the major number, an added optional field the minor."""

_NUMBER = {"type": "number"}
_COUNT = {"type": "integer", "minimum": 0}
_SHARE = {"type": "number", "minimum": 0, "maximum": 1}
_TEXT = {"type": "string"}


def _object(properties: dict, required: list[str] | None = None) -> dict:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        "additionalProperties": False,
    }


def _nullable(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


REPORT_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": f"https://riskhub.example/schemas/daily_report/{SCHEMA_VERSION}",
    "title": "RiskHub daily report",
    "description": "One business day: KPIs, the models that scored it, score distributions, top alerts, data tests.",
    **_object(
        {
            "schema_version": {"const": SCHEMA_VERSION},
            "business_date": {"type": "string", "format": "date"},
            "generated_at": {"type": "string", "format": "date-time"},
            "portfolio": _object(
                {
                    name: _COUNT
                    for name in (
                        "active_clients",
                        "active_accounts",
                        "new_accounts",
                        "closed_accounts",
                        "transacting_clients",
                        "defaults",
                        "complaints",
                    )
                }
            ),
            "transactions_by_channel": {
                "type": "array",
                "items": _object(
                    {
                        "channel": _TEXT,
                        "currency": _TEXT,
                        "transactions": _COUNT,
                        "debit_value": _nullable(_NUMBER),
                        "credit_value": _nullable(_NUMBER),
                    }
                ),
            },
            "models": {
                "type": "array",
                "items": _object(
                    {
                        "name": _TEXT,
                        "version": _TEXT,
                        "score_table": {"enum": ["default_scores", "churn_scores", "anomaly_flags"]},
                    }
                ),
            },
            "default_by_grade": {
                "type": "array",
                "items": _object({"grade": _TEXT, "clients": _COUNT, "average_probability_of_default": _SHARE}),
            },
            "exposure_by_grade": {
                "type": "array",
                "items": _object(
                    {"grade": _TEXT, "currency": _TEXT, "exposure": _NUMBER, "expected_loss_proxy": _NUMBER}
                ),
            },
            "churn_by_band": {
                "type": "array",
                "items": _object({"risk_band": _TEXT, "clients": _COUNT, "average_churn_probability": _SHARE}),
            },
            "anomalies": _object(
                {
                    "transactions": _COUNT,
                    "flagged": _COUNT,
                    "alert_rate": _SHARE,
                    "top_alerts": {
                        "type": "array",
                        "items": _object(
                            {
                                "transaction_id": _TEXT,
                                "client_id": _TEXT,
                                "amount": _NUMBER,
                                "currency": _TEXT,
                                "channel": _TEXT,
                                "anomaly_score": _NUMBER,
                                "reasons": {"type": "array", "items": _TEXT},
                            }
                        ),
                    },
                }
            ),
            "checks": _object(
                {
                    "passed": _COUNT,
                    "failed": _COUNT,
                    "results": {
                        "type": "array",
                        "items": _object(
                            {
                                "asset": _TEXT,
                                "check": _TEXT,
                                "passed": {"type": "boolean"},
                                "severity": {"enum": ["ERROR", "WARN"]},
                                "description": _nullable(_TEXT),
                            }
                        ),
                    },
                }
            ),
        }
    ),
}


def validate_report(report: dict) -> None:
    """Raise jsonschema.ValidationError, saying which field is wrong, if the report does not follow the schema."""
    jsonschema.validate(report, REPORT_SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
