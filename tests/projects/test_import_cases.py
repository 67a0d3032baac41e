"""The residents' data cases (issue 13): sheets shaped like the ones offices keep, each
imported through the page (upload, preview, confirm) and through `import_households`;
both ways must give the result the case's manifest states.

The case files are copied from ../shared/cases/residents/ into tests/projects/cases/. The
tests further down generate more inputs of each kind, so that the rule is tested, not the file.
"""

import io
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from core.masking import mask_name
from projects import imports
from projects.models import Household, HouseholdImport
from tests.auth import login
from tests.factories import fullwidth, resident_id
from tests.projects.test_imports import workbook

pytestmark = pytest.mark.django_db

CASES = Path(__file__).with_name("cases")
MANIFEST = json.loads((CASES / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PHONE_AREA_CODE = "0739"


def through_page(client, project, name: str, data: bytes) -> dict:
    """Upload, read the preview, confirm: what the page said at each step."""
    login(client, "district")
    response = client.post(
        reverse("projects:import_create", args=[project.pk]),
        {"file": SimpleUploadedFile(name, data, content_type=imports.XLSX_CONTENT_TYPE)},
    )
    if response.status_code == 200:  # the form again, with the file's error
        return {"refused": response.content.decode(), "warnings": ""}
    preview = client.get(response["Location"]).content.decode()
    record = HouseholdImport.objects.latest("pk")
    client.post(reverse("projects:import_confirm", args=[record.pk]))
    record.refresh_from_db()
    assert record.status == HouseholdImport.Status.IMPORTED, record.errors
    return {"refused": "", "warnings": preview}


def through_command(project, name: str, data: bytes, tmp_path) -> dict:
    path = tmp_path / name
    path.write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(
            "import_households", "--project", project.code, str(path), stdout=out, stderr=err
        )
    except CommandError as error:
        return {"refused": str(error) + err.getvalue(), "warnings": ""}
    return {"refused": "", "warnings": err.getvalue(), "out": out.getvalue()}


def run(way: str, client, project, name: str, data: bytes, tmp_path) -> dict:
    if way == "page":
        return through_page(client, project, name, data)
    return through_command(project, name, data, tmp_path)


def stored(project, code: str) -> Household:
    return project.households.get(code=code)


WAYS = ["page", "command"]


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_every_case_file_gives_the_result_its_manifest_states(
    client, district_member, project, tmp_path, name, way
):
    expected = MANIFEST[name]
    outcome = run(way, client, project, name, (CASES / name).read_bytes(), tmp_path)
    if expected["expect"] == "refuse":
        assert outcome["refused"]
        assert not project.households.exists()
    else:
        assert outcome["refused"] == ""
        assert project.households.count() == expected["rows"]
    CHECKS[name](project, outcome)


def _v01(project, outcome):
    assert stored(project, "V01-004").head_name == "张三"
    assert stored(project, "V01-005").head_name == "李四"
    assert mask_name(stored(project, "V01-004").head_name) == "张*"
    assert mask_name(stored(project, "V01-005").head_name) == "李*"


def _v02(project, outcome):
    assert stored(project, "V02-003").id_number == "43050219730118474X"


def _v03(project, outcome):
    assert stored(project, "V03-003").id_number == "430502197111070661"


def _v04(project, outcome):
    household = stored(project, "V04-002")
    assert household.id_number == "43050219930718394X"
    assert household.head_name == "黄丽华"
    assert household.address == "邵阳市双清区样例路2号7栋"
    assert household.phone == "17962075111"


def _v05(project, outcome):
    assert not project.households.filter(code__contains="合计").exists()
    assert "合计" in outcome["warnings"] and "已跳过" in outcome["warnings"]


def _v06(project, outcome):
    phones = dict(project.households.values_list("code", "phone"))
    assert phones == {
        "V06-001": "13812345678",
        "V06-002": "13987654321",
        "V06-003": "13711112222",
        "V06-004": "0739-5123456",
        "V06-005": "0739-5123456转8012",
        "V06-006": "0739-5123456",
        "V06-007": "13812345678",
    }
    assert "0739-5234567" in stored(project, "V06-007").note
    assert "已移到备注" in outcome["warnings"] and "0739-5234567" in outcome["warnings"]


def _v07(project, outcome):
    assert set(project.households.values_list("code", flat=True)) >= {"V07-001", "V07-002"}
    assert "V07-001" in outcome["warnings"] and "V07-002" in outcome["warnings"]
    assert "两处房屋" in outcome["warnings"]


def _v08(project, outcome):
    assert "地区代码" not in outcome["warnings"]


def _v09(project, outcome):
    masked = {mask_name(name) for name in project.households.values_list("head_name", flat=True)}
    assert "欧阳*" in masked and "欧*娜" not in masked
    assert "司马*明" in masked
    [dotted] = [m for m in masked if "·" in m]
    assert "阿依古丽" not in dotted and "买买提" not in dotted


def _v10(project, outcome):
    assert "启用宏" in outcome["refused"]


CHECKS = {
    "v01_padded_names.xlsx": _v01,
    "v02_fullwidth_id.xlsx": _v02,
    "v03_id_ideographic_space.xlsx": _v03,
    "v04_column_order.xlsx": _v04,
    "v05_totals_row.xlsx": _v05,
    "v06_phones.xlsx": _v06,
    "v07_one_owner_two_houses.xlsx": _v07,
    "v08_old_region_codes.xlsx": _v08,
    "v09_name_shapes.xlsx": _v09,
    "v10_macro.xlsm": _v10,
}


# ---------------------------------------------------------------------------
# The kinds, with generated inputs

HEADERS = list(imports.HEADERS)


def sheet(rows, header=HEADERS, above=()) -> bytes:
    return workbook(rows, header=header, above=above)


def row(n: int, **overrides) -> list:
    values = {
        "户号": f"K{n:03d}",
        "户主姓名": f"测试{n}",
        "身份证号码": resident_id(n, born="19980101"),
        "联系电话": f"139{n:08d}",
        "房屋坐落": f"双清区测试路{n}号",
        "房屋用途": "住宅",
        "建筑面积（平方米）": "80.00",
        "困难类型": "",
        "备注": "",
    }
    values.update(overrides)
    return [values[header] for header in HEADERS]


INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e"]
SPACES = [" ", "\u3000", "\u00a0", "\u2002", "\u2009", "\u202f", "\t"]


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize(
    "typed",
    [
        *(lambda n, c=c: n[:6] + c + n[6:14] + c + n[14:] for c in INVISIBLE + SPACES),
        lambda n: fullwidth(n),
        lambda n: fullwidth(n.lower()),
        lambda n: " " + n.lower() + "\u3000",
    ],
    ids=[*(f"U+{ord(c):04X}" for c in INVISIBLE + SPACES), "fullwidth", "fullwidth-x", "pad"],
)
def test_an_id_number_in_any_typed_form_is_stored_in_ascii(
    client, district_member, project, tmp_path, way, typed
):
    number = next(
        resident_id(n, born="19750101")
        for n in range(1000)
        if resident_id(n, born="19750101").endswith("X")
    )
    data = sheet([row(1, 身份证号码=typed(number)), row(2)])
    outcome = run(way, client, project, "ids.xlsx", data, tmp_path)
    assert outcome["refused"] == ""
    assert stored(project, "K001").id_number == number


@pytest.mark.parametrize(
    ("typed", "cause"),
    [
        ("430502\u200b19980101001", "不可见字符"),  # 17 digits once the invisible one goes
        (fullwidth("43050219980101001"), "全角字符"),
        ("43050219980101\u30000012", "空格"),
    ],
)
def test_an_invalid_id_number_error_names_the_real_cause(project, typed, cause):
    result = imports.check_household_file(
        project=project, file=SimpleUploadedFile("x.xlsx", sheet([row(1, 身份证号码=typed)]))
    )
    [error] = result.errors
    assert cause in error["message"]
    assert "应为18位" in error["message"] or "校验位" in error["message"]


def test_a_right_check_digit_typed_full_width_is_not_called_wrong(project):
    number = resident_id(7, born="19700101")
    typed = number[:-1] + fullwidth(number[-1])
    result = imports.check_household_file(
        project=project, file=SimpleUploadedFile("x.xlsx", sheet([row(1, 身份证号码=typed)]))
    )
    assert result.is_valid, result.errors


def test_a_wrong_check_digit_says_which_digit_it_should_be(project):
    number = resident_id(7, born="19700101")
    wrong = number[:-1] + ("1" if number[-1] != "1" else "2")
    result = imports.check_household_file(
        project=project, file=SimpleUploadedFile("x.xlsx", sheet([row(1, 身份证号码=wrong)]))
    )
    [error] = result.errors
    assert f"应为{number[-1]}" in error["message"]


def test_a_first_generation_15_digit_id_asks_for_the_18_digit_number(project):
    result = imports.check_household_file(
        project=project,
        file=SimpleUploadedFile("x.xlsx", sheet([row(1, 身份证号码="430502750101123")])),
    )
    [error] = result.errors
    assert "15位的第一代身份证" in error["message"] and "18位" in error["message"]
    assert "Excel" not in error["message"]


@pytest.mark.parametrize("way", WAYS)
def test_headers_are_matched_by_name_in_any_order_with_aliases_under_a_title(
    client, district_member, project, tmp_path, way
):
    aliases = {
        "户主姓名": "姓名",
        "身份证号码": "证件号码",
        "联系电话": "电话",
        "建筑面积（平方米）": "面积",
    }
    order = [7, 0, 5, 3, 1, 8, 2, 6, 4]
    header = ["序号"] + [aliases.get(HEADERS[i], HEADERS[i]) for i in order]
    rows = [[n] + [row(n)[i] for i in order] for n in (1, 2, 3)]
    data = sheet(
        rows, header=header, above=[["六岭棚改项目被征收户调查登记表"], ["填报单位：双清区征收办"]]
    )
    outcome = run(way, client, project, "aliases.xlsx", data, tmp_path)
    assert outcome["refused"] == ""
    household = stored(project, "K002")
    assert (household.head_name, household.phone) == ("测试2", "13900000002")
    assert household.id_number == resident_id(2, born="19980101")


@pytest.mark.parametrize("label", ["合计", "小计", "总计", "合 计", "合计："])
def test_total_rows_are_skipped_with_a_warning(project, label):
    data = sheet([row(1), row(2), [label, None, None, None, None, None, 160, None, None]])
    result = imports.check_household_file(project=project, file=SimpleUploadedFile("t.xlsx", data))
    assert result.is_valid, result.errors
    assert result.row_count == 2
    assert any("已跳过" in w["message"] and w["row"] == 4 for w in result.warnings)


@pytest.mark.parametrize(
    ("typed", "stored_as"),
    [
        ("138-1234-5678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        (fullwidth("13812345678"), "13812345678"),
        ("138\u20141234\u20145678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("0086-13812345678", "13812345678"),
        ("(0739)5123456", "0739-5123456"),
        ("（０７３９）５１２３４５６", "0739-5123456"),
        ("0739 5123456", "0739-5123456"),
        ("010-12345678", "010-12345678"),
        ("0739-5123456转8012", "0739-5123456转8012"),
        ("0739-5123456 分机 12", "0739-5123456转12"),
        ("5123456", "0739-5123456"),
        ("51234567", "0739-51234567"),
    ],
)
def test_phones_as_offices_write_them_are_normalised(project, typed, stored_as):
    result = imports.check_household_file(
        project=project, file=SimpleUploadedFile("p.xlsx", sheet([row(1, 联系电话=typed)]))
    )
    assert result.is_valid, result.errors
    assert result.households[0].phone == stored_as


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize(
    ("typed", "stored_as"),
    [
        ("0739-5123456-8012", "0739-5123456转8012"),
        ("(0739)5123456-12", "0739-5123456转12"),
        ("010-12345678-123456", "010-12345678转123456"),
    ],
)
def test_a_landline_extension_after_a_second_hyphen_is_kept(
    client, district_member, project, tmp_path, way, typed, stored_as
):
    """0739-5123456-8012 is how many offices write 转8012: not a wrong count of digits."""
    data = sheet([row(1, 联系电话=typed)])
    outcome = run(way, client, project, "ext.xlsx", data, tmp_path)
    assert outcome["refused"] == ""
    assert project.households.get().phone == stored_as


@pytest.mark.parametrize(
    "typed",
    [
        "1381234567",
        "138123456789",
        "0739-51234",
        "123",
        "电话没有",
        "0739-512345-8012",
        "138-1234-5678-12",
    ],
)
def test_a_phone_with_a_wrong_count_of_digits_stays_an_error(project, typed):
    result = imports.check_household_file(
        project=project, file=SimpleUploadedFile("p.xlsx", sheet([row(1, 联系电话=typed)]))
    )
    [error] = result.errors
    assert error["column"] == "联系电话"


@pytest.mark.parametrize("separator", ["、", ",", "，", ";", "/", " ", " 或 "])
def test_a_second_phone_goes_to_the_note_with_a_warning(project, separator):
    data = sheet([row(1, 联系电话=f"13812345678{separator}0739-5234567", 备注="二楼")])
    result = imports.check_household_file(project=project, file=SimpleUploadedFile("p.xlsx", data))
    assert result.is_valid, result.errors
    household = result.households[0]
    assert household.phone == "13812345678"
    assert household.note == "二楼；其他电话：0739-5234567"
    assert any("已移到备注" in w["message"] for w in result.warnings)


@pytest.mark.parametrize("born", ["19520615", "19610615", "19800101", "20050101"])
def test_old_region_codes_that_existed_when_the_number_was_issued_raise_no_warning(project, born):
    rows = [
        row(n, 身份证号码=resident_id(n, region=region, born=born))
        for n, region in enumerate(["430502", "430503", "430511", "430521"], start=1)
    ]
    result = imports.check_household_file(
        project=project, file=SimpleUploadedFile("r.xlsx", sheet(rows))
    )
    assert result.is_valid, result.errors
    assert not [w for w in result.warnings if "地区代码" in w["message"]]


@pytest.mark.parametrize(
    ("region", "born"),
    [("430582", "19800101"), ("439999", "19800101"), ("110103", "20150101")],
    ids=["created-2019", "never-existed", "retired-2010"],
)
def test_a_region_code_that_never_existed_while_the_number_could_be_issued_is_warned(
    project, region, born
):
    data = sheet([row(1, 身份证号码=resident_id(1, region=region, born=born))])
    result = imports.check_household_file(project=project, file=SimpleUploadedFile("r.xlsx", data))
    assert result.is_valid, result.errors
    assert any(f"地区代码{region}" in w["message"] for w in result.warnings)


@pytest.mark.parametrize("name", ["book.xlsm", "book.xltm", "renamed.xlsx"])
def test_macro_enabled_workbooks_are_refused_whatever_their_name(project, name):
    data = (CASES / "v10_macro.xlsm").read_bytes()
    with pytest.raises(imports.ValidationError) as error:
        imports.read_household_rows(SimpleUploadedFile(name, data))
    assert "启用宏" in error.value.messages[0]


def test_a_sheet_whose_parts_declare_more_than_the_setting_is_refused_before_parsing(
    project, settings
):
    import zipfile

    settings.HOUSEHOLD_IMPORT_MAX_UNPACKED_MB = 1
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(sheet([row(1)]))) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            target.writestr(item, source.read(item))
        target.writestr("xl/media/padding.bin", b"\0" * (1024 * 1024))
    with pytest.raises(imports.ValidationError) as error:
        imports.read_household_rows(SimpleUploadedFile("big.xlsx", buffer.getvalue()))
    assert "超过了1MB的上限" in error.value.messages[0]
    settings.HOUSEHOLD_IMPORT_MAX_UNPACKED_MB = 50
    assert imports.read_household_rows(SimpleUploadedFile("big.xlsx", buffer.getvalue()))
