"""The stock list import through its pages: template, upload → preview → confirm, row errors in
Chinese naming row and column, and nothing saved when one row is wrong."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from resettlement.imports import HEADERS
from resettlement.models import Building, Estate, Flat, FlatPrice, StockImport
from tests.resettlement.helpers import make_estate

pytestmark = pytest.mark.django_db

GOOD = [
    # In the order of HEADERS: 小区 … 类别.
    [
        "江畔安置小区",
        "1栋",
        "1",
        1,
        "101",
        89.5,
        "三室两厅",
        "南",
        "现房",
        None,
        6200,
        3800,
        date(2022, 1, 1),
        "安置房",
    ],
    [
        "江畔安置小区",
        "1栋",
        "1",
        6,
        "602",
        "120.00",
        "四室两厅",
        "南北",
        "现房",
        None,
        "6300.50",
        "3900",
        "2022-01-01",
        None,
    ],
    [
        "江畔安置小区",
        "2栋",
        "",
        3,
        "301",
        60,
        "两室一厅",
        "东",
        "期房",
        "2024/6/30",
        None,
        None,
        None,
        "周转房",
    ],
]


def workbook(rows, headers=HEADERS) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, content, district, name="房源.xlsx"):
    return client.post(
        reverse("resettlement:stock_import_create"),
        {"file": SimpleUploadedFile(name, content), "district": district.pk},
    )


def test_template_has_the_contract_columns(client, office_user):
    client.force_login(office_user)
    response = client.get(reverse("resettlement:stock_template"))
    sheet = openpyxl.load_workbook(BytesIO(response.content)).active
    assert [cell.value for cell in sheet[1]] == list(HEADERS)
    assert HEADERS[0] == "小区" and HEADERS[-1] == "类别"


def test_a_good_list_is_previewed_then_saved_whole(client, office_user, district):
    client.force_login(office_user)
    response = upload(client, workbook(GOOD), district)
    record = StockImport.objects.get()
    assert response.url == reverse("resettlement:stock_import_detail", args=[record.pk])
    assert record.status == StockImport.Status.VALIDATED
    page = client.get(response.url).content.decode()
    assert "文件检查通过，共 3 套房源" in page and "将新登记小区：江畔安置小区" in page
    assert not Flat.objects.exists()  # nothing before the confirmation
    confirmed = client.post(
        reverse("resettlement:stock_import_confirm", args=[record.pk]), follow=True
    )
    assert "已导入3套房源。" in confirmed.content.decode()
    estate = Estate.objects.get(name="江畔安置小区")
    assert estate.district == district
    one = Building.objects.get(estate=estate, name="1栋")
    two = Building.objects.get(estate=estate, name="2栋")
    assert (one.delivery, one.floors) == ("finished", 6)
    assert (two.delivery, two.expected_delivery_on, two.floors) == (
        "off_plan",
        date(2024, 6, 30),
        3,
    )
    flat = Flat.objects.get(building=one, number="101")
    assert (flat.area, flat.kind, flat.state) == (Decimal("89.50"), "resettlement", "free")
    assert Flat.objects.get(building=two).kind == "transit"
    price = FlatPrice.objects.get(flat__number="602")
    assert (price.market_price, price.resettlement_price) == (
        Decimal("6300.50"),
        Decimal("3900.00"),
    )
    assert FlatPrice.objects.count() == 2
    assert flat.history.get().history_user == office_user
    again = client.post(reverse("resettlement:stock_import_confirm", args=[record.pk]), follow=True)
    assert "该文件已经导入，不能重复导入。" in again.content.decode()
    assert Flat.objects.count() == 3


def test_row_errors_name_row_and_column_and_nothing_is_saved(client, office_user, district):
    make_estate(district, name="桃源安置小区", floors=6)
    rows = [
        GOOD[0],
        # row 3: area with three decimals
        [
            "江畔安置小区",
            "1栋",
            "1",
            2,
            "201",
            "89.505",
            "",
            "",
            "现房",
            None,
            None,
            None,
            None,
            None,
        ],
        # row 4: 期房 without its date
        ["江畔安置小区", "3栋", "1", 2, "201", 70, "", "", "期房", None, None, None, None, None],
        # row 5: same flat as row 2
        ["江畔安置小区", "1栋", "1", 1, "101", 70, "", "", "现房", None, None, None, None, None],
        # row 6: 安置价 above 市场价
        [
            "江畔安置小区",
            "1栋",
            "1",
            3,
            "301",
            70,
            "",
            "",
            "现房",
            None,
            5000,
            5000.01,
            "2022-01-01",
            None,
        ],
        # row 7: a flat registered already; row 8: a floor above the existing building
        ["桃源安置小区", "1栋", "1", 1, "101", 70, "", "", "现房", None, None, None, None, None],
        ["桃源安置小区", "1栋", "1", 7, "701", 70, "", "", "现房", None, None, None, None, None],
        # row 9: an unknown kind, a price without its date
        [
            "江畔安置小区",
            "1栋",
            "1",
            4,
            "401",
            70,
            "",
            "",
            "现房",
            None,
            5000,
            3000,
            None,
            "商品房",
        ],
    ]
    client.force_login(office_user)
    response = upload(client, workbook(rows), district)
    record = StockImport.objects.get()
    assert record.status == StockImport.Status.FAILED
    assert [(e["row"], e["column"]) for e in record.errors] == [
        (3, "建筑面积（平方米）"),
        (4, "预计交付日期"),
        (5, "房号"),
        (6, "安置价（元/平方米）"),
        (7, "房号"),
        (8, "楼层"),
        (9, "类别"),
    ]
    messages = [e["message"] for e in record.errors]
    assert messages[0] == "建筑面积最多保留两位小数。"
    assert messages[2] == "江畔安置小区1栋1单元101与第2行重复。"
    assert messages[3] == "安置价（优惠价）5000.01不能高于市场价5000.00。"
    assert messages[4] == "桃源安置小区1栋1单元101已登记，不能重复导入。"
    assert messages[5] == "桃源安置小区1栋共6层，没有第7层。"
    assert messages[6] == "类别“商品房”无效，应为：安置房、周转房。"
    page = client.get(response.url).content.decode()
    assert "文件中有 7 处错误，没有导入任何数据" in page
    assert "确认导入" not in page
    assert not Estate.objects.filter(name="江畔安置小区").exists()
    assert Flat.objects.count() == 24  # the estate made above, nothing more
    refused = client.post(
        reverse("resettlement:stock_import_confirm", args=[record.pk]), follow=True
    )
    assert "该文件有错误，不能导入" in refused.content.decode()


def test_a_flat_registered_after_the_preview_fails_the_confirmation_whole(
    client, office_user, district
):
    client.force_login(office_user)
    upload(client, workbook(GOOD), district)
    record = StockImport.objects.get()
    estate = Estate.objects.create(name="江畔安置小区", district=district)
    building = Building.objects.create(
        estate=estate,
        name="2栋",
        floors=18,
        delivery="off_plan",
        expected_delivery_on=date(2024, 6, 30),
    )
    Flat.objects.create(building=building, unit="", floor=3, number="301", area=Decimal("60"))
    client.post(reverse("resettlement:stock_import_confirm", args=[record.pk]))
    record.refresh_from_db()
    assert record.status == StockImport.Status.FAILED
    assert record.errors[0]["row"] == 4 and "已登记" in record.errors[0]["message"]
    assert Flat.objects.count() == 1 and not Building.objects.filter(name="1栋").exists()


def test_a_file_that_is_not_a_workbook_is_refused_on_the_form(client, office_user, district):
    client.force_login(office_user)
    response = upload(client, b"not a workbook at all" * 10, district, name="stock.xlsx")
    assert "不是 Excel .xlsx 格式" in response.content.decode()
    assert not StockImport.objects.exists()
    empty = upload(client, b"", district)
    assert "文件是空的，请选择填好的房源清单。" in empty.content.decode()


def test_a_missing_required_column_is_named(client, office_user, district):
    client.force_login(office_user)
    headers = [h for h in HEADERS if h != "楼层"]
    response = upload(client, workbook([], headers=headers), district)
    assert "缺少必填的列：楼层" in response.content.decode()


def test_district_users_cannot_import(client, district_member, district):
    client.force_login(district_member)
    response = upload(client, workbook(GOOD), district)
    assert response.status_code == 403
    assert not StockImport.objects.exists()


# --- the import_flats command: the page's check and save from the command line ----------------


def test_the_command_imports_a_good_list_whole_like_the_page(district, tmp_path, monkeypatch):
    from django.core.management import ManagementUtility
    from django.db import connections

    path = tmp_path / "房源.xlsx"
    path.write_bytes(workbook(GOOD))
    # run_from_argv closes the database connections when it is done; keep the test's open.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    ManagementUtility(
        ["manage.py", "import_flats", "--district", district.code, str(path)]
    ).execute()  # returns: exit status 0
    assert Flat.objects.count() == 3
    assert Estate.objects.get(name="江畔安置小区").district == district
    assert FlatPrice.objects.count() == 2
    flat = Flat.objects.get(number="101")
    assert flat.history.first().history_change_reason == "房源清单导入"


def test_the_command_names_row_errors_exits_non_zero_and_saves_nothing(
    district, tmp_path, monkeypatch, capsys
):
    from django.core.management import ManagementUtility
    from django.db import connections

    bad = [GOOD[0], [*GOOD[1][:5], "89.505", *GOOD[1][6:]], GOOD[0]]
    path = tmp_path / "bad.xlsx"
    path.write_bytes(workbook(bad))
    monkeypatch.setattr(connections, "close_all", lambda: None)
    with pytest.raises(SystemExit) as exit_:
        ManagementUtility(
            ["manage.py", "import_flats", "--district", district.code, str(path)]
        ).execute()
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert "第3行【建筑面积（平方米）】" in err
    assert "第4行【房号】江畔安置小区1栋1单元101与第2行重复。" in err
    assert "文件中有2处错误，没有导入任何数据。" in err
    assert not Flat.objects.exists() and not Estate.objects.exists()


def test_the_command_refuses_an_unknown_district(tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    path = tmp_path / "房源.xlsx"
    path.write_bytes(workbook(GOOD))
    with pytest.raises(CommandError, match="没有代码为 nowhere 的区县。"):
        call_command("import_flats", "--district", "nowhere", str(path))
    assert not Flat.objects.exists()


def test_a_unit_written_with_its_word_is_kept_as_its_number(client, office_user, district):
    """A clerk writes 单元 “1单元”: the flat is registered in unit 1, so the pages and the row
    errors print 1单元101 (not 1单元单元101), and the file's 1单元 and 1 are the same unit."""
    client.force_login(office_user)
    first = [*GOOD[0]]
    first[2] = "1单元"
    same = [*GOOD[0]]
    same[2] = "1"
    response = upload(client, workbook([first, same]), district)
    page = client.get(response.url).content.decode()
    assert "江畔安置小区1栋1单元101与第2行重复。" in page
    assert "单元单元" not in page
    response = upload(client, workbook([first]), district, name="房源2.xlsx")
    record = StockImport.objects.get(status=StockImport.Status.VALIDATED)
    client.post(reverse("resettlement:stock_import_confirm", args=[record.pk]))
    assert Flat.objects.get().unit == "1"
    assert str(Flat.objects.get()).endswith("1栋1单元101")


def test_a_refused_list_shows_every_data_row_read_and_how_many_are_wrong(
    client, office_user, district
):
    """A refused file of 9 data rows (and a 合计 row, not data) says 数据行数 9, not 0."""
    client.force_login(office_user)
    good = [[*GOOD[0][:4], f"{n}01", *GOOD[0][5:]] for n in range(1, 7)]
    wrong = [
        [*GOOD[0][:4], "701", "很大", *GOOD[0][6:]],  # area not a number
        [*GOOD[0][:4], "801", -1, *GOOD[0][6:]],  # area not positive
        [*GOOD[0][:4], "101", 70, *GOOD[0][6:]],  # same flat as the first row
    ]
    total = ["合计", *[None] * 13]
    response = upload(client, workbook([*good, *wrong, total]), district)
    record = StockImport.objects.get()
    assert record.status == StockImport.Status.FAILED
    assert record.row_count == 9
    page = client.get(response.url).content.decode()
    assert '<dd id="row-count">9</dd>' in page
    assert '<dt>有错误的行数</dt><dd id="error-rows">3</dd>' in page
    assert "文件中有 3 处错误" in page


def test_the_preview_shows_every_saved_column_with_the_orientation(client, office_user, district):
    client.force_login(office_user)
    response = upload(client, workbook(GOOD), district)
    page = client.get(response.url).content.decode()
    head = page.split("<thead>")[-1].split("</thead>")[0]
    assert "<th>户型</th><th>朝向</th>" in head
    assert "<td>三室两厅</td><td>南</td>" in page and "<td>四室两厅</td><td>南北</td>" in page
    assert "<td>两室一厅</td><td>东</td>" in page
