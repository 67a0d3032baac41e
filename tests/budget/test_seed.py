"""The seed test: the 2022 report built from the demo data through the real job states every
figure of the office's own 2022 report, and the consistency check catches its 213.4 vs 218.4."""

import html
import re
from collections import Counter
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from budget import demo, services, yearbook
from budget.models import AnnualReport, BudgetYear
from budget.report import build, document
from core.models import User

pytestmark = pytest.mark.django_db

SEED_PEOPLE = ["曾国强", "杨光斗", "曾新林"]

# What the seed states, as the built report must state it (whitespace removed).
STATEMENTS = [
    "邵阳市人民政府房屋征收管理办公室为邵阳市住房和城乡建设局下属的一级预算单位",
    "下设计划财务科、法规科、人事秘书科、业务科等四个科室",
    "单位人员编制16人",
    "在编在职人员11人",
    "离退休人员8人",
    "（1）审核区人民政府房屋征收补偿方案；",
    "（10）法律、法规和规章规定以及市人民政府确定的其他工作职责。",
    "一般公共预算财政拨款基本支出年初结转和结余0万元，本年收入213.4万元，本年支出213.4万元，"
    "年末结转和结余0万元",
    "一般公共预算财政拨款项目支出年初结转和结余3万元，本年收入5万元，本年支出3万元，"
    "年末结转和结余5万元",
    "本单位2022年无政府性基金的资金支出",
    "本单位2022年无国有资本经营的资金支出",
    "本单位2022年无社会保险基金的资金支出",
    "新增房屋征收项目2个（北塔区C-12地块和三里桥道路改造工程），涉及42户，建筑面积9472平方米",
    "正在实施的征收项目10个（六岭棚改、水利局棚改、中驰棚改、青云街棚改等），涉及1497户，"
    "建筑面积14.95万平方米",
    "已签约1006户，面积10.12万平方米",
    "安全隐患3类9处",
    "整改到位9处",
    "接待来访群众53人次",
    "部门整体支出绩效自评得分95分",
]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture
def demo_year(demo_data):
    # load_demo loads the budget's 2022 year too
    assert demo.load() is False  # a second run changes nothing
    return BudgetYear.objects.get(year=2022)


def test_the_2022_report_built_from_the_demo_states_the_seeds_figures(
    demo_year, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = services.request_report(
            budget_year=demo_year, by=User.objects.get(username="finance")
        )
    run.refresh_from_db()
    assert run.status == AnnualReport.Status.DONE, run.error
    assert (run.total_score, run.grade) == (95, "优")

    # The consistency check reports the seed's own disagreement.
    assert [(f["stated"], f["computed"], f["unit"]) for f in run.findings] == [
        ("213.4", "218.4", "万元"),
        ("213.4", "216.4", "万元"),
    ]

    with run.pdf.open("rb") as handle:
        reader = PdfReader(BytesIO(handle.read()))
    pdf = squeeze("".join(page.extract_text() for page in reader.pages))
    with run.docx.open("rb") as handle:
        document = Document(handle)
    docx = squeeze("".join(paragraph.text for paragraph in document.paragraphs))

    for text in (pdf, docx):
        assert "2022年度邵阳市人民政府房屋征收管理办公室整体支出绩效自评报告" in text
        assert "2023年4月7日" in text
        for statement in STATEMENTS:
            assert squeeze(statement) in text, statement
        assert "（11）" not in text  # exactly the ten duties
        for heading in [
            "一、部门（单位）基本情况",
            "六、部门整体支出绩效情况",
            "十、其他需要说明的情况",
        ]:
            assert heading in text
        for person in SEED_PEOPLE:
            assert person not in text
    visitor_times = int(re.search(r"接待来访群众(\d+)人次", pdf).group(1))
    assert visitor_times > 50
    assert "图12022年正在实施项目签约进度" in pdf  # the dashboard's chart

    with run.attachment1.open("rb") as handle:
        basic = load_workbook(handle).active
    assert (basic["B4"].value, basic["C4"].value, basic["D4"].value) == (16, 11, 0.6875)
    assert basic["A12"].value == "项目支出"
    assert basic["D12"].value == 3  # 万元 spent on projects

    with run.attachment2.open("rb") as handle:
        scores = load_workbook(handle).active
    total_row = next(row for row in scores.iter_rows(values_only=True) if row[0] == "总分")
    assert total_row[5:8] == (100, 95, "等级：优")
    rows = list(scores.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if row[0] == "一级指标")
    names = [row[2] for row in rows[header + 1 :] if row[0] != "总分"]
    # The eleven indicators; budget execution sits in the funds block above them.
    assert "正在实施的征收项目" in names and len(names) == 11

    assert_hunan_blocks(run)

    with run.attachment3.open("rb") as handle:
        projects = load_workbook(handle)
    assert projects.sheetnames == ["房屋征收工作经费"]
    sheet = projects.active
    assert [sheet.cell(6, column).value for column in range(2, 9)] == [
        "年度资金总额",
        8,
        8,
        3,
        10,
        0.375,
        3.75,
    ]


def stated_against_tables(page: str) -> list[tuple[str, str, str]]:
    """(what, stated in a sentence, the table's figure) for every total a sentence on this page
    states and a table on the same page shows. Amounts are compared in 万元."""
    text = squeeze(page)
    rows = {
        label: [Decimal(number.replace(",", "")) for number in numbers]
        for label, *numbers in re.findall(
            r"(基本支出|项目支出|合计)([\d,]+\.\d\d)([\d,]+\.\d\d)([\d,]+\.\d\d)([\d,]+\.\d\d)",
            text,
        )
    }
    pairs = []
    for income, spent in re.findall(r"财政拨款收入([\d.]+)万元，本年支出([\d.]+)万元", text):
        if "合计" in rows:
            pairs.append(("收入", income, rows["合计"][1]))
            pairs.append(("支出", spent, rows["合计"][2]))
    for kind, *amounts in re.findall(
        r"财政拨款(基本支出|项目支出)年初结转和结余([\d.]+)万元，本年收入([\d.]+)万元，"
        r"本年支出([\d.]+)万元，年末结转和结余([\d.]+)万元",
        text,
    ):
        if kind in rows:
            pairs += [(kind, a, b) for a, b in zip(amounts, rows[kind], strict=True)]
    scores = re.search(r"合计100([\d.]+)", text)
    if "绩效自评得分" in text and scores:
        for score in re.findall(r"自评得分([\d.]+)分", text):
            pairs.append(("自评得分", score, Decimal(scores.group(1))))
    return [(what, stated, str(table)) for what, stated, table in pairs]


def test_the_2022_report_states_no_figure_a_table_on_its_page_contradicts(demo_year):
    run = AnnualReport.objects.create(budget_year=demo_year)
    run = services.build_report(run_id=run.pk)
    with run.pdf.open("rb") as handle:
        pages = [page.extract_text() for page in PdfReader(BytesIO(handle.read())).pages]

    compared = [pair for page in pages for pair in stated_against_tables(page)]
    # §二's sentence and its table share a page, as do the score and its table.
    assert {what for what, _stated, _table in compared} >= {"收入", "支出", "自评得分"}
    for what, stated, table in compared:
        assert Decimal(stated) == Decimal(table), (what, stated, table)
    text = squeeze("".join(pages))
    assert "本单位2022年度一般公共预算财政拨款收入218.4万元，本年支出216.4万元" in text
    assert "213.4万元，本年支出213.4万元。" not in text

    # §十 explains both gaps in the office's words, acknowledged by the leader.
    other = text[text.index("十、其他需要说明的情况") :]
    assert "有2处合计与明细不一致" in other
    assert "未含项目支出（房屋征收工作经费）当年财政拨款5万元" in other
    assert "未含项目支出使用上年结转资金支出的3万元" in other
    assert services.unacknowledged(run) == []
    services.publish_report(run=run, by=User.objects.get(username="finance"))


def cells(sheet) -> dict[str, object]:
    """Every non-empty cell by its text, with its coordinate, value and comment."""
    return {
        str(cell.value): cell for row in sheet.iter_rows() for cell in row if cell.value is not None
    }


def right_of(sheet, cell, steps: int = 1):
    return sheet.cell(cell.row, cell.column + steps)


def below(sheet, cell, steps: int = 1):
    return sheet.cell(cell.row + steps, cell.column)


def assert_hunan_blocks(run) -> None:
    """The blocks of Hunan's three forms, read back from the run's .xlsx files."""
    with run.attachment1.open("rb") as handle:
        basic = load_workbook(handle).active
    found = cells(basic)
    assert "楼堂馆所控制情况（2022年完工项目）" in found
    for name in ("批复规模（平方米）", "实际规模（平方米）", "规模控制率"):
        assert below(basic, found[name]).value == "—"  # the office built nothing in 2022
    for name in ("预算投资（万元）", "实际投资（万元）", "投资概算控制率"):
        assert name in found
    measures = right_of(basic, found["厉行节约保障措施"])
    assert measures.value.startswith("严格执行公务接待")
    # Invented demo figures carry a comment saying so; the seed's own figure does not.
    three_public = found["“三公”经费"]
    for column in (1, 2, 3):
        assert "示例数据" in right_of(basic, three_public, column).comment.text
    assert measures.comment is not None
    project = found["项目支出"]
    assert right_of(basic, project, 3).value == 3 and right_of(basic, project, 3).comment is None

    with run.attachment2.open("rb") as handle:
        department = load_workbook(handle).active
    found = cells(department)
    assert "部门预算资金（万元）" in found
    heads = found["年初预算数"]
    assert [right_of(department, heads, step).value for step in range(4)] == [
        "年初预算数",
        "全年预算数",
        "全年执行数",
        "分值",
    ]
    by_source = {
        label: [right_of(department, found[label], step).value for step in range(1, 7)]
        for label in ("年度资金总额", "其中：当年财政拨款", "　　　上年结转资金", "　　　其他资金")
    }
    assert by_source["其中：当年财政拨款"][1:3] == [218.4, 213.4]
    assert by_source["　　　上年结转资金"][1:3] == [3, 3]
    assert by_source["年度资金总额"][1:6] == [221.4, 216.4, 10, by_source["年度资金总额"][4], 9.77]
    assert round(by_source["年度资金总额"][4], 4) == 0.9774  # 执行率
    assert by_source["　　　其他资金"][0:3] == [0, 0, 0]
    assert "示例数据" in right_of(department, found["其中：当年财政拨款"]).comment.text  # 年初
    goal = found["年度总体目标"]
    assert below(department, found["预期目标"]).value.startswith("依法履行")
    assert below(department, found["实际完成情况"]).value.startswith("新增征收项目2个")
    assert goal.row < found["一级指标"].row

    with run.attachment3.open("rb") as handle:
        sheet = load_workbook(handle).active
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if row[0] == "一级指标")
    indicators = rows[header + 1 : -1]
    output = [row for row in indicators if row[1] is not None][: len(indicators)]
    sublevels = [row[1] for row in output]
    assert "成本指标" in sublevels
    cost = next(row for row in indicators if row[1] == "成本指标")
    assert cost[2:5] == ("项目经费支出不超过全年预算", "≤8万元", "3万元")
    # 偏差原因分析及改进措施: every row says something; a shortfall states the gap from the data.
    assert all(row[7] for row in indicators)
    timely = next(row for row in indicators if row[2] == "市重点项目按期完成征收任务")
    assert timely[7].startswith("年度指标值≥3个，实际完成2个，扣5分。司法程序耗时较长")
    # The demo explains every shortfall of the project's form as it does on 附件2.
    assert not [row[2] for row in indicators if "待分析" in row[7]]


NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")


def numbers_by_chapter(text: str, chapters: list[str]) -> list[Counter]:
    """The numbers of the text before the first chapter and in each chapter, as multisets."""
    text = text.replace("\n", " ")  # a number never wraps: the type breaks lines at CJK
    parts, rest = [], text
    for heading in chapters:
        before, found, rest = rest.partition(heading)
        assert found, heading
        parts.append(before)
    parts.append(rest)
    return [Counter(n.replace(",", "") for n in NUMBER.findall(part)) for part in parts]


def docx_text(document) -> str:
    """Paragraphs and tables in the order of the body: cells apart by spaces, rows by lines."""
    lines = []
    for block in document.iter_inner_content():
        if hasattr(block, "rows"):
            lines += [" ".join(cell.text for cell in row.cells) for row in block.rows]
        else:
            lines.append(block.text)
    return "\n".join(lines)


def test_the_word_file_states_the_pdfs_figures_chapter_by_chapter_and_carries_its_chart(
    demo_year,
):
    run = AnnualReport.objects.create(budget_year=demo_year)
    run = services.build_report(run_id=run.pk, today=date(2023, 4, 7))
    book = yearbook.gather(demo_year)
    report = document.build(book, chart=build.chart(book), today=date(2023, 4, 7))
    chapters = [
        block.text for block in report.blocks if block.kind == "heading" and block.level == 1
    ]
    assert len(chapters) == 10

    with run.pdf.open("rb") as handle:
        pages = [page.extract_text() for page in PdfReader(BytesIO(handle.read())).pages]
    pdf = re.sub(r"—\s*\d+\s*—", "", "\n".join(pages))  # the page numbers
    with run.docx.open("rb") as handle:
        word = Document(BytesIO(handle.read()))
    in_pdf = numbers_by_chapter(pdf, chapters)
    in_word = numbers_by_chapter(docx_text(word), chapters)

    # The chart is drawn in the PDF and an image in Word: its labels are the only difference.
    chart = next(block for block in report.blocks if block.kind == "chart")
    labels = " ".join(html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", chart.svg))
    chart_numbers = Counter(n.replace(",", "") for n in NUMBER.findall(labels))
    chart_chapter = chapters.index("六、部门整体支出绩效情况") + 1
    assert in_pdf[chart_chapter] - chart_numbers == in_word[chart_chapter]
    assert chart_numbers <= in_pdf[chart_chapter]
    for index, (pdf_numbers, word_numbers) in enumerate(zip(in_pdf, in_word, strict=True)):
        if index != chart_chapter:
            assert pdf_numbers == word_numbers, ["", *chapters][index]
    assert in_word[2]["218.40"] == 1 and in_word[2]["216.40"] == 1  # §二's table, in Word too

    # The chart itself: one picture, a PNG, with its caption under it.
    pictures = word.inline_shapes
    assert len(pictures) == 1
    blob = word.part.related_parts[
        pictures[0]._inline.graphic.graphicData.pic.blipFill.blip.embed
    ].blob
    assert blob.startswith(b"\x89PNG")
    assert "图1 2022年正在实施项目签约进度" in docx_text(word)
