"""The two server processes, started from the commands in deploy/systemd, and their GraphQL API.

The ExecStart lines of the units are run as written, with /opt/lagesbild replaced by this
checkout and the webserver's port by a free one; the host stays the unit's 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path
from typing import Any

import psutil

from tests.service.receivers import wait_for
from tests.service.units import UNITS, parse_unit

REPO = Path(__file__).resolve().parents[2]
INSTALL_DIR = "/opt/lagesbild"


def unit_command(name: str, port: int) -> list[str]:
    (command,) = parse_unit(UNITS / name)["ExecStart"]
    words = shlex.split(command)
    venv_bin = Path(sys.executable).parent
    words[0] = str(venv_bin / Path(words[0]).name)
    words = [w.replace(INSTALL_DIR, str(REPO)) for w in words]
    if "-p" in words:
        words[words.index("-p") + 1] = str(port)
    return words


class GraphQL:
    def __init__(self, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}/graphql"

    def __call__(self, query: str, **variables: Any) -> dict[str, Any]:
        request = urllib.request.Request(
            self.url,
            data=json.dumps({"query": query, "variables": variables}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            body = json.loads(response.read())
        assert "errors" not in body, body["errors"]
        return body["data"]


@contextmanager
def started(command: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    """Run `command`; on exit stop it and every process it started (code servers, runs)."""
    with log.open("w") as out:
        process = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield process
    finally:
        stop_tree(process)


def stop_tree(process: subprocess.Popen) -> None:
    try:
        family = [psutil.Process(process.pid), *psutil.Process(process.pid).children(True)]
    except psutil.NoSuchProcess:
        family = []
    for member in family:
        with _gone():
            member.send_signal(signal.SIGTERM)
    _, alive = psutil.wait_procs(family, timeout=20)
    for member in alive:
        with _gone():
            member.kill()
    psutil.wait_procs(alive, timeout=10)
    process.wait(timeout=10)


def _gone() -> suppress:
    return suppress(psutil.NoSuchProcess)


@contextmanager
def dagster_service(env: dict[str, str], logs: Path, web_port: int) -> Iterator[GraphQL]:
    """Daemon and webserver running on `env`; yields the GraphQL client once code is loaded."""
    with ExitStack() as stack:
        daemon = stack.enter_context(
            started(unit_command("lagesbild-daemon.service", web_port), env, logs / "daemon.log")
        )
        web_command = unit_command("lagesbild-webserver.service", web_port)
        webserver = stack.enter_context(started(web_command, env, logs / "webserver.log"))
        graphql = GraphQL(web_port)

        def loaded() -> bool:
            for process, name in ((daemon, "daemon"), (webserver, "webserver")):
                if process.poll() is not None:
                    raise AssertionError(f"the {name} exited: {(logs / f'{name}.log').read_text()}")
            try:
                data = graphql(WORKSPACE)
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                return False
            entries = data["workspaceOrError"]["locationEntries"]
            return bool(entries) and all(e["loadStatus"] == "LOADED" for e in entries)

        wait_for(loaded, 180, "the webserver to load the code location", step=1)
        yield graphql


def listening_addresses(pid: int) -> set[str]:
    """The local addresses every process of the tree listens on (TCP)."""
    addresses = set()
    tree = [psutil.Process(pid), *psutil.Process(pid).children(True)]
    for member in tree:
        with _gone():
            for conn in member.net_connections(kind="tcp"):
                if conn.status == psutil.CONN_LISTEN:
                    addresses.add(conn.laddr.ip)
    return addresses


def env_for(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LAGESBILD_", "DAGSTER_"))}
    env.update(GX_ANALYTICS_ENABLED="false", **extra)
    return env


WORKSPACE = """
{ workspaceOrError { __typename ... on Workspace { locationEntries {
    name loadStatus
    locationOrLoadError { __typename ... on RepositoryLocation { name repositories { name } }
                          ... on PythonError { message } } } } } }
"""
