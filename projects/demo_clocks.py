"""Demo data for the legal clocks: risk assessments, compensation decisions at different
points on the road to enforcement, and the 2022 safety campaign (3 categories, 9 hazards,
all rectified, as the seed reports).

Everything is written through the same services staff use, so the dates obey the same
rules. Decisions that must show a *running* clock are dated from the day the demo is
loaded; the others are dated in 2022–2023. Safe to run twice: each part is skipped when
its rows exist.
"""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from core.models import User
from projects import legal, safety, services
from projects.models import (
    CompensationDecision,
    Hazard,
    Household,
    Inspection,
    Project,
    Stage,
)

CAMPAIGN = "2022年国有土地上房屋征收拆除施工安全专项整治督查"

# (project code, category, place, problem, responsible unit, measures, due, rectified)
# fmt: off
HAZARDS = [
    ("2019-SQ-01", Hazard.Category.DEMOLITION, "六岭路12栋", "拆除作业未设专人监护",
     "双清区征收办", "落实专人现场监护，作业前安全交底", date(2022, 6, 10), date(2022, 6, 8)),
    ("2020-DX-01", Hazard.Category.DEMOLITION, "水利局宿舍3栋", "机械拆除与人工拆除交叉作业",
     "大祥区征收办", "调整作业顺序，划定隔离区", date(2022, 6, 10), date(2022, 6, 9)),
    ("2020-SQ-02", Hazard.Category.DEMOLITION, "中驰路东段", "拆除残墙未及时清理",
     "双清区征收办", "当日清理残墙并覆盖裸土", date(2022, 6, 15), date(2022, 6, 13)),
    ("2021-DX-02", Hazard.Category.ELECTRICITY, "青云街临时配电箱", "配电箱无漏电保护",
     "施工单位", "更换带漏电保护的配电箱", date(2022, 6, 12), date(2022, 6, 11)),
    ("2021-BT-01", Hazard.Category.ELECTRICITY, "桃花新村工地", "电线拖地敷设",
     "施工单位", "架空敷设并加装护套", date(2022, 6, 12), date(2022, 6, 12)),
    ("2021-JK-01", Hazard.Category.ELECTRICITY, "白田村工棚", "私拉乱接生活用电",
     "经开区征收办", "拆除私接线路，统一接入临时用电", date(2022, 6, 15), date(2022, 6, 14)),
    ("2021-DX-03", Hazard.Category.FENCING, "城南路沿街", "围挡破损缺口",
     "大祥区征收办", "修补围挡，夜间设警示灯", date(2022, 6, 8), date(2022, 6, 7)),
    ("2021-BT-02", Hazard.Category.FENCING, "西湖路学校东侧", "无安全警示标识",
     "北塔区征收办", "增设警示标识和限速提示", date(2022, 6, 8), date(2022, 6, 8)),
    ("2019-SQ-01", Hazard.Category.FENCING, "六岭路北口", "围挡高度不足",
     "双清区征收办", "加高围挡至2.5米", date(2022, 6, 20), date(2022, 6, 17)),
]
# fmt: on


def load() -> None:
    users = {user.username: user for user in User.objects.filter(is_active=True)}
    if "operations" not in users:
        return
    with transaction.atomic():
        _risk_assessments(users)
        _safety_campaign(users)
        _decisions(users)


def _announce(decision, users: dict[str, User], on: date) -> None:
    """业务科 drafts the 补偿决定公告, the leader signs it off, 法规科 publishes it."""
    notice = legal.announce_decision(decision=decision, by=users["operations"], published_on=on)
    services.sign_off_notice(notice=notice, by=users["leader"])
    services.publish_notice(notice=notice, by=users["legal"], on=on)


def _district_user(project: Project, users: dict[str, User]) -> User:
    return next(u for u in users.values() if u.district_id == project.district_id)


def _risk_assessments(users: dict[str, User]) -> None:
    """Every demo project past the plan stage had its assessment before the decision."""
    past_plan = [
        project
        for project in Project.objects.filter(risk_assessments__isnull=True).exclude(
            stage__in=[Stage.INITIATION, Stage.SURVEY, Stage.PLAN]
        )
    ]
    for project in past_plan:
        entered = project.stage_changes.filter(to_stage=Stage.DECISION).first()
        assessed_on = (
            timezone.localdate(entered.changed_at) if entered else project.started_on
        ) - timedelta(days=20)
        surveyed = project.households.count() or 1
        legal.record_risk_assessment(
            project=project,
            by=_district_user(project, users),
            assessed_on=assessed_on,
            households_surveyed=surveyed,
            households_opposed=surveyed * 4 // 100,
            conclusion="群众总体支持，风险可控，建议实施。",
        )


def _safety_campaign(users: dict[str, User]) -> None:
    if Inspection.objects.filter(name=CAMPAIGN).exists():
        return
    projects = {project.code: project for project in Project.objects.all()}
    if not all(code in projects for code, *_ in HAZARDS):
        return
    staff = users["operations"]
    inspection = safety.create_inspection(
        by=staff,
        name=CAMPAIGN,
        started_on=date(2022, 5, 30),
        ended_on=date(2022, 6, 30),
        description="对各在建征收项目拆除施工现场进行全面督查，形成问题隐患及整改措施清单。",
    )
    for code, category, place, problem, unit, measures, due_on, done_on in HAZARDS:
        hazard = safety.record_hazard(
            inspection=inspection,
            by=staff,
            project=projects[code],
            category=category,
            place=place,
            description=problem,
            responsible_unit=unit,
            measures=measures,
            due_on=due_on,
        )
        safety.update_hazard(hazard=hazard, by=staff, status="rectified", rectified_on=done_on)


def _unsigned(code: str, count: int) -> list[Household]:
    return list(
        Household.objects.filter(project__code=code, signed_on__isnull=True)
        .filter(compensation_decisions__isnull=True)
        .order_by("code")[:count]
    )


def _decisions(users: dict[str, User]) -> None:
    """Five unsigned households of 六岭棚改 and 水利局棚改, at five points on the road."""
    if CompensationDecision.objects.filter(number__startswith="双政征补字").exists():
        return
    today = timezone.localdate()
    liuling = _unsigned("2019-SQ-01", 4)
    shuili = _unsigned("2020-DX-01", 1)
    if len(liuling) < 4 or len(shuili) < 1:
        return
    leader = users["leader"]

    def decide(household, number, decided_on, served_on):
        # The decided amount is the household's current breakdown (legal.breakdown_total), which
        # the decision document itemises; the bodies are those of a district government's
        # decision (行政复议法 第二十四条: the city government; 行政诉讼法 第十五条: the
        # intermediate court).
        by = _district_user(household.project, users)
        decision = legal.record_compensation_decision(
            household=household,
            by=by,
            number=number,
            decided_on=decided_on,
            reconsideration_body="邵阳市人民政府",
            court="邵阳市中级人民法院",
        )
        return legal.serve_decision(decision=decision, by=by, served_on=served_on), by

    # Filed with the court: served in June 2022, warned after the suit window, applied.
    decision, by = decide(liuling[0], "双政征补字〔2022〕5号", date(2022, 6, 10), date(2022, 6, 13))
    _announce(decision, users, date(2022, 6, 14))
    legal.serve_warning(decision=decision, by=by, served_on=date(2022, 12, 20))
    legal.file_enforcement_application(
        decision=decision,
        by=leader,
        filed_on=date(2023, 1, 10),
        court="双清区人民法院",
        **dict.fromkeys(legal.CHECKLIST, True),
    )

    # In litigation: the household went to court within the suit window.
    decision, by = decide(liuling[1], "双政征补字〔2022〕9号", date(2022, 9, 1), date(2022, 9, 5))
    legal.record_litigation(decision=decision, by=by, filed_on=date(2022, 10, 10))

    # Still inside the reconsideration window, which closes within the next month.
    decided = today - timedelta(days=48)
    decide(
        liuling[2],
        f"双政征补字〔{decided.year}〕12号",
        decided,
        today - timedelta(days=45),
    )

    # Before the review body: accepted 40 days ago, so its 60 days (行政复议法 第六十二条) end
    # within the next month; the suit and court windows that follow show on the decision page.
    decided = today - timedelta(days=72)
    decision, by = decide(
        liuling[3],
        f"双政征补字〔{decided.year}〕15号",
        decided,
        today - timedelta(days=70),
    )
    legal.record_reconsideration(
        decision=decision,
        by=by,
        applied_on=today - timedelta(days=45),
        accepted_on=today - timedelta(days=40),
    )

    # Windows closed about ten weeks ago, no warning yet: the court application is due
    # within the next month, so the deadlines page has something pressing to show.
    served = today - timedelta(days=183 + 70)
    decided = served - timedelta(days=3)
    decide(shuili[0], f"大政征补字〔{decided.year}〕2号", decided, served)
