import html
import io
import re
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from core.spreadsheets import XLSX_CONTENT_TYPE, protect_text
from projects import exports, services
from projects.models import Household, Project, Stage
from tests.auth import login
from tests.compensation.factories import ready_to_sign
from tests.factories import HouseholdFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def sheet_of(response):
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert response["Content-Disposition"].startswith("attachment")
    return openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]


def rows_of(sheet) -> list[list]:
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def column(sheet, header: str) -> list:
    rows = rows_of(sheet)
    index = rows[0].index(header)
    return [row[index] for row in rows[1:]]


# ---------------------------------------------------------------------------
# Households


def test_household_export_has_chinese_headers_and_choice_labels(client, district_member, project):
    household = ready_to_sign(
        project,
        code="A001",
        head_name="张测试",
        phone="0739-5201234",
        use=Household.Use.NON_RESIDENTIAL,
        area="120.55",
        hardship=Household.Hardship.TEKUN,
        note="临街门面",
    )
    services.sign_household(
        household=household,
        by=district_member,
        signed_on=date(2022, 5, 6),
        method=Household.Method.SWAP,
    )
    HouseholdFactory(project=project, code="A002")
    login(client, "district")
    sheet = sheet_of(client.get(reverse("projects:household_export", args=[project.pk])))
    header, first, second = rows_of(sheet)
    assert header[:9] == [
        "户号",
        "户主姓名",
        "身份证号码",
        "联系电话",
        "房屋坐落",
        "房屋用途",
        "建筑面积（平方米）",
        "困难类型",
        "备注",
    ]
    for label in ["未登记建筑认定", "签约日期", "补偿方式", "搬迁日期", "拆除日期"]:
        assert label in header
    record = dict(zip(header, first, strict=True))
    assert record["户号"] == "A001"
    assert record["身份证号码"] == household.id_number
    assert record["联系电话"] == "0739-5201234"
    assert record["房屋用途"] == "非住宅"
    assert record["建筑面积（平方米）"] == pytest.approx(120.55)
    assert record["困难类型"] == "特困"
    assert record["补偿方式"] == "产权调换"
    assert record["签约日期"].date() == date(2022, 5, 6)
    assert dict(zip(header, second, strict=True))["困难类型"] is None
    # ID numbers and phones are text cells: all 18 digits are kept.
    assert sheet["C2"].data_type == "s"
    assert sheet["C2"].number_format == "@"


def test_formula_looking_text_is_escaped_in_the_household_export(client, district_member, project):
    HouseholdFactory(
        project=project,
        code="A001",
        head_name='=HYPERLINK("http://evil.example","点我")',
        address="+86 测试路",
        note="-2+3",
    )
    HouseholdFactory(project=project, code="A002", head_name="@SUM(1+1)", address="\t=1+1")
    HouseholdFactory(project=project, code="A003", head_name="王正常", note="\r=1")
    login(client, "district")
    sheet = sheet_of(client.get(reverse("projects:household_export", args=[project.pk])))
    assert column(sheet, "户主姓名") == [
        '=HYPERLINK("http://evil.example","点我")',
        "@SUM(1+1)",
        "王正常",
    ]
    assert column(sheet, "房屋坐落")[:2] == ["+86 测试路", "\t=1+1"]
    assert column(sheet, "备注") == ["-2+3", None, "\r=1"]
    # No cell of the workbook is a formula: the text shows as typed, with the quote-prefix
    # style (no apostrophe in the text), and only those cells carry it.
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    assert {cell.value for cell in cells if cell.quotePrefix} == {
        '=HYPERLINK("http://evil.example","点我")',
        "@SUM(1+1)",
        "+86 测试路",
        "\t=1+1",
        "-2+3",
        "\r=1",
    }


def test_only_formula_triggers_get_the_quote_prefix():
    from openpyxl import Workbook

    sheet = Workbook().active
    for value in ("=1+1", "+1", "-1", "@x", "\tx", "\rx"):
        cell = protect_text(sheet.cell(row=1, column=1, value=value))
        assert (cell.value, cell.data_type, cell.quotePrefix) == (value, "s", True)
    for value in ("张三", "1=1", "", 12):
        cell = protect_text(sheet.cell(row=2, column=1, value=value))
        assert not cell.quotePrefix


def test_household_export_reads_households_in_a_constant_number_of_queries(
    project, django_assert_max_num_queries
):
    HouseholdFactory.create_batch(30, project=project)
    with django_assert_max_num_queries(2):
        content = exports.export_households(households=project.households.all())
    assert len(rows_of(openpyxl.load_workbook(io.BytesIO(content)).worksheets[0])) == 31


def test_district_user_cannot_export_another_districts_households(
    client, district_member, other_project
):
    HouseholdFactory(project=other_project)
    login(client, "district")
    url = reverse("projects:household_export", args=[other_project.pk])
    assert client.get(url).status_code == 404


def test_office_staff_can_export_any_districts_households(client, office_user, other_project):
    HouseholdFactory(project=other_project, code="X1")
    login(client, "clerk")
    sheet = sheet_of(client.get(reverse("projects:household_export", args=[other_project.pk])))
    assert column(sheet, "户号") == ["X1"]


def export_link(response) -> str:
    """The href of the page's 导出Excel link, as a browser would follow it."""
    assert response.status_code == 200
    found = re.search(r'<a class="button" href="([^"]*)">导出Excel</a>', response.content.decode())
    assert found, "no export link on the page"
    return html.unescape(found.group(1))


@pytest.fixture
def register(project):
    """60 households of `project`, the codes of those on 六岭路2… and signed returned (7 of
    them, spread over the register's pages); others are on 六岭路1… or 大兴街, or unsigned."""
    wanted = []
    for n in range(60):
        code = f"H-{n:03d}"
        on_road = n % 5 == 0 or n % 3 == 0
        signed = n % 5 == 0 or n % 7 == 0
        HouseholdFactory(
            project=project,
            code=code,
            address=f"六岭路{2 if on_road else 1}{n:02d}号" if n % 2 else f"大兴街{n}号",
            signed_on=date(2022, 5, 6) if signed else None,
            method=Household.Method.MONETARY if signed else "",
        )
        if signed and on_road and n % 2:
            wanted.append(code)
    return wanted


def test_household_export_carries_the_registers_search_and_filters(
    client, district_member, project, register
):
    login(client, "district")
    url = reverse("projects:household_list", args=[project.pk])
    # The second page of 25: the export is every filtered row, not the page shown.
    page = client.get(url, {"q": "六岭路2", "signed": "yes", "per_page": 25, "page": 2})
    assert f"共 {len(register)} 户" in page.content.decode()
    link = export_link(page)
    assert "page" not in link
    exported = column(sheet_of(client.get(link)), "户号")
    assert exported == sorted(register)
    assert 0 < len(exported) < 60

    # The register with no search or filter: its export has every household.
    unfiltered = export_link(client.get(url))
    assert column(sheet_of(client.get(unfiltered)), "户号") == [f"H-{n:03d}" for n in range(60)]


def test_filtered_household_export_still_refuses_another_districts_project(
    client, district_member, other_project
):
    HouseholdFactory(project=other_project, address="六岭路200号")
    login(client, "district")
    url = reverse("projects:household_export", args=[other_project.pk])
    assert client.get(url, {"q": "六岭路2", "signed": "yes"}).status_code == 404


# ---------------------------------------------------------------------------
# Projects


@pytest.fixture
def projects(district, other_district):
    """Four projects in two districts, with different kinds, stages and years."""
    made = {
        "liuling": ProjectFactory(
            district=district,
            code="2022-SQ-001",
            name="六岭棚改",
            kind=Project.Kind.SHANTYTOWN,
            is_key=True,
            started_on=date(2021, 3, 1),
            stage=Stage.SIGNING,
        ),
        "road": ProjectFactory(
            district=district,
            code="2022-SQ-002",
            name="三里桥道路改造工程",
            kind=Project.Kind.ROAD,
            started_on=date(2022, 6, 1),
            stage=Stage.SURVEY,
        ),
        "old": ProjectFactory(
            district=district,
            code="2019-SQ-009",
            name="=老城区改造",
            kind=Project.Kind.SHANTYTOWN,
            started_on=date(2019, 1, 1),
            completed_on=date(2020, 12, 31),
            stage=Stage.ARCHIVED,
        ),
        "shuili": ProjectFactory(
            district=other_district,
            code="2022-DX-001",
            name="水利局棚改",
            kind=Project.Kind.SHANTYTOWN,
            is_key=True,
            started_on=date(2022, 2, 1),
            stage=Stage.SIGNING,
        ),
    }
    HouseholdFactory(
        project=made["liuling"],
        area="100.25",
        signed_on=date(2022, 3, 1),
        method=Household.Method.MONETARY,
    )
    HouseholdFactory(project=made["liuling"], area="50.50")
    return made


def export_codes(client, **params) -> list[str]:
    sheet = sheet_of(client.get(reverse("projects:project_export"), params))
    return sorted(column(sheet, "项目编号"))


def test_project_export_lists_what_staff_see_with_totals(client, office_user, projects):
    login(client, "clerk")
    sheet = sheet_of(client.get(reverse("projects:project_export")))
    rows = rows_of(sheet)
    header = rows[0]
    assert header[:6] == ["项目编号", "项目名称", "所属区县", "项目类型", "市重点项目", "当前阶段"]
    assert sorted(column(sheet, "项目编号")) == [
        "2019-SQ-009",
        "2022-DX-001",
        "2022-SQ-001",
        "2022-SQ-002",
    ]
    by_code = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    liuling = by_code["2022-SQ-001"]
    assert liuling["所属区县"] == "双清区"
    assert liuling["项目类型"] == "棚户区改造"
    assert liuling["市重点项目"] == "是"
    assert liuling["当前阶段"] == "签约"
    assert liuling["被征收户数"] == 2
    assert Decimal(str(liuling["建筑面积（平方米）"])) == Decimal("150.75")
    assert liuling["已签约户数"] == 1
    assert Decimal(str(liuling["已签约面积（平方米）"])) == Decimal("100.25")
    assert by_code["2022-SQ-002"]["被征收户数"] == 0
    # A project name that looks like a formula is written as text.
    assert by_code["2019-SQ-009"]["项目名称"] == "=老城区改造"


def test_project_export_honors_the_list_filters(client, office_user, district, projects):
    login(client, "clerk")
    assert export_codes(client, q="棚改") == ["2022-DX-001", "2022-SQ-001"]
    assert export_codes(client, q="2022-sq") == ["2022-SQ-001", "2022-SQ-002"]
    assert export_codes(client, district=district.pk) == [
        "2019-SQ-009",
        "2022-SQ-001",
        "2022-SQ-002",
    ]
    assert export_codes(client, stage=Stage.SIGNING) == ["2022-DX-001", "2022-SQ-001"]
    assert export_codes(client, kind=Project.Kind.ROAD) == ["2022-SQ-002"]
    assert export_codes(client, is_key="on") == ["2022-DX-001", "2022-SQ-001"]
    # In progress in 2022: started by its end and not completed before it began.
    assert export_codes(client, year=2022) == ["2022-DX-001", "2022-SQ-001", "2022-SQ-002"]
    assert export_codes(client, year=2020) == ["2019-SQ-009"]
    assert export_codes(client, district=district.pk, is_key="on", year=2022) == ["2022-SQ-001"]


def test_project_export_shows_a_district_user_only_their_district(
    client, district_member, other_district, projects
):
    login(client, "district")
    assert export_codes(client) == ["2019-SQ-009", "2022-SQ-001", "2022-SQ-002"]
    # Asking for another district's projects does not reach them.
    assert "2022-DX-001" not in export_codes(client, district=other_district.pk)
    assert export_codes(client, q="水利局") == []


def test_project_export_reads_projects_in_a_constant_number_of_queries(
    office_user, projects, django_assert_max_num_queries
):
    with django_assert_max_num_queries(1):
        exports.export_projects(projects=Project.objects.all())


@pytest.mark.parametrize(
    "route",
    ["projects:household_export", "projects:project_export"],
    ids=["households", "projects"],
)
def test_anonymous_user_is_sent_to_login(client, project, route):
    args = [project.pk] if route == "projects:household_export" else []
    response = client.get(reverse(route, args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
