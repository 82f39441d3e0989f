"""public.area_survey_year under disclosure rule 5, read from outside (the CSV).

A share from fewer than 30 respondents is '..', and so are its interval, the change and tests
that use it, and the municipality's mean that it is part of; the respondents are published.
"""

from __future__ import annotations

import pytest

from tests.public.test_public_disclosure import number, read_public

SURVEY = "omrade_id;ar;fraga;kon;antal_svarande;andel\n" + (
    "A1;2021;otrygg_kvall;totalt;200;30\n"
    "A1;2023;otrygg_kvall;totalt;220;22\n"
    "A2;2021;otrygg_kvall;totalt;180;20\n"
    "A2;2023;otrygg_kvall;totalt;29;25\n"  # too few: hidden, and A2's change with it
    "A3;2021;otrygg_kvall;totalt;12;40\n"  # too few: hidden, so A3 2023's change too
    "A3;2023;otrygg_kvall;totalt;150;35\n"
    "kommun;2023;otrygg_kvall;totalt;1200;24\n"
    "A1;2023;otrygg_kvall;kvinnor;195;20\n"  # shown alone it would give man's share back
    "A1;2023;otrygg_kvall;man;25;37,6\n"  # too few
)


@pytest.fixture(scope="module")
def everything(build_raw, write_raw, base_files, tmp_path_factory):
    root = tmp_path_factory.mktemp("public_survey")
    raw = write_raw(root / "raw", base_files(**{"trygghet/matning.csv": SURVEY}))
    build = build_raw(raw, root / "marts")
    assert not build.errors(), build.errors()
    assert build.result.success
    return read_public(root / "marts" / "public", "area_survey_year").set_index(["area_id", "year"])


@pytest.fixture(scope="module")
def public(everything):
    return everything[everything["sex"] == "totalt"]


DERIVED = ["ci_low", "ci_high", "change_pp", "p_value", "q_value"]


def test_no_share_from_fewer_than_30_respondents(public):
    few = number(public["respondents"]) < 30
    assert few.sum() == 2
    assert (public.loc[few, ["share_pct", *DERIVED]] == "..").all().all()
    assert (public.loc[few, ["kommun_p_value", "kommun_q_value"]] == "..").all().all()
    # The respondents themselves are published.
    assert public.loc[("A2", "2023"), "respondents"] == "29"


def test_one_hidden_sex_hides_the_other(everything):
    a1 = everything.loc[("A1", "2023")].set_index("sex")
    assert a1.loc["man", "share_pct"] == ".." and a1.loc["kvinnor", "share_pct"] == ".."
    assert a1.loc["kvinnor", "respondents"] == "195" and a1.loc["totalt", "share_pct"] == "22"


def test_a_change_from_a_hidden_year_is_hidden(public):
    assert public.loc[("A3", "2023"), "share_pct"] == "35"
    assert public.loc[("A3", "2023"), "ci_low"] != ".."
    assert (public.loc[("A3", "2023"), ["change_pp", "p_value", "q_value"]] == "..").all()
    assert public.loc[("A1", "2023"), "change_pp"] == "-8"


def test_the_weighted_mean_of_areas_is_hidden_when_an_area_is(public):
    # 2021 has no kommun row: the reference is the areas' mean, which includes hidden A3.
    assert (public.xs("2021", level="year")["kommun_share_pct"] == "..").all()
    # 2023 has a kommun row with enough respondents: shown for the areas that are shown.
    assert public.loc[("A1", "2023"), "kommun_share_pct"] == "24"
