"""The HTTP side of `serve` ([http] listen): /metrics for Prometheus, /healthz for a load
balancer, systemd or a person. A thread per request in the daemon's own process.

prometheus_client serves /metrics (its WSGI app); wsgiref routes the two paths, as
prometheus_client's own start_http_server answers every path with the metrics.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

from prometheus_client import CollectorRegistry, make_wsgi_app
from prometheus_client.exposition import ThreadingWSGIServer

log = logging.getLogger("mailgate.http")

HealthCheck = Callable[[], tuple[bool, dict[str, object]]]


class ListenError(Exception):
    """The [http] listen address cannot be bound (taken, not ours)."""


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        log.debug("http: " + format, *args)


class _Server6(ThreadingWSGIServer):
    address_family = socket.AF_INET6


def make_app(registry: CollectorRegistry, health: HealthCheck) -> Callable[..., Iterable[bytes]]:
    metrics = make_wsgi_app(registry)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/metrics":
            return metrics(environ, start_response)
        if path == "/healthz":
            healthy, body = health()
            start_response("200 OK" if healthy else "503 Service Unavailable",
                           [("Content-Type", "application/json")])
            return [json.dumps(body).encode()]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"mailgate: /metrics or /healthz\n"]

    return app


class HttpServer:
    def __init__(self, host: str, port: int, registry: CollectorRegistry,
                 health: HealthCheck) -> None:
        server_class = _Server6 if ":" in host else ThreadingWSGIServer
        try:
            self.server = make_server(host, port, make_app(registry, health),
                                      server_class=server_class, handler_class=_QuietHandler)
        except OSError as exc:
            raise ListenError(
                f"http.listen: cannot listen on {host}:{port}: {exc.strerror or exc}"
            ) from None
        self.port: int = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, name="http",
                                       daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        if self.thread.is_alive():  # shutdown() waits for a serve_forever that never began
            self.server.shutdown()
        self.server.server_close()
