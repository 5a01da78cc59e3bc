"""compose.yaml, parsed (no Docker daemon here): the services, their healthchecks and start order,
and the files it mounts from deploy/."""

from __future__ import annotations

from typing import Any

import yaml

from tests.support.servers import PROJECT

COMPOSE = yaml.safe_load((PROJECT / "compose.yaml").read_text())
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
REPLICAS = ("app1", "app2")
HEALTHCHECKED = ("postgres", "redis", *REPLICAS, "nginx", "prometheus", "grafana")


def test_compose_has_every_service_of_the_topology() -> None:
    assert set(SERVICES) >= {"postgres", "redis", "migrate", *REPLICAS, "nginx", "prometheus", "grafana"}
    assert SERVICES["postgres"]["image"].startswith("postgres:15")
    assert SERVICES["redis"]["image"].startswith("redis:7")
    assert SERVICES["otel-collector"]["profiles"] == ["tracing"]


def test_long_running_services_have_healthchecks() -> None:
    for name in HEALTHCHECKED:
        check = SERVICES[name].get("healthcheck", {})
        assert check.get("test") and not check.get("disable"), name


def test_replicas_serve_only_after_migrations_and_check_readiness() -> None:
    for name in REPLICAS:
        replica = SERVICES[name]
        assert replica.get("command") is None  # the image's: python main.py serve
        assert replica["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert "/ready" in " ".join(replica["healthcheck"]["test"])
        assert replica["env_file"] == "deploy/eroom.env"
    assert SERVICES["migrate"]["command"] == ["python", "main.py", "migrate"]
    assert SERVICES["migrate"]["restart"] == "no"
    assert SERVICES["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_nginx_routes_to_every_replica_at_its_fixed_address() -> None:
    upstream = (PROJECT / "deploy" / "nginx" / "compose.conf").read_text()
    addresses = [SERVICES[name]["networks"]["eroom"]["ipv4_address"] for name in REPLICAS]

    assert all(f"server {address}:8000 " in upstream for address in addresses)
    assert SERVICES["nginx"]["depends_on"] == {name: {"condition": "service_healthy"} for name in REPLICAS}
    nginx_address = SERVICES["nginx"]["networks"]["eroom"]["ipv4_address"]
    assert all(SERVICES[name]["environment"]["FORWARDED_ALLOW_IPS"] == nginx_address for name in REPLICAS)


def test_stop_grace_period_outlasts_the_drain() -> None:
    shared = dict(
        line.split("=", 1)
        for line in (PROJECT / "deploy" / "eroom.env").read_text().splitlines()
        if line and not line.startswith("#")
    )
    budget = float(shared["DRAIN_SECONDS"]) + float(shared["SHUTDOWN_TIMEOUT"])

    for name in REPLICAS:
        assert float(SERVICES[name]["stop_grace_period"].removesuffix("s")) > budget


def test_prometheus_scrapes_every_replica() -> None:
    config = yaml.safe_load((PROJECT / "deploy" / "prometheus" / "prometheus.yml").read_text())
    targets = [t for job in config["scrape_configs"] for c in job["static_configs"] for t in c["targets"]]

    assert sorted(targets) == [f"{name}:8000" for name in REPLICAS]


def test_mounted_files_exist() -> None:
    for service in SERVICES.values():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("./"):
                assert (PROJECT / source).exists(), source
