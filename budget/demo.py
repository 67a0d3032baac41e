"""Demo data for the budget: the office's 2022 year, so that the built report states what the
seed states.

- staffing 16 posts, 11 in post, 8 retired; four sections; the office's ten duties (its
  official duty list, kept as worded);
- general public budget: basic expenditure 0 / 213.4 / 213.4 / 0 万元, project expenditure
  3 / 5 / 3 / 5 万元; no government-fund, state-capital or social-insurance spending; the final
  accounts' totals as the seed states them (213.4万元 income and expenditure), which the
  consistency check finds do not add up (218.4万元 income, 216.4万元 expenditure): the office's
  explanation of each gap (5万元 project income, 3万元 project expenditure), acknowledged by the
  demo leader, is printed in §十;
- one project expenditure (房屋征收工作经费) and the expense-control lines of attachment 1
  (invented, consistent amounts);
- the department's twelve indicators, weighted 10 / 50 / 30 / 10, whose scores add up to
  exactly 95; five of them take their actual from the data (projects, hazards, petitions);
- the narratives, in our own words, carrying the seed's facts through named figures.

It reads the figures of the other demos (projects, the 2022 safety campaign of
projects.demo_clocks, petitions), so it runs after them. Running it again changes nothing:
it does nothing when the year exists. The seed's three personal names appear nowhere.
"""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from budget.models import (
    AnnualReport,
    BudgetLine,
    BudgetYear,
    ExpenseControl,
    FindingNote,
    Fund,
    Indicator,
    Narrative,
    ProjectExpenditure,
    SpendingKind,
    StatedTotal,
)
from core.models import Office, User

YEAR = 2022

SECTIONS = ["计划财务科", "法规科", "人事秘书科", "业务科"]

# The office's official duty list (its wording is the office's, not ours to rephrase).
DUTIES = [
    "审核区人民政府房屋征收补偿方案；",
    "负责市区房屋征收补偿资金的归集专户储存、划拨和使用监管；",
    "审定市区房屋征收项目的征收成本费用概决算；审核区人民政府征收项目一榜二榜公示公告；",
    "组织有关部门和人员依程序选定房屋评估机构，并委托选定的房屋评估机构对征收项目房屋进行评估；",
    "协助参与并监督区人民政府房屋调查摸底前期工作；",
    "建立全市统一的房屋征收信息管理平台，共享房屋征收信息；建立评估机构信用管理制度，"
    "定期向社会公布评估机构信用名录；",
    "代表市人民政府对区人民政府交办项目征收工作任务；对全市征收决定、征收补偿决定和相关公开公示"
    "制度执行情况进行监督检查；",
    "负责贯彻执行国有土地上房屋征收与补偿的法律、法规和政策，拟定本行政区域内国有土地上房屋征收与"
    "补偿的有关规定，报市人民政府批准后执行；对县市区房屋征收部门的征收与补偿工作、房屋征收实施单位"
    "的征收与补偿行为进行指导和监督；",
    "具体负责跨区重大建设项目及邵阳经开区范围内国有土地上的房屋征收与补偿工作；",
    "法律、法规和规章规定以及市人民政府确定的其他工作职责。",
]


def _yuan(wan: str) -> Decimal:
    return Decimal(wan) * 10000


# (fund, kind, opening, income, expenditure, closing) in 万元
LINES = [
    (Fund.GENERAL, SpendingKind.BASIC, "0", "213.4", "213.4", "0"),
    (Fund.GENERAL, SpendingKind.PROJECT, "3", "5", "3", "5"),
]
# The final accounts' totals as the seed states them.
STATED = [(Fund.GENERAL, "213.4", "213.4")]

# item: (last year's final account, this year's budget, this year's final account) in yuan
CONTROLS = {
    ExpenseControl.Item.THREE_PUBLIC: ("41800", "38000", "35020"),
    ExpenseControl.Item.VEHICLE: ("32000", "30000", "28600"),
    ExpenseControl.Item.VEHICLE_PURCHASE: ("0", "0", "0"),
    ExpenseControl.Item.VEHICLE_RUNNING: ("32000", "30000", "28600"),
    ExpenseControl.Item.OUTBOUND: ("0", "0", "0"),
    ExpenseControl.Item.RECEPTION: ("9800", "8000", "6420"),
    ExpenseControl.Item.PROJECT: ("60000", "50000", "30000"),
    ExpenseControl.Item.PUBLIC_FUNDS: ("268000", "256000", "249300"),
    ExpenseControl.Item.OFFICE: ("58000", "52000", "50460"),
    ExpenseControl.Item.UTILITIES_TRAVEL: ("46000", "42000", "40150"),
    ExpenseControl.Item.MEETING_TRAINING: ("12000", "10000", "8900"),
    ExpenseControl.Item.PROCUREMENT: ("86000", "60000", "52800"),
}

L, S, M = Indicator.Level, Indicator.Sublevel, Indicator.Method

# The department's scorecard: 10 + 50 + 30 + 10. With the demo's figures the scores are
# 9.77 (216.4 of 221.4万元 spent) + 46.67 + 28.89 + 9.67 = 95.00.
# (level, sublevel, name, method, target, unit, figure, actual, weight, deviation)
DEPARTMENT_INDICATORS = [
    (L.EXECUTION, S.EXECUTION_RATE, "预算执行率", M.EXECUTION, None, "", "", None, "10", ""),
    (
        L.OUTPUT,
        S.QUANTITY,
        "正在实施的征收项目",
        M.POSITIVE,
        "10",
        "个",
        "in_progress_count",
        None,
        "10",
        "",
    ),
    (
        L.OUTPUT,
        S.QUANTITY,
        "完成签约户数",
        M.POSITIVE,
        "1000",
        "户",
        "signed_households",
        None,
        "10",
        "",
    ),
    (L.OUTPUT, S.QUANTITY, "新增征收项目", M.POSITIVE, "2", "个", "new_count", None, "5", ""),
    (
        L.OUTPUT,
        S.QUALITY,
        "安全隐患整改率",
        M.POSITIVE,
        "100",
        "%",
        "hazard_rectification_rate",
        None,
        "10",
        "",
    ),
    (
        L.OUTPUT,
        S.TIMELINESS,
        "市重点项目按期完成征收任务",
        M.POSITIVE,
        "3",
        "个",
        "",
        "2",
        "10",
        "受疫情影响项目推进放缓，部分被征收人申请复议和诉讼，法定期限较长。下一步提前研判诉讼风险，"
        "依法加快补偿决定和申请强制执行的办理。",
    ),
    (L.OUTPUT, S.COST, "项目经费支出控制在预算内", M.NEGATIVE, "8", "万元", "", "3", "5", ""),
    (
        L.BENEFIT,
        S.SOCIAL,
        "信访件按期办结率",
        M.POSITIVE,
        "100",
        "%",
        "petitions_on_time_rate",
        None,
        "10",
        "个别信访件因需多部门会商答复延期。下一步建立会商时限台账，按期答复。",
    ),
    (L.BENEFIT, S.SOCIAL, "接待来访群众", M.POSITIVE, "50", "人次", "visitor_times", None, "5", ""),
    (L.BENEFIT, S.SOCIAL, "因征收引发的重大群体性事件", M.NEGATIVE, "0", "起", "", "0", "5", ""),
    (L.BENEFIT, S.SUSTAINABLE, "征收信息公开率", M.POSITIVE, "100", "%", "", "100", "10", ""),
    (
        L.SATISFACTION,
        S.SERVICE,
        "被征收群众满意度",
        M.POSITIVE,
        "90",
        "%",
        "",
        "87",
        "10",
        "部分被征收人对补偿标准和安置进度有不同意见。下一步加强政策解释，及时公开安置房建设进度。",
    ),
]

# The project expenditure's own scorecard.
PROJECT_INDICATORS = [
    (
        L.EXECUTION,
        S.EXECUTION_RATE,
        "预算执行率",
        M.EXECUTION,
        None,
        "",
        "",
        None,
        "10",
        "当年财政拨款的用款计划未获批复，经费未能支出。下一步及早申报用款计划，争取尽快拨付。",
    ),
    (
        L.OUTPUT,
        S.QUANTITY,
        "督导的征收项目",
        M.POSITIVE,
        "10",
        "个",
        "in_progress_count",
        None,
        "15",
        "",
    ),
    (L.OUTPUT, S.QUALITY, "征收程序合规率", M.POSITIVE, "100", "%", "", "100", "15", ""),
    (
        L.OUTPUT,
        S.TIMELINESS,
        "市重点项目按期完成征收任务",
        M.POSITIVE,
        "3",
        "个",
        "",
        "2",
        "15",
        "司法程序耗时较长，影响项目整体进度。",
    ),
    (
        L.OUTPUT,
        S.COST,
        "项目经费支出不超过全年预算",
        M.NEGATIVE,
        "8",
        "万元",
        "project_expenditure_wan",
        None,
        "5",
        "",
    ),
    (
        L.BENEFIT,
        S.SOCIAL,
        "信访件按期办结率",
        M.POSITIVE,
        "100",
        "%",
        "petitions_on_time_rate",
        None,
        "20",
        "个别信访件因需多部门会商答复延期。下一步建立会商时限台账，按期答复。",
    ),
    (L.BENEFIT, S.SUSTAINABLE, "征收信息公开率", M.POSITIVE, "100", "%", "", "100", "10", ""),
    (
        L.SATISFACTION,
        S.SERVICE,
        "被征收群众满意度",
        M.POSITIVE,
        "90",
        "%",
        "",
        "87",
        "10",
        "部分被征收人对补偿标准和安置进度有不同意见。下一步加强政策解释，及时公开安置房建设进度。",
    ),
]

NARRATIVES = {
    Narrative.Kind.WORK: """\
{年度}年，市房屋征收办在市委、市政府和市住房和城乡建设局的领导下，以习近平新时代中国特色社会主义思想为指导，依法履行房屋征收管理职责，较好地完成了上级部署的公益性项目和棚户区改造项目的征收任务，为全市重点工程建设提供了有力保障。
（一）依法履职，稳步推进房屋征收
受宏观经济形势影响，全年新开工的项目偏少，部分在建项目进度有所放缓。
1.全年新增房屋征收项目{新增项目数}个（{新增项目名称}），涉及{新增项目户数}户，建筑面积{新增项目面积}平方米。
2.全年正在实施的征收项目{正在实施项目数}个（{正在实施项目名称}），涉及{正在实施项目户数}户，建筑面积{正在实施项目面积}万平方米；截至年底已签约{已签约户数}户，面积{已签约面积}万平方米，签约率{签约率}。
{签约进度图}
（二）抓好平安建设，防范化解征收矛盾
对照市域社会治理现代化试点的任务清单，办里成立了由主要负责人任组长的工作专班，分管领导和各科室负责人为成员，分工到人、压实责任，并制定了征收领域信访维稳应急预案和信访突出问题集中化解方案。
组织开展国有土地上房屋征收拆除施工安全专项整治，对在建项目逐一督查，列出问题隐患和整改措施清单，共排查出安全隐患{安全隐患类别数}类{安全隐患数}处，已督促责任单位整改到位{已整改隐患数}处。
坚持专人负责来访接待，全年共接待来访群众{来访人次}人次，妥善化解了一批历史遗留信访问题，按时向上级报送了交办信访事项的调查情况。党的二十大期间，班子成员24小时值班接访，征收领域保持平稳。
""",
    Narrative.Kind.PARTY: """\
（一）党建引领，锤炼过硬队伍
以党建工作统领业务工作，推动干部职工转变观念、提升本领、改进作风，在项目推进和疫情防控等急难险重任务中，党支部和党员干部冲在前、作表率。
办里成立了征收工作领导小组，实行项目联系人制度：每个征收项目明确一名联系人和一名负责领导，负责指导实施、统筹调度和协调有关部门；结合工作人员的特长合理分工，及时解决征收中遇到的问题，确保征收工作依法、有序、高效推进。
坚持“区政府为主、部门参与、责任到人”，把年度目标分解到项目、落实到个人，确保征收任务按期完成。
""",
    Narrative.Kind.PUBLICITY: """\
（一）加强政策宣传，以情促征、依法征收
《邵阳市国有土地上房屋征收与补偿实施办法》明确市征收办为市人民政府的房屋征收部门，理顺了职责和工作机制，为项目推进打下了基础。办里多渠道宣传征收政策：一是组织业务骨干进社区、入户讲解补偿安置政策，耐心回应群众关切；二是在搬迁中主动帮助困难群众联系搬家公司，解除被征收户的后顾之忧；三是对建档立卡贫困户、残疾人家庭等困难群体，经公示后给予困难补助，让依法征收体现人文关怀；四是通过征收信息系统平台、广播电台等渠道公开征收信息，让征收工作在阳光下运行。
（二）规范征收程序，政策公开、补偿到位
严把征收程序关：一是各项目由区征收部门受理申请、立卷报批并发布启动公告；二是市征收办对各项目的立项、规划、国土等审批手续统一备案核查；三是实施中坚持公开、公平、公正，合理确定补偿标准，依法公布征收信息和补偿结果。同时提前调研、科学制定征收工作方案，把任务分解到人，确保各项目标落到实处。
""",
    Narrative.Kind.PROBLEMS: """\
1.部分市重点项目未达到年初确定的目标。原因：一是受新冠肺炎疫情影响，项目整体推进放缓；二是司法程序周期较长。补偿决定作出后，被征收人可在六十日内申请行政复议、六个月内提起行政诉讼，经一审、二审后方可申请人民法院强制执行，前后往往超过一年半，拖慢了项目整体进度。
2.项目经费执行率偏低。受财政资金紧张影响，本单位申报的项目支出用款计划未获批复，当年财政拨款的项目经费未能支出。
""",
    Narrative.Kind.NEXT_STEPS: """\
1.加强学习培训。组织征收工作人员系统学习征收法规政策和业务知识，提高政策水平和依法办事能力，科学高效地完成征收任务。
2.加快项目经费执行。及早申报项目支出用款计划，加强与财政部门沟通，争取经费尽快拨付到位。
3.深化征收信息系统应用。把信息系统融入日常工作，提高电子化办公水平和征收管理能力，切实维护被征收群众的合法权益。
""",
    Narrative.Kind.DISCLOSURE: """\
自评结果将在市人民政府门户网站和征收信息平台上公布，接受群众监督，并作为改进管理、安排下一年度预算的参考。
下一年度，我们将继续强化依法行政意识，健全内部管理制度，统一征收行为和补偿尺度，把公开、公平、公正落到实处，让政府放心、群众满意。
""",
}


# The office's explanation of the two disagreements the consistency check finds between the
# final accounts' totals (213.4万元 in and out, as the seed states them) and the budget lines.
EXPLANATIONS = {
    "stated:general:income": "决算报表所列一般公共预算财政拨款本年收入213.4万元为基本支出的收入，"
    "未含项目支出（房屋征收工作经费）当年财政拨款5万元；含项目支出，本年收入为218.4万元，"
    "与本报告第二部分表中合计一致。",
    "stated:general:expenditure": "决算报表所列一般公共预算财政拨款本年支出213.4万元为基本支出数，"
    "未含项目支出使用上年结转资金支出的3万元；含项目支出，本年支出为216.4万元，"
    "与本报告第二部分表中合计一致。",
}


def _explain_findings(budget_year: BudgetYear, finance: User) -> None:
    """The explanations, acknowledged by the demo leader for the figures found."""
    from budget import yearbook

    leader = User.objects.filter(username="leader").first()
    now = timezone.now()
    notes = []
    for finding in yearbook.gather(budget_year).findings:
        if finding.key not in EXPLANATIONS:
            continue
        notes.append(
            FindingNote(
                budget_year=budget_year,
                key=finding.key,
                explanation=EXPLANATIONS[finding.key],
                written_by=finance,
                written_at=now,
                acknowledged_by=leader,
                acknowledged_at=now if leader else None,
                acknowledged_figures=FindingNote.figures_of(finding) if leader else "",
            )
        )
    bulk_create_with_history(notes, FindingNote, default_user=finance)


# What the seed does not give and the demo invents: attachment 1's expense controls (all but
# this year's project expenditure), the frugality measures, and every 年初预算数. Marked as
# 示例数据 in the attachments' cells and on the year's page.
SAMPLE_KEYS = [
    *(item.value for item in ExpenseControl.Item if item != ExpenseControl.Item.PROJECT),
    "project.previous_actual",
    "project.budget",
    "three_public_note",
    "frugality_measures",
    "total.initial",
    "fiscal.initial",
    "carryover.initial",
    "other.initial",
]

DEPARTMENT_GOAL = (
    "依法履行市区国有土地上房屋征收管理职责：审核区政府征收补偿方案，监管征收补偿资金，"
    "选定评估机构，推进正在实施的征收项目签约，按期完成市重点项目征收任务；"
    "防范化解征收矛盾，按期办结信访件；全年预算执行率不低于95%。"
)
DEPARTMENT_OUTCOME = (
    "新增征收项目2个，正在实施项目10个，完成签约1006户；排查整改安全隐患9处；"
    "接待来访群众50余人次；市重点项目3个中按期完成2个；预算执行率97.74%。"
)
FRUGALITY_MEASURES = (
    "严格执行公务接待、差旅、会议和培训管理规定，公务用车按标准使用并单车核算；"
    "办公用品集中采购，按预算和用款计划支出，“三公”经费只减不增。"
)


def _amount(value: str | None) -> Decimal | None:
    return Decimal(value) if value is not None else None


def _indicators(budget_year: BudgetYear, specs, by: User, expenditure=None) -> None:
    bulk_create_with_history(
        [
            Indicator(
                budget_year=budget_year,
                expenditure=expenditure,
                level=level,
                sublevel=sublevel,
                name=name,
                method=method,
                target=_amount(target),
                unit=unit,
                figure=figure,
                actual=_amount(actual),
                weight=Decimal(weight),
                deviation=deviation,
                order=order,
            )
            for order, (
                level,
                sublevel,
                name,
                method,
                target,
                unit,
                figure,
                actual,
                weight,
                deviation,
            ) in enumerate(specs, start=1)
        ],
        Indicator,
        default_user=by,
    )


def load() -> bool:
    """Load the 2022 budget year once; returns False when it exists (or users are missing)."""
    if BudgetYear.objects.filter(year=YEAR).exists():
        return False
    finance = User.objects.filter(username="finance").first()
    if finance is None:
        return False  # core's demo users are not loaded
    office = Office.objects.order_by("pk").first()
    with transaction.atomic():
        budget_year = BudgetYear.objects.create(
            year=YEAR,
            authorized_posts=16,
            staff_in_post=11,
            retired=8,
            sections="\n".join(SECTIONS),
            duties="\n".join(DUTIES),
            report_date=date(2023, 4, 7),
            three_public_note="严格执行中央八项规定精神和厉行节约有关规定，“三公”经费支出均控制在"
            "预算以内；全年未安排因公出国（境）经费，未购置公务用车。",
            adjustment_note="年中未作预算调整。",
            goal=DEPARTMENT_GOAL,
            outcome=DEPARTMENT_OUTCOME,
            # 全年: the lines' income (213.4 + 5) and carry-over (3); 执行: basic 213.4 from
            # the year's grant, the project's 3 from the carry-over. 年初 is invented.
            fiscal_initial=_yuan("208.6"),
            fiscal_full=_yuan("218.4"),
            fiscal_executed=_yuan("213.4"),
            carryover_initial=_yuan("3"),
            carryover_full=_yuan("3"),
            carryover_executed=_yuan("3"),
            frugality_measures=FRUGALITY_MEASURES,
            sample_keys=SAMPLE_KEYS,
        )
        bulk_create_with_history(
            [
                BudgetLine(
                    budget_year=budget_year,
                    fund=fund,
                    kind=kind,
                    opening=_yuan(opening),
                    income=_yuan(income),
                    expenditure=_yuan(expenditure),
                    closing=_yuan(closing),
                )
                for fund, kind, opening, income, expenditure, closing in LINES
            ],
            BudgetLine,
            default_user=finance,
        )
        bulk_create_with_history(
            [
                StatedTotal(
                    budget_year=budget_year,
                    fund=fund,
                    income=_yuan(income),
                    expenditure=_yuan(expenditure),
                )
                for fund, income, expenditure in STATED
            ],
            StatedTotal,
            default_user=finance,
        )
        bulk_create_with_history(
            [
                ExpenseControl(
                    budget_year=budget_year,
                    item=item,
                    previous_actual=Decimal(previous),
                    budget=Decimal(budget),
                    actual=Decimal(actual),
                )
                for item, (previous, budget, actual) in CONTROLS.items()
            ],
            ExpenseControl,
            default_user=finance,
        )
        expenditure = ProjectExpenditure.objects.create(
            budget_year=budget_year,
            name="房屋征收工作经费",
            department=office.parent_body if office else "",
            implementer=office.name if office else "",
            goal="保障市区房屋征收项目的督导、审核、评估机构选定和信息平台运行等工作，"
            "推进正在实施的征收项目，按期完成市重点项目征收任务。",
            outcome="督导推进征收项目10个，完成签约1006户；上年结转经费3万元已全部支出，"
            "当年财政拨款5万元因用款计划未获批复未能支出。",
            fiscal_initial=_yuan("5"),
            fiscal_full=_yuan("5"),
            fiscal_executed=Decimal("0"),
            carryover_initial=_yuan("3"),
            carryover_full=_yuan("3"),
            carryover_executed=_yuan("3"),
        )
        _indicators(budget_year, DEPARTMENT_INDICATORS, finance)
        _indicators(budget_year, PROJECT_INDICATORS, finance, expenditure)
        bulk_create_with_history(
            [
                Narrative(budget_year=budget_year, kind=kind, body=body, updated_by=finance)
                for kind, body in NARRATIVES.items()
            ],
            Narrative,
            default_user=finance,
        )
        _explain_findings(budget_year, finance)
    return True


def publish_report() -> AnnualReport | None:
    """Build the 2022 report from the demo data and publish it, as finance would; nothing
    when a 2022 report is already published (so running it twice builds once)."""
    from budget import services

    budget_year = BudgetYear.objects.filter(year=2022).first()
    finance = User.objects.filter(username="finance").first()
    if budget_year is None or finance is None:
        return None
    if AnnualReport.objects.published().filter(budget_year=budget_year).exists():
        return None
    run = AnnualReport.objects.create(budget_year=budget_year, requested_by=finance)
    run = services.build_report(run_id=run.pk, today=date(2023, 4, 7))
    return services.publish_report(run=run, by=finance)
