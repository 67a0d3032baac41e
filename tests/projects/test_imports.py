import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from projects import imports
from projects.models import Household, HouseholdImport
from tests.auth import login
from tests.factories import HouseholdFactory, resident_id

pytestmark = pytest.mark.django_db

XLSX = imports.XLSX_CONTENT_TYPE
# Born after 双清区's code 430502 came into use: these ID numbers raise no region warning.
BORN = "19980101"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def good_row(n: int, **overrides) -> list:
    row = {
        "code": f"A{n:03d}",
        "head_name": f"测试户主{n}",
        "id_number": resident_id(n, born=BORN),
        "phone": f"139{n:08d}",
        "address": f"双清区测试路{n}号",
        "use": "住宅",
        "area": "85.50",
        "hardship": "",
        "note": "",
    }
    row.update(overrides)
    return [row[column.field] for column in imports.COLUMNS]


def workbook(rows, header=imports.HEADERS, above=()) -> bytes:
    """An .xlsx of `rows` under `header` (None: no header), with `above` rows (a title)."""
    book = openpyxl.Workbook()
    sheet = book.active
    for line in above:
        sheet.append(list(line))
    if header is not None:
        sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(data: bytes, name: str = "调查登记表.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=XLSX)


def post_file(client, project, data, name="调查登记表.xlsx"):
    return client.post(
        reverse("projects:import_create", args=[project.pk]), {"file": upload(data, name)}
    )


def check(project, rows) -> imports.CheckResult:
    return imports.check_household_file(project=project, file=upload(workbook(rows)))


def messages_of(result) -> list[tuple[int, str, str]]:
    return [(e["row"], e["column"], e["message"]) for e in result.errors]


# ---------------------------------------------------------------------------
# The template


def test_template_has_the_contract_columns_in_order(client, district_member, project):
    login(client, "district")
    response = client.get(reverse("projects:household_template", args=[project.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    assert [cell.value for cell in sheet[1]] == [
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
    assert sheet["A1"].font.bold


def test_template_keeps_id_and_phone_as_text_and_offers_drop_downs():
    book = openpyxl.load_workbook(io.BytesIO(imports.build_household_template()))
    sheet = book.worksheets[0]
    assert sheet["C2"].number_format == "@"
    assert sheet["D2"].number_format == "@"
    assert sheet.column_dimensions["C"].width >= 20
    lists = {str(v.sqref).split(":")[0]: v.formula1 for v in sheet.data_validations.dataValidation}
    assert lists["F2"] == '"住宅,非住宅"'
    assert lists["H2"] == '"低保,特困,残疾,建档立卡贫困户"'


def test_the_template_itself_is_refused_as_having_no_rows(project):
    with pytest.raises(imports.ValidationError) as error:
        imports.check_household_file(
            project=project, file=upload(imports.build_household_template())
        )
    assert "没有被征收户数据" in error.value.messages[0]


# ---------------------------------------------------------------------------
# Upload, preview, confirm


def test_district_user_imports_a_good_file_through_upload_preview_and_confirm(
    client, district_member, project
):
    login(client, "district")
    rows = [good_row(n) for n in range(1, 4)]
    rows[1] = good_row(2, use="非住宅", hardship="低保", area=120, phone="0739-5201234")

    response = post_file(client, project, workbook(rows))
    record = HouseholdImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:import_detail", args=[record.pk])
    assert record.status == HouseholdImport.Status.VALIDATED
    assert record.row_count == 3
    assert record.uploaded_by == district_member
    assert record.original_name == "调查登记表.xlsx"
    assert not Household.objects.exists()

    html = client.get(response["Location"]).content.decode()
    assert "确认导入" in html
    assert "测试户主2" in html and "0739-5201234" in html
    assert reverse("projects:project_detail", args=[project.pk]) in html

    response = client.post(reverse("projects:import_confirm", args=[record.pk]))
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == HouseholdImport.Status.IMPORTED
    assert record.imported_at is not None
    saved = {h.code: h for h in project.households.all()}
    assert sorted(saved) == ["A001", "A002", "A003"]
    assert saved["A002"].use == Household.Use.NON_RESIDENTIAL
    assert saved["A002"].hardship == Household.Hardship.DIBAO
    assert saved["A002"].area == Decimal("120.00")
    assert saved["A001"].use == Household.Use.RESIDENTIAL
    assert saved["A001"].hardship == ""
    assert saved["A001"].id_number == resident_id(1, born=BORN)
    html = client.get(response["Location"]).content.decode()
    assert "已导入3户被征收户。" in html
    assert reverse("projects:household_list", args=[project.pk]) in html


def test_imported_households_have_history_rows_naming_the_uploader(
    client, district_member, project
):
    login(client, "district")
    post_file(client, project, workbook([good_row(1), good_row(2)]))
    client.post(reverse("projects:import_confirm", args=[HouseholdImport.objects.get().pk]))
    history = Household.history.filter(project=project)
    assert history.count() == 2
    assert {h.history_user_id for h in history} == {district_member.pk}
    assert {h.history_type for h in history} == {"+"}


def test_office_staff_can_import_into_any_districts_project(client, office_user, other_project):
    login(client, "clerk")
    post_file(client, other_project, workbook([good_row(1)]))
    record = HouseholdImport.objects.get()
    client.post(reverse("projects:import_confirm", args=[record.pk]))
    assert other_project.households.count() == 1


def test_preview_lists_every_bad_row_with_row_column_and_reason_and_saves_nothing(
    client, district_member, project
):
    login(client, "district")
    valid = resident_id(2, born=BORN)
    bad_id = valid[:-1] + ("0" if valid[-1] != "0" else "1")
    rows = [
        good_row(1),
        good_row(2, id_number=bad_id),
        good_row(3, head_name="", phone="12345"),
        good_row(4, use="商铺", area="-3"),
        good_row(5, hardship="贫困", area="12.345"),
        good_row(6, id_number="430502199902301234"),
    ]
    response = post_file(client, project, workbook(rows))
    record = HouseholdImport.objects.get()
    assert record.status == HouseholdImport.Status.FAILED
    assert record.row_count == 6
    found = {(e["row"], e["column"]) for e in record.errors}
    assert found == {
        (3, "身份证号码"),
        (4, "户主姓名"),
        (4, "联系电话"),
        (5, "房屋用途"),
        (5, "建筑面积（平方米）"),
        (6, "困难类型"),
        (6, "建筑面积（平方米）"),
        (7, "身份证号码"),
    }
    reasons = {(e["row"], e["column"]): e["message"] for e in record.errors}
    assert "校验位" in reasons[(3, "身份证号码")]
    assert reasons[(4, "户主姓名")] == "户主姓名不能为空。"
    assert "住宅、非住宅" in reasons[(5, "房屋用途")]
    assert "大于0" in reasons[(5, "建筑面积（平方米）")]
    assert "两位小数" in reasons[(6, "建筑面积（平方米）")]
    assert "出生日期" in reasons[(7, "身份证号码")]

    html = client.get(response["Location"]).content.decode()
    assert "8 处错误" in html
    # Every data row read, and how many of them are wrong (row 2 is good; 8 errors on 5 rows).
    assert '<dd id="row-count">6</dd>' in html
    assert '<dt>有错误的行数</dt><dd id="error-rows">5</dd>' in html
    assert "第 5 行" in html and "住宅、非住宅" in html
    assert reverse("projects:import_confirm", args=[record.pk]) not in html
    assert not Household.objects.exists()
    confirm = client.post(reverse("projects:import_confirm", args=[record.pk]))
    assert confirm.status_code == 302
    assert not Household.objects.exists()


def test_a_repeated_code_is_an_error_naming_the_row_it_repeats(project):
    rows = [good_row(1), good_row(2), good_row(3, code="A001")]
    result = check(project, rows)
    assert messages_of(result) == [(4, "户号", "户号“A001”与第2行重复。")]
    assert result.households == []


@pytest.mark.parametrize("typed", ["Ａ００１", " A 001", "A\u200b001", "A\u3000001"])
def test_codes_are_compared_after_normalising(project, typed):
    result = check(project, [good_row(1), good_row(2, code=typed)])
    assert messages_of(result) == [(3, "户号", "户号“A001”与第2行重复。")]


def test_one_owner_of_several_houses_is_a_warning_naming_both_codes(project):
    owner = resident_id(2, born=BORN)
    rows = [good_row(1), good_row(2, id_number=owner), good_row(3, id_number=owner)]
    result = check(project, rows)
    assert result.is_valid, result.errors
    assert len(result.households) == 3
    [warning] = [w for w in result.warnings if w["column"] == "身份证号码"]
    assert warning["row"] == 4
    assert "A002" in warning["message"] and "A003" in warning["message"]
    assert "姓名不同" in warning["message"]  # 测试户主2 and 测试户主3


def test_a_file_with_many_errors_lists_them_a_hundred_a_page(client, district_member, project):
    rows = [good_row(n, use="商铺") for n in range(1, 251)]  # 房屋用途 wrong on every row
    login(client, "district")
    post_file(client, project, workbook(rows))
    record = HouseholdImport.objects.get()
    assert record.status == HouseholdImport.Status.FAILED and len(record.errors) == 250
    url = reverse("projects:import_detail", args=[record.pk])

    first = client.get(url).content.decode()
    assert "文件中有 250 处错误" in first and "第 1 / 3 页" in first
    assert first.count("<td>房屋用途</td>") == 100
    assert "第 2 行" in first and "第 101 行" in first and "第 102 行" not in first
    last = client.get(url, {"page": 3}).content.decode()
    assert last.count("<td>房屋用途</td>") == 50
    assert "第 201 行" not in last and "第 202 行" in last and "第 251 行" in last


def test_codes_already_in_the_project_are_refused_and_owners_are_warned(project, other_project):
    HouseholdFactory(project=project, code="A001", id_number=resident_id(900))
    # The same code in another project is no conflict.
    HouseholdFactory(project=other_project, code="A002")
    result = check(project, [good_row(1), good_row(2), good_row(3, id_number=resident_id(900))])
    assert messages_of(result) == [(2, "户号", "户号“A001”在本项目中已经登记。")]
    assert any(
        w["row"] == 4 and "A001" in w["message"] and "A003" in w["message"] for w in result.warnings
    )


@pytest.mark.parametrize(
    "typed",
    [
        430502198001011234,
        4.30502198001011e17,
        "4.30502E+17",
        "430502198001011",
    ],
    ids=["int", "float", "scientific-text", "15-digits"],
)
def test_id_number_typed_as_a_number_gets_the_text_format_message(project, typed):
    result = check(project, [good_row(1, id_number=typed)])
    [(row, column, message)] = messages_of(result)
    assert (row, column) == (2, "身份证号码")
    assert "15位有效数字" in message
    assert "文本" in message


@pytest.mark.parametrize(("typed", "missing"), [("4305021980010112", 2), ("43050219800101123", 1)])
def test_an_id_number_of_16_or_17_digits_is_short_without_blaming_excel(project, typed, missing):
    # Excel's number format keeps 15 significant digits, never 16 or 17: just say it is short.
    result = check(project, [good_row(1, id_number=typed)])
    [(row, column, message)] = messages_of(result)
    assert (row, column) == (2, "身份证号码")
    assert f"只有{len(typed)}位，少了{missing}位" in message
    assert "Excel" not in message


def test_id_number_with_lowercase_x_and_spaces_is_normalised(project):
    ids = (resident_id(n, born=BORN) for n in range(1000))
    number = next(number for number in ids if number.endswith("X"))
    result = check(project, [good_row(1, id_number=f" {number[:6]} {number[6:].lower()} ")])
    assert result.is_valid
    assert result.households[0].id_number == number


def test_unknown_region_code_is_a_warning_not_an_error(client, district_member, project):
    # 430582 (邵东市) exists only since 2019: no number of someone born in 1980 carries it.
    rows = [good_row(1, id_number=resident_id(1, region="430582"))]
    result = check(project, rows)
    assert result.is_valid
    [warning] = result.warnings
    assert (warning["row"], warning["column"]) == (2, "身份证号码")
    assert "地区代码430582" in warning["message"]
    login(client, "district")
    response = post_file(client, project, workbook(rows))
    html = client.get(response["Location"]).content.decode()
    assert "430582" in html and "确认导入" in html


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("85.5", Decimal("85.50")),
        (85.5, Decimal("85.50")),
        (120, Decimal("120.00")),
        ("0.01", Decimal("0.01")),
        # A cached formula result carries float noise; it is 85.5, not a third decimal.
        (85.49999999999999, Decimal("85.50")),
        ("85.500", Decimal("85.50")),
    ],
)
def test_area_is_read_as_an_exact_decimal(project, typed, stored):
    result = check(project, [good_row(1, area=typed)])
    assert result.is_valid, result.errors
    assert result.households[0].area == stored


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("0", "大于0"),
        (-3, "大于0"),
        ("12.345", "两位小数"),
        (12.345, "两位小数"),
        ("八十", "应为数字"),
        ("NaN", "应为数字"),
        ("", "不能为空"),
        (1e12, "过大"),
    ],
)
def test_area_must_be_positive_with_two_decimals(project, typed, reason):
    [(_row, column, message)] = messages_of(check(project, [good_row(1, area=typed)]))
    assert column == "建筑面积（平方米）"
    assert reason in message


def test_lenient_reading_of_cells_people_type(project):
    rows = [
        good_row(1, code=12, phone=13912345678, hardship="无"),
        [],
        good_row(2, hardship="建档立卡贫困户", note="  二楼  "),
    ]
    header = list(imports.HEADERS)
    header[6] = "建筑面积(平方米)"  # half-width parentheses
    result = imports.check_household_file(
        project=project, file=upload(workbook(rows, header=header))
    )
    assert result.is_valid, result.errors
    first, second = result.households
    assert first.code == "12"
    assert first.phone == "13912345678"
    assert first.hardship == ""
    assert second.hardship == Household.Hardship.POVERTY
    assert second.note == "二楼"
    assert [row.number for row in result.rows] == [2, 4]


def test_text_longer_than_the_model_allows_is_reported(project):
    result = check(project, [good_row(1, address="路" * 201)])
    assert messages_of(result) == [
        (2, "房屋坐落", "房屋坐落不能超过200个字，现有201个字。"),
    ]


def test_check_reads_the_projects_households_in_one_query(project, django_assert_num_queries):
    HouseholdFactory.create_batch(3, project=project)
    rows = imports.read_household_rows(upload(workbook([good_row(n) for n in range(1, 50)])))
    with django_assert_num_queries(1):
        result = imports.check_household_rows(project=project, rows=rows)
    assert result.is_valid


# ---------------------------------------------------------------------------
# Files that cannot be used at all: a message on the form, never a 500


MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XLSX_PART = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def handmade_workbook(*, shared_strings: str, sheet: str | None = None) -> bytes:
    """A minimal .xlsx written part by part, so that a test can put any XML into it."""
    sheet = sheet or (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}"><sheetData>'
        '<row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>'
    )
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{XLSX_PART}.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            f'ContentType="{XLSX_PART}.worksheet+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" '
            f'ContentType="{XLSX_PART}.sharedStrings+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS_NS}">'
            f'<Relationship Id="rId1" Type="{DOC_RELS}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN_NS}" '
            f'xmlns:r="{DOC_RELS}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS_NS}">'
            f'<Relationship Id="rId1" Type="{DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{DOC_RELS}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": shared_strings,
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return out.getvalue()


def laughs_doctype(root: str) -> str:
    """A billion-laughs DTD: &lol9; would expand to 10**9 copies of "lol"."""
    entities = ['<!ENTITY lol "lol">']
    for level in range(1, 10):
        previous = f"&lol{level - 1};" if level > 1 else "&lol;"
        entities.append(f'<!ENTITY lol{level} "{previous * 10}">')
    return f"<!DOCTYPE {root} [{''.join(entities)}]>"


def shared_strings(text: str, doctype: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{doctype}<sst xmlns="{MAIN_NS}" count="1" '
        f'uniqueCount="1"><si><t>{text}</t></si></sst>'
    )


def bomb_workbook() -> bytes:
    """A workbook whose sharedStrings.xml declares a billion-laughs entity bomb."""
    return handmade_workbook(shared_strings=shared_strings("&lol9;", laughs_doctype("sst")))


def test_the_handmade_workbook_is_a_real_workbook(project):
    """So that the bomb tests below fail for the bomb, not for a broken file."""
    with pytest.raises(imports.ValidationError) as error:
        imports.read_household_rows(
            upload(handmade_workbook(shared_strings=shared_strings("户号")))
        )
    assert "没有找到表头" in error.value.messages[0]


def wrong_header_workbook() -> bytes:
    header = list(imports.HEADERS)
    header[2] = "证号"  # not a name the import knows for 身份证号码
    return workbook([good_row(1)], header=header)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("households.csv", "户号,户主姓名\nA001,张三\n".encode(), "不是 Excel .xlsx 格式"),
        ("renamed.xlsx", b"just some text, renamed to .xlsx\n" * 10, "不是 Excel .xlsx 格式"),
        ("empty.xlsx", b"", "文件是空的"),
        ("header-only.xlsx", workbook([]), "没有被征收户数据"),
        ("no-header.xlsx", workbook([], header=None), "应有一行表头"),
        ("missing-column.xlsx", wrong_header_workbook(), "缺少必填的列：身份证号码"),
        ("bomb.xlsx", bomb_workbook(), "不安全的内容"),
        ("not-a-workbook.xlsx", None, "不是 Excel .xlsx 格式"),
    ],
    ids=[
        "csv",
        "renamed-txt",
        "empty",
        "header-only",
        "no-header",
        "wrong-header",
        "xml-bomb",
        "zip-not-xlsx",
    ],
)
def test_unusable_files_redisplay_the_form_with_a_chinese_message(
    client, district_member, project, name, data, message
):
    if data is None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("hello.txt", "not a workbook")
        data = buffer.getvalue()
    login(client, "district")
    response = post_file(client, project, data, name=name)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert not HouseholdImport.objects.exists()
    assert not Household.objects.exists()


def test_wrong_header_message_lists_the_expected_columns(project):
    with pytest.raises(imports.ValidationError) as error:
        imports.read_household_rows(upload(wrong_header_workbook()))
    assert "户号、户主姓名、身份证号码、房屋坐落" in error.value.messages[0]


def test_file_over_ten_megabytes_is_refused_before_it_is_read(client, district_member, project):
    login(client, "district")
    big = b"PK" + b"\0" * (10 * 1024 * 1024)
    response = post_file(client, project, big, name="big.xlsx")
    assert response.status_code == 200
    assert "文件超过10MB" in response.content.decode()
    assert not HouseholdImport.objects.exists()


def test_xml_bomb_is_refused_without_expanding_it(project, caplog):
    with pytest.raises(imports.ValidationError) as error:
        imports.read_household_rows(upload(bomb_workbook()))
    assert "不安全的内容" in error.value.messages[0]
    assert "household import rejected: unsafe xml" in caplog.text


def test_xml_bomb_in_the_worksheet_is_refused_too(project):
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?>{laughs_doctype("worksheet")}'
        f'<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1"><c r="A1" t="inlineStr">'
        "<is><t>&lol9;</t></is></c></row></sheetData></worksheet>"
    )
    data = handmade_workbook(shared_strings=shared_strings("户号"), sheet=sheet)
    with pytest.raises(imports.ValidationError) as error:
        imports.read_household_rows(upload(data))
    assert "不安全的内容" in error.value.messages[0]


def test_zip_that_unpacks_to_a_huge_size_is_refused(project):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (2 * 1024 * 1024 + 1))
    with (
        override_settings(HOUSEHOLD_IMPORT_MAX_UNPACKED_MB=2),
        pytest.raises(imports.ValidationError) as error,
    ):
        imports.read_household_rows(upload(buffer.getvalue()))
    assert "超过了2MB的上限" in error.value.messages[0]


def test_a_file_with_too_many_rows_is_refused(project, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 3)
    with pytest.raises(imports.ValidationError) as error:
        imports.read_household_rows(upload(workbook([good_row(n) for n in range(1, 5)])))
    assert "最多3户" in error.value.messages[0]


# ---------------------------------------------------------------------------
# Confirming


def test_confirming_twice_saves_once(client, district_member, project):
    login(client, "district")
    post_file(client, project, workbook([good_row(1), good_row(2)]))
    record = HouseholdImport.objects.get()
    url = reverse("projects:import_confirm", args=[record.pk])
    client.post(url)
    response = client.post(url, follow=True)
    assert project.households.count() == 2
    assert "该文件已经导入，不能重复导入。" in response.content.decode()
    with pytest.raises(imports.ValidationError):
        imports.confirm_household_import(household_import=record, by=district_member)
    assert project.households.count() == 2


def test_confirm_of_a_file_gone_from_storage_says_so(client, district_member, project):
    record = imports.upload_household_file(
        project=project, by=district_member, file=upload(workbook([good_row(1)]))
    )
    record.file.delete(save=False)
    login(client, "district")
    html = client.get(reverse("projects:import_detail", args=[record.pk])).content.decode()
    assert "无法读取已上传的文件" in html
    response = client.post(reverse("projects:import_confirm", args=[record.pk]), follow=True)
    assert "无法读取已上传的文件" in response.content.decode()
    assert not Household.objects.exists()


def test_confirm_checks_again_against_households_added_since_upload(
    client, district_member, project
):
    login(client, "district")
    post_file(client, project, workbook([good_row(1), good_row(2)]))
    record = HouseholdImport.objects.get()
    HouseholdFactory(project=project, code="A002")

    html = client.get(reverse("projects:import_detail", args=[record.pk])).content.decode()
    assert "有了变化" in html
    assert reverse("projects:import_confirm", args=[record.pk]) not in html

    response = client.post(reverse("projects:import_confirm", args=[record.pk]), follow=True)
    record.refresh_from_db()
    assert record.status == HouseholdImport.Status.FAILED
    assert record.errors == [
        {"row": 3, "column": "户号", "message": "户号“A002”在本项目中已经登记。"}
    ]
    assert project.households.count() == 1
    html = response.content.decode()
    # The file's own check had passed: the page says the confirmation found the problem.
    assert "确认导入时发现 1 处问题" in html and "文件中有" not in html
    assert "有错误，未导入" in html and record.confirmed_by == district_member


def test_the_preview_pairs_each_clash_with_its_own_row_in_a_long_file(
    client, district_member, project
):
    # A title row above the header: the kept rows start at line 3. Households added since
    # the upload take the codes of lines 123 and 302 (the file's 121st and 300th rows).
    login(client, "district")
    post_file(client, project, workbook([good_row(n) for n in range(1, 301)], above=[["表"]]))
    record = HouseholdImport.objects.get()
    HouseholdFactory(project=project, code="A121")
    HouseholdFactory(project=project, code="A300")

    html = client.get(reverse("projects:import_detail", args=[record.pk])).content.decode()
    assert "户号“A121”在本项目中已经登记。" in html and "户号“A300”在本项目中已经登记。" in html
    assert messages_of(imports.preview_household_import(household_import=record, limit=0)) == [
        (123, "户号", "户号“A121”在本项目中已经登记。"),
        (302, "户号", "户号“A300”在本项目中已经登记。"),
    ]


@pytest.mark.parametrize("rows", [10, 200])
def test_saving_does_not_issue_a_query_per_row(
    district_member, project, rows, django_assert_max_num_queries
):
    record = imports.upload_household_file(
        project=project,
        by=district_member,
        file=upload(workbook([good_row(n) for n in range(1, rows + 1)])),
    )
    with django_assert_max_num_queries(10):
        imports.confirm_household_import(household_import=record, by=district_member)
    assert project.households.count() == rows


def test_query_count_of_confirm_is_the_same_for_10_and_200_rows(district_member, project):
    counts = []
    for start, rows in ((1, 10), (11, 200)):
        record = imports.upload_household_file(
            project=project,
            by=district_member,
            file=upload(workbook([good_row(n) for n in range(start, start + rows)])),
        )
        with CaptureQueriesContext(connection) as queries:
            imports.confirm_household_import(household_import=record, by=district_member)
        counts.append(len(queries))
    assert counts[0] == counts[1]


# ---------------------------------------------------------------------------
# Who may do what


def test_district_user_cannot_upload_to_another_districts_project(
    client, district_member, other_project
):
    login(client, "district")
    url = reverse("projects:import_create", args=[other_project.pk])
    assert client.get(url).status_code == 404
    assert post_file(client, other_project, workbook([good_row(1)])).status_code == 404
    assert (
        client.get(reverse("projects:household_template", args=[other_project.pk])).status_code
        == 404
    )
    assert not HouseholdImport.objects.exists()


def test_district_user_cannot_open_or_confirm_another_districts_import(
    client, district_member, outsider, other_project
):
    record = imports.upload_household_file(
        project=other_project, by=outsider, file=upload(workbook([good_row(1)]))
    )
    login(client, "district")
    assert client.get(reverse("projects:import_detail", args=[record.pk])).status_code == 404
    response = client.post(reverse("projects:import_confirm", args=[record.pk]))
    assert response.status_code == 404
    assert not Household.objects.exists()


def test_outsider_cannot_reach_this_districts_import(client, district_member, outsider, project):
    record = imports.upload_household_file(
        project=project, by=district_member, file=upload(workbook([good_row(1)]))
    )
    login(client, "outsider")
    assert client.get(reverse("projects:import_detail", args=[record.pk])).status_code == 404
    assert client.post(reverse("projects:import_confirm", args=[record.pk])).status_code == 404
    assert client.get(reverse("projects:import_create", args=[project.pk])).status_code == 404


def test_confirm_only_accepts_post(client, district_member, project):
    record = imports.upload_household_file(
        project=project, by=district_member, file=upload(workbook([good_row(1)]))
    )
    login(client, "district")
    assert client.get(reverse("projects:import_confirm", args=[record.pk])).status_code == 405
    assert not Household.objects.exists()


@pytest.mark.parametrize(
    ("route", "method"),
    [
        ("projects:household_template", "get"),
        ("projects:import_create", "get"),
        ("projects:import_create", "post"),
        ("projects:import_detail", "get"),
        ("projects:import_confirm", "post"),
    ],
)
def test_anonymous_user_is_sent_to_login(client, project, district_member, route, method):
    record = imports.upload_household_file(
        project=project, by=district_member, file=upload(workbook([good_row(1)]))
    )
    pk = record.pk if route.startswith("projects:import_") and "create" not in route else project.pk
    response = getattr(client, method)(reverse(route, args=[pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not Household.objects.exists()


def test_upload_page_shows_the_template_link_and_past_imports(client, district_member, project):
    imports.upload_household_file(
        project=project, by=district_member, file=upload(workbook([good_row(1)]), "第一批.xlsx")
    )
    login(client, "district")
    html = client.get(reverse("projects:import_create", args=[project.pk])).content.decode()
    assert reverse("projects:household_template", args=[project.pk]) in html
    assert reverse("projects:project_detail", args=[project.pk]) in html
    assert "第一批.xlsx" in html and "校验通过，待确认" in html


# ---------------------------------------------------------------------------
# The management command: the same import


def write_file(tmp_path, rows, name="survey.xlsx"):
    path = tmp_path / name
    path.write_bytes(workbook(rows))
    return path


def test_command_imports_a_good_file(project, tmp_path, capsys):
    path = write_file(tmp_path, [good_row(1), good_row(2), good_row(3)])
    call_command("import_households", "--project", project.code, str(path))
    out = capsys.readouterr().out
    assert "导入3户" in out
    assert project.households.count() == 3
    record = HouseholdImport.objects.get()
    assert record.status == HouseholdImport.Status.IMPORTED
    assert record.original_name == "survey.xlsx"
    assert Household.history.filter(project=project).count() == 3


def test_command_reports_every_row_error_on_stderr_and_saves_nothing(project, tmp_path, capsys):
    rows = [good_row(1), good_row(2, id_number="4.30502E+17"), good_row(3, use="商铺")]
    path = write_file(tmp_path, rows)
    with pytest.raises(CommandError) as error:
        call_command("import_households", "--project", project.code, str(path))
    err = capsys.readouterr().err
    assert "第3行【身份证号码】" in err
    assert "第4行【房屋用途】" in err
    assert "2处错误" in str(error.value)
    assert not Household.objects.exists()
    assert not HouseholdImport.objects.exists()


def test_command_refuses_an_unusable_file_and_an_unknown_project(project, tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_text("not a workbook")
    with pytest.raises(CommandError, match=r"不是 Excel \.xlsx 格式"):
        call_command("import_households", "--project", project.code, str(path))
    with pytest.raises(CommandError, match="没有编号为 NOPE 的项目"):
        call_command("import_households", "--project", "NOPE", str(path))
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("import_households", "--project", project.code, str(tmp_path / "x.xlsx"))


def test_command_exit_status_is_zero_on_success_and_non_zero_on_errors(
    project, tmp_path, capsys, monkeypatch
):
    good = write_file(tmp_path, [good_row(1)], "good.xlsx")
    bad = write_file(tmp_path, [good_row(2, area="-1")], "bad.xlsx")
    # run_from_argv closes the database connections when it is done; keep the test's open.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    argv = ["manage.py", "import_households", "--project", project.code]
    ManagementUtility([*argv, str(good)]).execute()  # returns: exit status 0
    with pytest.raises(SystemExit) as exit_:
        ManagementUtility([*argv, str(bad)]).execute()
    assert exit_.value.code == 1
    assert "第2行【建筑面积（平方米）】建筑面积应大于0。" in capsys.readouterr().err
    assert project.households.count() == 1


def test_household_file_can_be_read_from_a_plain_django_file(project, tmp_path):
    path = write_file(tmp_path, [good_row(1)])
    with path.open("rb") as handle:
        result = imports.check_household_file(project=project, file=File(handle, name="x.xlsx"))
    assert result.is_valid


def test_command_finds_the_project_whatever_the_case_of_its_code(project, district, capsys):
    """QA: `--project 2022-sq-001` was refused for 2022-SQ-001. The exact spelling wins where
    two codes differ only in case; with neither spelled so, the command names both."""
    from pathlib import Path

    from tests.factories import ProjectFactory

    case = Path(__file__).parent / "cases" / "v01_padded_names.xlsx"
    call_command("import_households", "--project", project.code.lower(), str(case))
    assert project.households.count() > 0

    other = ProjectFactory(district=district, code="2022-sq-001")
    call_command("import_households", "--project", "2022-sq-001", str(case))
    assert other.households.count() == project.households.count()
    with pytest.raises(
        CommandError, match="有多个项目的编号只是大小写不同（2022-SQ-001、2022-sq-001）"
    ):
        call_command("import_households", "--project", "2022-Sq-001", str(case))
