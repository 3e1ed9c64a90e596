# RiskHub: the Dagster UI and daemon, the scoring API and the dashboard over the data folder /app/data.
FROM python:3.11-slim

ENV UV_LINK_MODE=copy PYTHONUNBUFFERED=1
WORKDIR /app
RUN pip install --no-cache-dir uv==0.13.8

COPY pyproject.toml uv.lock README.md ./
RUN uv sync --locked --no-dev --no-install-project
COPY riskhub_assets ./riskhub_assets
COPY workspace.yaml ./
RUN uv sync --locked --no-dev

# Set a real key at run time: docker run -e RISKHUB_PSEUDONYMISATION_KEY=... -p 3000:3000 -p 8000:8000 -p 8501:8501 riskhub
EXPOSE 3000 8000 8501
VOLUME ["/app/data"]
CMD ["uv", "run", "--locked", "--no-dev", "riskhub", "serve", "--host", "0.0.0.0"]
