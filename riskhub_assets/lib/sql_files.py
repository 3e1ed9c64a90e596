"""Static SQL, read from the package's sql/<stage>/<name>.sql files (shipped in the wheel beside the modules)."""

from functools import cache
from importlib.resources import files


@cache
def read_sql(stage: str, name: str) -> str:
    """The text of lib/sql/<stage>/<name>.sql, read once per process."""
    return (files(__package__) / "sql" / stage / f"{name}.sql").read_text(encoding="utf-8")
