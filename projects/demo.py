"""Demo data for projects: the Shaoyang office's 2022 picture (the seed's figures, exactly).

In 2022, 10 projects were in progress (六岭棚改, 水利局棚改, 中驰棚改, 青云街棚改 and six more),
two of them new (北塔区C-12地块 and 三里桥道路改造工程: 42 households, 9,472 m²); together
1,497 households and 149,500.00 m², of which 1,006 households and 101,200.00 m² signed by the
end of 2022. One more project was completed in 2021, so it is not in progress in 2022.

Every person is invented: household names are drawn from common surnames and given-name
characters (never the names of the people in the seed), resident ID numbers are made up with a
correct check digit, phone numbers are random. The data is drawn from a seeded random generator,
so every run gives the same rows; a project whose code exists already is left alone, so running
`load_demo` twice changes nothing.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history
from stdnum.cn import ric

from core.models import District, User
from projects.models import (
    Approval,
    CompensationPlan,
    Household,
    Notice,
    PlanReview,
    Project,
    Stage,
    StageChange,
)
from projects.services import posting_period

# The seed names three real people (petitioners); no demo row may carry their names.
FORBIDDEN_NAMES = frozenset({"曾国强", "杨光斗", "曾新林"})

# Region codes of Shaoyang's districts for the made-up resident ID numbers; the development
# zone has no code of its own, its residents hold 双清区 and 大祥区 cards.
REGION_CODES = {
    "shuangqing": ["430502"],
    "daxiang": ["430503"],
    "beita": ["430511"],
    "jingkai": ["430502", "430503"],
}

SURNAMES = (
    "王李张刘陈黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭肖田董袁潘蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏付方邹熊邱江尹段雷侯龙史陶黎贺顾毛龚邵万严"
)
GIVEN = "建国华明军平秀英兰芳志勇红梅桂玉德福春生海燕丽娟文武新民永辉金凤小云立群淑珍长林"
MOBILE_PREFIXES = (
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "158",
    "159",
    "173",
    "177",
    "180",
    "181",
    "186",
    "187",
    "188",
    "189",
    "199",
)
HARDSHIPS = [
    Household.Hardship.DIBAO,
    Household.Hardship.TEKUN,
    Household.Hardship.DISABLED,
    Household.Hardship.POVERTY,
]

# Days after the 启动公告 on which each stage was entered (the demo's typical pace).
STAGE_OFFSETS = {
    Stage.SURVEY: 3,
    Stage.PLAN: 60,
    Stage.DECISION: 150,
    Stage.APPRAISAL: 165,
    Stage.SIGNING: 230,
}
LAST_SIGNING_DAY = date(2022, 12, 20)


@dataclass(frozen=True)
class DemoProject:
    code: str
    name: str
    district: str  # District.code
    kind: str
    started_on: date
    stage: Stage
    households: int
    signed: int
    signed_area: Decimal  # m², of the signed households
    unsigned_area: Decimal  # m², of the others
    street: str
    is_key: bool = False
    enforcement_on: date | None = None  # entered 补偿决定
    completed_on: date | None = None
    first_list_posted: bool = True  # 一榜公示

    @property
    def area(self) -> Decimal:
        return self.signed_area + self.unsigned_area


def _d(text: str) -> Decimal:
    return Decimal(text)


# One project per block, read as a table.
# fmt: off
PROJECTS = [
    DemoProject(
        code="2019-SQ-01", name="六岭棚改", district="shuangqing", kind=Project.Kind.SHANTYTOWN,
        street="六岭路", is_key=True, started_on=date(2019, 4, 18), stage=Stage.ENFORCEMENT,
        enforcement_on=date(2021, 10, 15),
        households=312, signed=298, signed_area=_d("29383.15"), unsigned_area=_d("1179.25"),
    ),
    DemoProject(
        code="2020-DX-01", name="水利局棚改", district="daxiang", kind=Project.Kind.SHANTYTOWN,
        street="水利局宿舍区", started_on=date(2020, 3, 26), stage=Stage.ENFORCEMENT,
        enforcement_on=date(2022, 6, 30),
        households=186, signed=171, signed_area=_d("17818.55"), unsigned_area=_d("1375.95"),
    ),
    DemoProject(
        code="2020-SQ-02", name="中驰棚改", district="shuangqing", kind=Project.Kind.SHANTYTOWN,
        street="中驰路", is_key=True, started_on=date(2020, 8, 12), stage=Stage.SIGNING,
        households=228, signed=160, signed_area=_d("15664.35"), unsigned_area=_d("6004.85"),
    ),
    DemoProject(
        code="2021-DX-02", name="青云街棚改", district="daxiang", kind=Project.Kind.SHANTYTOWN,
        street="青云街", started_on=date(2021, 3, 15), stage=Stage.SIGNING,
        households=205, signed=122, signed_area=_d("12358.95"), unsigned_area=_d("6939.25"),
    ),
    DemoProject(
        code="2021-BT-01", name="桃花新村棚改", district="beita", kind=Project.Kind.SHANTYTOWN,
        street="桃花新村", started_on=date(2021, 5, 20), stage=Stage.SIGNING,
        households=174, signed=103, signed_area=_d("10691.75"), unsigned_area=_d("6170.35"),
    ),
    DemoProject(
        code="2021-JK-01", name="白田片区棚改", district="jingkai", kind=Project.Kind.SHANTYTOWN,
        street="白田村", started_on=date(2021, 6, 8), stage=Stage.SIGNING,
        households=160, signed=88, signed_area=_d("8756.35"), unsigned_area=_d("6149.25"),
    ),
    DemoProject(
        code="2021-DX-03", name="城南片区棚改", district="daxiang", kind=Project.Kind.SHANTYTOWN,
        street="城南路", started_on=date(2021, 7, 2), stage=Stage.SIGNING,
        households=118, signed=40, signed_area=_d("4108.35"), unsigned_area=_d("6950.25"),
    ),
    DemoProject(
        code="2021-BT-02", name="西湖路学校扩建项目", district="beita", kind=Project.Kind.PUBLIC,
        street="西湖路", started_on=date(2021, 9, 10), stage=Stage.SIGNING,
        households=72, signed=24, signed_area=_d("2418.55"), unsigned_area=_d("4058.85"),
    ),
    # The two new projects of 2022: 42 households, 9,472 m², still in the survey.
    DemoProject(
        code="2022-BT-C12", name="北塔区C-12地块", district="beita", kind=Project.Kind.OTHER,
        street="状元洲路", is_key=True, started_on=date(2022, 3, 18), stage=Stage.SURVEY,
        households=30, signed=0, signed_area=_d("0"), unsigned_area=_d("6813.40"),
    ),
    DemoProject(
        code="2022-JK-01", name="三里桥道路改造工程", district="jingkai", kind=Project.Kind.ROAD,
        street="三里桥路", started_on=date(2022, 7, 6), stage=Stage.SURVEY,
        first_list_posted=False,
        households=12, signed=0, signed_area=_d("0"), unsigned_area=_d("2658.60"),
    ),
    # Completed in 2021: not in progress in 2022, so none of its figures count there.
    DemoProject(
        code="2018-SQ-01", name="江北市场棚改", district="shuangqing", kind=Project.Kind.SHANTYTOWN,
        street="江北市场", started_on=date(2018, 5, 10), stage=Stage.ARCHIVED,
        enforcement_on=date(2020, 9, 1), completed_on=date(2021, 11, 30),
        households=46, signed=46, signed_area=_d("4387.60"), unsigned_area=_d("0"),
    ),
]
# fmt: on


def load() -> list[Project]:
    """Create the demo projects that do not exist yet; return those created."""
    existing = set(
        Project.objects.filter(code__in=[spec.code for spec in PROJECTS]).values_list(
            "code", flat=True
        )
    )
    missing = [spec for spec in PROJECTS if spec.code not in existing]
    if not missing:
        return []
    users = {user.username: user for user in User.objects.filter(district__isnull=False)}
    staff = {
        user.username: user for user in User.objects.filter(username__in=["operations", "leader"])
    }
    districts = {district.code: district for district in District.objects.all()}
    with transaction.atomic():
        return [
            _load_project(
                spec,
                districts[spec.district],
                users[spec.district],
                staff["operations"],
                staff["leader"],
            )
            for spec in missing
        ]


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _timeline(spec: DemoProject) -> list[tuple[Stage, date]]:
    """The stages the project went through, each with the day it was entered."""
    steps = [(Stage.INITIATION, spec.started_on - timedelta(days=90))]
    for stage in Stage.ordered()[1 : spec.stage.position + 1]:
        if stage == Stage.ENFORCEMENT:
            steps.append((stage, spec.enforcement_on))
        elif stage == Stage.ARCHIVED:
            steps.append((stage, spec.completed_on))
        else:
            steps.append((stage, spec.started_on + timedelta(days=STAGE_OFFSETS[stage])))
    return steps


def _load_project(
    spec: DemoProject, district: District, district_user: User, operations: User, leader: User
) -> Project:
    rng = random.Random(f"demo-{spec.code}")  # noqa: S311  (invented demo data, not secrets)
    timeline = _timeline(spec)
    entered = dict(timeline)
    project = Project.objects.create(
        code=spec.code,
        name=spec.name,
        district=district,
        kind=spec.kind,
        is_key=spec.is_key,
        location=f"{district.name}{spec.street}一带",
        description=f"{spec.name}：共{spec.households}户，建筑面积{spec.area}平方米（演示数据）。",
        liaison=operations,
        leader=leader,
        stage=spec.stage,
        started_on=spec.started_on,
        completed_on=spec.completed_on,
        created_at=_at(entered[Stage.INITIATION]),
        created_by=district_user,
    )
    previous = ""
    for stage, day in timeline:
        StageChange.objects.create(
            project=project,
            from_stage=previous,
            to_stage=stage,
            changed_by=district_user if not previous else operations,
            changed_at=_at(day, 15),
            note="项目登记" if not previous else "",
        )
        previous = stage
    _approvals(project, spec, district_user, operations)
    _notices(project, spec, entered, district_user, operations)
    if Stage.DECISION in entered:
        _approved_plan(project, spec, entered, district_user, leader)
    _households(project, spec, entered, district_user, rng)
    return project


def _approvals(project: Project, spec: DemoProject, by: User, verifier: User) -> None:
    year = spec.started_on.year
    numbers = {
        Approval.Kind.PROJECT: (f"邵发改投资〔{year}〕{30 + len(spec.code)}号", 75),
        Approval.Kind.PLANNING: (f"地字第430500{year}{spec.households:05d}号", 60),
        Approval.Kind.LAND: (f"邵自然资审〔{year}〕{12 + spec.signed % 40}号", 45),
    }
    bulk_create_with_history(
        [
            Approval(
                project=project,
                kind=kind,
                number=number,
                issued_on=spec.started_on - timedelta(days=days_before),
                uploaded_by=by,
                verified_by=verifier,
                verified_at=_at(spec.started_on - timedelta(days=20)),
            )
            for kind, (number, days_before) in numbers.items()
        ],
        Approval,
        default_user=verifier,
    )


def _notices(
    project: Project, spec: DemoProject, entered: dict, district_user: User, operations: User
) -> None:
    # (kind, title, published on, posting period in days); each notice only once its stage came.
    notices = [(Notice.Kind.START, "房屋征收启动公告", spec.started_on, 0)]
    if spec.first_list_posted:
        notices.append(
            (
                Notice.Kind.FIRST_LIST,
                "被征收房屋调查结果公示（一榜）",
                spec.started_on + timedelta(days=40),
                7,
            )
        )
    if Stage.DECISION in entered:
        notices += [
            (
                Notice.Kind.PLAN_COMMENT,
                "征收补偿方案征求意见公告",
                spec.started_on + timedelta(days=105),
                30,
            ),
            (
                Notice.Kind.DECISION,
                "房屋征收决定公告",
                entered[Stage.DECISION] + timedelta(days=5),
                0,
            ),
        ]
    if Stage.SIGNING in entered:
        notices.append(
            (
                Notice.Kind.SECOND_LIST,
                "分户评估结果公示（二榜）",
                entered[Stage.SIGNING] - timedelta(days=20),
                10,
            )
        )
    rows = []
    for kind, title, day, period in notices:
        notice = Notice(
            project=project,
            kind=kind,
            title=f"{spec.name}{title}",
            body=f"{spec.name}{title}。范围：{project.location}。（演示数据）",
            period_days=period,
            published_on=day,
            published_by=operations,
            created_by=district_user,
            created_at=_at(day - timedelta(days=3)),
        )
        if period:
            # The same engine publish_notice uses fixes the end of the posting period.
            posting = posting_period(kind, day, period)
            notice.ends_on = posting.due
            notice.period_explanation = "\n".join(posting.explanation)
        rows.append(notice)
    bulk_create_with_history(rows, Notice, default_user=operations)


def _approved_plan(
    project: Project, spec: DemoProject, entered: dict, district_user: User, leader: User
) -> None:
    submitted = spec.started_on + timedelta(days=90)
    approved = spec.started_on + timedelta(days=100)
    name = f"plans/demo/{spec.code}-v1.txt"
    if not default_storage.exists(name):
        text = f"{spec.name}房屋征收补偿方案（演示数据，仅供系统演示）。\n"
        name = default_storage.save(name, ContentFile(text.encode("utf-8")))
    plan = CompensationPlan(
        project=project,
        version=1,
        status=CompensationPlan.Status.APPROVED,
        valuation_basis="以征收决定公告之日为评估时点，由被征收人选定的房地产估价机构评估确定。",
        relocation_allowance=Decimal("2000.00"),
        temporary_rate=Decimal("8.00"),
        temporary_months=24,
        early_signing_bonus=Decimal("20000.00"),
        early_signing_deadline=entered[Stage.SIGNING] + timedelta(days=60)
        if Stage.SIGNING in entered
        else None,
        subsidy_dibao=Decimal("5000.00"),
        subsidy_tekun=Decimal("8000.00"),
        subsidy_disabled=Decimal("5000.00"),
        subsidy_poverty=Decimal("10000.00"),
        swap_rules="产权调换房屋按同等建筑面积就近安置，面积差价按评估价格结算。",
        submitted_by=district_user,
        submitted_at=_at(submitted),
        decided_by=leader,
        decided_at=_at(approved),
    )
    plan.document.name = name
    plan.save()
    PlanReview.objects.bulk_create(
        [
            PlanReview(
                plan=plan,
                action=PlanReview.Action.SUBMIT,
                author=district_user,
                created_at=_at(submitted),
            ),
            PlanReview(
                plan=plan,
                action=PlanReview.Action.APPROVE,
                author=leader,
                comment="同意。",
                created_at=_at(approved),
            ),
        ]
    )


def _split(total: Decimal, count: int, rng: random.Random) -> list[Decimal]:
    """`count` areas with two decimals, each within about ±45 % of the mean, summing exactly to
    `total`."""
    if count == 0:
        return []
    cents = int(total * 100)
    weights = [rng.uniform(0.55, 1.45) for _ in range(count)]
    scale = sum(weights)
    parts = [int(cents * weight / scale) for weight in weights]
    for index in range(cents - sum(parts)):
        parts[index % count] += 1
    return [Decimal(part) / 100 for part in parts]


def _name(rng: random.Random) -> str:
    while True:
        given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        name = rng.choice(SURNAMES) + given
        if name not in FORBIDDEN_NAMES:
            return name


def _resident_id(rng: random.Random, region: str) -> str:
    born = date(1940, 1, 1) + timedelta(days=rng.randrange(365 * 58))
    body = f"{region}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return body + ric.calc_check_digit(body + "0")


def _day_between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def _households(
    project: Project, spec: DemoProject, entered: dict, by: User, rng: random.Random
) -> None:
    areas = [(area, True) for area in _split(spec.signed_area, spec.signed, rng)]
    areas += [
        (area, False) for area in _split(spec.unsigned_area, spec.households - spec.signed, rng)
    ]
    rng.shuffle(areas)
    surveyed = entered[Stage.SURVEY]
    # Agreements are signed from the day the project entered 签约 until it went to 补偿决定.
    first_signing = entered.get(Stage.SIGNING)
    last_signing = min(spec.enforcement_on or LAST_SIGNING_DAY, LAST_SIGNING_DAY)
    regions = REGION_CODES[spec.district]
    households = []
    for number, (area, signed) in enumerate(areas, start=1):
        residential = rng.random() >= 0.08
        signed_on = _day_between(rng, first_signing, last_signing) if signed else None
        moved_out_on = demolished_on = None
        if signed_on and rng.random() < 0.85:
            moved_out_on = min(signed_on + timedelta(days=rng.randrange(10, 60)), LAST_SIGNING_DAY)
            if spec.stage in (Stage.ENFORCEMENT, Stage.ARCHIVED):
                demolished_on = min(
                    moved_out_on + timedelta(days=rng.randrange(10, 90)), date(2022, 12, 31)
                )
        building = rng.randrange(1, 60)
        household = Household(
            project=project,
            code=f"{number:04d}",
            head_name=_name(rng),
            id_number=_resident_id(rng, rng.choice(regions)),
            phone=rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}",
            address=f"{spec.street}{building}号"
            + (f"{rng.randrange(1, 7)}0{rng.randrange(1, 5)}室" if residential else "门面"),
            use=Household.Use.RESIDENTIAL if residential else Household.Use.NON_RESIDENTIAL,
            area=area,
            hardship=rng.choice(HARDSHIPS) if residential and rng.random() < 0.05 else "",
            signed_on=signed_on,
            method=(Household.Method.MONETARY if rng.random() < 0.7 else Household.Method.SWAP)
            if signed_on
            else "",
            moved_out_on=moved_out_on,
            demolished_on=demolished_on,
            # Drawn last, as before registered_on existed: the demo's names stay the same.
            created_at=_at(surveyed + timedelta(days=rng.randrange(5, 30))),
        )
        household.registered_on = timezone.localtime(household.created_at).date()
        households.append(household)
    bulk_create_with_history(households, Household, batch_size=500, default_user=by)
