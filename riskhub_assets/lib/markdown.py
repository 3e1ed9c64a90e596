"""Small Markdown renderings of query results for the Dagster UI."""


def markdown_table(columns: list[str], rows: list[tuple]) -> str:
    """A Markdown table of rows, values shown as text, long ones cut."""

    def cell(value: object) -> str:
        text = "" if value is None else str(value).replace("|", "\\|").replace("\n", " ")
        return text if len(text) <= 40 else text[:37] + "..."

    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)
