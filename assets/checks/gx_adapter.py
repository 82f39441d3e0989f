"""A small adapter: run a Great Expectations suite on a table of the working DuckDB database.

The suites are YAML files beside this module (suites/<source>.yml), one per source, so an
analyst can tighten a rule without touching Python. Expectations run *in DuckDB* through
SQLAlchemy (duckdb_engine): no pandas copy of the table is made.

`dagster-ge` pins GX < 1, so this is our own wrapper. GX is imported lazily: it takes seconds.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

SUITES_DIR = Path(__file__).parent / "suites"

_PATCHED = False


@dataclass(frozen=True)
class Expectation:
    """One expectation of a suite file."""

    name: str
    type: str
    kwargs: dict[str, Any]
    blocking: bool
    description: str
    #: SQL of a derived relation to validate instead of the suite's table. A reference
    #: check ("every area id is a known area") is a hash join here; as a GX value set it
    #: would be an IN list of thousands of literals tested on every row.
    relation: str | None = None


@dataclass(frozen=True)
class Suite:
    """A suite file: the table it runs on and its expectations."""

    source: str
    table: str
    expectations: tuple[Expectation, ...]


@dataclass
class Outcome:
    """The result of one expectation, ready to become an AssetCheckResult."""

    expectation: Expectation
    success: bool
    metadata: dict[str, Any] = field(default_factory=dict)


def load_suite(source: str) -> Suite:
    """Read suites/<source>.yml and check its shape, naming the file in any error."""
    path = SUITES_DIR / f"{source}.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    expectations = []
    for i, item in enumerate(data.get("expectations") or [], start=1):
        missing = {"name", "type"} - set(item)
        if missing:
            raise ValueError(f"{path.name}: expectation {i} lacks {', '.join(sorted(missing))}")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", item["name"]):
            raise ValueError(f"{path.name}: expectation name {item['name']!r} must be snake_case")
        expectations.append(
            Expectation(
                name=item["name"],
                type=item["type"],
                kwargs=dict(item.get("kwargs") or {}),
                blocking=bool(item.get("blocking", False)),
                description=str(item.get("description", "")).strip(),
                relation=" ".join(str(item["relation"]).split()) if item.get("relation") else None,
            )
        )
    return Suite(source=source, table=data["table"], expectations=tuple(expectations))


def resolve_kwargs(kwargs: dict[str, Any], query: Callable[[str], list[Any]]) -> dict[str, Any]:
    """Replace `{$query: SQL}` values by the first column of that query's rows.

    This is how a suite says "the value set is the reference list of this run".
    """
    resolved = {}
    for key, value in kwargs.items():
        if isinstance(value, dict) and set(value) == {"$query"}:
            resolved[key] = query(value["$query"])
        else:
            resolved[key] = value
    return resolved


def _import_gx():
    """Import GX once, quietly, with the DuckDB fix applied."""
    global _PATCHED
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.execution_engine import SqlAlchemyExecutionEngine

    if not _PATCHED:
        # GX fetches a query's rows after the connection's context has closed; duckdb_engine
        # has dropped the cursor by then and every metric errors. Buffer the rows inside the
        # context instead. freeze() reads them all, and the returned callable replays them.
        def execute_query(self, query):
            with self.get_connection() as connection:
                return self._execute_query_with_recovery(connection, query).freeze()()

        SqlAlchemyExecutionEngine.execute_query = execute_query
        _PATCHED = True
    return gx


def run_suites(
    database: Path,
    suites: list[Suite],
    query: Callable[[str], list[Any]],
    *,
    sample_size: int = 5,
) -> dict[str, list[Outcome]]:
    """Validate each suite's table in the DuckDB file `database` (read-only).

    One GX context and one connection pool serve every suite; they are disposed before
    returning, so no handle on the file outlives the validation (DuckDB allows only one
    configuration per open file, and the next step opens it for writing).
    """
    gx = _import_gx()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    datasource = context.data_sources.add_sql(
        name="work",
        connection_string=f"duckdb:///{database}",
        kwargs={"connect_args": {"read_only": True}},
    )
    outcomes: dict[str, list[Outcome]] = {}
    try:
        for suite in suites:
            results = {}
            # One batch per relation: the suite's table, and each derived relation.
            relations: dict[str, list[Expectation]] = {}
            for expectation in suite.expectations:
                sql = expectation.relation or f"SELECT * FROM {suite.table}"
                relations.setdefault(sql, []).append(expectation)
            for number, (sql, expectations) in enumerate(relations.items()):
                asset = datasource.add_query_asset(name=f"{suite.source}_{number}", query=sql)
                batch = asset.add_batch_definition_whole_table("all").get_batch()
                gx_suite = gx.ExpectationSuite(name=f"{suite.source}_{number}")
                for expectation in expectations:
                    gx_suite.add_expectation(_gx_expectation(gx, expectation, query))
                result = batch.validate(
                    gx_suite,
                    result_format={
                        "result_format": "SUMMARY",
                        "partial_unexpected_count": sample_size,
                    },
                )
                # GX does not return results in the order the expectations were added:
                # match each result to its expectation by the name carried in `meta`.
                results.update({_result_name(item): item for item in result.results})
            outcomes[suite.source] = [
                _outcome(expectation, results[expectation.name])
                for expectation in suite.expectations
            ]
    finally:
        datasource.get_execution_engine().close()
        datasource.get_engine().dispose()
    return outcomes


def _gx_expectation(gx, expectation: Expectation, query: Callable[[str], list[Any]]):
    class_name = "".join(part.capitalize() for part in expectation.type.split("_"))
    cls = getattr(gx.expectations, class_name, None)
    if cls is None:
        raise ValueError(f"unknown expectation type {expectation.type!r} in suite")
    return cls(
        **resolve_kwargs(expectation.kwargs, query),
        description=expectation.description or None,
        meta={_NAME_META: expectation.name},
    )


#: The key in an expectation's `meta` that holds its name in the suite file.
_NAME_META = "lagesbild_name"


def _result_name(item) -> str:
    return (item.expectation_config.meta or {})[_NAME_META]


def _outcome(expectation: Expectation, item) -> Outcome:
    from assets.ingest.screening import screen_text

    result = dict(item.result or {})
    metadata: dict[str, Any] = {"expectation_type": expectation.type}
    for key in ("element_count", "unexpected_count", "unexpected_percent", "missing_count"):
        if result.get(key) is not None:
            metadata[key] = result[key]
    if result.get("observed_value") is not None:
        metadata["observed_value"] = screen_text(str(result["observed_value"]))[0]
    sample = result.get("partial_unexpected_list") or []
    if sample:
        metadata["sample_unexpected"] = [screen_text(str(v))[0] for v in sample]
    info = item.exception_info or {}
    raised = (
        info.get("raised_exception")
        if "raised_exception" in info
        else any(v.get("raised_exception") for v in info.values() if isinstance(v, dict))
    )
    if raised:
        message = info.get("exception_message") or next(
            (v.get("exception_message") for v in info.values() if isinstance(v, dict)), ""
        )
        metadata["error"] = screen_text(str(message).splitlines()[0] if message else "")[0]
        return Outcome(expectation, False, metadata)
    return Outcome(expectation, bool(item.success), metadata)
