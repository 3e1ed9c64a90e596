"""The fake champions every API test module serves (built once per module from tiny simulated data)."""

from riskhub_assets_tests.api.test_app import models  # noqa: F401
