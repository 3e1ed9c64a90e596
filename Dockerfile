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

# Production: a secret pseudonymisation key and API keys are required; without keys nothing starts (README: Serving
# beyond this machine). The API listens on 8000; the Dagster UI and the dashboard only on the container's 127.0.0.1,
# reached through the authenticating proxy of deploy/proxy/nginx.conf on 8080 and 8081 (sharing this container's
# network):
#   docker run --name riskhub -e RISKHUB_PSEUDONYMISATION_KEY=... -e RISKHUB_API_KEYS_FILE=/run/keys \
#     -e RISKHUB_API_KEY=... -v $PWD/keys:/run/keys:ro -v $PWD/data:/app/data -p 8000:8000 -p 8080:8080 -p 8081:8081 riskhub
#   docker run --network container:riskhub -v $PWD/deploy/proxy/nginx.conf:/etc/nginx/conf.d/default.conf:ro nginx
ENV RISKHUB_ENV=production
EXPOSE 8000 8080 8081
VOLUME ["/app/data"]
CMD ["uv", "run", "--locked", "--no-dev", "riskhub", "serve", "--host", "0.0.0.0"]
