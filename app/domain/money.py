"""Exact money: Decimal yuan in Python, integer fen (分) in the database. Never float."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from app.domain.text import normalize_compact

FEN = Decimal("0.01")
_AMOUNT = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def to_fen(yuan: Decimal) -> int:
    """Round half up to the fen (never truncate) and return integer fen."""
    return int((yuan.quantize(FEN, rounding=ROUND_HALF_UP) * 100).to_integral_value())


def from_fen(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(FEN)


def parse_amount(raw: object) -> Decimal | None:
    """Parse an amount typed by a person: '12,345.6', '¥1 000', '１２３'. None if empty; ValueError if not an amount."""
    if raw is None:
        return None
    if isinstance(raw, float):
        raw = repr(raw)
    if isinstance(raw, int | Decimal) and not isinstance(raw, bool):
        return Decimal(raw).quantize(FEN, rounding=ROUND_HALF_UP)
    text = normalize_compact(raw).replace(",", "").replace("¥", "").replace("￥", "").removesuffix("元")
    if not text:
        return None
    if not _AMOUNT.match(text):
        raise ValueError(text)
    try:
        return Decimal(text).quantize(FEN, rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:  # pragma: no cover - guarded by the regex
        raise ValueError(text) from exc


def rmb_upper(amount: Decimal, zheng_after_jiao: bool = True, prefix: bool = True) -> str:
    """人民币大写, the way contracts and vouchers write it (DOMAIN.md §3.4).

    cn2an does the conversion; around it we round half up to the fen (cn2an truncates), add 人民币,
    and write 整 after 角 when asked (《会计基础工作规范》第52条; cn2an never does).
    """
    import cn2an

    value = Decimal(amount).quantize(FEN, rounding=ROUND_HALF_UP)
    if value < 0:
        raise ValueError("negative amount")
    if len(str(int(value))) > 14:
        raise ValueError("amount too large")
    text = cn2an.an2cn(format(value, "f"), "rmb")
    if zheng_after_jiao and text.endswith("角"):
        text += "整"
    return ("人民币" if prefix else "") + text


def rmb_contract_form(amount: Decimal) -> str:
    """人民币壹拾贰万叁仟肆佰伍拾陆元整（¥123,456.00）"""
    value = Decimal(amount).quantize(FEN, rounding=ROUND_HALF_UP)
    return f"{rmb_upper(value)}（¥{value:,.2f}）"
