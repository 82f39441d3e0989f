"""Privacy screening of free text (data-contract §2.5 and §2.7, domain §5).

Personnummer and samordningsnummer, phone numbers and e-mail addresses are replaced with
``[borttaget]`` before text reaches any output. Pure Python: no Dagster, no DuckDB, so it can be
used anywhere (staging, quarantine, load log, log messages) and tested in isolation.

Design, and why:

* **Personnummer** are only replaced when the date part is plausible and the Luhn digit is
  right (the contract asks for the Luhn check, and it keeps ordinary ten-digit numbers such as
  case numbers mostly untouched).
* **Phone numbers** are found in two steps: a permissive regex picks a *candidate* (a run of
  digit groups joined by at most three separator characters, starting like a phone number), and
  Python validates the digit count and group structure, trying the longest valid prefix first.
  Counting digits across optional separators is awkward in a regex, and Python rules are easier
  to read and to keep free of false positives on dates, times, years and counts.
* **E-mail** addresses, including the ``(at)`` / ``[at]`` spellings people use to dodge spam.
* ``PREFILTER_SQL_REGEX`` is a deliberately broad RE2-compatible regex used in SQL to pick the
  rows worth sending through Python. It must match every string ``screen_text`` would change.
  ``screen_text`` runs each kind of check only when that kind's part of the same pattern
  matches, so a prefilter that missed something would make Python miss it too, and the tests
  (screening with and without the gates on dense random input) would notice.

Only ASCII digits are recognised (``[0-9]``); numbers written in other scripts' digits pass.
"""

from __future__ import annotations

import re
from typing import overload

__all__ = ["PREFILTER_SQL_REGEX", "REPLACEMENT", "contains_pii", "luhn_ok", "screen_text"]

REPLACEMENT = "[borttaget]"

# Character classes, spelled as literal characters (not \u escapes) so the same text works in
# Python's `re` and in RE2, which has no \u escape. Text pasted from Word or PDFs often carries
# no-break/thin spaces and typographic dashes instead of " " and "-".
_SP = " \u00a0\u2007\u2009\u202f"
_DASH_CHARS = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_DASH = _DASH_CHARS.replace("-", "\\-")  # for use inside [...]

# ---------------------------------------------------------------------------------------------
# Personnummer / samordningsnummer
# ---------------------------------------------------------------------------------------------

# [18|19|20]YYMMDD, an optional separator, NNNN. Day 01-31, or 61-91 for a samordningsnummer
# (the regex lets 00 and 32-39 through; the callback rejects them, which keeps the regex simple).
# The separator is any 0-3 spaces, dashes or "+" ("-", "+", " ", " - ", two spaces): loose on
# purpose, since the Luhn digit and the date keep ordinary numbers out. The digit lookarounds
# stop matches inside longer digit runs (account numbers, ids); a 12-digit run only counts with
# a plausible century.
_PNR_RE = re.compile(
    rf"(?<![0-9])(?:18|19|20)?"
    rf"([0-9]{{2}})(0[1-9]|1[0-2])([0-3][0-9]|[6-9][0-9])"
    rf"[{_SP}{_DASH}+]{{0,3}}([0-9]{{4}})(?![0-9])"
)


def luhn_ok(digits: str) -> bool:
    """True if the ASCII digit string passes the Luhn check (its last digit is the check digit).

    For a personnummer pass the 10-digit form YYMMDDNNNN (without century or separator).
    Anything that is not a non-empty string of ASCII digits is False.
    """
    if not digits or not digits.isascii() or not digits.isdigit():
        return False
    total = 0
    # From the right: the check digit is weighted 1, then 2, 1, 2, ...; a doubled digit above 9
    # contributes its digit sum (d - 9).
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _screen_pnr(text: str) -> tuple[str, int]:
    hits = 0

    def repl(m: re.Match[str]) -> str:
        nonlocal hits
        yy, mm, dd, serial = m.groups()
        day = int(dd)
        if not (1 <= day <= 31 or 61 <= day <= 91):
            return m.group(0)
        if not luhn_ok(yy + mm + dd + serial):
            return m.group(0)
        hits += 1
        return REPLACEMENT

    return _PNR_RE.sub(repl, text), hits


# ---------------------------------------------------------------------------------------------
# Phone numbers
# ---------------------------------------------------------------------------------------------

# A "+" amount of money or a percentage ("+10 000 000 kr") is not a phone number.
_MONEY = (
    rf"[{_SP}]?[0-9]{{1,3}}(?:[{_SP}][0-9]{{3}})+(?:[,.][0-9]+)?[{_SP}]?"
    r"(?i:kr|kronor|sek|tkr|mkr|procent|%)(?!\w)"
)
# Separator characters that may join digit groups inside a candidate; at most three in a row
# ("070 - 123", ") ", " (").
_JOIN_CHARS = f"{_SP}{_DASH}/.()"
_PHONE_CANDIDATE_RE = re.compile(
    # Not glued to a preceding number, and not the tail of a date or time such as
    # "2024-08-12 34 56" or "22.00-08.00 ..." (a digit followed by a dash or dot).
    rf"(?<![0-9])(?<![0-9][{_DASH}.])"
    # International "+CC" (not money), "00CC" (not after a letter: the tail of a DeSO code
    # such as "0114A0020"), "(0AA)" area code in parentheses, or national 0A.
    rf"(?:\+(?!{_MONEY})[{_SP}]?[1-9]|(?<!\w)00[1-9]|\(0[1-9]|0[1-9])"
    # At most 16 more groups: no phone number has more than 15 digits (plus "00"), and the cap
    # keeps long runs of figures ("01 01 01 ...", tables pasted as text) linear.
    rf"[0-9]*(?:[{_JOIN_CHARS}]{{1,3}}[0-9]+){{0,16}}"
)
_DIGIT_GROUP_RE = re.compile(r"[0-9]+")
_DIGIT_SPLIT_RE = re.compile(r"([0-9]+)")

# The separators allowed between digit groups, as sets of exact strings: a set lookup is several
# times faster than a regex fullmatch, and validation runs on every candidate.
_OPT_SP = ("", *_SP)
_DASHES = frozenset(_DASH_CHARS)
# Between the area code and the subscriber number: a space, or a dash or slash possibly with
# spaces ("070 123", "070-123", "070 - 123", "070/123").
_AREA_SEPS = frozenset(
    {a + d + b for a in _OPT_SP for d in _DASH_CHARS + "/" for b in _OPT_SP} | set(_SP)
)
# After "(013": ")" then optionally a space and/or a dash or slash ("(013) 12", "(08)-123").
_PAREN_AREA_SEPS = frozenset(
    {")" + a for a in _OPT_SP}
    | {")" + a + d + b for a in _OPT_SP for d in _DASH_CHARS + "/" for b in _OPT_SP}
)
# Inside the subscriber number: one space or one dash ("123 45 67", "123-45-67").
_SUB_SEPS = frozenset(_SP + _DASH_CHARS)
# International: one space, dash or dot, and parentheses ("+46 (0)70-123 45 67",
# "+1 (555) 010-0199", "+46.70.123.45.67"). Not a dash between spaces: in running text
# " – " separates a number from what follows ("+44 20 7946 0958 – 114 14").
_INTL_SEPS = frozenset(
    {*_SP, *_DASH_CHARS, "."}
    | {a + "(" for a in _OPT_SP}
    | {")" + a for a in _OPT_SP}
    | {")" + d for d in _DASH_CHARS}
)


def _is_date_like(groups: list[str], joiners: list[str]) -> bool:
    """DD-MM-YYYY (e.g. "08-12-2023"): same separator twice, a month, a 19xx/20xx year."""
    return (
        len(groups) == 3
        and len(groups[0]) == 2
        and len(groups[1]) == 2
        and len(groups[2]) == 4
        and joiners[0] == joiners[1]
        and "01" <= groups[1] <= "12"
        and groups[2][:2] in ("19", "20")
    )


def _valid_national(groups: list[str], joiners: list[str], paren: bool) -> bool:
    """A Swedish number written nationally: 0 + area code (1-3 digits) + subscriber number.

    The whole number has 8-10 digits (a national significant number of 7-9 digits).
    """
    total = sum(map(len, groups))
    if not 8 <= total <= 10:
        return False
    area = groups[0]
    if not joiners:
        # One unbroken run of digits starting with 0[1-9] ("0701234567").
        return not paren
    first = joiners[0]
    rest = joiners[1:]
    if paren:
        # "(013) 12 34 56": the parentheses hold exactly the area code.
        if len(area) > 4 or first not in _PAREN_AREA_SEPS:
            return False
    elif first == "." and all(j == "." for j in rest):
        # Dotted style only for full mobile numbers ("070.123.45.67"): dots are otherwise
        # times ("08.00-17.00") or dates.
        return area.startswith("07") and total == 10
    elif first not in _AREA_SEPS:
        return False
    if rest:
        if not _SUB_SEPS.issuperset(rest):
            return False
        # Dashes inside the subscriber number only in the all-dash style ("070-123-45-67").
        # After a space, a dash starts something else: in "0115 070-174 06 05" a code
        # precedes a number.
        if _DASHES.isdisjoint(first) and not _DASHES.isdisjoint(rest):
            return False
    # Subscriber numbers are grouped in twos and threes: a single digit between separators is a
    # list of small numbers, not a phone number.
    if min(map(len, groups[1:])) < 2:
        return False
    if area == "07" and total == 10:
        # A full mobile number grouped in pairs ("07 01 74 06 05"): the area code 07X is split.
        return True
    if len(area) <= 4:
        # The first group is the area code. Stockholm (08) is the only 1-digit area code;
        # other "0X" groups are dates or lists ("06-05-2024", "01 12 2023").
        if len(area) == 2 and area != "08":
            return False
        # A subscriber number never starts with 0 (the trunk prefix), so "0114 0115 ..." is a
        # list of municipality codes.
        if groups[1][0] == "0":
            return False
        # 3-digit area codes (0920, 0771) have 5-6 digit subscriber numbers; this also rejects
        # clock ranges like "0800-1700".
        if len(area) == 4 and total < 9:
            return False
    return not _is_date_like(groups, joiners)


def _valid_international(groups: list[str], joiners: list[str], zero_zero: bool) -> bool:
    """International, "+CC ..." or "00CC ...": 8-15 digits after the prefix (E.164 max)."""
    digits = "".join(groups)
    if zero_zero:
        digits = digits[2:]
    if not 8 <= len(digits) <= 15:
        return False
    if not _INTL_SEPS.issuperset(joiners):
        return False
    # Parentheses must pair up ("+1 (555) ..."): an unclosed "(" belongs to the text
    # ("+44 20 7946 0958 (3 gånger)").
    depth = 0
    for j in joiners:
        depth += j.count("(") - j.count(")")
        if not 0 <= depth <= 1:
            return False
    if depth:
        return False
    if digits.startswith("46"):
        # Sweden: drop the trunk 0 people often keep ("+46 (0)70", "+46 070"); the national
        # significant number then has 7-9 digits and doesn't start with 0.
        nsn = digits[2:]
        if nsn.startswith("0"):
            nsn = nsn[1:]
        return 7 <= len(nsn) <= 9 and not nsn.startswith("0")
    return True


def _phone_length(candidate: str) -> int | None:
    """Length of the longest prefix of `candidate` that is a phone number, or None.

    A prefix should end where the next separator is not a single dash: a dash binds the digit
    groups of one number ("070-123"), while a space, slash or dot may separate two numbers
    ("070-123 45 67 2023", "08-123 45 67/070-..."). Only if that finds nothing are cuts at a
    dash tried, for two numbers glued by a dash ("070-1234567-08-1234567").
    """
    # [prefix, group, joiner, group, ..., group, ""]: split is the cheapest tokeniser here.
    parts = _DIGIT_SPLIT_RE.split(candidate)
    groups = parts[1::2]
    joiners = parts[2:-1:2]
    first = candidate[0]
    international = first == "+" or candidate.startswith("00")
    # Only prefixes of at most 17 digits ("00" + 15) can be valid; skip the longer ones.
    n, digits = 0, 0
    while n < len(groups) and digits + len(groups[n]) <= 17:
        digits += len(groups[n])
        n += 1
    for cut_at_dash in (False, True):
        for k in range(n, 0, -1):
            at_dash = k < len(groups) and joiners[k - 1] in _DASHES
            if at_dash != cut_at_dash:  # the second pass tries only the dash cuts
                continue
            g, j = groups[:k], joiners[: k - 1]
            if international:
                ok = _valid_international(g, j, zero_zero=first == "0")
            else:
                ok = _valid_national(g, j, paren=first == "(")
            if ok:
                return len(candidate) if k == len(groups) else len("".join(parts[: 2 * k]))
    return None


def _screen_phones(text: str) -> tuple[str, int]:
    parts: list[str] = []
    hits = 0
    last = pos = 0
    while (m := _PHONE_CANDIDATE_RE.search(text, pos)) is not None:
        candidate = m.group(0)
        length = _phone_length(candidate)
        if length is None:
            # No phone number starts here, but one may start inside the candidate: retry after
            # "(" ("(0701740605)" is a plain number in brackets) or after the first digit group
            # ("0114 0115 070-...").
            first_group = _DIGIT_GROUP_RE.search(candidate)
            assert first_group is not None  # the candidate regex always contains a digit
            pos = m.start() + (1 if candidate[0] == "(" else first_group.end())
            continue
        parts.append(text[last : m.start()])
        parts.append(REPLACEMENT)
        hits += 1
        last = pos = m.start() + length
    if not hits:
        return text, 0
    parts.append(text[last:])
    return "".join(parts), hits


# ---------------------------------------------------------------------------------------------
# E-mail
# ---------------------------------------------------------------------------------------------

# \w is Unicode-aware for str patterns, so "åsa.öberg@kommun.example.se" is caught. The
# lookbehind anchors the local part at its start: it avoids quadratic rescanning of long words
# and replaces the whole address, not a tail of it.
_AT = rf"(?:@|＠|[{_SP}]?[(\[][{_SP}]?(?i:at)[{_SP}]?[)\]][{_SP}]?)"
_EMAIL_RE = re.compile(rf"(?<![\w.%+\-])[\w.%+\-]+{_AT}(?:[\w\-]+\.)+[^\W\d_]{{2,}}")


def _screen_email(text: str) -> tuple[str, int]:
    return _EMAIL_RE.subn(REPLACEMENT, text)


# ---------------------------------------------------------------------------------------------
# Prefilter for SQL (RE2) and the Python fast path
# ---------------------------------------------------------------------------------------------

# Broad on purpose: no lookarounds, no validation, one pattern per kind. Every e-mail has "@"
# or an "(at)" form; every personnummer is 6 digits, at most 3 separator characters and 4
# digits; every phone number has at least 8 digits (after "0[1-9]", "+" or "00[1-9]") joined by
# at most 3 separator characters.
_PF_JOIN = f"{_SP}{_DASH}/.()+"
_GATE_EMAIL = rf"@|＠|[(\[][{_SP}]?(?i:at)[{_SP}]?[)\]]"
_GATE_PNR = rf"[0-9]{{6}}[{_SP}{_DASH}+]{{0,3}}[0-9]{{4}}"
_GATE_PHONE = (
    rf"0[1-9](?:[{_PF_JOIN}]{{0,3}}[0-9]){{6}}|\+[{_SP}]?[1-9](?:[{_PF_JOIN}]{{0,3}}[0-9]){{7}}"
)
PREFILTER_SQL_REGEX: str = "|".join([_GATE_EMAIL, _GATE_PNR, _GATE_PHONE])

# Each step runs only if its own part of the prefilter matches: a cheap search that skips the
# costlier scan (and keeps Python's fast path exactly as broad as the SQL prefilter).
# E-mail first: an address may hold digits that look like a phone number or pnr and should be
# one hit. Personnummer before phones, so a pnr that starts with 0 counts as a pnr.
_STEPS = (
    (re.compile(_GATE_EMAIL), _screen_email),
    (re.compile(_GATE_PNR), _screen_pnr),
    (re.compile(_GATE_PHONE), _screen_phones),
)


def _screen(text: str, *, gated: bool = True) -> tuple[str, int]:
    """Screen `text`. gated=False runs every step regardless of the prefilter (for the tests,
    which check that the prefilter never hides a hit)."""
    total = 0
    # A replacement can expose a number that a lookbehind blocked ("...67.070-..." becomes
    # "[borttaget].070-..."), so screening repeats until a round changes nothing. That ends:
    # every phone or pnr hit removes at least 8 digits and every e-mail hit an "@" or "(at)",
    # and "[borttaget]" adds neither. The bound is only a guard against a future mistake.
    for _ in range(len(text) + 1):
        round_hits = 0
        for gate, step in _STEPS:
            if gated and gate.search(text) is None:
                continue
            text, n = step(text)
            round_hits += n
        total += round_hits
        if not round_hits:
            break
    return text, total


@overload
def screen_text(text: str) -> tuple[str, int]: ...
@overload
def screen_text(text: None) -> tuple[None, int]: ...
@overload
def screen_text(text: str | None) -> tuple[str | None, int]: ...
def screen_text(text: str | None) -> tuple[str | None, int]:
    """Replace personnummer/samordningsnummer, phone numbers and e-mails with ``[borttaget]``.

    Returns the screened text and the number of replacements. None stays None.
    """
    if text is None:
        return None, 0
    return _screen(text)


def contains_pii(text: str | None) -> bool:
    """True if `screen_text` would replace anything in `text`."""
    return screen_text(text)[1] > 0
