"""The municipality's own text (data-contract §2.10): raw/texter/*.md into the report.

Files are screened like the area teams' observations, with a message naming file and line;
raw HTML is escaped; a missing file leaves a prompt saying what the law expects there.
"""

from __future__ import annotations

from pathlib import Path

from assets.ingest.texts import MAX_CHARS, SECTION_FILES, read_texts
from assets.report.texts import SECTIONS, markdown_html, own_text_section
from tests.report.conftest import Rendered

#: A personnummer with a correct Luhn digit (Skatteverket's test number), a phone number and
#: an e-mail address, as a coordinator might paste them from a meeting's notes.
PNR = "19121212-1212"
PHONE = "070-123 45 67"
EMAIL = "anna.berg@alvstad.example.se"


def _write(root: Path, files: dict[str, bytes | str]) -> Path:
    for name, content in files.items():
        path = root / "texter" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return root


def test_personal_data_is_screened_with_a_message_naming_file_and_line(tmp_path):
    raw = _write(
        tmp_path,
        {
            "konsekvenser.md": (
                "## Otrygghet\n\n"
                f"Anmälaren ({PNR}) har hört av sig flera gånger.\n"
                "Ingen personuppgift här.\n"
                f"Frågor till {EMAIL} eller {PHONE}.\n"
            )
        },
    )
    texts = read_texts(raw)
    text = texts.sections["konsekvenser"]
    assert text.screened_lines == (3, 5)
    for secret in (PNR, "1212-1212", EMAIL, PHONE):
        assert secret not in text.markdown
        assert not any(secret in m for m in texts.messages)
    assert "Anmälaren ([borttaget]) har hört av sig" in text.markdown
    assert texts.messages == [
        "texter/konsekvenser.md, line 3: 1 personnummer, phone number(s) or e-mail "
        "address(es) replaced with [borttaget]",
        "texter/konsekvenser.md, line 5: 2 personnummer, phone number(s) or e-mail "
        "address(es) replaced with [borttaget]",
    ]
    html = str(own_text_section("konsekvenser", texts.markdown()).children[0].content)
    assert PNR not in html and "[borttaget]" in html


def test_raw_html_in_markdown_is_escaped_not_rendered():
    html = str(
        markdown_html(
            "# Rubrik\n\n<script>alert('x')</script>\n\n"
            'Text med <img src="x" onerror="alert(1)"> och <b>fet</b> stil, '
            "[en länk](javascript:alert(1)) och [Brå](https://bra.se).\n\n"
            "![bild](https://example.se/bild.png)\n"
        )
    )
    assert "<script" not in html and "&lt;script&gt;" in html
    assert "<img" not in html and "&lt;img" in html
    assert "<b>" not in html and "&lt;b&gt;fet&lt;/b&gt;" in html
    assert "javascript:" not in html.replace("](javascript:", "")
    assert 'href="javascript' not in html
    assert '<a href="https://bra.se">Brå</a>' in html
    # The file's headings sit below the section's own h2.
    assert "<h3>Rubrik</h3>" in html and "<h1>" not in html


def test_a_missing_file_leaves_the_prompt_for_what_the_law_expects():
    section = own_text_section("konsekvenser", {})
    assert [c.kind for c in section.children] == ["note"]
    prompt = str(section.children[0].content)
    assert "konsekvenser" in prompt and "4 § p. 1" in prompt
    assert "texter/konsekvenser.md" in prompt
    other = str(
        own_text_section("annan-information", {"annan-information": "  "}).children[0].content
    )
    assert "4 § p. 2" in other and "planerat byggande" in other


def test_unknown_unreadable_and_long_files_are_named(tmp_path):
    raw = _write(
        tmp_path,
        {
            "konsekvenser.md": "a" * (MAX_CHARS + 50),
            "annan-information.md": b"# Byggande\n\nNyetablering i Furulund \xe5r 2026\n",
            "bakgrund.md": "Okänt namn.",
            "inledning.txt": "Fel filändelse.",
        },
    )
    texts = read_texts(raw)
    assert len(texts.sections["konsekvenser"].markdown) == MAX_CHARS
    assert texts.sections["konsekvenser"].truncated
    assert set(texts.sections) == {"konsekvenser"}
    expected = ", ".join(f"{n}.md" for n in SECTION_FILES)
    assert texts.messages == [
        # Windows-1252's "å" in line 3.
        "texter/annan-information.md, line 3: not UTF-8 text: ignored, the section shows its "
        "prompt",
        f"texter/bakgrund.md: not a known section file ({expected}): ignored",
        f"texter/inledning.txt: not a known section file ({expected}): ignored",
        f"texter/konsekvenser.md: longer than {MAX_CHARS} characters: cut in line 1",
    ]
    assert read_texts(tmp_path / "saknas").sections == {}


def test_the_sample_report_shows_its_texts_and_prompts(report: Rendered):
    shown = {s: report.tree.find("section", id=SECTIONS[s].id) for s in SECTIONS}
    assert all(shown.values()), "every own-text section is in the report"
    # The sample ships konsekvenser.md and annan-information.md, not inledning.md.
    konsekvenser = shown["konsekvenser"].text()
    assert "Otrygghet i boendemiljön" in konsekvenser
    assert "Text från kommunen (texter/konsekvenser.md)" in konsekvenser
    assert "Texten saknas" not in konsekvenser
    assert shown["konsekvenser"].find("h3") is not None
    assert "Planerat byggande" in shown["annan-information"].text()
    inledning = shown["inledning"].text()
    assert "Texten saknas: lägg den i filen texter/inledning.md" in inledning
    # The law checklist points at the sections.
    assert report.tree.find("a", href="#konsekvenser") is not None
    assert report.tree.find("a", href="#annan-information") is not None
