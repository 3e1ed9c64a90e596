"""The OpenAPI document is true to every answer: schemathesis sends requests generated from it (valid and invalid)
to every operation and checks each answer against it (status declared, content type, schema, valid data accepted,
invalid data refused), with authentication on and a key of every scope (and without it: each 401 declared)."""

import hypothesis
import schemathesis
from schemathesis.checks import not_a_server_error

from riskhub_assets.api import access
from riskhub_assets.api import app as api

EXAMPLES = 20
"""Generated requests per operation and mode: enough to reach each answer, little enough to stay under a minute."""


def no_crash(ctx, response, case) -> bool | None:
    """No 5xx but a declared 503 (a model without champion, nothing published): never a crash."""
    if response.status_code >= 500 and response.status_code != 503:
        raise AssertionError(f"{case.method} {case.path} answered {response.status_code}: {response.text[:300]}")
    return None


def key_taken(ctx, response, case) -> bool | None:
    """A valid request carries the key of every scope: a 401 or 403 would mean the run never got past the keys."""
    if case.meta is not None and case.meta.generation.mode.is_positive and response.status_code in (401, 403):
        raise AssertionError(f"{case.method} {case.path} refused a valid request with the key: {response.text[:200]}")
    return None


def _consistent(case):
    """A generated batch made to hold what JSON Schema cannot say (the batch's description says it): columns of one
    length, and the model named by `?model=` the body's own."""
    body = case.body if isinstance(case.body, dict) else {}
    if isinstance(body.get("columns"), dict):
        arrays = [v for v in body["columns"].values() if isinstance(v, list)]
        shortest = min((len(a) for a in arrays), default=0)
        body["columns"] = {k: v[:shortest] if isinstance(v, list) else v for k, v in body["columns"].items()}
    if case.query and "model" in case.query and "model" in body:
        case.query["model"] = body["model"]
    return case


def _failures(operation, mode: schemathesis.GenerationMode) -> list[str]:
    """What schemathesis found wrong with one operation's answers to requests it generated in this mode."""
    found = []

    cases = operation.as_strategy(generation_mode=mode)

    @hypothesis.given(case=cases.map(_consistent) if mode == schemathesis.GenerationMode.POSITIVE else cases)
    @hypothesis.settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(hypothesis.HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    )
    def run(case):
        try:
            case.call_and_validate(excluded_checks=[not_a_server_error], additional_checks=[no_crash, key_taken])
        except Exception as error:  # noqa: BLE001 - every failure is reported, not only the first
            found.append(f"{operation.label} ({mode.value}): {error}")

    try:
        run()
    except hypothesis.errors.Unsatisfiable:  # nothing to make invalid: an operation without parameters or body
        assert mode == schemathesis.GenerationMode.NEGATIVE, operation.label
    return found


def test_every_answer_is_the_one_the_openapi_document_declares(models, monkeypatch, tmp_path):
    monkeypatch.setenv("RISKHUB_BI_DIR", str(tmp_path))  # nothing published: the insight endpoints answer 503
    secret, key = access.new_key("tester", list(access.SCOPES))
    monkeypatch.setenv(access.AUTH_VAR, "on")
    monkeypatch.setenv(access.KEYS_VAR, key.entry())
    schema = schemathesis.openapi.from_asgi("/openapi.json", api.create_app(models))
    schema.config.update(headers={"Authorization": f"Bearer {secret}"})  # schemathesis knows the key is given
    failures = [
        failure
        for result in schema.get_all_operations()
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
        for failure in _failures(result.ok(), mode)
    ]
    assert not failures, "\n\n".join(failures[:10])
