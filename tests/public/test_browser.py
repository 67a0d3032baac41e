import pytest
from django.db import transaction
from playwright.sync_api import Page, expect

from projects.models import Household, Notice


def load_the_public_sites_demo():
    """The parts of `load_demo --with-report` the public site shows (the projects, their
    notices and households, the appraisers' credit list, the published 2022 report, the
    policies), in load_demo's order: a quarter of the whole demo's cost. The test is
    transactional (the live server must see the rows), so it cannot read the session's demo."""
    from appraisers import demo as appraisers_demo
    from budget import demo as budget_demo
    from core import demo as core_demo
    from projects import demo as projects_demo
    from public import demo as public_demo

    with transaction.atomic():
        core_demo.load()
        projects_demo.load()
        appraisers_demo.load()
        budget_demo.load()
    assert budget_demo.publish_report() is not None
    public_demo.load()


@pytest.mark.django_db(transaction=True)
def test_a_visitor_reads_the_disclosures_and_a_household_looks_itself_up(live_server, page: Page):
    load_the_public_sites_demo()
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
