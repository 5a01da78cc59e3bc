"""The native cluster: nginx (deploy/nginx/) in front of N instances on PostgreSQL + Redis, on
loopback, from the same configuration files as compose.yaml."""

from deploy.cluster.cluster import Cluster
from deploy.cluster.instances import Instance
from deploy.cluster.services import UPSTREAM_SERVER_PARAMETERS, Nginx, nginx_config

__all__ = ["UPSTREAM_SERVER_PARAMETERS", "Cluster", "Instance", "Nginx", "nginx_config"]
