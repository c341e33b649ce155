"""Printing agreements, supplementary agreements, assessment notices and acceptance forms, and
verifying a paper copy against the record.

A document is built from a template version and the agreement's current data into a DocumentSpec;
its canonical text (not the PDF bytes) gives the verification code. A final print records the
template version and the content hash, so a reprint of a signed agreement uses the same version,
and `verify` can tell whether the record still says what the paper says. Documents are in Chinese
whatever the interface language: they leave the office.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.documents.output import output_problem, write_atomic
from app.documents.spec import (
    Article,
    DocumentSpec,
    Paragraph,
    Party,
    SignBlock,
    Table,
    content_hash,
    normalize_code,
    spec_from_canonical,
    verification_code,
)
from app.domain import lifecycle as lc
from app.domain.errors import FieldProblem, NotFound, ValidationError
from app.domain.money import rmb_contract_form, rmb_upper
from app.domain.parties import agreement_template, in_print_order
from app.i18n import _
from app.models.printing import FrozenDocument, PrintRecord
from app.models.project import Agreement, Amendment, Consortium
from app.services import agreements, audit, templates
from app.services import settings as settings_service
from app.services.context import Actor, Desk
from app.services.permissions import Role, require
from app.services.print_stamp import ALIASES, FROZEN_KINDS, PRINT_KINDS, page_count, stamped

DRAFT_STATES = frozenset({lc.AgreementState.DRAFT.value, lc.AgreementState.REVIEW.value})
# Office particulars printed in the purchaser's block (Settings; blank lines when not set).
OFFICE_ADDRESS = settings_service.OFFICE_ADDRESS
OFFICE_HEAD = settings_service.OFFICE_HEAD
OFFICE_CONTACT = settings_service.OFFICE_CONTACT
OFFICE_PHONE = settings_service.OFFICE_PHONE
OFFICE_CREDIT_CODE = settings_service.OFFICE_CREDIT_CODE
ARBITRATION_COMMISSION = settings_service.ARBITRATION_COMMISSION
COURT = settings_service.COURT
SUPERVISOR_ROWS = 5  # 成都规程第二十五条: at least 3 beneficiaries supervise the acceptance
BLANK = "__________"

_CN_DIGITS = "零一二三四五六七八九"
_CN_WORDS = "零壹贰叁肆伍陆柒捌玖"

DOC_FIELD_LABELS = {  # the changed clause, as the agreement names it ({w}: 合同 or 协议, as its title says)
    "service_content": "服务内容", "target_group": "服务对象", "place": "服务地点", "acceptance_standard": "验收标准和考核办法",
    "rights_obligations": "双方的权利和义务", "breach_liability": "违约责任", "period_end": "服务期限截止日期",
    "amount": "{w}金额", "signatory_a": "甲方签约代表", "signatory_b": "乙方签约代表", "instalments": "付款计划",
    "period_start": "服务期限起始日期", "dispute_resolution": "争议解决方式", "copies": "{w}份数",
}
CONDITION_TEXT = {"on_signing": "{w}签订生效后", "milestone_passed": "{m}合格后", "final_acceptance": "终期验收合格后"}
# Consortium members' roles as a contract names them (documents are Chinese whatever the interface language).
MEMBER_ROLE_TEXT = {"operator": "运营机构", "support_org": "支持型社会组织", "partner_enterprise": "合作企业",
                    "partner_foundation": "合作基金会", "volunteers": "志愿者团队", "other": "成员"}


class MissingGlyphs(ValidationError):
    """Characters the bundled fonts cannot draw; reported instead of printing blanks."""


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    code: str
    pages: int
    template_version: int
    draft: bool
    number: str = ""
    kind: str = ""
    path: Path | None = None  # the file written, when render was asked to write one
    anchor: audit.Anchor | None = None  # a final print: where the audit chain stood (also in its record)


@dataclass(frozen=True)
class VerifyResult:
    status: str  # match (a genuine version, exit 0) | changed (matches no recorded version, 1) | unknown (2)
    number: str
    printed_at: datetime | None
    message: str
    version: str = ""  # which version the code belongs to: "agreement" or "supplementary 1", …
    in_force: bool | None = None  # the latest signed version of an agreement not terminated
    later_supplementary: int = 0  # the number of the latest supplementary agreement after this version


def cn_number(n: int) -> str:
    """1..99 as 一, 二, …, 十, 十一, 二十 (for copies and sequence numbers)."""
    if n < 10:
        return _CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")


def cn_count(n: int) -> str:
    """A count of copies: 两 for 2 (一式两份, 各执两份), else as cn_number."""
    return "两" if n == 2 else cn_number(n)


def cn_date(d: date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else "　　　　年　　月　　日"


def _kind(kind: str) -> str:
    kind = ALIASES.get(kind, kind)
    if kind not in PRINT_KINDS:
        raise ValidationError([FieldProblem("kind", _("Document"), _("is not a known document type"))])
    return kind


def template_kind(kind: str, a: Agreement) -> str:
    """Which template prints this document, by what the agreement is (domain/parties: the community
    form only for a free-of-charge agreement)."""
    return agreement_template(a.free_of_charge) if kind == "agreement" else kind


def doc_word(a: Agreement) -> str:
    """One word for the agreement throughout, matching its title: 合同 (contract) or 协议 (community)."""
    return "协议" if template_kind("agreement", a) == "community" else "合同"


def _percent(part: Decimal, whole: Decimal) -> str:
    if not whole:
        return ""
    pct = (part * 100 / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize()
    return f"{pct:f}%"


def _money(v: Decimal) -> str:
    return f"¥{v:,.2f}"


def _condition(cond: str, milestone: str, word: str = "合同") -> str:
    return CONDITION_TEXT.get(cond, cond).format(m=milestone or "阶段考核", w=word)


def _dispute(code: str, purchaser_party: str, word: str, commission: str, court_name: str) -> str:
    """The dispute clause names its forum: an arbitration clause without a named commission is void
    (仲裁法第十六、十八条), so the commission comes from the office settings; a suit goes to the named
    court, or to the court of the purchaser's place."""
    court = f"依法向{court_name}提起诉讼" if court_name else f"依法向{purchaser_party}所在地有管辖权的人民法院提起诉讼"
    head = f"因履行本{word}发生争议的，双方应当协商解决；"
    return {
        "negotiation": head + f"协商不成的，任何一方可以{court}。",
        "mediation": head + f"协商不成的，可以提请人民调解委员会调解；调解不成的，任何一方可以{court}。",
        "arbitration": head + f"协商不成的，任何一方可以将争议提交{commission}，按照申请仲裁时该会现行有效的"
                              "仲裁规则进行仲裁。仲裁裁决是终局的，对双方均有约束力。",
        "court": head + f"协商不成的，任何一方可以{court}。",
    }.get(code, head)


def _original_title(session: Session, a: Agreement) -> str:
    """The agreement's own title, as a supplementary agreement or a notice cites it."""
    tkind = template_kind("agreement", a)
    current = templates.current_for_kind(session, tkind)
    return current.name if current is not None else templates.shipped(tkind).name


def _consortium(session: Session, a: Agreement) -> Consortium | None:
    cid = a.project.award_consortium_id
    return session.get(Consortium, cid) if cid else None


def _consortium_text(c: Consortium | None, p_party: str, word: str, u_party: str) -> str:
    """A consortium award: every member is named, seals and answers jointly (政府采购法第二十四条)."""
    if c is None:
        return ""
    return (f"本项目由{c.name}（联合体）承接，{u_party}为联合体牵头单位。联合体各方共同签订本{word}，在下表"
            f"加盖公章，并就本{word}约定的事项对{p_party}承担连带责任。联合体成员如下：")


def _copies_each(n: int) -> str:
    if n % 2 == 0:
        return f"甲、乙双方各执{cn_count(n // 2)}份"
    return f"甲方执{cn_count(n // 2 + 1)}份，乙方执{cn_count(n // 2)}份"


def _or(text: str, fallback: str) -> str:
    return text.strip() or fallback


@dataclass
class _Context:
    a: Agreement
    values: dict[str, str]
    blocks: dict[str, Table | None]
    parties: tuple[Party, ...]
    amendment: Amendment | None
    doc_number: str = ""  # a result notice's own number (考核结果告知书), once issued
    signers: tuple[SignBlock, ...] = ()


def _format_change(name: str, value: str | None, word: str = "合同") -> str:
    if value is None or value == "":
        return "（无）"
    if name == "amount":
        try:
            return rmb_contract_form(Decimal(value))
        except ArithmeticError:
            return value
    if name in ("period_end", "period_start") and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return cn_date(date.fromisoformat(value))
    if name == "instalments":
        items = []
        for part in value.split("; "):
            bits = part.split(":", 3)
            if len(bits) == 4:
                items.append(f"第{cn_number(int(bits[0]))}期 {_money(Decimal(bits[1]))}，{_condition(bits[2], bits[3], word)}")
        return "；".join(items) or value
    return value


def period_note(a: Agreement, word: str, p_party: str, u_party: str, as_of: date) -> str:
    """The sentence a contract carries when its service period begins before the contract takes effect.

    A contract takes effect when both parties have signed and sealed (its effective clause), never on
    the first day of its service period. When the period has begun before that day — known at the latest
    when the text is frozen for signature (`as_of`, the day of approval), or from the recorded signing —
    the text says so, and says which date is the effective one, instead of letting "自…起" read as an
    earlier start of the contract (天津南开区通知：不得先服务后签约; the reason is recorded at signing).
    The frozen text cannot carry the signing date itself (its verification code would change after
    signing), so before the signing it points at the dates written in the signature blocks.
    """
    effective = a.effective_on or as_of
    if a.period_start is None or a.period_start >= effective:
        return ""
    start = cn_date(a.period_start)
    covered = (f"{u_party}自{start}起至本{word}生效前已经提供的服务，经{p_party}确认后纳入本{word}，"
               f"按照本{word}约定考核和结算")
    if a.effective_on is not None:
        return f"服务期限的起始日早于本{word}生效之日：本{word}于{cn_date(a.effective_on)}生效，{covered}。"
    return (f"服务期限的起始日早于本{word}生效之日：本{word}自双方签字盖章之日起生效，生效日期以签署栏所载日期为准，"
            f"不因服务期限的起始日而提前；{covered}。")


def _context(session: Session, a: Agreement, amendment_seq: int | None, kind: str,
             record_id: int | None = None, as_of: date | None = None) -> _Context:
    p = a.project
    org = a.undertaker

    particulars = settings_service.get_all(session)  # one query for the seven particulars a document names

    def office(key: str) -> str:
        return particulars.get(key, "")

    purchaser = a.purchaser_name or office(settings_service.OFFICE_NAME) or BLANK
    p_party, u_party = in_print_order("甲方", "乙方", a.parties_reversed)
    word = doc_word(a)
    free = a.free_of_charge
    amount = a.amount or Decimal(0)
    inst = list(a.instalments)
    payment_rows = [(f"第{cn_number(i.seq)}期", _condition(i.condition, i.milestone, word), _percent(i.amount, amount),
                     _money(i.amount)) for i in inst]
    consortium = _consortium(session, a)
    commission = office(ARBITRATION_COMMISSION)
    if a.dispute_resolution == "arbitration" and not commission:
        raise ValidationError([FieldProblem(ARBITRATION_COMMISSION, _(settings_service.OFFICE_DETAILS[
            ARBITRATION_COMMISSION]), _("is not set: the agreement chooses arbitration, and an arbitration clause "
                                       "must name the commission (Settings)"))])
    from_req = f"按照采购文件和{u_party}的响应文件执行。"
    payment = None
    if not free and payment_rows:
        payment = Table(("期次", "付款条件", "比例", "金额（元）"),
                        (*payment_rows, ("合计", rmb_upper(amount), "100%", _money(amount))),
                        widths=(1.1, 3.6, 1.0, 1.9), align=("center", "left", "center", "right"))
    values: dict[str, str] = {
        "number": a.number, "project_name": p.name, "year_index": cn_number(a.year_index),
        "purchaser": purchaser, "undertaker": org.name,
        "party_a": in_print_order(purchaser, org.name, a.parties_reversed)[0],
        "party_b": in_print_order(purchaser, org.name, a.parties_reversed)[1],
        "purchaser_party": p_party, "undertaker_party": u_party,
        "service_content": _or(a.service_content, "按照采购文件和承接主体的响应文件执行。"),
        "target_group": _or(a.target_group, "辖区居民"), "place": _or(a.place, "本辖区"),
        "quantity_scope": _or(p.req_quantity_scope, from_req),
        "quality": _or(p.req_quality, from_req),
        "service_standards": _or(p.req_standards, "国家和地方有关服务标准。"),
        "amount_digits": _money(amount), "amount_upper": rmb_upper(amount), "amount_contract": rmb_contract_form(amount),
        "charge_form": "无偿" if free else "有偿",
        "fee_terms": (f"秉持公益理念，{u_party}无偿为{p_party}提供服务。如有特殊服务需求，双方协商分担。" if free else
                      f"本{word}服务费用为{rmb_contract_form(amount)}，由{p_party}按照下列计划支付："),
        "period_start": cn_date(a.period_start), "period_end": cn_date(a.period_end),
        "acceptance_standard": _or(a.acceptance_standard, "按照采购文件约定的考核办法执行。"),
        "rights_obligations": _or(a.rights_obligations, "双方按照本协议和采购文件的约定享有权利、履行义务。"),
        "breach_liability": _or(a.breach_liability, "任何一方违反本协议约定的，应当依法承担违约责任。"),
        "dispute_resolution": _dispute(a.dispute_resolution, p_party, word, commission, office(COURT)),
        "team": _or(p.req_team, from_req),
        "handover": _or(p.req_handover, f"服务期满或者本{word}解除、终止的，{u_party}应当在十个工作日内向{p_party}或者其"
                                        f"指定的单位移交服务台账、服务对象档案和尚未完成的服务事项，配合做好服务衔接，保障"
                                        "服务对象的服务不中断。"),
        "contingencies": _or(p.req_contingencies, f"{u_party}应当制定安全管理制度和突发事件应急预案。服务中发生安全事故、"
                                                  f"服务对象突发疾病或者其他紧急情况的，应当立即采取必要措施，并及时报告"
                                                  f"{p_party}。"),
        "consortium": _consortium_text(consortium, p_party, word, u_party),
        "doc_word": word,
        "original_title": _original_title(session, a),
        "copies": cn_count(a.copies), "copies_each": _copies_each(a.copies),
        "bank_account": (f"\n户名：{org.bank_account_name or org.name}\n开户银行：{org.bank_name or BLANK}\n"
                         f"账号：{org.bank_account_no or BLANK}"),
        "effective_on": cn_date(a.effective_on),
        "period_note": period_note(a, word, p_party, u_party, as_of or date.today()),
        "amendment_seq": "", "amendment_reason": "", "assessed_on": cn_date(None),
    }
    amendment = None
    blocks: dict[str, Table | None] = {"payment_table": payment, "changes_table": None}
    if kind == "supplementary":
        amendment = _amendment(a, amendment_seq)
        values["amendment_seq"] = cn_number(amendment.seq)
        values["amendment_reason"] = amendment.reason
        rows = []
        for n, ch in enumerate(json.loads(amendment.changes), start=1):
            name = str(ch.get("field"))
            if name in ("state", "state_reason"):
                continue
            rows.append((str(n), DOC_FIELD_LABELS.get(name, name).format(w=word),
                         _format_change(name, ch.get("before"), word), _format_change(name, ch.get("after"), word)))
        blocks["changes_table"] = Table(("序号", "条款", "变更前", "变更后"), tuple(rows), widths=(0.8, 1.8, 3.2, 3.2),
                                        align=("center", "left", "left", "left"))
    blocks["project_table"] = Table((), (
        ("项目名称", p.name, f"{word}编号", a.number),
        ("购买主体", purchaser, "承接主体", org.name),
        ("服务期限", f"{cn_date(a.period_start)}至{cn_date(a.period_end)}", f"{word}金额",
         "无偿" if free else values["amount_contract"]),
        ("验收时间", "　　　　年　　月　　日", "验收地点", ""),
    ), widths=(1.25, 3.0, 1.25, 3.0), label_column=True, row_heights=(0, 0, 0, 10))
    if kind == "acceptance_form":
        blocks["result_lines"] = Table((), (
            ("验收结论", "合格（　）　　　不合格（　）"),
            ("验收得分", "　　　　　　分"),
            ("验收意见", ""),
        ), widths=(1.3, 7.0), label_column=True, row_heights=(10, 10, 40))
    else:
        blocks["result_lines"] = Table((), (
            ("考核得分", "　　　　　　分"),
            ("考核等级", "优秀（　）　　合格（　）　　不合格（　）"),
            ("主要问题及整改要求", ""),
        ), widths=(2.3, 6.0), label_column=True, row_heights=(10, 10, 36))
    blocks["supervisor_signatures"] = Table(("序号", "姓名", "身份（服务对象）", "联系电话", "签字"),
                                            tuple((str(i), "", "", "", "") for i in range(1, SUPERVISOR_ROWS + 1)),
                                            widths=(0.8, 1.6, 2.4, 2.0, 2.0), align=("center",) * 5,
                                            row_heights=(9,) * SUPERVISOR_ROWS)
    # The purchaser's particulars come from the office settings; its head is the office's head, never
    # the person who signs or who recorded the signing.
    contact = " ".join(x for x in (office(OFFICE_CONTACT), office(OFFICE_PHONE)) if x)
    purchaser_lines = (("统一社会信用代码", office(OFFICE_CREDIT_CODE) or BLANK), ("地址", office(OFFICE_ADDRESS) or BLANK),
                       ("负责人", office(OFFICE_HEAD) or BLANK), ("联系人及电话", contact or BLANK))
    org_contact = " ".join(x for x in (org.contact_person, org.phone) if x)
    undertaker_lines = (("统一社会信用代码", org.credit_code or BLANK), ("地址", org.address or BLANK),
                        ("法定代表人", org.legal_representative or BLANK),
                        ("联系人及电话", org_contact or BLANK))
    doc_number = ""
    if kind == "assessment_notice" and record_id is not None:
        doc_number = _fill_assessment(session, a, record_id, values, blocks)
    elif kind == "acceptance_form" and record_id is not None:
        _fill_acceptance(session, a, record_id, values, blocks)
    community = template_kind(kind, a) == "community"
    p_role = "（购买主体）" if not community else ""
    u_role = "（承接主体）" if not community else ""
    first, second = in_print_order((p_role, purchaser, purchaser_lines), (u_role, org.name, undertaker_lines),
                                   a.parties_reversed)
    parties = (Party("甲方" + first[0], first[1], first[2]), Party("乙方" + second[0], second[1], second[2]))
    sign_label = "负责人（签字）：" if community else "法定代表人或授权代表（签字）："
    signers = (SignBlock("甲方", parties[0].name, sign_label, a.signatory_a),
               SignBlock("乙方", parties[1].name, sign_label, a.signatory_b))
    blocks["consortium_table"] = None
    if consortium is not None:  # every member is named and seals the contract (a 16+1+N consortium is long)
        members = consortium.members
        blocks["consortium_table"] = Table(
            ("序号", "联合体成员", "统一社会信用代码", "承担角色", "盖章"),
            tuple((str(n), m.organization.name, m.organization.credit_code or "",
                   MEMBER_ROLE_TEXT.get(m.role, "成员"), "") for n, m in enumerate(members, start=1)),
            widths=(0.7, 3.3, 2.4, 1.5, 1.6), align=("center", "left", "center", "center", "center"),
            row_heights=(13,) * len(members))
    return _Context(a, values, blocks, parties, amendment, doc_number, signers=signers)


def _fill_assessment(session: Session, a: Agreement, assessment_id: int, values: dict[str, str],
                     blocks: dict[str, Table | None]) -> str:
    """The recorded figures of one assessment: total, grade, each first-level indicator, findings."""
    from app.domain import assessment as asm
    from app.models.assessment import Assessment
    from app.services import assessments, checklists

    x = session.get(Assessment, assessment_id)
    if x is None or x.agreement_id != a.id:
        raise NotFound(_("The assessment no longer exists."))
    detail = checklists.get_version(session, x.checklist_version_id)
    scores = {sc.indicator_key: sc.score for sc in x.scores}
    values["assessed_on"] = cn_date(x.assessed_on)
    rows = [("考核得分", f"{x.total:.2f}分（满分100分）"),
            ("考核等级", assessments.grade_label(x.grade, detail.bands))]
    for ind in detail.indicators:
        if ind.level == 1:
            got = asm.subtotal(detail.indicators, ind.key, scores)
            rows.append((ind.name, f"{got:.2f}分（权重{ind.weight.normalize():f}）"))
    if x.surveyed:
        rate = asm.satisfaction_rate(x.surveyed, x.satisfied or 0)
        rows.append(("满意度调查", f"调查{x.surveyed}人，满意{x.satisfied or 0}人，满意率{rate}%"))
    rows.append(("主要问题及整改要求", x.findings.strip() or "无"))
    blocks["result_lines"] = Table((), tuple(rows), widths=(2.3, 6.0), label_column=True)
    return x.notice_number


def _fill_acceptance(session: Session, a: Agreement, acceptance_id: int, values: dict[str, str],
                     blocks: dict[str, Table | None]) -> None:
    """The recorded acceptance: date, place, team, result, score, opinion and the supervisors (masked)."""
    from app.models.assessment import Acceptance
    from app.services import assessments

    acc = session.get(Acceptance, acceptance_id)
    if acc is None or acc.agreement_id != a.id:
        raise NotFound(_("The acceptance record no longer exists."))
    table = blocks["project_table"]
    if table is not None:
        rows = list(table.rows)
        rows[-1] = ("验收时间", cn_date(acc.accepted_on), "验收地点", acc.place.strip())
        blocks["project_table"] = replace(table, rows=tuple(rows), row_heights=())
    mark = {"passed": "合格（√）　　　不合格（　）", "failed": "合格（　）　　　不合格（√）"}
    team = "、".join(line.strip() for line in acc.team.splitlines() if line.strip())
    blocks["result_lines"] = Table((), (
        ("验收小组", team),
        ("验收结论", mark.get(acc.result, "合格（　）　　　不合格（　）")),
        ("验收得分", f"{acc.score:.2f}分" if acc.score is not None else "　　　　　　分"),
        ("验收意见", acc.opinion.strip()),
    ), widths=(1.3, 7.0), label_column=True)
    sups = [(str(n), s.name, s.identity or "服务对象", assessments.mask_phone(s.phone), "")
            for n, s in enumerate(acc.supervisors, start=1)]
    sups += [(str(n), "", "", "", "") for n in range(len(sups) + 1, max(SUPERVISOR_ROWS, len(sups)) + 1)]
    blocks["supervisor_signatures"] = Table(("序号", "姓名", "身份（服务对象）", "联系电话", "签字"), tuple(sups),
                                            widths=(0.8, 1.6, 2.4, 2.0, 2.0), align=("center",) * 5,
                                            row_heights=(9,) * len(sups))


def _amendment(a: Agreement, seq: int | None) -> Amendment:
    if not a.amendments:
        raise lc.TransitionRefused(_("Agreement {number} has no supplementary agreement.").format(number=a.number))
    if seq is None:
        return a.amendments[-1]
    for m in a.amendments:
        if m.seq == seq:
            return m
    raise NotFound(_("Agreement {number} has no supplementary agreement number {seq}.").format(number=a.number, seq=seq))


def _check_glyphs(ctx: _Context, tpl: templates.TemplateDetail) -> None:
    from app.documents import fonts  # reportlab is loaded on the first print, not with the service

    problems: list[FieldProblem] = []

    def check(field: str, label: str, text: str) -> None:
        missing = fonts.missing_glyphs(text)
        if missing:
            chars = "、".join(f"{ch}（U+{ord(ch):04X}）" for ch in sorted(missing))
            problems.append(FieldProblem(field, label, _("has characters the printing font cannot show: {chars}; "
                                                         "correct the record or ask for a font update")
                                         .format(chars=chars)))

    for name, value in ctx.values.items():
        spec = templates.FIELD_CATALOGUE.get(name)
        check(name, _(spec.label) if spec else name, value)
    for party in ctx.parties:
        check("party", party.role, party.name)
        for label, value in party.lines:
            check("party", f"{party.role} {label}", value)
    for name, table in ctx.blocks.items():
        if table is not None:
            check(name, _(templates.FIELD_CATALOGUE[name].label), " ".join(c for r in table.rows for c in r))
    for n, clause in enumerate(tpl.clauses, start=1):
        check("template", _("Template clause {n}").format(n=n), clause.title + clause.text)
    if problems:
        raise MissingGlyphs(problems)


def _articles(kind: str, tpl: templates.TemplateDetail, ctx: _Context) -> tuple[Article, ...]:
    cn_list = kind in ("assessment_notice", "acceptance_form")
    printed: list[tuple[str, tuple[Paragraph | Table, ...]]] = []
    # A template edited before {period_note} existed still states a service that began before the
    # contract took effect: the sentence follows its period clause.
    note = ctx.values.get("period_note", "")
    note_placed = any("{period_note}" in c.text for c in tpl.clauses)
    for clause in tpl.clauses:
        body: list[Paragraph | Table] = []
        for line in clause.text.splitlines():
            stripped = line.strip()
            if not stripped:
                continue
            m = re.fullmatch(r"\{([A-Za-z_][A-Za-z0-9_]*)\}", stripped)
            if m and m.group(1) in ctx.blocks:
                table = ctx.blocks[m.group(1)]
                if table is not None:
                    body.append(table)
                continue
            try:
                text = templates.substitute(stripped, ctx.values)
            except templates.UnknownField as exc:
                raise ValidationError([FieldProblem("template", tpl.name, _("unknown field “{name}”").format(
                    name=exc.args[0]))]) from None
            body += [Paragraph(p.strip()) for p in text.splitlines() if p.strip()]
        if note and not note_placed and clause.requirement == "period":
            body.append(Paragraph(note))
            note_placed = True
        if body:  # a clause only for some agreements (the consortium's members) says nothing here
            printed.append((clause.title, tuple(body)))
    # The one numbering rule (templates.article_numbers), over the clauses that print.
    numbers = templates.article_numbers([title for title, _body in printed])
    return tuple(Article((f"{cn_number(n)}、" if cn_list else f"第{cn_number(n)}条") if n else "", title, body)
                 for n, (title, body) in zip(numbers, printed, strict=True))


def build_spec(kind: str, tpl: templates.TemplateDetail, ctx: _Context) -> DocumentSpec:
    a = ctx.a
    _check_glyphs(ctx, tpl)
    articles = _articles(kind, tpl, ctx)
    v = ctx.values
    community = tpl.kind == "community"
    word = v["doc_word"]
    common: dict[str, Any] = dict(title=tpl.name, number=a.number, number_label=f"{word}编号",
                                  draft=a.state in DRAFT_STATES, articles=articles, closing_note="（以下无正文）")
    if kind == "agreement":
        return DocumentSpec(subtitle="" if community else f"项目名称：{v['project_name']}", parties=ctx.parties,
                            signatures=ctx.signers, **common)
    if kind == "supplementary":
        assert ctx.amendment is not None
        return DocumentSpec(subtitle=f"（第{cn_number(ctx.amendment.seq)}号）",
                            parties=ctx.parties, signatures=ctx.signers,
                            **{**common, "number_label": f"原{word}编号"})
    if kind == "assessment_notice":
        if ctx.doc_number:
            common.update(number=ctx.doc_number, number_label="文书编号")
        return DocumentSpec(subtitle=f"项目名称：{v['project_name']}", addressee=v["undertaker"],
                            signatures=(SignBlock("购买主体", v["purchaser"], "经办人（签字）："),
                                        SignBlock("承接主体签收", v["undertaker"], "签收人（签字）：")),
                            **{**common, "closing_note": ""})
    return DocumentSpec(subtitle="", signatures=(SignBlock("购买主体", v["purchaser"], "验收人员（签字）："),
                                                 SignBlock("承接主体", v["undertaker"], "负责人（签字）：")),
                        **{**common, "closing_note": ""})


def _agreement(session: Session, agreement_id: int) -> Agreement:
    a = session.get(Agreement, agreement_id)
    if a is None:
        raise NotFound(_("The agreement no longer exists."))
    return a


def _last_print(session: Session, a: Agreement, kind: str, seq: int | None,
                record_id: int | None = None) -> PrintRecord | None:
    s = select(PrintRecord).where(PrintRecord.agreement_id == a.id, PrintRecord.kind == kind,
                                  PrintRecord.template_version_id.is_not(None))
    s = s.where(PrintRecord.record_id == record_id) if record_id is not None else s
    s = s.where(PrintRecord.amendment_seq == seq) if seq is not None else s.where(PrintRecord.amendment_seq.is_(None))
    return session.scalar(s.order_by(PrintRecord.id.desc()).limit(1))


def _template(session: Session, actor: Actor, kind: str, a: Agreement, seq: int | None, final: bool,
              template_id: int | None, record_id: int | None = None) -> templates.TemplateDetail:
    """The recorded version for a signed agreement already printed; else the current (or chosen) template."""
    if a.state in lc.LOCKED_AGREEMENT_STATES:
        last = _last_print(session, a, kind, seq, record_id)
        if last is not None and last.template_version_id is not None:
            return templates.get_version(session, last.template_version_id)
    if template_id is not None:
        return templates.get_template(session, None, template_id)
    tkind = template_kind(kind, a)
    current = templates.current_for_kind(session, tkind)
    if current is None and final:
        templates.ensure_templates(session, actor)
        current = templates.current_for_kind(session, tkind)
    if current is None:  # preview on a database that has not been seeded (opened read-only)
        t = templates.shipped(tkind)
        return templates.TemplateDetail(0, tkind, t.name, 0, t.clauses, 0)
    return current


def check_template_fits(kind: str, a: Agreement, tpl: templates.TemplateDetail) -> None:
    """The clause checker that guards review also guards printing: a paid agreement prints only from a
    contract template that has every required clause (成都规程第二十二条 ∪ 102号令第二十三条 ∪ 广东七(三))."""
    if kind != "agreement" or a.free_of_charge:
        return
    if tpl.kind != "contract":
        raise ValidationError([FieldProblem("template", tpl.name, _(
            "is a template for free-of-charge community agreements; a paid agreement prints from the contract "
            "template with every required clause"))])
    problems = templates.check_clauses("contract", tpl.clauses)
    if problems:
        raise ValidationError([FieldProblem("template", tpl.name, _("cannot print a paid agreement: {problems}")
                                            .format(problems="；".join(f"{p.label}：{p.reason}" for p in problems)))])


def _spec_for(session: Session, kind: str, a: Agreement, seq: int | None,
              tpl: templates.TemplateDetail, record_id: int | None = None, as_of: date | None = None) -> DocumentSpec:
    ctx = _context(session, a, seq, kind, record_id, as_of)
    if kind == "supplementary" and seq is None and ctx.amendment is not None:
        seq = ctx.amendment.seq
    return build_spec(kind, tpl, ctx)


def default_record(session: Session, kind: str, agreement_id: int) -> int | None:
    """The record a notice or form prints by default: the latest approved assessment, or the latest acceptance."""
    from app.models.assessment import Acceptance, Assessment

    if kind == "assessment_notice":
        return session.scalar(select(Assessment.id).where(Assessment.agreement_id == agreement_id,
                                                          Assessment.state == "approved")
                              .order_by(Assessment.id.desc()).limit(1))
    if kind == "acceptance_form":
        return session.scalar(select(Acceptance.id).where(Acceptance.agreement_id == agreement_id)
                              .order_by(Acceptance.id.desc()).limit(1))
    return None


def database_file(session: Session) -> Path | None:
    """The database file behind this session (None in memory): never a place to write a document."""
    name = session.get_bind().engine.url.database
    return Path(name) if name and name != ":memory:" else None


def check_output(session: Session, path: Path, force: bool = False) -> None:
    """Refuse to write a document over the database, its sidecars or an existing non-PDF file."""
    db_file = database_file(session)
    problem = output_problem(path, [db_file] if db_file else [], force)
    if problem:
        raise ValidationError([FieldProblem("out", _("Output file"), problem)])


def render(session: Session, actor: Actor, kind: str, agreement_id: int, amendment_seq: int | None = None,
           final: bool = False, template_id: int | None = None, record_id: int | None = None,
           write_to: Path | None = None, force: bool = False) -> Rendered:
    """The PDF of one document. `final` records the print (for verification); a preview does not.

    A result notice prints one assessment's figures and an acceptance form one acceptance record
    (`record_id`; by default the latest); with none recorded they print blank lines to fill by hand.
    `write_to`: write the PDF there (atomically) before the print is recorded, so a print whose file
    could not be written is never on record; `force` allows replacing an existing non-PDF file.
    """
    kind = _kind(kind)
    if write_to is not None:
        check_output(session, Path(write_to), force)
    if final:
        require(actor, Role.CLERK, Role.REVIEWER)
    a = _agreement(session, agreement_id)
    if kind == "supplementary":
        amendment_seq = _amendment(a, amendment_seq).seq
    else:
        amendment_seq = None
    if kind in ("assessment_notice", "acceptance_form"):
        record_id = record_id if record_id is not None else default_record(session, kind, a.id)
    else:
        record_id = None
    frozen = frozen_document(session, a, kind, amendment_seq) if template_id is None else None
    if frozen is not None:  # the text that went for signature, exactly
        spec = frozen_spec(frozen)
        tpl = (templates.get_version(session, frozen.template_version_id) if frozen.template_version_id else
               templates.TemplateDetail(0, kind, spec.title, 0, []))
    else:
        tpl = _template(session, actor, kind, a, amendment_seq, final, template_id, record_id)
        check_template_fits(kind, a, tpl)
        spec = _spec_for(session, kind, a, amendment_seq, tpl, record_id)
    spec, canonical, code = stamped(spec, a.number, kind)
    from app.documents.rendering import render_pdf

    pdf = render_pdf(spec)
    pages = page_count(pdf)
    written = write_atomic(Path(write_to), pdf) if write_to is not None else None
    anchor: audit.Anchor | None = None
    if final:
        # The verification record keeps the chain's head as it stood before this print (issue 14):
        # `spdesk audit verify` shows the trail still extends it, and `spdesk print` shows it to note down.
        anchor = audit.head_anchor(session)
        session.add(PrintRecord(kind=kind, agreement_id=a.id, amendment_seq=amendment_seq, record_id=record_id,
                                template_version_id=tpl.version_id or None, number=a.number, code=code,
                                content_hash=content_hash(a.number, canonical), draft=spec.draft, pages=pages,
                                printed_by=actor.id, username=actor.username, audit_last_id=anchor.last_id,
                                audit_head=anchor.head))
        session.flush()
        audit.record(session, actor, "print", "agreement", a.id, a.number,
                     {"print": (None, f"{kind} v{tpl.version} {code}")})
    return Rendered(pdf, code, pages, tpl.version, spec.draft, a.number, kind, written, anchor)


def frozen_spec(doc: FrozenDocument) -> DocumentSpec:
    """The document of a frozen text, refused when the stored text no longer matches the hash it was frozen
    with (changed outside the program) or cannot be read: a copy for signature must be that text exactly."""
    if content_hash(doc.number, doc.content) != doc.content_hash:
        problem = _("the stored text no longer matches the record made when it was frozen (it was changed outside "
                    "the program)")
    else:
        try:
            return spec_from_canonical(doc.content)
        except (ValueError, KeyError, TypeError, AttributeError):
            problem = _("the stored text cannot be read")
    raise ValidationError([FieldProblem("frozen_text", _("Text frozen for signature"), _(
        "{number} cannot be printed: {problem}. Run “spdesk check”, and restore a backup if it reports damage.")
        .format(number=doc.number, problem=problem))])


def frozen_document(session: Session, a: Agreement, kind: str, amendment_seq: int | None) -> FrozenDocument | None:
    if kind not in FROZEN_KINDS:
        return None
    return session.scalar(select(FrozenDocument).where(
        FrozenDocument.agreement_id == a.id, FrozenDocument.kind == kind,
        FrozenDocument.amendment_seq == (amendment_seq or 0)))


def freeze(session: Session, actor: Actor, agreement_id: int, kind: str = "agreement",
           amendment_seq: int | None = None, today: date | None = None) -> FrozenDocument:
    """Freeze the text that goes for signature (content and code): an agreement when approved for
    signing, a supplementary agreement when recorded. Idempotent; a frozen text never changes."""
    a = _agreement(session, agreement_id)
    existing = frozen_document(session, a, kind, amendment_seq)
    if existing is not None:
        return existing
    tpl = _template(session, actor, kind, a, amendment_seq, True, None)
    check_template_fits(kind, a, tpl)
    spec = replace(_spec_for(session, kind, a, amendment_seq, tpl, as_of=today), draft=False)
    canonical = spec.canonical()
    doc = FrozenDocument(agreement_id=a.id, kind=kind, amendment_seq=amendment_seq or 0, number=a.number,
                         template_version_id=tpl.version_id or None, content=canonical,
                         code=verification_code(a.number, canonical), content_hash=content_hash(a.number, canonical),
                         frozen_by=actor.id)
    session.add(doc)
    session.flush()
    audit.record(session, actor, "freeze", "agreement", a.id, a.number,
                 {"frozen": (None, f"{kind} {amendment_seq or 0} {doc.code}")})
    return doc


def _version_name(doc: FrozenDocument) -> str:
    if doc.kind == "supplementary":
        return _("supplementary agreement no. {seq} to {number}").format(seq=doc.amendment_seq, number=doc.number)
    return _("the agreement {number} as sent for signature").format(number=doc.number)


def _verify_frozen(session: Session, doc: FrozenDocument) -> VerifyResult:
    at = doc.frozen_at
    name = _version_name(doc)
    if content_hash(doc.number, doc.content) != doc.content_hash:  # the stored text itself was altered
        return VerifyResult("changed", doc.number, at, _("The code belongs to {name}, but its recorded text no longer "
                                                         "matches its code.").format(name=name))
    a = session.get(Agreement, doc.agreement_id)
    later = [m for m in (a.amendments if a else []) if m.seq > doc.amendment_seq]
    ended = a is not None and a.state in (lc.AgreementState.TERMINATED.value, lc.AgreementState.COMPLETED.value)
    unsigned = a is not None and a.state == lc.AgreementState.AWAITING_SIGNATURE.value
    in_force = not later and not ended and not unsigned
    lines = [_("Genuine: this is {name}, recorded {at}.").format(name=name, at=at.strftime("%Y-%m-%d"))]
    if later:
        last = later[-1]
        lines.append(_("It is not the version in force: supplementary agreement no. {seq}{date} amends it; read them "
                       "together.").format(seq=last.seq, date=_(" (signed {d})").format(d=last.signed_on.isoformat())
                                            if last.signed_on else ""))
    elif unsigned:
        lines.append(_("The signing has not been recorded yet."))
    elif ended and a is not None:
        lines.append(_("The agreement is now “{state}”.").format(
            state=_(lc.AGREEMENT_STATE_LABELS[lc.AgreementState(a.state)])))
    else:
        lines.append(_("It is the version in force."))
    if a is not None and a.effective_on is not None and doc.kind == "agreement" and not unsigned:
        lines.append(_("It took effect on {date}, when both parties had signed.").format(
            date=a.effective_on.isoformat()))
        if a.early_start_reason and a.period_start < a.effective_on:
            lines.append(_("Its service period began earlier, on {start}; reason recorded at signing: {reason}").format(
                start=a.period_start.isoformat(), reason=a.early_start_reason))
    version = "agreement" if doc.kind == "agreement" else f"supplementary {doc.amendment_seq}"
    return VerifyResult("match", doc.number, at, " ".join(lines), version, in_force, later[-1].seq if later else 0)


def _trail_warning(session: Session, code: str) -> str:
    """A sentence when the audit trail no longer extends where it stood at a print of this code."""
    anchors = session.execute(select(PrintRecord.audit_last_id, PrintRecord.audit_head).distinct().where(
        PrintRecord.code == code, PrintRecord.audit_head.is_not(None))).all()
    for last_id, head in anchors:
        if not audit.check_anchor(session, audit.Anchor(last_id, head), "").ok:
            return _("Warning: the audit trail no longer extends where it stood when this copy was printed "
                     "(record {id}): audit records were removed or rewritten since. Run “spdesk audit verify”.").format(
                id=last_id)
    return ""


def _with_trail_warning(session: Session, result: VerifyResult, code: str) -> VerifyResult:
    warning = _trail_warning(session, code)
    return replace(result, message=f"{result.message} {warning}") if warning else result


def verify(session: Session, actor: Actor | None, code: str) -> VerifyResult:
    """Which recorded version a paper copy's code belongs to.

    A frozen version (the text sent for signature, a supplementary agreement) stays genuine after the
    signing is recorded and after later supplementary agreements; the answer says whether it is the
    version in force. Other prints (drafts, notices, forms) are compared with the record as it is now.
    """
    norm = normalize_code(code)
    doc = session.scalar(select(FrozenDocument).where(FrozenDocument.code == norm).order_by(FrozenDocument.id.desc())
                         .limit(1)) if norm else None
    if doc is not None:
        return _with_trail_warning(session, _verify_frozen(session, doc), norm)
    record = session.scalar(select(PrintRecord).where(PrintRecord.code == norm).order_by(PrintRecord.id.desc())
                            .limit(1)) if norm else None
    if record is None:
        return VerifyResult("unknown", "", None, _("No printed document has the verification code {code}.")
                            .format(code=code.strip()))
    at = record.printed_at
    when = at.strftime("%Y-%m-%d %H:%M")
    a = session.get(Agreement, record.agreement_id)
    try:
        if a is None or record.template_version_id is None:
            raise NotFound
        tpl = templates.get_version(session, record.template_version_id)
        spec = _spec_for(session, record.kind, a, record.amendment_seq, tpl, record.record_id)
        same = content_hash(a.number, spec.canonical()) == record.content_hash
    except (NotFound, ValidationError, lc.TransitionRefused):
        same = False
    if same:
        return _with_trail_warning(session, VerifyResult("match", record.number, at, _(
            "The copy matches the current record of {number} (printed {at}).").format(number=record.number, at=when)),
                                   norm)
    return _with_trail_warning(session, VerifyResult("changed", record.number, at, _(
        "The record of {number} has changed since this copy was printed ({at}); the paper copy is out of date.")
        .format(number=record.number, at=when)), norm)


def file_name(number: str, kind: str) -> str:
    safe = re.sub(r'[\\/:*?"<>|\s]+', "_", number)
    return f"{safe}_{kind}.pdf"


def render_batch(desk: Desk, kind: str, agreement_ids: list[int], out_dir: Path,
                 progress: Callable[[int, int], bool] | None = None, final: bool = True) -> list[Path]:
    """Print several agreements to files, one transaction each; `progress` returning False cancels.

    Every file is written under a temporary name and renamed, so a cancelled or failed batch leaves
    only complete files behind.
    """
    kind = _kind(kind)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    total = len(agreement_ids)
    for i, aid in enumerate(agreement_ids):
        if progress is not None and progress(i, total) is False:
            break
        r = desk.run(_render_into, kind, aid, out_dir, final)
        assert r.path is not None
        written.append(r.path)
    else:
        if progress is not None:
            progress(total, total)
    return written


def _render_into(session: Session, actor: Actor, kind: str, agreement_id: int, out_dir: Path, final: bool) -> Rendered:
    """One document of a batch in one transaction: its file is named by the agreement's number, which the
    render reads anyway (the same loaded agreement; it was read in a transaction of its own before)."""
    number = _agreement(session, agreement_id).number
    return render(session, actor, kind, agreement_id, final=final, write_to=out_dir / file_name(number, kind))


def sample_for_preview(session: Session, actor: Actor, kind: str) -> tuple[int, int | None] | None:
    """An agreement to show a template with: sample data first, one that prints on this template (free or
    reversed for the community agreement), and an amendment for a supplementary agreement."""
    rows = agreements.list_agreements(session, actor, agreements.AgreementQuery(), limit=500)
    form = kind if kind in ("community", "contract") else "contract"
    rows.sort(key=lambda r: (not r.is_sample, agreement_template(r.free_of_charge) != form))
    for r in rows:
        if kind != "supplementary":
            return r.id, None
        detail = agreements.get(session, actor, r.id)
        if detail.amendments:
            return r.id, detail.amendments[-1].seq
    return None
