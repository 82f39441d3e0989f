"""Swedish formatting and the wording rules of the report (assets/report/text.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from assets.report.text import (
    MINUS,
    NBSP,
    change_sentence,
    fmt_dec,
    fmt_int,
    fmt_pct,
    fmt_q,
    fmt_rate,
    fold,
    funnel_phrase,
    month_name,
    sex_label,
    translate_note,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "0"),
        (7, "7"),
        (1234, f"1{NBSP}234"),
        (1234567, f"1{NBSP}234{NBSP}567"),
        (-12, f"{MINUS}12"),
    ],
)
def test_integers_group_thousands_with_a_space(value, expected):
    assert fmt_int(value) == expected


def test_decimals_use_a_decimal_comma():
    assert fmt_dec(1234.54, 1) == f"1{NBSP}234,5"
    assert fmt_dec(3.0, 1) == "3,0"
    assert fmt_dec(-0.04, 1) == "0,0"
    assert fmt_rate(0.7320) == "0,73"
    assert fmt_rate(41.26) == "41,3"
    assert fmt_pct(12) == f"12{NBSP}%"
    assert fmt_pct(12.4, signed=True) == f"+12{NBSP}%"
    assert fmt_pct(-5, signed=True) == f"{MINUS}5{NBSP}%"
    assert fmt_q(0.0004) == f"<{NBSP}0,001"
    assert fmt_q(0.0312) == "0,031"


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA])
def test_missing_values_are_not_zero(missing):
    """A missing value reads "–", and a real zero still reads as a number: a falsy check
    (``if not value``) in the formatting would show every 0 as missing."""
    assert fmt_int(missing) == "–"
    assert fmt_rate(missing) == "–"
    assert fmt_int(0) == "0"
    assert fmt_int(0.0) == "0"
    assert fmt_rate(0.0) == "0,00"
    assert fmt_pct(0) == f"0{NBSP}%"


def test_month_names_are_swedish_lower_case():
    assert [month_name(m) for m in (1, "05", 12)] == ["januari", "maj", "december"]


def test_a_change_is_called_a_rise_only_when_significant():
    common = {"year": 2025, "change_suppressed": False, "q_suppressed": False}
    big_but_uncertain = change_sentence(
        change_pct=80.0, q_value=0.4, is_significant=False, **common
    )
    assert "inte statistiskt säkerställd" in big_but_uncertain
    assert "ökning" not in big_but_uncertain
    significant = change_sentence(change_pct=30.0, q_value=0.01, is_significant=True, **common)
    assert "statistiskt säkerställd" in significant and "ökningen" in significant
    assert "minskningen" in change_sentence(
        change_pct=-30.0, q_value=0.001, is_significant=True, **common
    )
    # A flag without a q-value below 0.05 is not enough.
    assert "inte" in change_sentence(change_pct=30.0, q_value=0.2, is_significant=True, **common)
    suppressed = change_sentence(
        year=2025,
        change_pct=None,
        change_suppressed=True,
        q_value=None,
        q_suppressed=True,
        is_significant=None,
    )
    assert ".." in suppressed
    # Issue 11: a hidden change is said in plain Swedish, and no percentage slips through even
    # when the caller still holds one (the finding stays, the number does not).
    assert suppressed.startswith("Förändringen från 2024 kan inte visas")
    leaked = change_sentence(
        year=2025,
        change_pct=142.0,
        change_suppressed=True,
        q_value=0.2,
        q_suppressed=True,
        is_significant=False,
    )
    assert "kan inte visas" in leaked and "142" not in leaked and "%" not in leaked


def test_funnel_positions_are_neutral_comparisons():
    assert funnel_phrase(2) == "tydligt över kommunens nivå"
    assert funnel_phrase(-1) == "under kommunens nivå"
    assert funnel_phrase(2, suppressed=True) is None
    assert funnel_phrase(None) is None


def test_theme_names_match_without_case_or_accents():
    assert fold("Mäns  våld mot kvinnor") == "mans vald mot kvinnor"
    assert fold("ORGANISERAD brottslighet") == "organiserad brottslighet"


def test_referral_sex_labels_name_children():
    assert sex_label("kvinnor", "orosanmalan") == "Flickor"
    assert sex_label("man", "orosanmalan") == "Pojkar"
    assert sex_label("kvinnor", "sig") == "Flickor och unga kvinnor"
    assert sex_label("ej uppdelat", "sig") == "Ej uppdelat på kön"


def test_load_log_notes_are_translated_when_known():
    text, known = translate_note(
        "reprojected from EPSG:3006 to EPSG:4326; warning: 1 invalid polygon(s) repaired"
    )
    assert known and "omräknade" in text and "reparerats" in text
    text, known = translate_note("something new")
    assert not known and text == "something new"


def test_a_change_on_small_counts_is_written_as_counts() -> None:
    """Issue 12: '+350 %' on 2 → 9 says more than the data do; a change from 0 is said as such."""
    from assets.report.text import PCT_MIN_COUNT

    common = {"year": 2025, "change_suppressed": False, "q_suppressed": False}
    small = change_sentence(
        change_pct=350.0, q_value=0.2, is_significant=False, count=9, previous=2, **common
    )
    assert small == (
        "Antalet gick från 2 år 2024 till 9 år 2025. Talen är för små för att säga att "
        "nivån har förändrats."
    )
    assert "%" not in small
    from_zero = change_sentence(
        change_pct=None, q_value=None, is_significant=None, count=5, previous=0, **common
    )
    assert from_zero.startswith("Antalet gick från 0 år 2024 till 5 år 2025")
    big = change_sentence(
        change_pct=142.0, q_value=0.2, is_significant=False, count=29, previous=12, **common
    )
    assert "+142" in big
    token = PCT_MIN_COUNT.set(30)  # the setting LAGESBILD_PCT_MIN_COUNT
    try:
        assert "från 12 år 2024 till 29 år 2025" in change_sentence(
            change_pct=142.0, q_value=0.2, is_significant=False, count=29, previous=12, **common
        )
    finally:
        PCT_MIN_COUNT.reset(token)


def test_a_table_shows_a_change_on_small_counts_as_the_two_counts() -> None:
    """Issue 12, point 7: "−25 %" on 4 → 3 and "–" on 0 → 5 said more (or less) than the data."""
    from assets.report.tables import change_cell

    def rec(count, pct=None, **flags):
        return {"crime_count": count, "change_pct": pct, **flags}

    assert change_cell(rec(3, -25.0), rec(4)).text == f"4{NBSP}→{NBSP}3"
    assert change_cell(rec(5, None), rec(0)).text == f"0{NBSP}→{NBSP}5"
    assert change_cell(rec(29, 141.7), rec(12)).text == f"+142{NBSP}%"
    assert change_cell(rec(9, 12.5), rec(8)).text == f"8{NBSP}→{NBSP}9"
    # Hidden: the change is '..', whatever the counts.
    hidden = rec(None, None, crime_count_suppressed=True, change_pct_suppressed=True)
    assert change_cell(hidden, rec(4)).text == ".."
    # No previous row (the first year): the change is not available.
    assert change_cell(rec(12, None), None).text == "–"
    # The sort key stays the percentage, so a sortable column still sorts by change.
    assert change_cell(rec(3, -25.0), rec(4)).sort == -25.0


def test_the_trend_sentence_calls_a_trend_a_rise_only_when_significant() -> None:
    from assets.report.text import trend_sentence

    base = {"year": 2025, "first_year": 2021, "ci_low": 28.0, "ci_high": 78.0}
    up = trend_sentence(**base, pct=51.0, q_value=0.0004, suppressed=False)
    assert up.startswith("Sedan 2021 har antalet brott per invånare ökat med i genomsnitt 51")
    assert f"q-värde <{NBSP}0,001" in up
    flat = trend_sentence(**base, pct=20.0, q_value=0.3, suppressed=False)
    assert "inte förändrats mer än slumpen" in flat and "ökat" not in flat
    small = trend_sentence(**base, pct=30.0, q_value=0.6, suppressed=False, counts=[2, 4, 3, 6, 5])
    assert "mellan 2 och 6 brott per år" in small and "%" not in small
    hidden = trend_sentence(**base, pct=None, q_value=None, suppressed=True)
    assert "kan inte visas" in hidden and ".." in hidden
    none = trend_sentence(**{**base, "first_year": None}, pct=None, q_value=None, suppressed=False)
    assert "kan inte beräknas" in none


def test_counts_agree_with_their_nouns() -> None:
    """Issue 13: "1 ogiltiga polygoner", "1 områden": the noun follows the count."""
    from assets.report.text import count_noun

    assert count_noun(1, "område", "områden") == "1 område"
    assert count_noun(0, "område", "områden") == "0 områden"
    assert count_noun(1234, "rad", "rader") == f"1{NBSP}234 rader"
    one, _ = translate_note("warning: 1 invalid polygon(s) repaired")
    assert one == "1 ogiltig polygon har reparerats"
    three, _ = translate_note("warning: 3 invalid polygon(s) repaired")
    assert three == "3 ogiltiga polygoner har reparerats"
    # A reporter code in a note reads as the report names it, not as the code.
    grouped, known = translate_note("reporters grouped as 'ovriga': fritidsgard, kyrkan")
    assert known and grouped == "anmälare sammanförda som Övriga: fritidsgard, kyrkan"


def test_the_default_list_note_is_in_swedish():
    """A reference list the municipality did not deliver (e.g. trygghetsfragor) is noted in
    Swedish in the data-quality table."""
    note = "the project's default list (no referens/trygghetsfragor.csv delivered)"
    assert translate_note(note) == (
        "projektets standardlista (ingen referens/trygghetsfragor.csv levererad)",
        True,
    )
