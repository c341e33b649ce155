"""What a printed document says, as plain data; the PDF renderer lays it out.

The services fill a DocumentSpec from a template version and an agreement; `canonical()` is the
text the verification code is computed from (the content, never the PDF bytes).
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Table:
    """A ruled table: header row, body rows, relative column widths."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...] = ()
    align: tuple[str, ...] = ()  # per column: "left" | "center" | "right"
    row_heights: tuple[float, ...] = ()  # mm per body row; 0 = fit the text (blank rows to write in get a height)
    label_column: bool = False  # form layout: column 0 (and 2 of a 4-column table) are labels


@dataclass(frozen=True)
class Paragraph:
    text: str
    indent: bool = True  # first-line indent of two characters


@dataclass(frozen=True)
class BarChart:
    """Horizontal bars with a label and a printed value each (summaries); values are plain integers (fen, counts)."""

    title: str
    labels: tuple[str, ...]
    values: tuple[int, ...]
    value_texts: tuple[str, ...]  # what is printed at the end of each bar, e.g. "¥12,345.67"


@dataclass(frozen=True)
class Article:
    """A numbered clause: "第一条　服务范围" or "一、服务范围", then its paragraphs and tables."""

    label: str  # "第一条" / "一、" / "" for an unnumbered preamble
    title: str
    body: tuple[Paragraph | Table | BarChart, ...]


@dataclass(frozen=True)
class Party:
    role: str  # 甲方（购买主体）
    name: str
    lines: tuple[tuple[str, str], ...] = ()  # (label, value): 地址, 法定代表人, 联系人及电话


@dataclass(frozen=True)
class SignBlock:
    """One signing party: 甲方（盖章）：name / 法定代表人或授权代表（签字）： / 年 月 日."""

    role: str
    name: str
    sign_label: str = "法定代表人或授权代表（签字）："
    signatory: str = ""  # who signs, when agreed before printing: printed under the line to sign on


@dataclass(frozen=True)
class DocumentSpec:
    title: str
    number: str  # printed under the title, e.g. 协议编号：…
    number_label: str = "协议编号"
    subtitle: str = ""  # e.g. the project name
    addressee: str = ""  # notices: "×××：" before the body
    parties: tuple[Party, ...] = ()
    articles: tuple[Article, ...] = ()
    signatures: tuple[SignBlock, ...] = ()
    closing_note: str = ""  # "（以下无正文）"
    draft: bool = False
    verification_code: str = ""
    qr_payload: str = ""
    meta_subject: str = ""

    def canonical(self) -> str:
        """Content only, in a stable form: what a reader of the paper sees (without the code)."""
        data = asdict(self)
        for k in ("verification_code", "qr_payload", "meta_subject"):
            data.pop(k)
        return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    def all_text(self) -> list[str]:
        """Every string that will be drawn, for the glyph check."""
        out = [self.title, self.number, self.number_label, self.subtitle, self.addressee, self.closing_note]
        for p in self.parties:
            out += [p.role, p.name, *(x for pair in p.lines for x in pair)]
        for a in self.articles:
            out += [a.label, a.title]
            for b in a.body:
                if isinstance(b, Paragraph):
                    out.append(b.text)
                elif isinstance(b, BarChart):
                    out += [b.title, *b.labels, *b.value_texts]
                else:
                    out += [*b.header, *(c for r in b.rows for c in r)]
        for s in self.signatures:
            out += [s.role, s.name, s.sign_label, s.signatory]
        return out


def spec_from_canonical(text: str) -> DocumentSpec:
    """The DocumentSpec a frozen `canonical()` text was made from (its canonical() gives the same text)."""
    data = json.loads(text)

    def body(item: dict[str, object]) -> Paragraph | Table | BarChart:
        if "text" in item:
            return Paragraph(str(item["text"]), bool(item.get("indent", True)))
        if "values" in item:
            return BarChart(str(item["title"]), tuple(item["labels"]), tuple(item["values"]),  # type: ignore[arg-type]
                            tuple(item["value_texts"]))  # type: ignore[arg-type]
        return Table(tuple(item["header"]), tuple(tuple(r) for r in item["rows"]),  # type: ignore[attr-defined, arg-type]
                     tuple(item.get("widths", ())), tuple(item.get("align", ())),  # type: ignore[arg-type]
                     tuple(item.get("row_heights", ())), bool(item.get("label_column", False)))  # type: ignore[arg-type]

    articles = tuple(Article(a["label"], a["title"], tuple(body(b) for b in a["body"])) for a in data.pop("articles"))
    parties = tuple(Party(p["role"], p["name"], tuple(tuple(x) for x in p["lines"])) for p in data.pop("parties"))
    signatures = tuple(SignBlock(**s) for s in data.pop("signatures"))
    return DocumentSpec(articles=articles, parties=parties, signatures=signatures, **data)


CODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def verification_code(number: str, canonical: str) -> str:
    """8 base32 characters of SHA-256(number + canonical content), grouped ABCD-EFGH."""
    digest = hashlib.sha256((number + "\n" + canonical).encode("utf-8")).digest()
    raw = base64.b32encode(digest).decode("ascii")[:8]
    return f"{raw[:4]}-{raw[4:]}"


def normalize_code(text: str) -> str:
    """What a person typed, as a code: upper case, no spaces or dashes, 0/1/8 read as O/I/B."""
    raw = "".join(ch for ch in text.upper() if ch.isalnum())
    raw = raw.translate(str.maketrans("018", "OIB"))
    if len(raw) != 8 or any(ch not in CODE_ALPHABET for ch in raw):
        return ""
    return f"{raw[:4]}-{raw[4:]}"


def content_hash(number: str, canonical: str) -> str:
    return hashlib.sha256((number + "\n" + canonical).encode("utf-8")).hexdigest()

