"""Run one command as a separate process and measure it: wall time, peak RSS, CPU time.

Peak memory is taken two ways and the larger is reported as ``peak_rss_bytes``:

* ``peak_rss_tree_bytes``: psutil samples the whole process tree (the command and every
  descendant, e.g. Dagster's orphan watchers) every ``interval`` seconds and keeps the
  largest sum of resident set sizes;
* ``maxrss_bytes``: the kernel's high-water mark of the command itself (``ru_maxrss`` from
  ``wait4``), which no sampling interval can miss.

CPU time (user + system of the command and its waited-for children) comes from ``wait4``
too. On a shared machine it is steadier than wall time, so it is recorded beside it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil


@dataclass
class Measurement:
    argv: list[str]
    exit_code: int
    wall_s: float
    peak_rss_bytes: int
    peak_rss_tree_bytes: int
    maxrss_bytes: int
    cpu_user_s: float
    cpu_sys_s: float
    max_processes: int
    samples: int
    started_at: float  # epoch seconds, for lining up with Dagster's event log
    ended_at: float
    loadavg_before: tuple[float, float, float]
    timed_out: bool = False
    stdout_path: str = ""
    stderr_path: str = ""
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def cpu_s(self) -> float:
        return self.cpu_user_s + self.cpu_sys_s

    def to_json(self) -> dict[str, object]:
        out = asdict(self)
        out["cpu_s"] = round(self.cpu_s, 3)
        for key in ("wall_s", "cpu_user_s", "cpu_sys_s"):
            out[key] = round(out[key], 3)
        return out

    def stdout(self) -> str:
        return Path(self.stdout_path).read_text(encoding="utf-8", errors="replace")

    def stderr(self) -> str:
        return Path(self.stderr_path).read_text(encoding="utf-8", errors="replace")


class _TreeSampler(threading.Thread):
    """Samples the summed RSS of a process and its descendants until stopped."""

    def __init__(self, pid: int, interval: float) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.stop_event = threading.Event()
        self.peak = 0
        self.max_processes = 0
        self.samples = 0
        try:
            self.root: psutil.Process | None = psutil.Process(pid)
        except psutil.Error:
            self.root = None

    def run(self) -> None:
        while self.root is not None and not self.stop_event.is_set():
            self.sample()
            self.stop_event.wait(self.interval)

    def sample(self) -> None:
        assert self.root is not None
        try:
            procs = [self.root, *self.root.children(recursive=True)]
        except psutil.Error:
            return
        total = 0
        for proc in procs:
            try:
                total += proc.memory_info().rss
            except psutil.Error:
                continue
        self.samples += 1
        self.peak = max(self.peak, total)
        self.max_processes = max(self.max_processes, len(procs))


def run_measured(
    argv: list[str],
    *,
    cwd: Path,
    env: dict[str, str] | None = None,
    log_dir: Path,
    name: str,
    interval: float = 0.05,
    timeout: float | None = None,
) -> Measurement:
    """Run ``argv`` to completion (or ``timeout``), with stdout/stderr saved in ``log_dir``."""
    log_dir.mkdir(parents=True, exist_ok=True)
    out_path = log_dir / f"{name}.stdout"
    err_path = log_dir / f"{name}.stderr"
    loadavg = os.getloadavg()
    with out_path.open("wb") as out, err_path.open("wb") as err:
        started_at = time.time()
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            argv, cwd=cwd, env=env, stdout=out, stderr=err, start_new_session=True
        )
        sampler = _TreeSampler(proc.pid, interval)
        sampler.start()
        timed_out = False
        timer = None
        if timeout:

            def _kill() -> None:
                nonlocal timed_out
                timed_out = True
                # the process group we started, nothing else
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)

            timer = threading.Timer(timeout, _kill)
            timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        ended_at = time.time()
        if timer is not None:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        sampler.stop_event.set()
        sampler.join()
    # Children the command left behind (Dagster's orphan watchers exit on their own).
    maxrss = usage.ru_maxrss * 1024  # kilobytes on Linux
    return Measurement(
        argv=[str(a) for a in argv],
        exit_code=proc.returncode,
        wall_s=wall,
        peak_rss_bytes=max(sampler.peak, maxrss),
        peak_rss_tree_bytes=sampler.peak,
        maxrss_bytes=maxrss,
        cpu_user_s=usage.ru_utime,
        cpu_sys_s=usage.ru_stime,
        max_processes=sampler.max_processes,
        samples=sampler.samples,
        started_at=started_at,
        ended_at=ended_at,
        loadavg_before=tuple(round(x, 2) for x in loadavg),  # type: ignore[arg-type]
        timed_out=timed_out,
        stdout_path=str(out_path),
        stderr_path=str(err_path),
    )
