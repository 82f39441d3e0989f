"""The systemd units in deploy/systemd: systemd itself finds nothing to warn about, and they
run unprivileged, restart on failure and keep the webserver on loopback.

`systemd-analyze verify --root` runs on a scratch root holding the units, a copy of the
system's own units (the targets they hang off) and stand-ins for the programs they start,
so it passes on a test machine without /opt/lagesbild. `make systemd` (a dependency of
`make test`) installs it from Debian.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.service.units import UNITS, parse_unit

SERVICES = ("lagesbild-webserver.service", "lagesbild-daemon.service")


def scratch_root(root: Path) -> Path:
    system = root / "etc" / "systemd" / "system"
    system.mkdir(parents=True)
    for unit in UNITS.iterdir():
        shutil.copy(unit, system / unit.name)
    # The targets the units are wanted by and ordered after.
    for source in (Path("/usr/lib/systemd/system"), Path("/lib/systemd/system")):
        if source.is_dir():
            shutil.copytree(source, root / "usr" / "lib" / "systemd" / "system", symlinks=True)
            break
    for unit in UNITS.iterdir():
        for command in parse_unit(unit).get("ExecStart", []):
            program = root / command.split()[0].lstrip("/")
            program.parent.mkdir(parents=True, exist_ok=True)
            program.write_text("#!/bin/sh\nexit 0\n")
            program.chmod(0o755)
    env_file = root / "etc" / "lagesbild" / "lagesbild.env"
    env_file.parent.mkdir(parents=True)
    env_file.write_text("")
    return system


def test_systemd_analyze_verify_finds_nothing_to_warn_about(tmp_path) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.fail("systemd-analyze is not installed: run `make systemd`")
    system = scratch_root(tmp_path)
    units = sorted(str(p.relative_to(tmp_path)) for p in system.glob("lagesbild-*"))
    assert len(units) == 4
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", f"--root={tmp_path}", *units],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "lagesbild" not in output, output


@pytest.mark.parametrize("name", SERVICES)
def test_services_run_unprivileged_and_restart_on_failure(name: str) -> None:
    unit = parse_unit(UNITS / name)
    assert unit["User"] == ["lagesbild"]
    assert unit["Restart"] == ["on-failure"]
    assert unit["WantedBy"] == ["multi-user.target"]
    assert "DAGSTER_HOME=/var/lib/lagesbild/dagster_home" in unit["Environment"]
    assert unit["EnvironmentFile"] == ["/etc/lagesbild/lagesbild.env"]


def test_the_webserver_listens_on_loopback_only() -> None:
    (command,) = parse_unit(UNITS / "lagesbild-webserver.service")["ExecStart"]
    hosts = re.findall(r"(?:-h|--host)[ =](\S+)", command)
    assert hosts == ["127.0.0.1"], command
