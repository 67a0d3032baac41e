"""What residents see of data offices typed their own way (issue 13): padded names masked by
their parts on the published hardship-subsidy notice, and a household whose ID number was
typed in full-width digits finding its record with the six characters on its card."""

import io
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from compensation import services as compensation_services
from projects import imports
from projects import services as project_services
from tests.compensation.factories import (
    agreement_request,
    approve_plan,
    finance,
    funded,
    leader,
    ready_to_sign,
    reviewer,
)
from tests.factories import put_at_stage, resident_id, sign_off_and_publish, staff

pytestmark = pytest.mark.django_db

CASES = Path(__file__).parent.parent / "projects" / "cases"


@pytest.fixture(autouse=True)
def _media_and_cache(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()


def import_file(project, tmp_path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    call_command("import_households", "--project", project.code, str(path), stderr=io.StringIO())


def padded_hardship_sheet() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(imports.HEADERS))
    padded = ["张\u3000三", "李  四", " 王\u00a0五 ", "欧阳\u3000娜", "赵\u200b六"]
    for n, name in enumerate(padded, start=1):
        number = resident_id(n, born="19650101")
        sheet.append([f"D{n:02d}", name, number, "", f"样例路{n}号", "住宅", 80, "低保", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_the_published_hardship_notice_of_padded_names_shows_only_surnames(
    client, project, tmp_path
):
    import_file(project, tmp_path, "hardship.xlsx", padded_hardship_sheet())
    assert set(project.households.values_list("head_name", flat=True)) == {
        "张三",
        "李四",
        "王五",
        "欧阳娜",
        "赵六",
    }
    approve_plan(project)
    put_at_stage(project, "signing")  # subsidies are registered and posted from 签约 on
    office = staff(username="subsidy-clerk")
    compensation_services.register_subsidies(project=project, by=office)
    notice = compensation_services.post_subsidy_notice(project=project, by=office)
    sign_off_and_publish(notice, on=date(2022, 5, 9))

    html = client.get(reverse("public:notice_detail", args=[notice.pk])).content.decode()
    for masked in ("D01 张*", "D02 李*", "D03 王*", "D04 欧阳*", "D05 赵*"):
        assert masked in html
    for leak in ("张*三", "李**四", "李*四", "王*五", "欧*娜", "赵*六"):
        assert leak not in html


@pytest.mark.parametrize("typed", ["18474X", "18474x", "１８４７４Ｘ", "１８４７４ｘ"])
def test_a_household_whose_id_was_typed_full_width_finds_its_record(
    client, project, tmp_path, typed
):
    import_file(project, tmp_path, "v02.xlsx", (CASES / "v02_fullwidth_id.xlsx").read_bytes())
    project.started_on = date(2022, 3, 1)
    project.save(update_fields=["started_on"])
    response = client.post(
        reverse("public:lookup"), {"project": project.pk, "code": "V02-003", "id_tail": typed}
    )
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == reverse("public:lookup_result")
    html = client.get(response["Location"]).content.decode()
    assert "吴国平" in html


def _figures(client) -> tuple[str, str]:
    """The project's household count on its public page and its area on the public home."""
    page = client.get(reverse("public:project_detail", args=["2022-SQ-001"])).content.decode()
    count = re.search(r'被征收户</span><span class="card-value">([^<]+)<', page).group(1)
    home = client.get(reverse("public:home")).content.decode()
    area = re.search(r'data-label="面积（平方米）">([^<]+)</td>', home).group(1)
    return count, area


def test_the_public_pages_count_households_imported_and_signed_after_they_were_cached(
    client, project, tmp_path, django_capture_on_commit_callbacks
):
    project.started_on = date(2022, 3, 1)
    project.save(update_fields=["started_on"])
    assert _figures(client) == ("0", "0.00")  # both pages now cached for visitors
    book = openpyxl.Workbook()
    book.active.append(list(imports.HEADERS))
    book.active.append(["C01", "张测", resident_id(1), "", "样例路1号", "住宅", 80.5, "", ""])
    book.active.append(["C02", "李测", resident_id(2), "", "样例路2号", "住宅", 19.5, "", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    with django_capture_on_commit_callbacks(execute=True):
        import_file(project, tmp_path, "two.xlsx", buffer.getvalue())
    assert _figures(client) == ("2", "100.00")
    office = staff(username="signing-clerk")
    household = project.households.get(code="C02")
    with django_capture_on_commit_callbacks(execute=True):
        project_services.update_household(household=household, by=office, area=Decimal("20.25"))
    assert _figures(client) == ("2", "100.75")
    # Signing: a household made ready by the factories (no service: the cache is cleared).
    ready = ready_to_sign(project, code="S01", area=Decimal("30.00"))
    cache.clear()
    signed = '已签约面积（平方米）</span><span class="card-value">30.00<'
    page = reverse("public:project_detail", args=[project.code])
    assert signed not in client.get(page).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        compensation_services.sign_agreement(
            agreement=ready.agreements.get(), by=office, signed_on=date(2022, 5, 9)
        )
    assert signed in client.get(page).content.decode()
    # A payment to the household: what the project's funds paid.
    agreement = compensation_services.approve_agreement(
        agreement=ready.agreements.get(), by=reviewer()
    )
    fund = funded(project, "50000.00")
    request = agreement_request(fund, agreement, "1000.00", by=finance(username="payment-clerk"))
    cache.clear()
    paid = 'data-label="已支付补偿（元）">1,000.00</td>'
    assert paid not in client.get(reverse("public:home")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        compensation_services.approve_disbursement(request=request, approved_by=leader())
    assert paid in client.get(reverse("public:home")).content.decode()
