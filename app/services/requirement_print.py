"""The printed purchase requirement (购买需求, 成都规程第十三条): the text the reviewer approves, with the
drafter's confirmations of what may not be purchased (广东 四; 102号令 第十、十八条), the public
consultation (成都规程第十五条) and, when the budget lies outside its method's range, the recorded reason
(成都规程第四十一条; issue 15: "the reason prints in the requirement").

It is an internal approval document, not a contract: it is printed as often as wanted, is not frozen
and carries no verification code; each print is audited on the project.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from app.documents.output import write_atomic
from app.documents.spec import Article, DocumentSpec, Paragraph, Table
from app.domain import procurement as pc
from app.domain.money import rmb_upper
from app.i18n import translated
from app.services import audit, duties, projects, thresholds
from app.services import settings as settings_service
from app.services.context import Actor
from app.services.printing import BLANK, check_output, cn_date, cn_number
from app.services.projects import EXCLUSIONS, FIELD_LABELS

TITLE = "政府购买服务项目购买需求"


def _zh(message: str) -> str:
    return translated("zh_CN", message)


def _para(text: str) -> Paragraph:
    return Paragraph(text if text.strip() else BLANK)


def build_spec(session: Session, actor: Actor, project_id: int) -> DocumentSpec:
    p = projects.project_record(session, project_id)
    office = settings_service.get(session, settings_service.OFFICE_NAME) or BLANK
    articles: list[Article] = []

    def article(title: str, *body: Paragraph | Table) -> None:
        articles.append(Article(f"{cn_number(len(articles) + 1)}、", title, tuple(body)))

    budget = p.budget_amount
    money = f"{rmb_upper(budget)}（¥{budget:,.2f}）" if budget is not None else BLANK
    article("项目概况",
            Table(("项目", "内容"), (
                ("购买主体", office), ("承办科室", p.purchaser_department or BLANK),
                ("预算年度", f"{p.budget_year}年"), ("预算金额", money),
                ("服务周期", f"{p.start_year}年起共{p.plan_years}年"),
                ("服务类别", f"第{cn_number(int(p.service_category))}类"),
            ), widths=(1.6, 5.4), align=("center", "left"), label_column=True))
    for key, label in pc.REQUIREMENT_SECTIONS.items():
        lines = [line for line in (getattr(p, key) or "").splitlines() if line.strip()] or [""]
        article(_zh(label), *(_para(line) for line in lines))
    method = _zh(pc.PROCUREMENT_METHODS.get(p.procurement_method, p.procurement_method))
    method_body = [_para(f"采购方式：{method}。")]
    if p.method_reason.strip():
        method_body.append(_para(f"选择理由：{p.method_reason}"))
    if thresholds.problem_with(session, p.procurement_method, p.budget_amount):
        # 成都规程第四十一条: a budget outside the method's range goes to review with its reason, in writing.
        method_body.append(_para(f"预算金额不在{method}的适用限额内（成都规程第四十一条），理由：" +
                                 (p.threshold_reason if p.threshold_reason.strip() else BLANK)))
    article("采购方式", *method_body)
    article("不得购买事项确认",
            *(_para(("（√）" if getattr(p, k) else "（　）") + _zh(FIELD_LABELS[k])) for k in EXCLUSIONS),
            _para("依据：广东省政府购买服务实施办法第四条；财政部令第102号第十条、第十八条。"))
    if p.service_category == 3:
        article("公众意见征询",
                _para(f"征询日期：{cn_date(p.consultation_on)}"),
                _para(f"征询方式：{p.consultation_method or BLANK}"),
                _para(f"征询结果：{p.consultation_result or BLANK}"),
                _para("依据：成都规程第十五条（面向公众的公共服务项目应当征求社会公众意见）。"))
    drafters = [r.user_id for r in duties.performed(session, "project", p.id, duties.Duty.DRAFT_REQUIREMENT)
                if r.user_id is not None]
    names = projects.user_names(session, actor, drafters)
    drafted_by = "、".join(dict.fromkeys(names[i] for i in drafters if i in names))
    article("起草与审核", Table(("职责", "姓名", "签字", "日期"),
                              (("起草人", drafted_by, "", ""), ("审核人", "", "", "")),
                              widths=(1.4, 2.6, 1.8, 1.6), align=("center", "left", "center", "center"),
                              row_heights=(14, 14)))
    return DocumentSpec(title=TITLE, number=p.name, number_label="项目名称", subtitle="（内部审批用）",
                        articles=tuple(articles), closing_note="（以下无正文）", meta_subject=f"{p.name} 购买需求")


def render(session: Session, actor: Actor, project_id: int, write_to: Path | None = None,
           force: bool = False) -> bytes:
    """The requirement as PDF bytes, written atomically to `write_to` when given; audited on the project."""
    if write_to is not None:
        check_output(session, Path(write_to), force)
    spec = build_spec(session, actor, project_id)
    from app.documents.rendering import render_pdf

    pdf = render_pdf(spec)
    if write_to is not None:
        write_atomic(Path(write_to), pdf)
    audit.record(session, actor, "print", "project", project_id, spec.number, {"print": (None, "requirement")})
    return pdf
