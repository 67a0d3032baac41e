"""Demo data for appraisers: a dozen invented appraisal firms with their registered valuers, the
selection of a firm for each demo project (by negotiation, by vote, by random draw, one vote that
found no majority and went to the draw), commissions, a valuation for every household of the
projects past the appraisal stage with a few re-checks and expert reviews, credit events of 2022
and the published 2022 credit list.

Firm and valuer names are invented (never a real firm, never the people named in the seed);
credit codes are made up with a correct GB 32100 check character. Everything is drawn from
seeded generators and fixed dates, so every run gives the same data; what exists already is
left alone, so running it twice changes nothing. It assumes core's and projects' demo data and
does nothing for a project that is missing.
"""

import hashlib
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history
from stdnum.cn import uscc

from appraisers import draws, services
from appraisers.defaults import ensure_credit_rules
from appraisers.models import (
    AppraisalFirm,
    Commission,
    CreditEventKind,
    CreditList,
    FirmSelection,
    SelectionCandidate,
    Valuation,
    Valuer,
    Vote,
)
from core.models import User
from projects.models import Household, Notice, Project, Stage

# The seed names three real people; no demo valuer may carry their names.
FORBIDDEN_NAMES = frozenset({"曾国强", "杨光斗", "曾新林"})
NOTE = "演示数据"


def demo_credit_code(n: int) -> str:
    body = f"91430500MA4Q{n:05d}"
    return body + uscc.calc_check_digit(body)


@dataclass(frozen=True)
class DemoFirm:
    n: int
    name: str
    grade: str
    expires_on: date
    valuers: int = 3
    status: str = AppraisalFirm.Status.ACTIVE

    @property
    def credit_code(self) -> str:
        return demo_credit_code(self.n)


G1, G2, G3 = AppraisalFirm.Grade.FIRST, AppraisalFirm.Grade.SECOND, AppraisalFirm.Grade.THIRD
# fmt: off
FIRMS = [
    DemoFirm(1, "邵阳市资江源房地产估价有限公司", G1, date(2028, 6, 30), valuers=5),
    DemoFirm(2, "湖南双清衡平房地产评估有限公司", G1, date(2027, 11, 15), valuers=4),
    DemoFirm(3, "邵阳宝岭房地产土地评估有限公司", G2, date(2028, 3, 31)),
    DemoFirm(4, "湖南鹤鸣房地产估价咨询有限公司", G2, date(2027, 9, 30)),
    DemoFirm(5, "邵阳市北塔恒准房地产评估有限公司", G2, date(2029, 1, 20)),
    DemoFirm(6, "湖南致远信和房地产估价有限公司", G1, date(2028, 12, 31), valuers=4),
    DemoFirm(7, "邵阳市青枫房地产估价有限公司", G3, date(2027, 5, 31), valuers=2),
    DemoFirm(8, "湖南明诚方圆房地产评估有限公司", G2, date(2028, 8, 15)),
    DemoFirm(9, "邵阳市云山立信房地产估价有限公司", G3, date(2028, 4, 30), valuers=2),
    DemoFirm(10, "湖南楚衡房地产土地估价有限公司", G2, date(2027, 10, 31)),
    # Shown as flagged: its qualification certificate has expired.
    DemoFirm(11, "邵阳市旧城房地产估价事务所有限公司", G3, date(2023, 6, 30), valuers=2),
    # Suspended after an administrative penalty in 2022 (graded below the bar in the 2022 list).
    DemoFirm(12, "湖南速评房地产咨询有限公司", G3, date(2028, 2, 28), valuers=2,
             status=AppraisalFirm.Status.SUSPENDED),
]
# fmt: on

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭肖田董袁潘蒋蔡余杜叶程"
GIVEN = "思远静怡文博浩然建华晓东雅琴志强丽娜子涵宇航欣悦嘉豪梓萱明轩雨桐俊杰诗琪"


@dataclass(frozen=True)
class DemoSelection:
    project: str  # Project.name
    method: str  # "negotiation", "vote", "draw", "vote_then_draw", or "open"
    candidates: tuple[int, ...]  # DemoFirm.n
    chosen: int | None = None  # for negotiation and vote


# fmt: off
SELECTIONS = [
    DemoSelection("江北市场棚改", "vote", (1, 3, 5), chosen=3),
    DemoSelection("六岭棚改", "vote", (1, 2, 4, 6), chosen=2),
    DemoSelection("水利局棚改", "draw", (1, 3, 6, 8)),
    DemoSelection("中驰棚改", "negotiation", (2, 4, 10), chosen=4),
    DemoSelection("青云街棚改", "vote_then_draw", (3, 5, 8, 10)),
    DemoSelection("桃花新村棚改", "vote", (1, 5, 6), chosen=5),
    DemoSelection("白田片区棚改", "draw", (2, 6, 9, 10)),
    DemoSelection("城南片区棚改", "negotiation", (3, 8, 12), chosen=8),
    DemoSelection("西湖路学校扩建项目", "draw", (1, 4, 7, 10)),
    # The two new projects of 2022: candidates published, the firm not chosen yet.
    DemoSelection("北塔区C-12地块", "open", (1, 2, 5, 6)),
    DemoSelection("三里桥道路改造工程", "open", (3, 4, 8, 10)),
]
# fmt: on

OPEN_ON = date(2022, 12, 1)
LIST_PUBLISHED_ON = date(2023, 1, 16)
WITNESSES = "被征收人代表3名、区纪委监委派驻纪检组干部1名"
NOTARY = "邵阳市公证处"
UNIT_PRICES = {  # yuan per m², residential, by district (the demo's level, not market data)
    "shuangqing": (3800, 5200),
    "daxiang": (3600, 5000),
    "beita": (3900, 5400),
    "jingkai": (3300, 4600),
}


def load() -> None:
    """Create what is missing (firms, selections with what follows them, the 2022 list)."""
    staff = {u.username: u for u in User.objects.filter(username__in=["operations", "leader"])}
    if len(staff) < 2:
        return
    with transaction.atomic():
        ensure_credit_rules()
        firms = _firms()
        for spec in SELECTIONS:
            project = Project.objects.filter(name=spec.project).select_related("district").first()
            if project is None or FirmSelection.objects.filter(project=project).exists():
                continue
            _selection(spec, project, firms, staff["operations"])
        _credit_2022(firms, staff["operations"], staff["leader"])


def _at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


# Firms


def _firms() -> dict[int, AppraisalFirm]:
    existing = {f.credit_code: f for f in AppraisalFirm.objects.all()}
    firms = {}
    rng = random.Random("demo-appraisers-firms")  # noqa: S311  (invented demo data)
    used_names: set[str] = set()
    for spec in FIRMS:
        firm = existing.get(spec.credit_code)
        if firm is None:
            firm = AppraisalFirm.objects.create(
                name=spec.name,
                credit_code=spec.credit_code,
                grade=spec.grade,
                certificate_number=f"湘建房估证字[{spec.expires_on.year - 3}]{spec.n:04d}号",
                qualification_expires_on=spec.expires_on,
                legal_representative=_person(rng, used_names),
                contact_person=_person(rng, used_names),
                phone=f"0739-{5200000 + spec.n * 1111}",
                address=f"邵阳市双清区宝庆中路{spec.n * 8}号",
                status=spec.status,
                note=NOTE,
                created_at=_at(date(2018, 1, 2)),
            )
            Valuer.objects.bulk_create(
                Valuer(
                    firm=firm,
                    name=_person(rng, used_names),
                    registration_number=f"43{spec.n:02d}20{index:04d}",
                )
                for index in range(1, spec.valuers + 1)
            )
        firms[spec.n] = firm
    return firms


def _person(rng: random.Random, used: set[str]) -> str:
    while True:
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        if name not in FORBIDDEN_NAMES and name not in used:
            used.add(name)
            return name


# Selections


def _entered(project: Project, stage: Stage) -> date | None:
    change = project.stage_changes.filter(to_stage=stage).order_by("changed_at").first()
    return timezone.localdate(change.changed_at) if change else None


def _selection(spec: DemoSelection, project: Project, firms: dict, by: User) -> None:
    rng = random.Random(f"demo-appraisers-{project.code}")  # noqa: S311  (invented demo data)
    appraisal = _entered(project, Stage.APPRAISAL)
    opened_on = appraisal - timedelta(days=20) if appraisal else OPEN_ON
    selection = FirmSelection.objects.create(project=project, opened_on=opened_on, opened_by=by)
    candidates = sorted((firms[n] for n in spec.candidates), key=lambda f: f.credit_code)
    SelectionCandidate.objects.bulk_create(
        SelectionCandidate(selection=selection, firm=firm, position=position)
        for position, firm in enumerate(candidates, start=1)
    )
    if spec.method == "open":
        return
    decided_on = appraisal - timedelta(days=2)
    households = list(project.households.order_by("code"))
    selection.household_count = len(households)
    if spec.method == "negotiation":
        selection.method = FirmSelection.Method.NEGOTIATION
        selection.winner = firms[spec.chosen]
        selection.agreed_households = len(households) * 3 // 4
    elif spec.method == "vote":
        winner = firms[spec.chosen]
        _votes(selection, households, candidates, winner, rng, by, decided_on)
        selection.method = FirmSelection.Method.VOTE
        selection.winner = winner
        selection.vote_tallied_on = decided_on
    else:
        if spec.method == "vote_then_draw":
            _votes(selection, households, candidates, None, rng, by, decided_on - timedelta(days=7))
            selection.vote_tallied_on = decided_on - timedelta(days=7)
            selection.vote_failed = True
        seed = hashlib.sha256(f"demo-draw-{project.code}".encode()).hexdigest()[:32]
        codes = [firm.credit_code for firm in candidates]
        selection.method = FirmSelection.Method.DRAW
        selection.seed = seed
        selection.drawn_at = _at(decided_on, 9, 30)
        selection.draw_candidates = codes
        selection.witnesses = WITNESSES
        selection.notary = NOTARY
        selection.winner = candidates[draws.winner_index(seed, codes)]
    selection.decided_on = decided_on
    selection.decided_by = by
    selection.save()
    notice = Notice.objects.create(
        project=project,
        kind=Notice.Kind.OTHER,
        title=f"{project.name}{services.RESULT_NOTICE_TITLE}",
        body=services.result_notice_body(selection),
        published_on=decided_on,
        published_by=by,
        created_by=by,
        created_at=_at(decided_on, 9),
    )
    selection.notice = notice
    selection.save(update_fields=["notice"])
    commission = Commission.objects.create(
        selection=selection,
        firm=selection.winner,
        contract_number=f"邵征评委〔{decided_on.year}〕{project.code[-5:]}号",
        signed_on=decided_on + timedelta(days=5),
        fee=Decimal(len(households) * 650).quantize(Decimal("0.01")),
        recorded_by=by,
    )
    if project.stage_enum.position > Stage.APPRAISAL.position:
        _valuations(project, households, commission, appraisal, rng, by)


def _votes(selection, households, candidates, winner, rng, by, day) -> None:
    """Ballots of about nine in ten households: with a winner, it holds 55–70 % of the
    households; without one, no firm reaches half."""
    voters = [h for h in households if rng.random() < 0.9]
    others = [firm for firm in candidates if firm != winner]
    if winner is not None:
        needed = int(len(households) * rng.uniform(0.55, 0.7))
        choices = [winner] * min(needed, len(voters))
        choices += [rng.choice(others) for _ in range(len(voters) - len(choices))]
    else:
        choices = [candidates[index % len(candidates)] for index in range(len(voters))]
    rng.shuffle(choices)
    bulk_create_with_history(
        [
            Vote(
                selection=selection,
                household=household,
                firm=firm,
                recorded_by=by,
                recorded_at=_at(day, 16),
            )
            for household, firm in zip(voters, choices, strict=True)
        ],
        Vote,
        default_user=by,
    )


# Valuations


def _valuations(project, households, commission, appraisal: date, rng, by) -> None:
    decision = _entered(project, Stage.DECISION) or appraisal
    valued_on = decision + timedelta(days=5)  # the day of the 征收决定公告
    reported_on = appraisal + timedelta(days=30)
    low, high = UNIT_PRICES[project.district.code]
    valuers = list(commission.firm.valuers.order_by("registration_number"))
    rows = []
    for household in households:
        unit = Decimal(rng.randrange(low, high, 10))
        if household.use == Household.Use.NON_RESIDENTIAL:
            unit = (unit * Decimal("1.6")).quantize(Decimal("1"))
        rows.append(
            Valuation(
                household=household,
                commission=commission,
                firm=commission.firm,
                report_number=f"SYPG-{project.code}-{household.code}",
                appraised_value=(household.area * unit).quantize(
                    Decimal("0.01"), rounding=ROUND_HALF_UP
                ),
                unit_price=unit,
                valued_on=valued_on,
                reported_on=reported_on,
                delivered_on=reported_on + timedelta(days=rng.randrange(1, 6)),
                recorded_by=by,
                recorded_at=_at(reported_on, 15),
            )
        )
    bulk_create_with_history(rows, Valuation, batch_size=500, default_user=by)
    through = Valuation.valuers.through
    pairs = []
    for valuation in Valuation.objects.filter(household__project=project).order_by("pk"):
        first, second = rng.sample(valuers, 2)
        pairs += [
            through(valuation_id=valuation.pk, valuer_id=first.pk),
            through(valuation_id=valuation.pk, valuer_id=second.pk),
        ]
    through.objects.bulk_create(pairs, batch_size=1000)
    _challenges(project, commission, rng)


def _challenges(project, commission, rng) -> None:
    """A few households asked for a re-check; one result changed, one went to the experts."""
    district_user = User.objects.filter(district=project.district).order_by("pk").first()
    valuations = list(
        Valuation.objects.filter(household__project=project).order_by("household__code")
    )
    if district_user is None or len(valuations) < 6:
        return
    picked = rng.sample(valuations, 3)
    valuers = list(commission.firm.valuers.order_by("registration_number")[:2])
    for index, valuation in enumerate(picked):
        requested = valuation.delivered_on + timedelta(days=3)
        answered = requested + timedelta(days=6)
        recheck = services.request_recheck(
            valuation=valuation,
            by=district_user,
            requested_on=requested,
            reason="认为评估单价偏低，装修及附属物未充分计入。",
            today=answered,
        )
        changed = index == 0
        recheck = services.answer_recheck(
            recheck=recheck,
            by=district_user,
            answered_on=answered,
            answer="经复核，补充计入装修及附属物价值，重新出具评估报告。"
            if changed
            else "经复核，评估程序和参数选取符合规定，维持原评估结果。",
            changed=changed,
            revision={
                "report_number": f"{valuation.report_number}-F",
                "appraised_value": (valuation.appraised_value * Decimal("1.04")).quantize(
                    Decimal("0.01"), rounding=ROUND_HALF_UP
                ),
                "unit_price": (valuation.unit_price * Decimal("1.04")).quantize(Decimal("1")),
                "reported_on": answered,
                "valuers": valuers,
            }
            if changed
            else None,
            today=answered,
        )
        if index == 1:
            review_on = answered + timedelta(days=4)
            review = services.request_expert_review(
                recheck=recheck,
                by=district_user,
                requested_on=review_on,
                reason="对复核结果仍有异议，申请专家鉴定。",
                committee="邵阳市房地产价格评估专家委员会",
                today=review_on,
            )
            services.decide_expert_review(
                review=review,
                by=district_user,
                decided_on=review_on + timedelta(days=7),
                opinion="评估程序、估价依据和估价方法符合规定，评估报告不存在技术问题，予以维持。",
                corrected=False,
                today=review_on + timedelta(days=7),
            )


# Credit


CREDIT_EVENTS_2022 = [
    # (firm n, kind code, day, project name or "", description)
    (
        4,
        "late_report",
        date(2022, 3, 18),
        "中驰棚改",
        "分户评估报告较委托合同约定期限逾期12日出具。",
    ),
    (
        12,
        "admin_penalty",
        date(2022, 5, 10),
        "",
        "评估报告未经两名注册房地产估价师签字即出具，受到行政处罚。",
    ),
    (
        12,
        "complaint_upheld",
        date(2022, 6, 22),
        "城南片区棚改",
        "被征收人投诉评估漏项，经调查属实。",
    ),
    (12, "late_report", date(2022, 8, 3), "城南片区棚改", "分户评估报告逾期出具。"),
    (
        9,
        "complaint_upheld",
        date(2022, 9, 14),
        "",
        "被征收人投诉评估人员未到现场查勘，经调查属实。",
    ),
    (1, "commendation", date(2022, 11, 25), "", "在年度房地产估价行业检查中被通报表扬。"),
    (6, "commendation", date(2022, 11, 25), "", "在年度房地产估价行业检查中被通报表扬。"),
]


def _credit_2022(firms: dict, operations: User, leader: User) -> None:
    if CreditList.objects.filter(
        period_start=date(2022, 1, 1), period_end=date(2022, 12, 31)
    ).exists():
        return
    kinds = {kind.code: kind for kind in CreditEventKind.objects.all()}
    projects = {p.name: p for p in Project.objects.all()}
    for n, code, day, project_name, description in CREDIT_EVENTS_2022:
        if code not in kinds:
            continue
        services.record_credit_event(
            firm=firms[n],
            kind=kinds[code],
            by=operations,
            occurred_on=day,
            description=description,
            project=projects.get(project_name),
            today=date(2022, 12, 31),
        )
    credit_list, _created = services.prepare_credit_list(
        period_start=date(2022, 1, 1), period_end=date(2022, 12, 31)
    )
    services.publish_credit_list(credit_list=credit_list, by=leader, on=LIST_PUBLISHED_ON)
