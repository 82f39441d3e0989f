"""Finding deliveries in the raw folder and reading what kind of file each one is.

Nothing here writes to the raw folder: files are opened read-only, and a Windows-1252 file
is transcoded into the run's build folder, never in place.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from assets.ingest.sources import SourceSpec

_CHUNK = 1 << 20
_DELIMITERS = (";", ",", "\t")


class FileRejected(Exception):
    """A whole file is turned away; `reason` is a quarantine reason code."""

    def __init__(self, reason: str, detail: str, *, column: str | None = None, rows: int = 0):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.column = column
        self.rows = rows


@dataclass
class RawFile:
    """One delivery: a file in a source folder, with what we learnt about it."""

    source: str
    path: Path
    file_ord: int
    sha256: str = ""
    size: int = 0
    encoding: str | None = None
    delimiter: str | None = None
    #: Original header names, in file order.
    header: list[str] = field(default_factory=list)
    #: Folded contract name -> original header name, for the columns we use.
    mapping: dict[str, str] = field(default_factory=dict)
    #: Folded contract name -> 0-based column position in the file.
    positions: dict[str, int] = field(default_factory=dict)
    extra_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def ext(self) -> str:
        return self.path.suffix.lower()

    @property
    def file_format(self) -> str:
        return self.ext.lstrip(".")


def fold(text: str) -> str:
    """Header folding: case-insensitive, outer spaces ignored, å/ä→a, ö→o (any accent).

    Inner spaces and hyphens become underscores, so 'Område ID' still finds omrade_id.
    """
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return "_".join(plain.replace("-", " ").split())


def list_deliveries(raw_dir: Path, spec: SourceSpec) -> tuple[list[Path], list[Path]]:
    """The delivery files of a source, in Unicode code-point order of their names.

    Returns (deliveries, ignored): hidden files and Office lock files are not deliveries,
    but they are reported so that nothing disappears without a trace.
    """
    folder = raw_dir / spec.folder
    if not folder.is_dir():
        return [], []
    deliveries: list[Path] = []
    ignored: list[Path] = []
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if not path.is_file():
            continue
        if path.name.startswith((".", "~$")):
            ignored.append(path)
        else:
            deliveries.append(path)
    return deliveries, ignored


def inspect_bytes(raw: RawFile) -> None:
    """One streamed pass over the file: sha256, size, and the text encoding.

    The encoding is decided on the whole file, never guessed from a sample: UTF-8 (with or
    without BOM) if every byte decodes as UTF-8, otherwise Windows-1252. NUL bytes mean a
    binary or UTF-16 file, which the contract does not allow.
    """
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    utf8_ok = True
    has_nul = False
    size = 0
    first = b""
    with raw.path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            if not first:
                first = chunk[:4]
            size += len(chunk)
            digest.update(chunk)
            if not has_nul and b"\x00" in chunk:
                has_nul = True
            if utf8_ok:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8_ok = False
    if utf8_ok:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8_ok = False
    raw.sha256 = digest.hexdigest()
    raw.size = size
    if raw.ext not in (".csv", ".txt"):
        return
    if size == 0:
        raise FileRejected("file_empty", "the file is empty (0 bytes)")
    if has_nul:
        raise FileRejected(
            "file_unreadable", "the file contains NUL bytes: binary or UTF-16, not a CSV text file"
        )
    if utf8_ok:
        raw.encoding = "utf-8-sig" if first.startswith(codecs.BOM_UTF8) else "utf-8"
        return
    # Windows-1252 leaves five bytes undefined; a file with them is neither encoding.
    try:
        with raw.path.open("rb") as fh:
            while chunk := fh.read(_CHUNK):
                chunk.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise FileRejected(
            "file_unreadable",
            f"the file is neither UTF-8 nor Windows-1252 (byte 0x{exc.object[exc.start]:02x})",
        ) from None
    raw.encoding = "windows-1252"


def read_csv_header(raw: RawFile) -> list[str]:
    """The header line of a CSV file, split on the delimiter sniffed from that line."""
    encoding = raw.encoding or "utf-8"
    with raw.path.open("r", encoding=encoding, newline="") as fh:
        line = fh.readline()
    line = line.rstrip("\r\n")
    if not line.strip():
        raise FileRejected("file_empty", "the first line (the header) is empty")
    raw.delimiter = sniff_delimiter(line)
    return next(csv.reader(io.StringIO(line), delimiter=raw.delimiter, quotechar='"'))


def sniff_delimiter(header_line: str) -> str:
    """`;` or `,` (or a tab), whichever splits the header line into the most fields."""
    counts = {d: _count_outside_quotes(header_line, d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > 0 else ";"


def _count_outside_quotes(line: str, delimiter: str) -> int:
    count, quoted = 0, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == delimiter and not quoted:
            count += 1
    return count


def map_header(raw: RawFile, header: list[str], spec: SourceSpec) -> None:
    """Match the file's header to the contract's columns, by folded name or alias.

    A missing required column rejects the file, naming it. Extra columns are kept in
    `extra_columns` for the load log. When two headers fold to the same column, the first
    wins and the other is listed as extra.
    """
    raw.header = [h if h is not None else "" for h in header]
    lookup: dict[str, str] = {}
    for column in spec.columns:
        for name in column.accepted_names():
            lookup[fold(name)] = column.name
    for position, original in enumerate(raw.header):
        target = lookup.get(fold(original))
        if target is None or target in raw.mapping:
            if original.strip():
                raw.extra_columns.append(original.strip())
            continue
        raw.mapping[target] = original.strip()
        raw.positions[target] = position
    for column in spec.columns:
        if column.required and column.name not in raw.mapping:
            alias = " / ".join(column.accepted_names())
            raise FileRejected(
                "file_missing_column",
                f"required column '{column.name}' is missing (accepted names: {alias}; "
                f"found: {', '.join(h for h in raw.header if h) or 'none'})",
                column=column.name,
            )
    for group in spec.one_of:
        if not any(name in raw.mapping for name in group):
            raise FileRejected(
                "file_missing_column",
                f"one of the columns {' or '.join(repr(n) for n in group)} is required "
                f"(found: {', '.join(h for h in raw.header if h) or 'none'})",
                column=group[0],
            )


def folder_state(raw_dir: Path, previous: dict[str, list] | None = None) -> dict[str, list]:
    """Every file under the raw folder: {relative path: [size, mtime_ns, sha256]}.

    A file whose size and mtime are unchanged keeps its previous hash, so a sensor tick
    doesn't re-read gigabytes; a changed one is hashed, so touching a file without
    changing it is not a new delivery.
    """
    previous = previous or {}
    state: dict[str, list] = {}
    if not raw_dir.is_dir():
        return state
    for path in sorted(raw_dir.rglob("*")):
        if not path.is_file() or path.name.startswith((".", "~$")):
            continue
        rel = path.relative_to(raw_dir).as_posix()
        stat = path.stat()
        old = previous.get(rel)
        if old and old[0] == stat.st_size and old[1] == stat.st_mtime_ns:
            state[rel] = old
            continue
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            while chunk := fh.read(_CHUNK):
                digest.update(chunk)
        state[rel] = [stat.st_size, stat.st_mtime_ns, digest.hexdigest()]
    return state
