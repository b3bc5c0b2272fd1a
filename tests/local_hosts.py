"""Simulated web hosts for fetch tests: one real HTTP server on 127.0.0.1 per host, scripted.

    with Host({"/feed.json": Reply(body=b"[]")}) as host:
        host.url("/feed.json")

A route is a Reply, a list of Replies (served in turn, the last one repeating) or a function of
the request path and headers returning a Reply. Unrouted paths answer 404 (so robots.txt is absent
unless routed). Every request is recorded in host.requests.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """One scripted response: status, headers, body (or streamed chunks), optional stall."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    chunks: Callable[[], Iterable[bytes]] | None = None  # streamed without Content-Length
    stall: float = 0.0  # seconds to wait before answering (for timeouts)


@dataclass
class Seen:
    """One request a host received."""

    path: str
    headers: dict[str, str]
    at: float


Route = Reply | list[Reply] | Callable[[str, dict[str, str]], Reply]


class _Server(ThreadingHTTPServer):
    """A threading HTTP server that stays quiet when a client drops a kept-alive connection."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Print the traceback of a failed request, unless the client just hung up."""
        if isinstance(sys.exc_info()[1], ConnectionResetError | BrokenPipeError):
            return
        super().handle_error(request, client_address)


class Host:
    """A scripted HTTP server on 127.0.0.1 (its own port: its own politeness key)."""

    def __init__(self, routes: dict[str, Route] | None = None) -> None:
        """Start serving `routes` on a free port."""
        self.routes: dict[str, Route] = dict(routes or {})
        self.requests: list[Seen] = []
        self._turns: dict[str, int] = {}
        self._lock = threading.Lock()
        host = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                host._serve(self)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)
        self._thread.start()

    def url(self, path: str = "/") -> str:
        """Return the absolute URL of `path` on this host."""
        return f"http://127.0.0.1:{self.port}{path}"

    def paths(self) -> list[str]:
        """Return the paths requested so far, in order."""
        return [r.path for r in self.requests]

    def _reply(self, path: str, headers: dict[str, str]) -> Reply:
        """Return the scripted reply for a request."""
        route = self.routes.get(path)
        if route is None:
            return Reply(404, b"not found")
        if callable(route):
            return route(path, headers)
        if isinstance(route, list):
            with self._lock:
                turn = self._turns.get(path, 0)
                self._turns[path] = turn + 1
            return route[min(turn, len(route) - 1)]
        return route

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        """Answer one request."""
        headers = {k.lower(): v for k, v in handler.headers.items()}
        with self._lock:
            self.requests.append(Seen(handler.path, headers, time.monotonic()))
        reply = self._reply(handler.path, headers)
        if reply.stall:
            time.sleep(reply.stall)
        try:
            handler.send_response(reply.status)
            for key, value in reply.headers.items():
                handler.send_header(key, value)
            if reply.chunks is not None:
                handler.send_header("Connection", "close")
                handler.end_headers()
                for chunk in reply.chunks():
                    handler.wfile.write(chunk)
                handler.close_connection = True
                return
            handler.send_header("Content-Length", str(len(reply.body)))
            handler.end_headers()
            if reply.status != 304:
                handler.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            handler.close_connection = True

    def close(self) -> None:
        """Stop the server."""
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> Host:
        """Return the running host."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop the server."""
        self.close()


def closed_port() -> int:
    """Return a port on 127.0.0.1 with nothing listening (connections are refused)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
