"""Demo items in the sign-off chains, made through the same services people use, so that every
demo user's to-do list has something on it:

- 北塔区 (user beita) submitted the C-12 plot's compensation plan and 业务科 returned it with a
  comment: the plan waits on beita's to-do list for a new version;
- 经开区 (user jingkai) submitted the 三里桥 road project's plan; 业务科 and 法规科 passed it, and
  it waits for a leader's approval, as does jingkai's draft 一榜公示 (a leader's sign-off);
- 双清区 (user shuangqing) drafted a notice for 中驰棚改 that a leader returned with a comment.

Safe to run twice: nothing is made when the C-12 plot already has a plan.
"""

from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from core.models import User
from projects import services
from projects.models import Notice, Project

PLAN = {
    "valuation_basis": "以征收决定公告之日为评估时点，由被征收人选定的房地产估价机构评估确定。",
    "relocation_allowance": Decimal("2000.00"),
    "temporary_rate": Decimal("8.00"),
    "temporary_months": 24,
    "subsidy_dibao": Decimal("5000.00"),
    "subsidy_tekun": Decimal("8000.00"),
    "compensation_budget": Decimal("36000000.00"),
    "swap_rules": "产权调换房屋按同等建筑面积就近安置，面积差价按评估价格结算。",
}


def _document(code: str) -> str:
    name = f"plans/demo/{code}-v1.txt"
    if not default_storage.exists(name):
        text = "补偿方案送审稿（演示数据，仅供系统演示）。\n"
        name = default_storage.save(name, ContentFile(text.encode("utf-8")))
    return name


def load() -> None:
    users = {u.username: u for u in User.objects.filter(is_active=True)}
    needed = {"beita", "jingkai", "shuangqing", "operations", "legal", "leader"}
    projects = {p.code: p for p in Project.objects.filter(code__in=["2022-BT-C12", "2022-JK-01"])}
    zhongchi = Project.objects.filter(code="2020-SQ-02").first()
    if not needed <= set(users) or len(projects) < 2 or zhongchi is None:
        return
    c12, sanliqiao = projects["2022-BT-C12"], projects["2022-JK-01"]
    if c12.plans.exists():
        return
    with transaction.atomic():
        returned = services.submit_plan(
            project=c12,
            by=users["beita"],
            comment="请审核。",
            document=_document(c12.code),
            **PLAN,
        )
        services.return_plan(
            plan=returned,
            by=users["operations"],
            comment="临时安置费标准低于市定标准，请按每月每平方米10元调整后重新提交。",
        )

        waiting = services.submit_plan(
            project=sanliqiao,
            by=users["jingkai"],
            comment="请审核。",
            document=_document(sanliqiao.code),
            **PLAN,
        )
        services.approve_plan(plan=waiting, by=users["operations"], comment="业务科审核同意。")
        services.approve_plan(plan=waiting, by=users["legal"], comment="方案内容符合《条例》规定。")
        services.draft_notice(
            project=sanliqiao,
            by=users["jingkai"],
            kind=Notice.Kind.FIRST_LIST,
            title=f"{sanliqiao.name}被征收房屋调查结果公示（一榜）",
            body=f"{sanliqiao.name}调查登记结果公示。（演示数据）",
            period_days=7,
        )

        draft = services.draft_notice(
            project=zhongchi,
            by=users["shuangqing"],
            kind=Notice.Kind.OTHER,
            title=f"{zhongchi.name}签约进度公告",
            body=f"{zhongchi.name}签约进度公告。（演示数据）",
        )
        services.return_notice(
            notice=draft, by=users["leader"], comment="请补充签约期限届满日和咨询电话。"
        )
