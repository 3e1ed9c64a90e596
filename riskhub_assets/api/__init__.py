"""The scoring API over the MLflow registry's champion models."""
