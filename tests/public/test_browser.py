from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from projects.models import Household, Notice


@pytest.mark.django_db(transaction=True)
def test_a_visitor_reads_the_disclosures_and_a_household_looks_itself_up(live_server, page: Page):
    call_command("load_demo", "--with-report", stdout=StringIO())
    second_list = Notice.objects.published().filter(kind="second_list").first()
    project = second_list.project

    page.goto(f"{live_server.url}/public/")
    page.get_by_role("link", name=project.name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(project.name)
    page.get_by_role("link", name=second_list.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(second_list.title)

    page.get_by_role("link", name="评估机构信用名录").click()
    expect(page.get_by_role("table")).to_contain_text("信用等级")

    page.get_by_role("link", name="绩效自评报告").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="自评报告（PDF）").first.click()
    assert download.value.suggested_filename == "2022年度整体支出绩效自评报告.pdf"
    assert download.value.path().read_bytes().startswith(b"%PDF")

    household = Household.objects.filter(project=project).order_by("code")[1]
    page.get_by_role("link", name="被征收户查询").click()
    page.get_by_label("征收项目").select_option(str(project.pk))
    page.get_by_label("户号").fill(household.code)
    page.get_by_label("身份证号码后六位").fill(household.id_number[-6:])
    page.get_by_role("button", name="查询").click()
    own = page.locator("tr.own-row")
    expect(own).to_contain_text(household.head_name)
    neighbour = Household.objects.filter(project=project).order_by("code")[0]
    table = page.locator("table").last
    expect(table).not_to_contain_text(neighbour.head_name)
    expect(table).to_contain_text(neighbour.head_name[0] + "*")
