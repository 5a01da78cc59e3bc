"""The nginx configuration passes `nginx -t`, as the native cluster generates it and as compose
mounts it, and the two share everything but the upstream list."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from deploy.cluster import UPSTREAM_SERVER_PARAMETERS, Nginx
from deploy.cluster.services import NGINX
from infra.settings import Settings
from tests.support.servers import PROJECT

NGINX_DIR = PROJECT / "deploy" / "nginx"


def _seconds(directive: str, text: str) -> int:
    found = re.search(rf"^\s*{directive}\s+(\d+)s;", text, re.MULTILINE)
    assert found, directive
    return int(found.group(1))


def test_cluster_config_passes_nginx_t(tmp_path: Path) -> None:
    # given the configuration the native cluster writes for 4 instances
    nginx = Nginx(tmp_path, port=18080)
    nginx.write_config([18081, 18082, 18083, 18084])

    # when nginx checks it
    checked = nginx.check()

    # then it is valid and includes the shared files
    assert checked.returncode == 0, checked.stderr
    config = nginx.config.read_text()
    for shared in ("http.conf", "upstream.conf", "proxy.conf"):
        assert f"include {NGINX_DIR / shared};" in config
    assert config.count(UPSTREAM_SERVER_PARAMETERS) == 4


def test_compose_config_passes_nginx_t(tmp_path: Path) -> None:
    # given compose's file laid out as in the nginx container (conf.d + /etc/nginx/eroom)
    (tmp_path / "eroom").symlink_to(NGINX_DIR)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path / 'nginx.pid'};\nevents {{}}\n"
        f"http {{\n    include {NGINX_DIR / 'compose.conf'};\n}}\n"
    )

    # when nginx checks it
    checked = subprocess.run(
        [NGINX, "-t", "-q", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-e", "stderr"],
        capture_output=True,
        text=True,
        check=False,
    )

    # then it is valid, with the same upstream parameters as the cluster's
    assert checked.returncode == 0, checked.stderr
    servers = re.findall(
        r"^[ \t]*server[ \t]+\S+[ \t]+(.+);", (NGINX_DIR / "compose.conf").read_text(), re.MULTILINE
    )
    assert servers and all(parameters == UPSTREAM_SERVER_PARAMETERS for parameters in servers)


def test_websockets_outlive_the_server_ping_interval() -> None:
    # given the shared proxy settings and the default ping interval
    proxy = (NGINX_DIR / "proxy.conf").read_text()
    ping = Settings().ws_keepalive_interval

    # then upgrades pass through and an idle socket is not cut between two pings
    assert "proxy_set_header Upgrade $http_upgrade;" in proxy
    assert "proxy_set_header Connection $connection_upgrade;" in proxy
    assert _seconds("proxy_read_timeout", proxy) > 2 * ping
    assert _seconds("proxy_send_timeout", proxy) > 2 * ping


def test_refused_connections_go_to_the_next_instance_without_replaying_sent_requests() -> None:
    proxy = (NGINX_DIR / "proxy.conf").read_text()

    # (without non_idempotent: a POST that reached an instance is never sent to another)
    assert re.findall(r"^\s*proxy_next_upstream\s+(.+);", proxy, re.MULTILINE) == ["error timeout"]


def test_upstream_keepalive_closes_before_uvicorn_does() -> None:
    # uvicorn closes a keep-alive connection idle for 5 s (its timeout_keep_alive default)
    upstream = (NGINX_DIR / "upstream.conf").read_text()

    assert _seconds("keepalive_timeout", upstream) < 5
