"""Local stand-ins for the alert destinations: an SMTP server and a webhook, on 127.0.0.1.

Both record what they receive and bind to a free loopback port; nothing leaves the machine.
The SMTP server speaks just enough of RFC 5321 for smtplib (no TLS, no login).
"""

from __future__ import annotations

import email
import json
import socketserver
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from email.policy import default
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class _SmtpHandler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        self._reply("220 localhost lagesbild test SMTP")
        lines: list[bytes] = []
        in_data = False
        while line := self.rfile.readline():
            if in_data:
                if line.rstrip(b"\r\n") == b".":
                    message = email.message_from_bytes(b"".join(lines), policy=default)
                    self.server.received.append(message)  # type: ignore[attr-defined]
                    lines, in_data = [], False
                    self._reply("250 OK")
                else:
                    # Undo the dot-stuffing and the wire's CRLF, as a mail client shows it.
                    line = line[1:] if line.startswith(b"..") else line
                    lines.append(line.rstrip(b"\r\n") + b"\n")
                continue
            command = line[:4].upper()
            if command == b"DATA":
                in_data = True
                self._reply("354 End data with <CR><LF>.<CR><LF>")
            elif command == b"QUIT":
                self._reply("221 Bye")
                return
            else:  # EHLO, HELO, MAIL, RCPT, RSET, NOOP
                self._reply("250 OK")

    def _reply(self, text: str) -> None:
        self.wfile.write(text.encode() + b"\r\n")


class _WebhookHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.received.append(  # type: ignore[attr-defined]
            {"content_type": self.headers.get("Content-Type"), "json": json.loads(body)}
        )
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"1")

    def log_message(self, *args: Any) -> None:
        pass


class _SmtpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


@contextmanager
def smtp_server() -> Iterator[tuple[int, list[EmailMessage]]]:
    """(port, received messages) of an SMTP server on 127.0.0.1 for the block's duration."""
    server = _SmtpServer(("127.0.0.1", 0), _SmtpHandler)
    server.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], server.received  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def webhook_server() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """(url, received JSON bodies) of an HTTP server on 127.0.0.1 for the block's duration."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _WebhookHandler)
    server.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", server.received  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()


def wait_for(condition: Callable[[], Any], timeout: float, what: str, step: float = 0.5) -> Any:
    """Poll until `condition()` is truthy; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
