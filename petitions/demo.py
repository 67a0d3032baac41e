"""Demo data for petition work: the office's 2022 picture (seed section (二)).

- The reception log of 2022: 30 visits totalling 53 visitor-times (the seed's "50多人次"),
  some by the same people, two of them collective visits;
- the cases opened from those visits, letters, a call, an online petition, one referred by the
  city petition bureau and one referred by the provincial inspection group (省巡视组), with the
  office's report on it;
- two legacy cases about the demolition of an old commercial building, resolved in 2022;
- the 24-hour leadership duty roster for the 20th Party Congress (October 2022);
- three current cases, dated from the day of loading, so that the due list has something to
  show.

Every person is invented (never the people the seed names). Every row is made through the
services, as staff would make it, and the whole load is one transaction; running it again when
the roster exists changes nothing. Projects are looked up by name and left out when missing.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from io import BytesIO

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from stdnum.cn import ric

from core.models import District, User
from petitions import services
from petitions.models import (
    Category,
    Channel,
    DutyRoster,
    DutyShift,
    Petition,
    ReviewOutcome,
    Route,
    Visit,
)
from projects.models import Project

ROSTER_TITLE = "党的二十大期间领导干部24小时信访接访值班表"
YEAR_END = date(2022, 12, 31)
REVIEW_BODY = "邵阳市住房和城乡建设局"

# The seed names three real people; no demo row may carry their names.
FORBIDDEN_NAMES = frozenset({"曾国强", "杨光斗", "曾新林"})

# district code of a person's made-up resident ID number
REGION = {"shuangqing": "430502", "daxiang": "430503", "beita": "430511", "jingkai": "430502"}


@dataclass(frozen=True)
class Person:
    name: str
    district: str
    born: str  # YYYYMMDD
    serial: int
    phone: str

    @property
    def id_number(self) -> str:
        body = f"{REGION[self.district]}{self.born}{self.serial:03d}"
        return body + ric.calc_check_digit(body + "0")


PEOPLE = {
    p.name: p
    for p in [
        Person("罗桂英", "shuangqing", "19580312", 124, "13807391021"),
        Person("谭志勇", "daxiang", "19720805", 315, "13907392245"),
        Person("邓秀兰", "daxiang", "19650119", 228, "15173930876"),
        Person("蒋建国", "shuangqing", "19600927", 417, "13787391532"),
        Person("贺永辉", "daxiang", "19551103", 131, "18973901467"),
        Person("廖春生", "shuangqing", "19690214", 253, "13974398120"),
        Person("彭小云", "shuangqing", "19810630", 362, "15907393318"),
        Person("石淑珍", "daxiang", "19620418", 146, "13517390954"),
        Person("龙德福", "daxiang", "19570722", 279, "18907396603"),
        Person("邹金凤", "daxiang", "19590909", 188, "13607394417"),
        Person("万立群", "shuangqing", "19760101", 335, "15807395526"),
        Person("段文武", "daxiang", "19680516", 257, "13873907739"),
        Person("汪海燕", "daxiang", "19830824", 146, "18692391184"),
        Person("叶明华", "shuangqing", "19710310", 219, "13973906652"),
        Person("欧阳建民", "shuangqing", "19630415", 271, "13807398810"),
        Person("何德明", "beita", "19540228", 113, "13762398854"),
        Person("邵丽娟", "jingkai", "19860705", 320, "17773906621"),
        Person("黎永平", "beita", "19740911", 151, "13975900218"),
        Person("唐玉兰", "daxiang", "19661201", 244, "15898390032"),
        Person("蒋红梅", "shuangqing", "19700518", 262, "13975903871"),
        Person("蒋新民", "shuangqing", "19630203", 173, "13907390419"),
    ]
}


@dataclass(frozen=True)
class DemoVisit:
    on: date
    district: str
    project: str | None
    people: int
    visitor: str
    summary: str
    handling: str = ""
    case: str | None = None  # key of the case it opens or concerns


# The reception log of 2022, one visit a block: 30 visits, 53 visitor-times.
VISITS = [
    DemoVisit(
        date(2022, 1, 11),
        "shuangqing",
        "六岭棚改",
        1,
        "罗桂英",
        "询问过渡安置费发放时间。",
        "已告知发放安排。",
    ),
    DemoVisit(
        date(2022, 1, 20),
        "daxiang",
        "水利局棚改",
        2,
        "谭志勇",
        "对分户评估价格有异议，认为评估单价偏低，要求重新评估。",
        "登记为信访件。",
        case="tan",
    ),
    DemoVisit(
        date(2022, 2, 15),
        "shuangqing",
        "六岭棚改",
        1,
        "罗桂英",
        "再次询问过渡安置费发放。",
        "已联系区征收办核实。",
    ),
    DemoVisit(
        date(2022, 2, 24),
        "daxiang",
        "青云街棚改",
        1,
        "邓秀兰",
        "咨询安置房选房顺序。",
        "已解释选房规则。",
    ),
    DemoVisit(
        date(2022, 3, 3),
        "shuangqing",
        "六岭棚改",
        8,
        "蒋建国",
        "集体反映安置房交付延期，要求明确交房时间并增发过渡费。",
        "接待后登记为集体信访件。",
        case="jiang",
    ),
    DemoVisit(
        date(2022, 3, 16),
        "daxiang",
        "水利局棚改",
        1,
        "谭志勇",
        "催问评估异议处理进度。",
        "告知正在办理。",
        case="tan",
    ),
    DemoVisit(
        date(2022, 3, 29),
        "daxiang",
        None,
        1,
        "贺永辉",
        "反映东风商业大厦房屋拆迁补偿遗留问题。",
        "告知已列为遗留积案跟踪化解。",
        case="legacy-he",
    ),
    DemoVisit(
        date(2022, 4, 12),
        "shuangqing",
        "中驰棚改",
        4,
        "廖春生",
        "认为征收决定程序违法，要求撤销征收决定。",
        "登记为信访件。",
        case="liao",
    ),
    DemoVisit(
        date(2022, 4, 26), "daxiang", "青云街棚改", 1, "邓秀兰", "再次咨询选房顺序。", "已解释。"
    ),
    DemoVisit(
        date(2022, 5, 10),
        "shuangqing",
        "六岭棚改",
        2,
        "彭小云",
        "认为临时安置费标准偏低。",
        "登记为信访件。",
        case="peng",
    ),
    DemoVisit(
        date(2022, 5, 24),
        "daxiang",
        None,
        1,
        "贺永辉",
        "东风商业大厦遗留问题，催问化解方案。",
        "已约区政府共同接访。",
        case="legacy-he",
    ),
    DemoVisit(
        date(2022, 6, 7),
        "daxiang",
        "水利局棚改",
        1,
        "石淑珍",
        "咨询货币补偿款支付方式。",
        "已解释。",
    ),
    DemoVisit(
        date(2022, 6, 21),
        "shuangqing",
        "中驰棚改",
        2,
        "廖春生",
        "询问行政复议申请途径。",
        "已告知复议机关和期限。",
        case="liao",
    ),
    DemoVisit(
        date(2022, 7, 5),
        "shuangqing",
        "六岭棚改",
        6,
        "蒋建国",
        "再次集体反映安置房交付时间。",
        "告知延期办理情况。",
        case="jiang",
    ),
    DemoVisit(
        date(2022, 7, 19),
        "daxiang",
        "青云街棚改",
        1,
        "龙德福",
        "投诉施工单位未签约即拆除附属用房。",
        "登记为信访件。",
        case="long",
    ),
    DemoVisit(
        date(2022, 8, 2),
        "daxiang",
        None,
        2,
        "邹金凤",
        "反映东风商业大厦拆迁安置遗留问题。",
        "告知已列为遗留积案跟踪化解。",
        case="legacy-zou",
    ),
    DemoVisit(
        date(2022, 8, 16),
        "daxiang",
        "水利局棚改",
        1,
        "石淑珍",
        "咨询补偿款到账时间。",
        "已联系区征收办。",
    ),
    DemoVisit(
        date(2022, 8, 30), "shuangqing", "六岭棚改", 1, "罗桂英", "咨询过渡安置费续发。", "已解释。"
    ),
    DemoVisit(
        date(2022, 9, 13),
        "shuangqing",
        "中驰棚改",
        3,
        "万立群",
        "认为安置房面积与协议约定不符。",
        "登记为信访件。",
        case="wan",
    ),
    DemoVisit(
        date(2022, 9, 27),
        "daxiang",
        "青云街棚改",
        1,
        "龙德福",
        "询问转送后的办理情况。",
        "已联系区政府。",
        case="long",
    ),
    DemoVisit(
        date(2022, 10, 11),
        "shuangqing",
        "六岭棚改",
        1,
        "彭小云",
        "咨询临时安置费补发。",
        "已解释。",
    ),
    DemoVisit(
        date(2022, 10, 18),
        "daxiang",
        None,
        1,
        "邹金凤",
        "东风商业大厦遗留问题，询问化解进度。",
        "值班领导接待。",
        case="legacy-zou",
    ),
    DemoVisit(
        date(2022, 10, 25), "daxiang", "水利局棚改", 1, "段文武", "咨询产权调换房源。", "已解释。"
    ),
    DemoVisit(
        date(2022, 11, 8),
        "shuangqing",
        "中驰棚改",
        1,
        "万立群",
        "催问安置房面积核查结果。",
        "告知正在办理。",
        case="wan",
    ),
    DemoVisit(
        date(2022, 11, 15),
        "daxiang",
        "青云街棚改",
        3,
        "汪海燕",
        "认为过渡安置费计算期限有误。",
        "登记为信访件。",
        case="wang",
    ),
    DemoVisit(
        date(2022, 11, 29), "shuangqing", "六岭棚改", 1, "叶明华", "咨询征收补偿政策。", "已解释。"
    ),
    DemoVisit(
        date(2022, 12, 6),
        "daxiang",
        "水利局棚改",
        1,
        "段文武",
        "再次咨询产权调换房源。",
        "已解释。",
    ),
    DemoVisit(
        date(2022, 12, 13), "shuangqing", "中驰棚改", 1, "叶明华", "咨询搬迁奖励。", "已解释。"
    ),
    DemoVisit(
        date(2022, 12, 20),
        "daxiang",
        "青云街棚改",
        1,
        "汪海燕",
        "询问答复进度。",
        "告知即将答复。",
        case="wang",
    ),
    DemoVisit(
        date(2022, 12, 27),
        "shuangqing",
        "六岭棚改",
        1,
        "罗桂英",
        "咨询春节前过渡费发放。",
        "已解释。",
    ),
]


@dataclass
class DemoCase:
    """A case and what happened to it, in order: (step, day, details)."""

    key: str
    received_on: date
    channel: str
    district: str
    project: str | None
    category: str
    request: str
    petitioners: list[str]
    people: int = 1
    referred_by: str = ""
    referral_number: str = ""
    handler: str = "operations"
    steps: list[tuple] = field(default_factory=list)


REPLY_FINDINGS = {
    "tan": "经调查核实，该户房屋由依法选定的评估机构评估，评估报告经两名注册房地产估价师签署，"
    "评估时点、方法符合规定。信访人已于复核期限内申请复核，评估机构已作出复核结果。",
    "jiang": "经调查核实，安置房项目因疫情影响施工进度延后，区人民政府已明确交房时间，并按补偿方案"
    "对逾期交房期间加倍支付临时安置费。",
    "peng": "经调查核实，临时安置费按补偿方案确定的每月每平方米12元标准计发，与方案一致。",
    "ouyang": "经调查核实，信访人房屋的补偿已按经批准的补偿方案和评估结果计算，补偿款已足额存入"
    "征收补偿资金专户，不存在少算漏算。",
    "wan": "经现场测量，安置房实测面积较协议约定面积少1.2平方米，差额部分应按协议约定价格结算。",
    "wang": "经核对，过渡安置费计算期限自搬迁之月起算，与补偿协议约定一致。",
    "online": "经调查核实，该片区调查登记结果已在项目范围内公示，公示期内未收到书面异议。",
    "phone": "经核实，补偿款已于答复前划入信访人账户。",
    "bureau": "经调查核实，项目补偿协议签订程序符合规定，补偿标准与方案一致。",
}
REPLY_OPINIONS = {
    "tan": "维持依法作出的评估结果。信访人如对评估结果仍有异议，可以依法向房地产价格评估专家委员会"
    "申请鉴定。",
    "jiang": "一、区人民政府于2022年12月31日前交付安置房；\n"
    "二、逾期交房期间的临时安置费按方案加倍发放。",
    "peng": "临时安置费计发标准符合补偿方案，不予调整。",
    "ouyang": "信访人的补偿按经批准的补偿方案执行，对其提出的提高补偿标准的请求不予支持。",
    "wan": "由区征收部门在交房时按实测面积结算，差额款一并退还。",
    "wang": "过渡安置费计算期限符合协议约定，不予调整。",
    "online": "调查登记结果符合规定，维持公示结果。",
    "phone": "补偿款已足额支付，请信访人核对账户。",
    "bureau": "补偿协议合法有效，对信访人提出的解除协议的请求不予支持。",
}

CASES = [
    DemoCase(
        "tan",
        date(2022, 1, 20),
        Channel.VISIT,
        "daxiang",
        "水利局棚改",
        Category.STANDARD,
        "对分户评估价格有异议，认为评估单价偏低，要求重新评估。",
        ["谭志勇"],
        people=2,
        steps=[
            ("accept", date(2022, 1, 24)),
            ("reply", date(2022, 3, 10), "邵征信复〔2022〕1号"),
            ("close", date(2022, 4, 15)),
        ],
    ),
    DemoCase(
        "jiang",
        date(2022, 3, 3),
        Channel.VISIT,
        "shuangqing",
        "六岭棚改",
        Category.RESETTLEMENT,
        "集体反映安置房交付延期，要求明确交房时间并增发过渡费。",
        ["蒋建国", "蒋红梅", "蒋新民"],
        people=8,
        steps=[
            ("accept", date(2022, 3, 7)),
            ("extend", date(2022, 4, 28), 30, "交房时间需与安置房建设单位和区人民政府会商确定"),
            ("reply", date(2022, 5, 30), "邵征信复〔2022〕2号"),
            ("request_review", date(2022, 6, 20)),
            ("review", date(2022, 7, 15), ReviewOutcome.UPHELD),
            ("close", date(2022, 8, 20)),
        ],
    ),
    DemoCase(
        "liao",
        date(2022, 4, 12),
        Channel.VISIT,
        "shuangqing",
        "中驰棚改",
        Category.PROCEDURE,
        "认为征收决定程序违法，要求撤销征收决定。",
        ["廖春生"],
        people=4,
        steps=[
            (
                "divert",
                date(2022, 4, 18),
                Route.RECONSIDERATION,
                "对征收决定不服属于行政复议范围，已书面告知信访人可在法定期限内向邵阳市人民政府申请行政复议。",
            )
        ],
    ),
    DemoCase(
        "peng",
        date(2022, 5, 10),
        Channel.VISIT,
        "shuangqing",
        "六岭棚改",
        Category.STANDARD,
        "认为临时安置费标准偏低，要求提高。",
        ["彭小云"],
        people=2,
        steps=[
            ("accept", date(2022, 5, 12)),
            ("reply", date(2022, 7, 8), "邵征信复〔2022〕4号"),
            ("close", date(2022, 8, 15)),
        ],
    ),
    DemoCase(
        "long",
        date(2022, 7, 19),
        Channel.VISIT,
        "daxiang",
        "青云街棚改",
        Category.DEMOLITION,
        "投诉施工单位未签约即拆除附属用房。",
        ["龙德福"],
        steps=[("transfer", date(2022, 7, 22), "大祥区人民政府"), ("close", date(2022, 9, 5))],
    ),
    DemoCase(
        "wan",
        date(2022, 9, 13),
        Channel.VISIT,
        "shuangqing",
        "中驰棚改",
        Category.RESETTLEMENT,
        "认为安置房面积与协议约定不符，要求核查。",
        ["万立群"],
        people=3,
        steps=[
            ("accept", date(2022, 9, 16)),
            ("reply", date(2022, 11, 18), "邵征信复〔2022〕7号"),
            ("close", date(2022, 12, 20)),
        ],
    ),
    DemoCase(
        "wang",
        date(2022, 11, 15),
        Channel.VISIT,
        "daxiang",
        "青云街棚改",
        Category.STANDARD,
        "认为过渡安置费计算期限有误。",
        ["汪海燕"],
        people=3,
        steps=[
            ("accept", date(2022, 11, 18)),
            ("reply", date(2022, 12, 28), "邵征信复〔2022〕9号"),
        ],
    ),
    DemoCase(
        "letter",
        date(2022, 2, 8),
        Channel.LETTER,
        "beita",
        "桃花新村棚改",
        Category.OTHER,
        "来信反映与他人的房屋买卖合同纠纷，要求征收部门确认房屋归属。",
        ["何德明"],
        steps=[
            (
                "decline",
                date(2022, 2, 14),
                "房屋买卖合同纠纷属于民事争议，不属于本机关职责范围，已告知信访人可依法向人民法院提起诉讼。",
            )
        ],
    ),
    DemoCase(
        "online",
        date(2022, 6, 15),
        Channel.ONLINE,
        "jingkai",
        "白田片区棚改",
        Category.PROCEDURE,
        "网上反映调查登记结果公示时间过短。",
        ["邵丽娟"],
        steps=[
            ("accept", date(2022, 6, 17)),
            ("reply", date(2022, 7, 29), "邵征信复〔2022〕5号"),
            ("close", date(2022, 9, 2)),
        ],
    ),
    DemoCase(
        "phone",
        date(2022, 9, 5),
        Channel.PHONE,
        "beita",
        None,
        Category.OTHER,
        "电话反映补偿款未到账。",
        ["黎永平"],
        steps=[
            ("accept", date(2022, 9, 6)),
            ("reply", date(2022, 9, 30), "邵征信复〔2022〕6号"),
            ("close", date(2022, 11, 4)),
        ],
    ),
    DemoCase(
        "ouyang",
        date(2022, 6, 10),
        Channel.REFERRED,
        "shuangqing",
        "六岭棚改",
        Category.STANDARD,
        "反映房屋征收补偿标准过低，要求按市场价提高补偿。",
        ["欧阳建民"],
        referred_by="省巡视组",
        referral_number="巡视交办〔2022〕第56号",
        handler="legal",
        steps=[
            ("accept", date(2022, 6, 13)),
            (
                "report",
                date(2022, 7, 8),
                "关于欧阳建民信访问题的调查情况汇报",
                "邵征报〔2022〕12号",
            ),
            ("reply", date(2022, 7, 20), "邵征信复〔2022〕3号"),
            ("close", date(2022, 8, 30)),
        ],
    ),
    DemoCase(
        "bureau",
        date(2022, 10, 17),
        Channel.REFERRED,
        "daxiang",
        "水利局棚改",
        Category.PROCEDURE,
        "反映补偿协议签订时未充分告知，要求解除协议。",
        ["唐玉兰"],
        referred_by="市信访局",
        referral_number="邵信交〔2022〕211号",
        steps=[
            ("accept", date(2022, 10, 19)),
            ("reply", date(2022, 12, 9), "邵征信复〔2022〕8号"),
            ("report", date(2022, 12, 12), "办理结果已报市信访局", "邵征报〔2022〕19号"),
        ],
    ),
]

# Legacy cases: the demolition of the old 东风商业大厦, resolved in 2022.
LEGACY = [
    DemoCase(
        "legacy-he",
        date(2009, 5, 12),
        Channel.VISIT,
        "daxiang",
        None,
        Category.STANDARD,
        "东风商业大厦房屋拆迁中，认为营业用房补偿未计入经营损失，要求补偿。",
        ["贺永辉"],
        steps=[
            ("accept", date(2009, 5, 20)),
            ("reply", date(2009, 7, 10), "邵拆信复〔2009〕15号"),
            ("legacy", date(2022, 1, 10), "东风商业大厦房屋拆迁遗留问题，信访人多年反复上访。"),
            (
                "resolve",
                date(2022, 9, 26),
                "经市、区两级协调，依据原拆迁补偿安置协议补发经营损失补助，双方签订息诉罢访协议。",
            ),
        ],
    ),
    DemoCase(
        "legacy-zou",
        date(2011, 3, 8),
        Channel.LETTER,
        "daxiang",
        None,
        Category.RESETTLEMENT,
        "东风商业大厦拆迁安置房至今未办理产权证。",
        ["邹金凤"],
        people=2,
        steps=[
            ("accept", date(2011, 3, 14)),
            ("reply", date(2011, 5, 5), "邵拆信复〔2011〕8号"),
            ("legacy", date(2022, 1, 10), "东风商业大厦拆迁安置遗留问题，信访人多年反复上访。"),
            (
                "resolve",
                date(2022, 11, 18),
                "协调不动产登记部门为安置房办理产权证，信访人签收产权证并书面表示息访。",
            ),
        ],
    ),
]


def _person(name: str, *, representative: bool = False) -> dict:
    person = PEOPLE[name]
    return {
        "name": person.name,
        "id_number": person.id_number,
        "phone": person.phone,
        "address": "",
        "is_representative": representative,
    }


def _report_document(title: str) -> ContentFile:
    """A short report as a Word file (python-docx), as the office would file it."""
    from docx import Document

    document = Document()
    document.add_heading(title, level=1)
    document.add_paragraph(
        "根据省巡视组交办要求，我办会同双清区征收部门对信访人反映的问题进行了调查核实。"
        "经查，信访人房屋补偿已按经批准的补偿方案和评估结果计算，补偿款已存入征收补偿资金专户。"
    )
    document.add_paragraph("下一步，我办将继续做好信访人的解释疏导工作。")
    buffer = BytesIO()
    document.save(buffer)
    return ContentFile(buffer.getvalue(), name=f"{title}.docx")


class _Loader:
    def __init__(self) -> None:
        self.districts = {d.code: d for d in District.objects.all()}
        self.projects = {p.name: p for p in Project.objects.select_related("district")}
        self.users = {
            u.username: u
            for u in User.objects.filter(
                username__in=["operations", "legal", "secretariat", "finance", "leader"]
            )
        }
        self.cases: dict[str, Petition] = {}

    def place(self, district: str, project: str | None) -> dict:
        found = self.projects.get(project) if project else None
        if found is not None:
            return {"project": found, "district": None}
        return {"project": None, "district": self.districts[district]}

    def case(self, spec: DemoCase, *, visit: Visit | None = None, today: date = YEAR_END):
        clerk = self.users["operations"]
        names = spec.petitioners
        registration = services.register_petition(
            by=clerk,
            received_on=spec.received_on,
            channel=spec.channel,
            category=spec.category,
            request=spec.request,
            petitioners=[
                _person(n, representative=len(names) > 1 and i == 0) for i, n in enumerate(names)
            ],
            people_count=spec.people,
            referred_by=spec.referred_by,
            referral_number=spec.referral_number,
            visit=visit,
            today=today,
            **self.place(spec.district, spec.project),
        )
        petition = registration.petition
        handler = self.users[spec.handler]
        services.assign_petition(petition=petition, by=clerk, assignee=handler, on=spec.received_on)
        for step in spec.steps:
            self.step(petition, spec, step, handler=handler, today=today)
        self.cases[spec.key] = petition
        return petition

    def step(self, petition: Petition, spec: DemoCase, step: tuple, *, handler, today) -> None:
        name, on, *details = step
        common = {"petition": petition, "by": handler, "on": on, "today": today}
        if name == "accept":
            services.accept_petition(**common)
        elif name == "decline":
            services.decline_petition(**common, reason=details[0])
        elif name == "transfer":
            services.transfer_petition(**common, to_body=details[0])
        elif name == "divert":
            services.divert_petition(**common, route=details[0], note=details[1])
        elif name == "extend":
            common["by"] = self.users["leader"]
            services.extend_petition(**common, days=details[0], reason=details[1])
        elif name == "reply":
            services.reply_to_petition(
                **common,
                number=details[0],
                findings=REPLY_FINDINGS.get(spec.key, "经调查核实，信访人反映的情况属实。"),
                opinion=REPLY_OPINIONS.get(spec.key, "已责成区征收部门依法妥善处理。"),
                review_body=REVIEW_BODY,
            )
        elif name == "request_review":
            services.request_review(**common, body=REVIEW_BODY)
        elif name == "review":
            services.record_review(**common, outcome=details[0])
        elif name == "report":
            title, number = details
            document = _report_document(title) if spec.referred_by == "省巡视组" else None
            services.report_to_referrer(**common, note=title, file=document, number=number)
        elif name == "close":
            services.close_petition(**common)
        elif name == "legacy":
            services.flag_legacy(**common, note=details[0])
        elif name == "resolve":
            services.resolve_legacy(**common, resolution=details[0])
        else:  # pragma: no cover - a typing mistake in the tables above
            raise ValueError(name)

    def visits(self) -> None:
        specs = {spec.key: spec for spec in CASES}
        for item in VISITS:
            person = PEOPLE[item.visitor]
            visit = services.record_visit(
                by=self.users["operations"],
                today=YEAR_END,
                visited_on=item.on,
                people_count=item.people,
                visitor_name=person.name,
                visitor_id_number=person.id_number,
                visitor_phone=person.phone,
                summary=item.summary,
                handling=item.handling,
                petition=self.cases.get(item.case),
                **self.place(item.district, item.project),
            )
            if item.case in specs and item.case not in self.cases:
                self.case(specs[item.case], visit=visit)

    def roster(self) -> None:
        leader = self.users["leader"]
        staff = [self.users[name] for name in ("operations", "legal", "secretariat", "finance")]
        roster = services.create_roster(
            by=self.users["secretariat"],
            title=ROSTER_TITLE,
            kind=DutyRoster.Kind.SPECIAL,
            starts_on=date(2022, 10, 15),
            ends_on=date(2022, 10, 23),
            is_round_the_clock=True,
            phone="0739-1234567",
            note="党的二十大召开期间，实行领导带班24小时信访接访值班，值班人员不得离岗，"
            "重要情况及时报告。",
        )
        day = roster.starts_on
        index = 0
        while day <= roster.ends_on:
            start = timezone.make_aware(datetime.combine(day, time(8, 30)))
            end = start + timedelta(days=1)
            for role, person in (
                (DutyShift.Role.LEADER, leader),
                (DutyShift.Role.STAFF, staff[index % len(staff)]),
            ):
                services.add_shift(
                    roster=roster,
                    by=self.users["secretariat"],
                    person=person,
                    role=role,
                    starts_at=start,
                    ends_at=end,
                )
            day += timedelta(days=1)
            index += 1

    def current_cases(self) -> None:
        """Three cases dated from today, so that the due list shows its two kinds."""
        today = timezone.localdate()
        specs = [
            DemoCase(
                "now-overdue",
                today - timedelta(days=20),
                Channel.ONLINE,
                "beita",
                "桃花新村棚改",
                Category.RESETTLEMENT,
                "网上反映安置房分配结果未公示。",
                ["何德明"],
            ),
            DemoCase(
                "now-soon",
                today - timedelta(days=57),
                Channel.LETTER,
                "daxiang",
                "青云街棚改",
                Category.STANDARD,
                "来信反映附属物补偿漏项。",
                ["唐玉兰"],
                steps=[("accept", today - timedelta(days=56))],
            ),
            DemoCase(
                "now-new",
                today - timedelta(days=2),
                Channel.PHONE,
                "shuangqing",
                "六岭棚改",
                Category.OTHER,
                "电话咨询补偿款发放进度。",
                ["罗桂英"],
            ),
        ]
        for spec in specs:
            self.case(spec, today=today)


def load() -> bool:
    """Load the petitions demo once; returns False when it was loaded before."""
    if DutyRoster.objects.filter(title=ROSTER_TITLE).exists():
        return False
    with transaction.atomic():
        loader = _Loader()
        if len(loader.users) < 5 or len(loader.districts) < 4:
            return False  # core's demo users and districts are not loaded
        for spec in LEGACY:
            loader.case(spec)
        loader.case(next(spec for spec in CASES if spec.key == "letter"))
        loader.visits()
        for spec in CASES:
            if spec.key not in loader.cases:
                loader.case(spec)
        loader.roster()
        loader.current_cases()
    return True
