"""The report's Swedish through a spell checker: Debian's hunspell with hunspell-sv.

Every word a reader sees in the sample's report (headings, sentences, tables, captions, map
labels) goes through ``hunspell -d sv_SE -l``; an unknown word fails the test unless it is on
the short allow-list ``data/spelling-allow.txt`` (the sample's place names, the statistical
terms and abbreviations the report explains). Install the checker with `make print-tools`.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.report.html_tree import HIDDEN_TEXT, Element, parse

ALLOW_LIST = Path(__file__).parent / "data" / "spelling-allow.txt"
DICTIONARY = "sv_SE"
#: Elements that run inside a line of text; every other element separates words (a table
#: cell, a list item, a heading).
INLINE = {"a", "abbr", "b", "code", "em", "i", "small", "span", "strong", "sub", "sup", "time"}
#: File names, codes and addresses are data, not Swedish words.
NOT_WORDS = re.compile(r"\S*[_@/]\S*|\S+\.(?:csv|xlsx|geojson|gpkg|parquet|md|txt)\b|\S*\d\S*")


def words_of(tree: Element) -> str:
    """The visible text, with a space wherever the layout separates two pieces of text."""

    def walk(element: Element) -> str:
        parts = []
        for child in element.children:
            if isinstance(child, str):
                parts.append(child)
            elif child.tag not in HIDDEN_TEXT:
                inner = walk(child)
                parts.append(inner if child.tag in INLINE else f" {inner} ")
        return "".join(parts)

    body = tree.find("body")
    assert body is not None
    return NOT_WORDS.sub(" ", walk(body))


def unknown_words(text: str) -> list[str]:
    if (
        shutil.which("hunspell") is None
        or not Path(f"/usr/share/hunspell/{DICTIONARY}.dic").exists()
    ):
        pytest.fail("hunspell or hunspell-sv is not installed: run `make print-tools`")
    allowed = {
        line.strip().casefold()
        for line in ALLOW_LIST.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    found = subprocess.run(
        ["hunspell", "-d", DICTIONARY, "-l", "-i", "utf-8"],
        input=text,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    # Case-insensitive: a word allowed in a sentence is allowed at the start of a heading;
    # hunspell keeps a sentence's full stop on a word it doesn't know ("Parquet.").
    return sorted({w for w in found if w.rstrip(".").casefold() not in allowed})


def test_every_visible_word_of_the_report_is_swedish(report):
    unknown = unknown_words(words_of(report.tree))
    assert unknown == [], f"not in the Swedish dictionary nor on the allow-list: {unknown}"


def test_a_planted_misspelling_is_caught(report):
    """The check can fail: one misspelt word in a paragraph is reported, and only it."""
    planted = report.html.replace("Sammanfattning</h2>", "Sammanfattning</h2><p>Brotsligheten</p>")
    assert unknown_words(words_of(parse(planted))) == ["Brotsligheten"]
