"""Masking customer data before it is shared: customer privacy (客户隐私), R2.3.1.2.

A CRM extract that leaves the sales team (for a marketing campaign, an event agency, a
colleague in another department) must carry only what its recipient needs, and what it
carries must not identify a customer's contact person more than necessary. In the sense of
China's Personal Information Protection Law (个人信息保护法, PIPL), personal information
(个人信息) is any information about an identified or identifiable natural person: a mobile
number, a resident ID number, a name together with contact details, an email address.

Masking (脱敏) replaces most characters of such a value with ``*`` and keeps a few, so that
the person who already knows the value can recognise it and nobody else can recover it:

- :func:`mask_phone`: ``"138 0000 0101"`` -> ``"138****0101"`` (first three and last four
  digits of a Chinese mobile number, the form shown by banks and carriers);
- :func:`mask_id_card`: an 18-character resident ID number keeps its first three and last
  four characters; the birth date (characters 7-14) and the rest of the region code are
  hidden;
- :func:`mask_name`: ``"张伟"`` -> ``"张*"`` (the family name stays);
- :func:`mask_email`: ``"zhang.wei@example.com"`` -> ``"z***@example.com"``.

:func:`mask_extract` applies these to the columns of a table by a rules dict and drops the
columns the recipient does not need; :func:`find_unmasked` checks a table before it is sent
for values that still look like mobile numbers, ID numbers or email addresses. Masked data is
still personal information under the PIPL (it is de-identified, not anonymous): masking lowers
the harm of a leak, it does not make sharing allowed by itself.

A value that cannot be masked (not a mobile number, an ID number of the wrong length) is an
error naming the value, never passed through unmasked.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable, Mapping
from types import MappingProxyType

import pandas as pd

__all__ = ["RULES", "find_unmasked", "mask_email", "mask_extract", "mask_id_card",
           "mask_name", "mask_phone"]

_MOBILE = re.compile(r"1[3-9]\d{9}")
_PHONE_PREFIX = re.compile(r"^(?:\+|00)?86(?=1[3-9]\d{9}$)")
_ID_CARD = re.compile(r"\d{17}[\dX]")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _text(value: object, what: str) -> str:
    """A value as text: strings as they are, whole numbers (read from Excel) as digits."""
    if isinstance(value, str):
        return value
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return str(int(value))
    raise TypeError(f"{what}: expected text, got {value!r} ({type(value).__name__}); read "
                    "identifiers as text, e.g. pandas.read_csv(..., dtype=str)")


def mask_phone(number: str) -> str:
    """Mask a Chinese mobile number: keep the first three and the last four digits (R2.3.1.2).

    Parameters
    ----------
    number : str
        Eleven digits starting with 13-19, optionally after the country code ``+86``
        (or ``86``, ``0086``) and written with spaces or dashes, e.g. ``"+86 138-0000-0101"``.
        A whole number (an Excel column read as integers) is accepted too.

    Returns
    -------
    str
        The 11-character masked number without the country code, e.g. ``"138****0101"``:
        one ``*`` per hidden digit, so the masked value has the length of the number.

    Raises
    ------
    ValueError
        If the value is not a Chinese mobile number; the message names the value.

    Examples
    --------
    >>> mask_phone("13812345678")
    '138****5678'
    >>> mask_phone("+86 139-0000-0202")
    '139****0202'
    """
    text = _text(number, "mask_phone")
    digits = _PHONE_PREFIX.sub("", re.sub(r"[\s\-()]", "", text))
    if not _MOBILE.fullmatch(digits):
        raise ValueError(
            f"mask_phone: {text!r} is not a Chinese mobile number: expected 11 digits starting "
            "with 13-19, optionally after +86 and with spaces or dashes, e.g. '138 0000 0101'"
        )
    return digits[:3] + "****" + digits[-4:]


def mask_id_card(number: str) -> str:
    """Mask an 18-character resident ID number (居民身份证号码) (R2.3.1.2).

    The number is a 6-digit region code, the birth date (8 digits, YYYYMMDD), a 3-digit
    sequence number (odd for men, even for women) and a check character (a digit or X). The
    mask keeps the first three characters (the province and city) and the last four, and
    hides the eleven in between, the birth date included: the common practice on receipts and
    account pages, enough for the holder to recognise the card and too little to rebuild it.

    Parameters
    ----------
    number : str
        17 digits and a final digit or ``X`` (a lowercase ``x`` is read as ``X``); spaces,
        as in ``"000000 19900101 001X"``, are ignored. The check character is not verified:
        a number with a wrong check character is still a person's data and is masked all
        the same.

    Returns
    -------
    str
        18 characters, e.g. ``"000***********001X"``.

    Raises
    ------
    ValueError
        If the value does not have that form (for example a 15-digit first-generation
        number, no longer valid); the message names the value.

    Examples
    --------
    >>> mask_id_card("00000019900101001x")
    '000***********001X'
    """
    text = _text(number, "mask_id_card")
    compact = re.sub(r"\s", "", text).upper()
    if not _ID_CARD.fullmatch(compact):
        raise ValueError(
            f"mask_id_card: {text!r} is not a resident ID number: expected 18 characters, "
            "17 digits and a final digit or X, e.g. '000000 19900101 001X'"
        )
    return compact[:3] + "*" * 11 + compact[-4:]


def mask_name(name: str) -> str:
    """Mask a person's name: keep the first character of each part, hide the rest (R2.3.1.2).

    A Chinese name keeps its family name (the first character) and has one ``*`` per other
    character; a name in Latin letters keeps the initial of each word.

    Parameters
    ----------
    name : str
        The name, e.g. ``"张伟"`` or ``"Wang Demo"``. Parts are separated by spaces or a
        middle dot (``·``), as in transcribed names.

    Returns
    -------
    str
        ``"张*"``, ``"W*** D***"``. A one-character name becomes ``"*"``.

    Raises
    ------
    ValueError
        If the name is empty.

    Examples
    --------
    >>> mask_name("张伟")
    '张*'
    >>> mask_name("欧阳娜娜")
    '欧***'
    """
    text = _text(name, "mask_name").strip()
    if not text:
        raise ValueError(f"mask_name: {name!r} is empty: expected a person's name")
    if len(text) == 1:
        return "*"

    def part(match: re.Match) -> str:
        word = match.group()
        return word[0] + "*" * (len(word) - 1)

    return re.sub(r"[^\s·・.]+", part, text)


def mask_email(address: str) -> str:
    """Mask an email address: keep the first character of the name and the domain (R2.3.1.2).

    Parameters
    ----------
    address : str
        ``name@domain``, e.g. ``"zhang.wei@example.com"``.

    Returns
    -------
    str
        ``"z***@example.com"``: always three ``*``, so the length of the name is hidden too.

    Raises
    ------
    ValueError
        If the value is not an email address; the message names the value.

    Examples
    --------
    >>> mask_email("zhang.wei@example.com")
    'z***@example.com'
    """
    text = _text(address, "mask_email").strip()
    if not _EMAIL.fullmatch(text):
        raise ValueError(f"mask_email: {text!r} is not an email address: expected "
                         "name@domain, e.g. 'zhang.wei@example.com'")
    local, _, domain = text.partition("@")
    return f"{local[0]}***@{domain}"


RULES: Mapping[str, Callable[[str], str] | None] = MappingProxyType({
    "phone": mask_phone,
    "id_card": mask_id_card,
    "name": mask_name,
    "email": mask_email,
    "keep": None,
    "drop": None,
})
"""The rules :func:`mask_extract` knows, by name: a masking function, ``"keep"`` (the column
is not personal information and is shared as it is) or ``"drop"`` (the recipient does not
need it, so it is left out)."""


def mask_extract(extract: pd.DataFrame,
                 rules: Mapping[str, str | Callable[[str], str]]) -> pd.DataFrame:
    """Return a copy of a CRM extract ready to share: columns masked or dropped by rule.

    Share only what the recipient needs (drop the rest) and mask what they need to
    recognise but not to read in full (R2.3.1.2). Check the result with
    :func:`find_unmasked` before sending it.

    Parameters
    ----------
    extract : pandas.DataFrame
        The extract; it is not modified.
    rules : mapping of column name to rule
        ``"phone"``, ``"id_card"``, ``"name"``, ``"email"`` (mask every value of the column
        with :func:`mask_phone`, ...), ``"drop"`` (leave the column out), ``"keep"``, or a
        function of one value returning its masked text. Columns without a rule are kept as
        they are. Missing values (None, NaN) stay missing.

    Returns
    -------
    pandas.DataFrame
        A new table with the same rows and index; masked columns hold text.

    Raises
    ------
    KeyError
        If a rule names a column the extract does not have.
    ValueError
        If a rule is unknown, or a value cannot be masked; the message names the column,
        the row (index label) and the value.

    Examples
    --------
    >>> extract = pd.DataFrame({"name": ["张示例"], "mobile": ["13800000101"],
    ...                         "city": ["Hangzhou"]})
    >>> mask_extract(extract, {"name": "name", "mobile": "phone"}).iloc[0].tolist()
    ['张**', '138****0101', 'Hangzhou']
    """
    missing = [c for c in rules if c not in extract.columns]
    if missing:
        raise KeyError(f"mask_extract: the extract has no column {missing[0]!r} named in the "
                       f"rules; its columns: {', '.join(map(str, extract.columns))}")
    masks: dict[str, Callable[[str], str]] = {}
    for column, rule in rules.items():
        if callable(rule):
            masks[column] = rule
        elif isinstance(rule, str) and rule in RULES:
            if RULES[rule] is not None:
                masks[column] = RULES[rule]
        else:
            raise ValueError(f"mask_extract: unknown rule {rule!r} for column {column!r}; "
                             f"expected one of {', '.join(RULES)} or a function")
    drop = [c for c, rule in rules.items() if isinstance(rule, str) and rule == "drop"]
    out = extract.drop(columns=drop)
    return out.assign(**{column: _mask_column(extract[column], mask)
                         for column, mask in masks.items()})


def _mask_column(values: pd.Series, mask: Callable[[str], str]) -> pd.Series:
    result = []
    for row, value in values.items():
        if pd.api.types.is_scalar(value) and pd.isna(value):
            result.append(None)
            continue
        try:
            result.append(mask(value))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"mask_extract: column {values.name!r}, row {row!r}: {exc}") from None
    return pd.Series(result, index=values.index, dtype="str", name=values.name)


_LOOKS_LIKE = (
    ("mobile number",
     re.compile(r"(?<![\d*])(?:(?:\+|00)?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?![\d*])")),
    ("resident ID number",
     re.compile(r"(?<![\d*])\d{6}\s?\d{8}\s?\d{3}[\dXx](?![\dA-Za-z*])")),
    ("email address", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
)


def find_unmasked(table: pd.DataFrame) -> pd.DataFrame:
    """Find columns whose values still look like mobile numbers, ID numbers or emails.

    The last check before an extract is shared (R2.3.1.2): every value is read as text and
    searched for an unmasked Chinese mobile number (with or without +86, spaces or dashes),
    an 18-character resident ID number or an email address whose name part is not masked.
    Names cannot be recognised by their form: give name columns a rule in
    :func:`mask_extract`.

    Parameters
    ----------
    table : pandas.DataFrame
        The table to check; it is not modified.

    Returns
    -------
    pandas.DataFrame
        One row per column and kind of value found, with columns ``column``, ``looks_like``
        (``"mobile number"``, ``"resident ID number"``, ``"email address"``), ``values``
        (how many values of the column match) and ``first_row`` (the index label of the
        first). Empty when nothing was found. The values themselves are not shown.

    Examples
    --------
    >>> extract = pd.DataFrame({"mobile": ["13800000101", "138****0202"]})
    >>> find_unmasked(extract).to_dict("records")
    [{'column': 'mobile', 'looks_like': 'mobile number', 'values': 1, 'first_row': 0}]
    """
    rows = []
    for column in table.columns:
        values = table[column]
        text = values[values.notna()].astype("str")
        for kind, pattern in _LOOKS_LIKE:
            hits = text[text.map(lambda s, p=pattern: p.search(s) is not None)]
            if len(hits):
                rows.append((column, kind, len(hits), hits.index[0]))
    report = pd.DataFrame(rows, columns=["column", "looks_like", "values", "first_row"])
    return report.astype({"values": "int64"})
