"""The dashboard's calls to the scoring API, with its key when the API's keys are on."""

import json
import os
import urllib.request

API_URL = os.environ.get("RISKHUB_API_URL", "http://127.0.0.1:8000")
KEY_VAR = "RISKHUB_API_KEY"
"""The dashboard's own key (scope scoring): `riskhub api-key dashboard --scopes scoring`."""


def call(path: str, body: dict | None = None) -> dict:
    """The API's JSON answer to a GET (or a POST of `body`), sent with RISKHUB_API_KEY as a bearer token if set."""
    data = None if body is None else json.dumps(body).encode()
    key = os.environ.get(KEY_VAR, "")
    headers = {"Content-Type": "application/json"} | ({"Authorization": f"Bearer {key}"} if key else {})
    request = urllib.request.Request(f"{API_URL}{path}", data, headers)
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.load(response)
