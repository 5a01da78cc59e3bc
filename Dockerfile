# E-room: one image for every app replica and for the one-shot migration.
#   docker build -t eroom .
#   docker run eroom python main.py migrate     (once per release, before the replicas)
#   docker run -p 8000:8000 eroom               (python main.py serve)
# The commands below are the Makefile's (`make assets`, `make install`); tests/deploy checks it.

# GraphiQL's browser assets, from the npm registry pinned by the lock file.
FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY clients/graphiql/package.json clients/graphiql/package-lock.json clients/graphiql/
RUN npm ci --prefix clients/graphiql --no-audit --no-fund --loglevel=error
RUN rm -rf static/vendor && mkdir -p static/vendor/graphiql static/vendor/react static/vendor/react-dom \
    && cp clients/graphiql/node_modules/graphiql/graphiql.min.js clients/graphiql/node_modules/graphiql/graphiql.min.css static/vendor/graphiql/ \
    && cp clients/graphiql/node_modules/react/umd/react.production.min.js static/vendor/react/ \
    && cp clients/graphiql/node_modules/react-dom/umd/react-dom.production.min.js static/vendor/react-dom/

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 \
    HOST=0.0.0.0 PORT=8000 MEDIA_DIR=/app/var/media
WORKDIR /app
# The pinned dependencies first: this layer is rebuilt only when pyproject.toml changes.
COPY pyproject.toml README.md ./
RUN python -m pip install -q --upgrade pip \
    && python -m pip install -q .
COPY . .
COPY --from=assets /src/static/vendor static/vendor
RUN useradd --system --uid 10001 --home-dir /app eroom \
    && mkdir -p var/media && chown -R eroom:eroom var
USER eroom
EXPOSE 8000
# Liveness; the load balancer's readiness is /ready. stop_grace_period must exceed
# DRAIN_SECONDS + SHUTDOWN_TIMEOUT (see docs/DEPLOY.md).
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2)"]
CMD ["python", "main.py", "serve"]
