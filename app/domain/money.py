"""Exact money: Decimal yuan in Python, integer fen (分) in the database. Never float."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from app.domain.text import normalize_text
from app.i18n import _

FEN = Decimal("0.01")


def to_fen(yuan: Decimal) -> int:
    """Round half up to the fen (never truncate) and return integer fen."""
    return int((yuan.quantize(FEN, rounding=ROUND_HALF_UP) * 100).to_integral_value())


def from_fen(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(FEN)


class AmountError(ValueError):
    """Not an amount in the one grammar below; `reason` says why, in the user's language."""

    def __init__(self, text: str, reason: str) -> None:
        super().__init__(text)
        self.text = text
        self.reason = reason


_SHAPE = re.compile(r"^([+-]?)([0-9,]*)(?:\.([0-9,]*))?$")
_GROUPED = re.compile(r"^\d{1,3}(?:,\d{3})+$")


def _why(text: str) -> str:
    return _("is not an amount (write it like 1,234,567.89 or 1234567.89)")


def parse_amount(raw: object) -> Decimal | None:
    """Parse an amount typed by a person, in one grammar; None if empty; AmountError (a ValueError) if not.

    The grammar: an optional sign, digits, and an optional decimal point followed by one or two
    digits. Thousands separators are allowed only in the standard form 1,234,567.89 (a comma
    every three digits, before the decimal point). Full-width digits and punctuation (１２３．４５)
    are read as their ASCII forms; a leading ¥/￥ and a trailing 元 are allowed. Everything else is
    refused with the reason: a third decimal is never rounded away, `1,5` and `1.234,56` (a comma
    as the decimal point) and `1 2 3` (spaces inside the number) are refused.
    """
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise AmountError(str(raw), _why(str(raw)))
    if isinstance(raw, float):
        raw = repr(raw)
    if isinstance(raw, int | Decimal):
        value = Decimal(raw)
        if not value.is_finite():
            raise AmountError(str(raw), _why(str(raw)))
        if value != value.quantize(FEN, rounding=ROUND_HALF_UP):
            raise AmountError(str(raw), _("has more than two decimal places (amounts are in yuan, to the fen)"))
        return value.quantize(FEN)
    text = normalize_text(raw)
    text = text.removeprefix("¥").removesuffix("元").strip()
    if not text:
        return None
    if any(c.isspace() for c in text):
        raise AmountError(text, _("has spaces inside the number (write 1234567.89 or 1,234,567.89)"))
    m = _SHAPE.match(text)
    if not m or not m.group(2).replace(",", ""):
        raise AmountError(text, _why(text))
    whole, frac = m.group(2), m.group(3)
    if frac is not None and "," in frac:
        raise AmountError(text, _("has a comma after the decimal point (the decimal point is “.”; write "
                                  "1234.56 or 1,234.56)"))
    if "," in whole and not _GROUPED.match(whole):
        raise AmountError(text, _("has a comma that is not a thousands separator (a comma is never a decimal "
                                  "point; write 1.5 or 1,234,567.89)"))
    if frac is not None and frac == "":
        raise AmountError(text, _("ends with a decimal point (write 12 or 12.50)"))
    if frac is not None and len(frac) > 2:
        raise AmountError(text, _("has more than two decimal places (amounts are in yuan, to the fen)"))
    try:
        return Decimal(m.group(1) + whole.replace(",", "") + ("." + frac if frac else "")).quantize(FEN)
    except InvalidOperation as exc:  # pragma: no cover - guarded by the pattern
        raise AmountError(text, _why(text)) from exc


_UPPER_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UPPER_UNITS = ("", "拾", "佰", "仟", "万", "拾", "佰", "仟", "亿", "拾", "佰", "仟", "万", "拾")
_ZERO_BEFORE_THOUSANDS = re.compile(r"([万亿])零([壹贰叁肆伍陆柒捌玖]仟)")


def _upper_integer(digits: str) -> str:
    """Whole yuan in capitals, written as cn2an writes them (its an2cn "up" mode; see rmb_upper)."""
    digits = str(int(digits))
    n = len(digits)
    out = ""
    for i, d in enumerate(digits):
        place = n - i - 1
        if d != "0":
            out += _UPPER_DIGITS[int(d)] + _UPPER_UNITS[place]
        else:
            if place % 4 == 0:
                out += "零" + _UPPER_UNITS[place]
            if i > 0 and out[-1] != "零":
                out += "零"
    out = out.replace("零零", "零").replace("零万", "万").replace("零亿", "亿").replace("亿万", "亿").strip("零")
    return _ZERO_BEFORE_THOUSANDS.sub(r"\1\2", out) or "零"


def rmb_upper(amount: Decimal, zheng_after_jiao: bool = True, prefix: bool = True) -> str:
    """人民币大写, the way contracts and vouchers write it (《会计基础工作规范》第52条).

    Rounded half up to the fen, 人民币 in front, and 整 after 角 when asked (《会计基础工作规范》第52条).
    The capitals are written exactly as cn2an's an2cn(…, "rmb") writes them (it did the conversion until
    issue 17: importing cn2an compiles large patterns, about 100 ms of every print);
    tests/unit/test_money_workdays.py compares the two over many amounts.
    """
    value = Decimal(amount).quantize(FEN, rounding=ROUND_HALF_UP)
    if value < 0:
        raise ValueError("negative amount")
    whole, _, cents = format(value, "f").partition(".")
    if len(whole) > 14:
        raise ValueError("amount too large")
    yuan = _upper_integer(whole)
    jiao, fen = _UPPER_DIGITS[int(cents[0])], _UPPER_DIGITS[int(cents[1])]
    head = "" if yuan == "零" else yuan + "元"
    if jiao != "零":
        text = head + jiao + "角" + (fen + "分" if fen != "零" else "")
    elif fen != "零":
        text = (head + "零" if head else "") + fen + "分"
    else:
        text = yuan + "元整"
    if zheng_after_jiao and text.endswith("角"):
        text += "整"
    return ("人民币" if prefix else "") + text


def rmb_contract_form(amount: Decimal) -> str:
    """人民币壹拾贰万叁仟肆佰伍拾陆元整（¥123,456.00）"""
    value = Decimal(amount).quantize(FEN, rounding=ROUND_HALF_UP)
    return f"{rmb_upper(value)}（¥{value:,.2f}）"
