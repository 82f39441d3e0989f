"""The municipality's own text for the report: ``<raw>/texter/*.md`` (data-contract §2.10).

Markdown files named after the report sections the data can't fill (:data:`SECTION_FILES`).
Each file is read as UTF-8, screened line by line like the area teams' observations
(personnummer, phone numbers and e-mail addresses become ``[borttaget]``, see
:mod:`assets.ingest.screening`) and cut at :data:`MAX_CHARS`. Every screened line, every cut and
every file that is not used gets a message naming the file and, where there is one, the line;
a message never repeats what was screened away. Pure Python, no Dagster: the report asset reads
the folder and logs the messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from assets.ingest.screening import REPLACEMENT, screen_text

FOLDER = "texter"
#: The accepted file names (without ``.md``), in the order the report shows them.
SECTION_FILES = ("inledning", "konsekvenser", "annan-information")
#: Longer text is cut here (data-contract §2.10).
MAX_CHARS = 20_000


@dataclass(frozen=True)
class SectionText:
    """One file's screened Markdown."""

    name: str
    file: str
    markdown: str
    screened_lines: tuple[int, ...] = ()
    truncated: bool = False


@dataclass
class Texts:
    """The texts found, by section name, and what a person should know about the files."""

    sections: dict[str, SectionText] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)

    def markdown(self) -> dict[str, str]:
        return {name: text.markdown for name, text in self.sections.items()}


def read_texts(raw_dir: Path) -> Texts:
    """Read ``raw_dir/texter/``; a missing folder is no text at all, not an error."""
    folder = Path(raw_dir) / FOLDER
    texts = Texts()
    if not folder.is_dir():
        return texts
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        where = f"{FOLDER}/{path.name}"
        if path.name.startswith(".") or not path.is_file():
            continue
        name = path.name[:-3] if path.name.endswith(".md") else None
        if name not in SECTION_FILES:
            expected = ", ".join(f"{n}.md" for n in SECTION_FILES)
            texts.messages.append(f"{where}: not a known section file ({expected}): ignored")
            continue
        try:
            data = path.read_bytes()
        except OSError as exc:
            texts.messages.append(f"{where}: can't be read ({exc.strerror}): ignored")
            continue
        try:
            raw = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            texts.messages.append(
                f"{where}, line {line}: not UTF-8 text: ignored, the section shows its prompt"
            )
            continue
        texts.sections[name] = _screen(name, where, raw, texts.messages)
    return texts


def _screen(name: str, where: str, raw: str, messages: list[str]) -> SectionText:
    lines = raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    screened: list[str] = []
    hits: list[int] = []
    for number, line in enumerate(lines, start=1):
        clean, n = screen_text(line)
        if n:
            hits.append(number)
            messages.append(
                f"{where}, line {number}: {n} personnummer, phone number(s) or e-mail "
                f"address(es) replaced with {REPLACEMENT}"
            )
        screened.append(clean)
    text = "\n".join(screened).strip()
    truncated = len(text) > MAX_CHARS
    if truncated:
        cut_line = text[:MAX_CHARS].count("\n") + 1
        messages.append(f"{where}: longer than {MAX_CHARS} characters: cut in line {cut_line}")
        text = text[:MAX_CHARS]
    return SectionText(name, f"{name}.md", text, tuple(hits), truncated)
