"""Deployment: the configuration compose.yaml mounts (nginx, Prometheus, Grafana, the OpenTelemetry
collector) and the same topology run natively on one machine (``python -m deploy.cluster``)."""
