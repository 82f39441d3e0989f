"""A throwaway PostgreSQL cluster in a temporary folder, run by an unprivileged user.

PostgreSQL refuses to run as root; when the tests run as root (CI), the cluster belongs to
`nobody`. It listens on 127.0.0.1 at a free port with password authentication, like the
server's database, and on a unix socket inside its own folder.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

USER = "lagesbild"
DATABASE = "lagesbild_dagster"


@dataclass(frozen=True)
class Cluster:
    port: int
    password: str

    @property
    def env(self) -> dict[str, str]:
        """The LAGESBILD_PG_* variables that deploy/dagster.yaml reads."""
        return {
            "LAGESBILD_PG_HOST": "127.0.0.1",
            "LAGESBILD_PG_PORT": str(self.port),
            "LAGESBILD_PG_DB": DATABASE,
            "LAGESBILD_PG_USER": USER,
            "LAGESBILD_PG_PASSWORD": self.password,
        }

    def connect(self, database: str = DATABASE):
        import psycopg2

        return psycopg2.connect(
            host="127.0.0.1", port=self.port, user=USER, password=self.password, dbname=database
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        pytest.fail("PostgreSQL is not installed: run `make postgresql`")
    return Path(found[-1]).parent


@contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    bin_dir = postgres_bin()
    base = Path(tempfile.mkdtemp(prefix="lagesbild-pg-"))
    owner = pwd.getpwnam("nobody") if os.geteuid() == 0 else pwd.getpwuid(os.geteuid())
    run_as = {"user": owner.pw_uid, "group": owner.pw_gid} if os.geteuid() == 0 else {}
    base.chmod(0o755)
    data, sockets = base / "data", base / "sockets"
    for folder in (data, sockets):
        folder.mkdir(mode=0o700)
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    password = secrets.token_urlsafe(16)
    password_file = base / "password"
    password_file.write_text(password + "\n")
    os.chown(password_file, owner.pw_uid, owner.pw_gid)
    port = free_port()
    log = base / "postgres.log"
    log.touch()
    os.chown(log, owner.pw_uid, owner.pw_gid)

    def as_owner(*command: str) -> None:
        subprocess.run(
            list(command), check=True, capture_output=True, timeout=120, cwd=base, **run_as
        )

    try:
        as_owner(
            str(bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            USER,
            f"--pwfile={password_file}",
            "--auth=scram-sha-256",
            "--no-locale",
            "-E",
            "UTF8",
        )
        as_owner(
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(log),
            "-w",
            "-t",
            "60",
            "-o",
            f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1",
            "start",
        )
        cluster = Cluster(port=port, password=password)
        admin = cluster.connect("postgres")
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {DATABASE}")
        admin.close()
        yield cluster
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                capture_output=True,
                timeout=60,
                cwd=base,
                **run_as,
            )
        shutil.rmtree(base, ignore_errors=True)
