"""Published versions that survive mistakes: the last N publications, each restorable.

After every publication, the new lagesbild.duckdb, parquet/ and public/ are copied into
<marts>/.versions/<run_id>/ together with version.json (run id, publication time). Copies,
not hard links: a researcher who opens the live database read-write must not be able to
change an archived version through a shared inode.

`restore` copies an archived version into temporary names beside the live files, checks the
database opens, and only then swaps it in with the same renames as publishing
(os.replace for the database, a symlink swap for each folder). A restore killed before the
swap leaves the current version untouched; its temporary files are removed by the next
publication or restore.

Publishing, archiving and restoring hold one lock file (<marts>/.versions/.lock), so a
restore never interleaves with a publication.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from assets.database import connect
from assets.marts.publish import DB_NAME, remove_leftovers, swap_directory

VERSIONS_DIR = ".versions"
VERSION_FILE = "version.json"
#: Which archived version is live, written last by a publication or a restore.
CURRENT_FILE = "current.json"
FOLDERS = ("parquet", "public")

#: Dagster run ids (UUIDs); anything else can't name a version (and can't escape the folder).
_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


class UnknownVersion(LookupError):
    """No archived version has this run id."""


@dataclass(frozen=True)
class Version:
    run_id: str
    published_at: str
    current: bool


def versions_root(marts_dir: Path) -> Path:
    return marts_dir / VERSIONS_DIR


@contextmanager
def publication_lock(marts_dir: Path) -> Iterator[None]:
    """Exclusive lock over the live marts and the archive (released when the process dies)."""
    root = versions_root(marts_dir)
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def record_version(marts_dir: Path, run_id: str, keep: int) -> Version:
    """Archive the live publication of `run_id`, mark it current and keep `keep` older ones.

    Call it with publication_lock held, right after the live files were swapped in.
    """
    root = versions_root(marts_dir)
    root.mkdir(parents=True, exist_ok=True)
    for stale in root.glob(".*.tmp"):
        if stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)
    staging = root / f".{run_id}.tmp"
    staging.mkdir()
    shutil.copy2(marts_dir / DB_NAME, staging / DB_NAME)
    for folder in FOLDERS:
        live = marts_dir / folder
        if live.exists():
            shutil.copytree(live.resolve(), staging / folder)
    published_at = datetime.now(UTC).isoformat(timespec="seconds")
    _write_json(staging / VERSION_FILE, {"run_id": run_id, "published_at": published_at})
    final = root / run_id
    shutil.rmtree(final, ignore_errors=True)
    os.rename(staging, final)
    _write_json(root / CURRENT_FILE, {"run_id": run_id})
    _prune(root, keep, current=run_id)
    return Version(run_id=run_id, published_at=published_at, current=True)


def list_versions(marts_dir: Path) -> list[Version]:
    """Archived versions, newest publication first."""
    root = versions_root(marts_dir)
    current = current_run_id(marts_dir)
    versions = []
    for meta in root.glob(f"*/{VERSION_FILE}"):
        if meta.parent.name.startswith("."):
            continue  # a version still being archived
        data = json.loads(meta.read_text(encoding="utf-8"))
        versions.append(
            Version(
                run_id=data["run_id"],
                published_at=data["published_at"],
                current=data["run_id"] == current,
            )
        )
    return sorted(versions, key=lambda v: (v.published_at, v.run_id), reverse=True)


def current_run_id(marts_dir: Path) -> str | None:
    path = versions_root(marts_dir) / CURRENT_FILE
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))["run_id"]


def restore_version(marts_dir: Path, run_id: str) -> Version:
    """Put an archived version back as the live marts; raises UnknownVersion."""
    source = versions_root(marts_dir) / run_id
    if not _RUN_ID.match(run_id) or not (source / VERSION_FILE).is_file():
        raise UnknownVersion(run_id)
    with publication_lock(marts_dir):
        remove_leftovers(marts_dir)
        nonce = uuid.uuid4().hex[:8]
        # Everything is staged first; a kill up to the first rename changes nothing live.
        staged_db = marts_dir / f".{DB_NAME}.restore-{nonce}.tmp"
        shutil.copy2(source / DB_NAME, staged_db)
        check = connect(staged_db, read_only=True)
        check.close()
        staged = {}
        for folder in FOLDERS:
            if (source / folder).is_dir():
                staged[folder] = marts_dir / f".{folder}-restore-{nonce}"
                shutil.copytree(source / folder, staged[folder])
        os.replace(staged_db, marts_dir / DB_NAME)
        for folder, path in staged.items():
            swap_directory(marts_dir / folder, path)
        _write_json(versions_root(marts_dir) / CURRENT_FILE, {"run_id": run_id})
    data = json.loads((source / VERSION_FILE).read_text(encoding="utf-8"))
    return Version(run_id=run_id, published_at=data["published_at"], current=True)


def _prune(root: Path, keep: int, *, current: str) -> None:
    """Keep the current version and the `keep` most recent others."""
    others = [v for v in list_versions(root.parent) if v.run_id != current]
    for old in others[max(keep, 0) :]:
        shutil.rmtree(root / old.run_id, ignore_errors=True)


def _write_json(path: Path, data: dict[str, str]) -> None:
    """Write beside and rename: a reader never sees half a file."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)
