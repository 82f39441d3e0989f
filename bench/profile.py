"""Profile `lagesbild run` with pyinstrument: where does the pipeline's time go?

    python -m bench.profile [--scale 1/4 | --raw-dir D] [--out bench/results/profile-1_4]
                            [--interval 0.01] [--top 25]

It runs the CLI's own ``main(["run", ...])`` in this process under pyinstrument (the
console script ends with ``os._exit``, which would skip a profiler's output), with a fresh
marts, reports and DAGSTER_HOME folder. It writes ``<out>.html`` (the interactive call
tree), ``<out>.txt`` (the text tree) and ``<out>.json`` (the top functions by own time and
by total time, and the Dagster step timings), and prints the top entries.

py-spy is not in the project's environment; pyinstrument samples the Python stack, so time
inside DuckDB shows up under the Python call that ran the query (``execute``), which is
what is wanted here: which model, check or step is slow.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from bench import events
from bench.data import REPO, ensure_dataset, parse_scale


def _frame_tables(root, top: int) -> dict[str, list[dict[str, object]]]:
    """Own time and total time per function (file:line), from pyinstrument's frame tree."""
    own: dict[str, float] = defaultdict(float)
    total: dict[str, float] = defaultdict(float)
    project: dict[str, float] = defaultdict(float)

    def label(frame) -> str:
        path = frame.file_path_short or frame.file_path or "?"
        return f"{frame.function} ({path}:{frame.line_no})"

    def walk(frame, on_stack: frozenset[str], project_on_stack: frozenset[str]) -> None:
        if frame.is_synthetic:  # '[self]' and similar: counted in the parent's own time
            return
        name = label(frame)
        if name not in on_stack:
            total[name] += frame.time
        own[name] += frame.total_self_time
        path = frame.file_path or ""
        is_project = str(REPO) in path and "/.venv/" not in path
        if is_project and name not in project_on_stack:
            project[name] += frame.time
        stack = on_stack | {name}
        pstack = project_on_stack | ({name} if is_project else set())
        for child in frame.children:
            walk(child, stack, pstack)

    if root is not None:
        walk(root, frozenset(), frozenset())

    def rows(table: dict[str, float]) -> list[dict[str, object]]:
        ranked = sorted(table.items(), key=lambda kv: -kv[1])[:top]
        return [{"function": k, "seconds": round(v, 2)} for k, v in ranked]

    return {"own": rows(own), "total": rows(total), "project_total": rows(project)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.profile",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--scale", default="1/4", help="benchmark scale to generate/reuse")
    parser.add_argument("--raw-dir", type=Path, help="profile this raw folder instead")
    parser.add_argument("--cache-dir", type=Path, default=REPO / "bench" / ".cache")
    parser.add_argument("--out", type=Path, help="output path without extension")
    parser.add_argument("--interval", type=float, default=0.01, help="sampling interval (s)")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)

    from pyinstrument import Profiler

    if args.raw_dir is not None:
        raw_dir, tag = args.raw_dir.resolve(), args.raw_dir.name
    else:
        dataset = ensure_dataset(parse_scale(args.scale), args.cache_dir.resolve())
        raw_dir, tag = dataset.raw_dir, args.scale.replace("/", "_")
    out = args.out or REPO / "bench" / "results" / f"profile-{tag}"
    out.parent.mkdir(parents=True, exist_ok=True)

    work = Path(tempfile.mkdtemp(prefix="lagesbild-profile-"))
    home = work / "dagster_home"
    home.mkdir()
    project_yaml = REPO / ".dagster_home" / "dagster.yaml"
    if project_yaml.is_file():
        shutil.copy(project_yaml, home / "dagster.yaml")
    os.environ["DAGSTER_HOME"] = str(home)
    os.environ["GX_ANALYTICS_ENABLED"] = "false"

    profiler = Profiler(interval=args.interval, async_mode="disabled")
    started_at = time.time()
    profiler.start()
    from pipelines import cli  # imports are part of the profile: they are start-up cost

    argv = ["run", "--raw-dir", str(raw_dir), "--marts-dir", str(work / "marts")]
    argv += ["--reports-dir", str(work / "reports")]
    error = None
    try:
        code = cli.main(argv)
    except Exception as exc:  # the CLI may fail after publishing (the report stage); the
        code, error = 1, f"{type(exc).__name__}: {exc}"  # profile is still what is wanted
    session = profiler.stop()
    ended_at = time.time()

    out.with_suffix(".html").write_text(profiler.output_html(), encoding="utf-8")
    out.with_suffix(".txt").write_text(
        profiler.output_text(unicode=True, color=False, show_all=False), encoding="utf-8"
    )
    tables = _frame_tables(session.root_frame(), args.top)
    runs = events.run_timings(home)
    result = {
        "raw_dir": str(raw_dir),
        "exit_code": code,
        "error": error,
        "published": (work / "marts" / "lagesbild.duckdb").is_file(),
        "wall_s": round(ended_at - started_at, 2),
        "profiled_s": round(session.duration, 2),
        "sample_count": session.sample_count,
        "split": events.split(runs, started_at, ended_at),
        "steps": events.top_steps(runs, 40),
        **tables,
    }
    out.with_suffix(".json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")

    print(f"lagesbild run exit {code}, {result['wall_s']} s; profile: {out}.html / .txt / .json")
    if error:
        print(f"  (the CLI raised {error}; published: {result['published']})")
    print("Dagster steps:", ", ".join(f"{k} {v:.1f}s" for k, v in result["steps"][:10]))
    print("Top project functions by total time:")
    for row in tables["project_total"][: args.top]:
        print(f"  {row['seconds']:8.2f}s  {row['function']}")
    print("Top functions by own time:")
    for row in tables["own"][: args.top]:
        print(f"  {row['seconds']:8.2f}s  {row['function']}")
    shutil.rmtree(work, ignore_errors=True)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # as the CLI does: skip the native libraries' noisy teardown


if __name__ == "__main__":
    main()
