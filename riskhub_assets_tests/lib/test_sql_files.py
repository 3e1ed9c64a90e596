"""The static SQL files pass the SQL linter (sqlfluff, DuckDB dialect, the repository's .sqlfluff) and are all used."""

from pathlib import Path

import pytest
from sqlfluff.core import FluffConfig, Linter

import riskhub_assets
from riskhub_assets.lib.sql_files import read_sql

PACKAGE = Path(riskhub_assets.__file__).parent
SQL_FILES = sorted((PACKAGE / "lib" / "sql").glob("*/*.sql"))


@pytest.fixture(scope="module")
def linter() -> Linter:
    return Linter(config=FluffConfig.from_path(str(PACKAGE.parent)))


@pytest.mark.parametrize("path", SQL_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_sql_file_passes_the_linter(linter: Linter, path: Path):
    violations = linter.lint_string(read_sql(path.parent.name, path.stem), fname=str(path)).get_violations()
    assert not violations, "\n".join(f"line {v.line_no}: {v.rule_code()} {v.desc()}" for v in violations)


def test_every_sql_file_is_named_in_the_code():
    """Each file's name appears as a string in the package's modules (a read_sql call, or the table it builds)."""
    code = "\n".join(p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py"))
    assert [p for p in SQL_FILES if f'"{p.stem}"' not in code and f"'{p.stem}'" not in code] == []
