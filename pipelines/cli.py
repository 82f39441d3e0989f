"""The `lagesbild` command: the same Dagster jobs the UI and the schedule run, in-process.

    lagesbild run [--raw-dir D] [--marts-dir D] [--reports-dir D] [--year YYYY]
    lagesbild docs [--marts-dir D] [--output docs/marts.md]
    lagesbild versions [--marts-dir D]
    lagesbild restore RUN_ID [--marts-dir D]
    lagesbild delete-runs --older-than-days N   (run history of the instance in $DAGSTER_HOME)

Exit codes (data-contract.md §1):
  0  success
  1  the run stopped on a blocking data-quality check; nothing new was published
  2  usage error, a raw folder that is missing or unreadable, or (restore) an unknown run id
  3  the pipeline failed for another reason (a bug: see the run in the Dagster UI)
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

EXIT_OK, EXIT_BLOCKED, EXIT_USAGE, EXIT_FAILED = 0, 1, 2, 3

#: Only our own summary reaches the console; Dagster's event log stays in the instance.
QUIET_RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


class UsageError(Exception):
    """Bad arguments or folders: a one-line message and exit code 2."""


@dataclass
class RunOutcome:
    """What a job run produced, reduced to what a person needs to read."""

    success: bool
    run_id: str
    summaries: list[str] = field(default_factory=list)
    blocking: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "docs":
            return _docs(args)
        if args.command == "versions":
            return _versions(args)
        if args.command == "restore":
            return _restore(args)
        if args.command == "delete-runs":
            return _delete_runs(args)
        return _run(args)
    except UsageError as exc:
        print(f"lagesbild: error: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lagesbild",
        description="Build the lägesbild: ingest the raw folder, validate it, publish the marts "
        "and render the yearly report.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the whole pipeline once")
    run.add_argument("--raw-dir", help="raw drop folder (default data/raw, env LAGESBILD_RAW_DIR)")
    run.add_argument(
        "--marts-dir", help="marts folder (default data/marts, env LAGESBILD_MARTS_DIR)"
    )
    run.add_argument(
        "--reports-dir", help="reports folder (default reports, env LAGESBILD_REPORTS_DIR)"
    )
    run.add_argument("--year", type=int, help="report year (default: the latest complete year)")
    docs = sub.add_parser("docs", help="write the data dictionary of the published marts")
    docs.add_argument("--marts-dir", help="marts folder (default data/marts)")
    docs.add_argument(
        "--output", default="docs/marts.md", help="where to write (default docs/marts.md)"
    )
    versions = sub.add_parser(
        "versions", help="list the kept versions of the published marts (newest first)"
    )
    versions.add_argument("--marts-dir", help="marts folder (default data/marts)")
    restore = sub.add_parser(
        "restore", help="put a kept version back as the published marts (atomically)"
    )
    restore.add_argument("run_id", help="the run id of the version, as `versions` lists it")
    restore.add_argument("--marts-dir", help="marts folder (default data/marts)")
    delete_runs = sub.add_parser(
        "delete-runs", help="delete finished runs older than N days from the Dagster instance"
    )
    delete_runs.add_argument("--older-than-days", type=int, required=True, metavar="N")
    return parser


def _run(args: argparse.Namespace) -> int:
    started = time.monotonic()
    settings = _settings(args)
    _check_folders(settings)
    if args.year is not None and not 1900 <= args.year <= 2100:
        raise UsageError(f"--year {args.year} is not a plausible calendar year")

    print(f"lagesbild: reading {settings.raw_dir}")
    defs, instance = _definitions_and_instance(settings)
    build = _execute(defs, instance, "build")
    for line in sorted(build.summaries, key=_source_order):
        print(f"  {line}")
    for line in build.warnings:
        print(f"  warning: {line}")
    if build.blocking:
        print("lagesbild: stopped on a blocking data-quality check; nothing new was published:")
        for line in build.blocking:
            print(f"  {line}")
        print(f"  (run {build.run_id}; details in the Dagster UI: make ui)")
        return EXIT_BLOCKED
    if not build.success:
        return _failed(build)
    print(f"lagesbild: published {settings.published_db_path}")

    from assets.marts.publish import latest_complete_year, published_years

    years = published_years(settings.published_db_path)
    year = args.year if args.year is not None else latest_complete_year(settings.published_db_path)
    if year is None or year not in years:
        available = ", ".join(str(y) for y in years) or "none"
        raise UsageError(f"no complete year {year or ''} in the data (complete years: {available})")
    report = _execute(defs, instance, "report", partition_key=str(year))
    if not report.success:
        return _failed(report)
    path = report.outputs.get("report", "")
    for line in report.warnings:
        print(f"  warning: {line}")
    print(f"lagesbild: done in {time.monotonic() - started:.1f} s")
    print(f"Report: {path}")
    if "pdf" in report.outputs:
        print(f"PDF: {report.outputs['pdf']}")
    return EXIT_OK


def _source_order(summary: str) -> int:
    """The contract's order of sources (data-contract.md §2) for the summary lines."""
    from assets.ingest.sources import SOURCE_FOLDERS

    source = summary.split(maxsplit=1)[0]
    return SOURCE_FOLDERS.index(source) if source in SOURCE_FOLDERS else len(SOURCE_FOLDERS)


def _settings(args: argparse.Namespace):
    from pipelines.resources import settings_from_env

    return settings_from_env(
        {
            "raw_dir": getattr(args, "raw_dir", None),
            "marts_dir": getattr(args, "marts_dir", None),
            "reports_dir": getattr(args, "reports_dir", None),
        }
    )


def _check_folders(settings) -> None:
    raw = Path(settings.raw_dir)
    if not raw.exists():
        raise UsageError(f"the raw folder '{raw}' does not exist")
    if not raw.is_dir():
        raise UsageError(f"the raw folder '{raw}' is not a folder")
    if not os.access(raw, os.R_OK | os.X_OK):
        raise UsageError(f"the raw folder '{raw}' is not readable")
    for label, folder in (("marts", settings.marts_dir), ("reports", settings.reports_dir)):
        path = Path(folder)
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(
                f"the {label} folder '{path}' can't be created ({exc.strerror})"
            ) from None
        if not os.access(path, os.W_OK):
            raise UsageError(f"the {label} folder '{path}' is not writable")


def _definitions_and_instance(settings):
    warnings.filterwarnings("ignore")
    import dagster as dg

    from pipelines.definitions import build_definitions

    instance = dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else None
    if instance is None:
        instance = dg.DagsterInstance.ephemeral()
    return build_definitions(settings), instance


def _execute(defs, instance, job_name: str, partition_key: str | None = None) -> RunOutcome:
    """Run a job in-process and collect its summary, failed checks and errors."""
    job = defs.resolve_job_def(job_name)
    result = job.execute_in_process(
        instance=instance,
        partition_key=partition_key,
        raise_on_error=False,
        run_config=QUIET_RUN_CONFIG,
    )
    outcome = RunOutcome(success=result.success, run_id=result.run_id)
    blocking_checks = _blocking_checks()
    for event in result.all_events:
        if event.event_type_value == "ASSET_MATERIALIZATION":
            metadata = event.materialization.metadata
            if "summary" in metadata:
                outcome.summaries.append(str(metadata["summary"].value))
            for key in ("report", "pdf", "database"):
                if key in metadata:
                    outcome.outputs[key] = str(metadata[key].value)
            if "warnings" in metadata:
                outcome.warnings.extend(str(w) for w in metadata["warnings"].value)
        elif event.is_step_failure:
            error = event.step_failure_data.error
            cause = error.cause or error
            if "DagsterAssetCheckFailedError" not in (error.cls_name or ""):
                message = (cause.message or "").strip().splitlines()
                outcome.errors.append(
                    f"{event.step_key}: {message[0] if message else cause.cls_name}"
                )
    for evaluation in result.get_asset_check_evaluations():
        if evaluation.passed:
            continue
        label = f"{evaluation.asset_key.to_user_string()} {evaluation.check_name}"
        detail = _check_detail(evaluation.metadata)
        line = f"{label}: {detail}" if detail else label
        if (evaluation.asset_key, evaluation.check_name) in blocking_checks:
            outcome.blocking.append(line)
        else:
            outcome.warnings.append(line)
    return outcome


def _blocking_checks() -> set:
    """(asset key, check name) of every blocking check."""
    from assets.registry import ALL_CHECKS

    return {
        (spec.asset_key, spec.name)
        for checks in ALL_CHECKS
        for spec in checks.check_specs
        if spec.blocking
    }


def _check_detail(metadata) -> str:
    from assets.ingest.screening import screen_text

    for key in ("problems", "files", "mismatches", "years_without_population", "sample"):
        if key in metadata:
            value = metadata[key].value
            items = value if isinstance(value, list) else [value]
            text = "; ".join(str(v) for v in items[:3])
            if len(items) > 3:
                text += f"; … ({len(items)} in all)"
            return screen_text(text)[0]
    if "unexpected_count" in metadata:
        return f"{metadata['unexpected_count'].value} unexpected value(s)"
    return ""


def _failed(outcome: RunOutcome) -> int:
    print("lagesbild: the pipeline failed (this is a bug, not a data problem):", file=sys.stderr)
    for line in outcome.errors or ["unknown error"]:
        print(f"  {line}", file=sys.stderr)
    print(f"  (run {outcome.run_id}; full log in the Dagster UI: make ui)", file=sys.stderr)
    return EXIT_FAILED


def _docs(args: argparse.Namespace) -> int:
    from assets.marts.docs_writer import write_marts_doc

    settings = _settings(args)
    if not settings.published_db_path.exists():
        raise UsageError(
            f"no published marts at '{settings.published_db_path}': run `lagesbild run` first"
        )
    write_marts_doc(settings.published_db_path, Path(args.output))
    print(f"wrote {args.output}")
    return EXIT_OK


def _versions(args: argparse.Namespace) -> int:
    """One line per kept version: run id, publication time (ISO 8601), `current` mark."""
    from assets.marts.versions import list_versions

    for version in list_versions(_settings(args).marts_path):
        mark = "  current" if version.current else ""
        print(f"{version.run_id}  {version.published_at}{mark}")
    return EXIT_OK


def _restore(args: argparse.Namespace) -> int:
    from assets.marts.versions import UnknownVersion, restore_version

    settings = _settings(args)
    try:
        version = restore_version(settings.marts_path, args.run_id)
    except UnknownVersion:
        raise UsageError(
            f"no kept version with run id '{args.run_id}' in {settings.marts_path} "
            "(see `lagesbild versions`)"
        ) from None
    print(
        f"lagesbild: restored version {version.run_id} (published {version.published_at}) "
        f"as {settings.published_db_path}"
    )
    return EXIT_OK


def _delete_runs(args: argparse.Namespace) -> int:
    if args.older_than_days < 0:
        raise UsageError("--older-than-days must be 0 or more")
    if not os.environ.get("DAGSTER_HOME"):
        raise UsageError("DAGSTER_HOME is not set: which instance's run history?")
    warnings.filterwarnings("ignore")
    import dagster as dg

    from pipelines.maintenance import delete_old_runs

    with dg.DagsterInstance.get() as instance:
        deleted = delete_old_runs(instance, args.older_than_days)
    print(f"lagesbild: deleted {len(deleted)} run(s) older than {args.older_than_days} days")
    return EXIT_OK


def entrypoint() -> None:
    """Console script: exit without the interpreter's teardown once output is flushed.

    Great Expectations and DuckDB leave native objects behind at shutdown, and the
    bindings print pages of harmless 'leaked' warnings while the interpreter tears down.
    Everything is written and closed by now, so skip that teardown.
    """
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    entrypoint()
