import re
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from openpyxl import load_workbook

from compensation import reports, services
from compensation.models import (
    Agreement,
    DisbursementRequest,
    DocumentTemplate,
    HardshipSubsidy,
    LedgerEntry,
    PriceItem,
)
from core.compiled import logged_sql
from projects.models import Household, Project, Stage
from tests.auth import login
from tests.compensation.factories import (
    agreement_request,
    approve_plan,
    approved_agreement,
    district_request,
    funded,
    valued_household,
)
from tests.factories import HouseholdFactory, ProjectFactory, put_at_stage
from tests.html import row_cells

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def world(project, district_member, finance_user, leader_user):
    """A project of 双清区 with an approved plan, a fund, a paid household with an approved
    agreement, a vulnerable household with its subsidy, a price item, and a pending request."""
    approve_plan(project)
    fund = funded(project, "1000000.00", by=finance_user)
    household = valued_household(project, area="50.00", unit_price="4000.00")
    agreement = approved_agreement(household)
    paid = agreement_request(fund, agreement, "100000.00", by=finance_user, purpose="首付补偿款")
    entry = services.approve_disbursement(request=paid, approved_by=leader_user)
    vulnerable = valued_household(project, hardship="dibao")
    services.register_subsidies(project=project, by=district_member)
    item = services.save_price_item(
        project=project, by=district_member, name="电表", unit="户", unit_price=D("800")
    )
    pending = district_request(fund, "5000.00", by=finance_user)
    return {
        "project": project,
        "fund": fund,
        "household": household,
        "agreement": agreement,
        "entry": entry,
        "vulnerable": vulnerable,
        "subsidy": HardshipSubsidy.objects.get(household=vulnerable),
        "item": item,
        "pending": pending,
    }


def urls(world) -> list[str]:
    p, f, h, a = world["project"].pk, world["fund"].pk, world["household"].pk, world["agreement"].pk
    r, e, i = world["pending"].pk, world["entry"].pk, world["item"].pk
    return [
        reverse("compensation:fund_detail", args=[f]),
        reverse("compensation:deposit_create", args=[f]),
        reverse("compensation:request_create", args=[f]),
        reverse("compensation:ledger_export", args=[f]),
        reverse("compensation:request_detail", args=[r]),
        reverse("compensation:request_approve", args=[r]),
        reverse("compensation:request_reject", args=[r]),
        reverse("compensation:entry_reverse", args=[e]),
        reverse("compensation:fund_open", args=[p]),
        reverse("compensation:project_households", args=[p]),
        reverse("compensation:household_export", args=[p]),
        reverse("compensation:price_list", args=[p]),
        reverse("compensation:price_edit", args=[i]),
        reverse("compensation:household_detail", args=[h]),
        reverse("compensation:household_compute", args=[h]),
        reverse("compensation:household_items", args=[h]),
        reverse("compensation:statement_pdf", args=[h]),
        reverse("compensation:settlement_pdf", args=[h]),
        reverse("compensation:settlement_docx", args=[h]),
        reverse("compensation:agreement_draft", args=[h]),
        reverse("compensation:agreement_detail", args=[a]),
        reverse("compensation:agreement_sign", args=[a]),
        reverse("compensation:agreement_approve", args=[a]),
        reverse("compensation:supplement_create", args=[a]),
        reverse("compensation:agreement_pdf", args=[a]),
        reverse("compensation:agreement_docx", args=[a]),
        reverse("compensation:template_edit", args=[p, "agreement"]),
        reverse("compensation:subsidy_list", args=[p]),
        reverse("compensation:subsidy_register", args=[p]),
        reverse("compensation:subsidy_notice", args=[p]),
        reverse("compensation:cost_accounts", args=[p]),
        reverse("compensation:budget_save", args=[p]),
        reverse("compensation:budget_approve", args=[p]),
        reverse("compensation:final_save", args=[p]),
        reverse("compensation:final_approve", args=[p]),
    ]


GLOBAL_URLS = [
    "compensation:fund_list",
    "compensation:request_list",
    "compensation:reconciliation",
    "compensation:reconciliation_export",
]


def test_anonymous_visitors_are_sent_to_the_login_page(client, world):
    for url in urls(world) + [reverse(name) for name in GLOBAL_URLS]:
        for response in (client.get(url), client.post(url)):
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("login")), url


def test_another_districts_user_gets_404_everywhere(client, world, outsider):
    login(client, "outsider")
    for url in urls(world):
        assert client.get(url).status_code in (404, 405), url
        assert client.post(url).status_code == 404, url


def test_a_district_user_sees_only_their_districts_funds(
    client, world, district_member, other_project, finance_user
):
    funded(other_project, "777.00", by=finance_user)
    login(client, "district")
    html = client.get(reverse("compensation:fund_list")).content.decode()
    assert "六岭棚改" in html
    assert "水利局棚改" not in html
    reconciliation = client.get(reverse("compensation:reconciliation")).content.decode()
    assert "水利局棚改" not in reconciliation
    workbook = load_workbook(
        BytesIO(client.get(reverse("compensation:reconciliation_export")).content)
    )
    names = [row[1] for row in workbook.active.iter_rows(values_only=True)]
    assert "六岭棚改" in names
    assert "水利局棚改" not in names


def test_every_page_renders_for_the_office(client, world, leader_user):
    request_form = reverse("compensation:request_create", args=[world["fund"].pk])
    deposit_form = reverse("compensation:deposit_create", args=[world["fund"].pk])
    login(client, "leader")
    for url in urls(world) + [reverse(name) for name in GLOBAL_URLS]:
        if url not in (request_form, deposit_form):
            response = client.get(url)
            assert response.status_code in (200, 405), (url, response.status_code)
    # Finance staff keep the books: deposits and requests.
    assert client.get(request_form).status_code == 403
    assert client.get(deposit_form).status_code == 403
    client.post(reverse("logout"))
    login(client, "finance")
    assert client.get(request_form).status_code == 200
    assert client.get(deposit_form).status_code == 200
    agreement_form = client.get(f"{request_form}?agreement={world['agreement'].pk}")
    assert "124,600.00" in agreement_form.content.decode()


def _button(html: str, label: str) -> str:
    """The address of the page's link-button labelled `label`."""
    (href,) = re.findall(rf'<a class="button[^"]*" href="([^"]+)">{label}</a>', html)
    return href


def test_finance_records_a_deposit_from_the_fund_page(client, world):
    login(client, "finance")
    fund = world["fund"]
    page = client.get(reverse("compensation:fund_detail", args=[fund.pk])).content.decode()
    form_url = _button(page, "登记归集")
    assert form_url == reverse("compensation:deposit_create", args=[fund.pk])
    form = client.get(form_url)
    assert form.status_code == 200
    assert form.context["form"].initial["received_on"] == timezone.localdate()
    response = client.post(
        form_url,
        {
            "amount": "250000.00",
            "source": "owner",
            "voucher_number": "PZ-2022-088",
            "received_on": "2022-06-30",
            "purpose": "",
        },
        follow=True,
    )
    assert response.redirect_chain == [(fund.get_absolute_url(), 302)]
    assert "已归集250,000.00元" in response.content.decode()
    fund.refresh_from_db()
    assert fund.balance == D("1000000.00") - D("100000.00") + D("250000.00")


def test_a_refused_deposit_stays_on_its_form_with_the_reason(client, world):
    login(client, "finance")
    fund = world["fund"]
    tomorrow = timezone.localdate() + timedelta(days=1)
    data = {"amount": "10.00", "source": "owner", "voucher_number": "PZ-1", "purpose": ""}
    url = reverse("compensation:deposit_create", args=[fund.pk])
    response = client.post(url, data | {"received_on": tomorrow.isoformat()})
    assert response.status_code == 200
    assert "到账日期不能晚于今天。" in response.content.decode()
    response = client.post(url, data | {"amount": "", "received_on": "2022-06-30"})
    assert response.status_code == 200 and response.context["form"].errors["amount"]
    assert 'value="PZ-1"' in response.content.decode()  # what was typed is kept
    fund.refresh_from_db()
    assert fund.balance == D("900000.00")


def _district_request_data(client, url: str, **changes) -> dict:
    """What the 申请划拨 form at `url` posts for 3,000.00 yuan of 工作经费 to the district
    office, with the idempotency key and date the form offers, then `changes` (field: str)."""
    form = client.get(url).context["form"]
    return {
        "idempotency_key": form.initial["idempotency_key"],
        "amount": "3000.00",
        "category": "working",
        "purpose": "区征收办工作经费",
        "paid_on": form.initial["paid_on"].isoformat(),
    } | changes


def test_finance_asks_for_a_district_transfer_from_the_fund_page(client, world):
    login(client, "finance")
    fund = world["fund"]
    page = client.get(reverse("compensation:fund_detail", args=[fund.pk])).content.decode()
    assert "划拨给被征收户的款项，请在该户的补偿页面按已审核的协议或困难补助申请。" in page
    form_url = _button(page, "申请划拨")
    assert form_url == reverse("compensation:request_create", args=[fund.pk])
    response = client.post(form_url, _district_request_data(client, form_url), follow=True)
    assert "划拨申请已提交，等待领导审批。" in response.content.decode()
    assert DisbursementRequest.objects.get(purpose="区征收办工作经费").fund == fund


def test_the_fund_page_lists_the_pending_requests_with_payee_and_requester(
    client, world, finance_user, leader_user
):
    fund, agreement = world["fund"], world["agreement"]
    household_request = agreement_request(
        fund, agreement, "24600.00", by=finance_user, purpose="<b>尾款</b>"
    )
    decided = district_request(fund, "10.00", by=finance_user, purpose="已驳回的申请")
    services.reject_disbursement(request=decided, by=leader_user, note="重复")
    login(client, "leader")
    html = client.get(reverse("compensation:fund_detail", args=[fund.pk])).content.decode()
    panel = html[html.index("待审批的划拨申请") :]
    panel = panel[: panel.index("</table>")]
    cells = [
        [" ".join(cell.split()) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", panel, re.S)
    ]
    newest, oldest = household_request, world["pending"]
    assert cells[1:] == [  # after the header row
        [
            f'<a href="{newest.get_absolute_url()}">#{newest.pk}</a>',
            f"被征收户 {agreement.household.code}",
            "&lt;b&gt;尾款&lt;/b&gt;",
            "24,600.00",
            "钱财务",
        ],
        [
            f'<a href="{oldest.get_absolute_url()}">#{oldest.pk}</a>',
            "区县征收部门",
            "工作经费",
            "5,000.00",
            "钱财务",
        ],
    ]


def test_only_finance_gets_the_deposit_and_request_buttons(client, world, leader_user):
    url = reverse("compensation:fund_detail", args=[world["fund"].pk])
    login(client, "leader")
    page = client.get(url).content.decode()
    assert reverse("compensation:deposit_create", args=[world["fund"].pk]) not in page
    assert reverse("compensation:request_create", args=[world["fund"].pk]) not in page


def test_the_fund_page_reads_the_totals_the_fund_keeps_not_its_entries(
    client, world, finance_user, leader_user
):
    fund = world["fund"]
    # A district payment reversed, and another kept: the totals are net of the reversal.
    reversed_entry = services.approve_disbursement(
        request=district_request(fund, "3000.00", by=finance_user), approved_by=leader_user
    )
    services.reverse_entry(entry=reversed_entry, by=finance_user, reason="账号有误")
    services.approve_disbursement(
        request=district_request(fund, "0.01", by=finance_user), approved_by=leader_user
    )
    fund.refresh_from_db()
    assert fund.deposited == D("1000000.00")
    assert fund.disbursed == D("100000.01")  # the household's 100,000 and the fen
    assert fund.paid_to_households == D("100000.00")
    assert fund.balance == fund.deposited - fund.disbursed
    login(client, "finance")
    url = reverse("compensation:fund_detail", args=[fund.pk])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    html = response.content.decode()
    for figure in ["1,000,000.00", "100,000.01", "899,999.99"]:
        assert figure in html
    # The cards agree with the reconciliation's row of the project.
    (row,) = reports.reconciliation(Project.objects.filter(pk=fund.project_id)).rows
    figures = response.context["figures"]
    for name in ("deposits", "disbursements", "balance", "due", "paid", "unpaid"):
        assert getattr(figures, name) == getattr(row, name), name
    assert row.due > 0 and f"{row.due:,.2f}" in html and f"{row.unpaid:,.2f}" in html
    logged = [logged_sql(q["sql"]) for q in queries]  # its prepared statements' SQL too
    ledger_reads = [sql for sql in logged if 'FROM "compensation_ledgerentry"' in sql]
    # One page of entries; no SUM over the ledger and no COUNT of it.
    assert len(ledger_reads) == 1
    assert "SUM(" not in ledger_reads[0] and "COUNT(" not in ledger_reads[0]


def _ledger_world(world, finance_user, leader_user):
    """The world's fund with a district payment reversed after it: entries 1 (deposit), 2 (the
    household's payment), 3 (the district's payment, reversed) and 4 (its reversal)."""
    fund = world["fund"]
    paid = services.approve_disbursement(
        request=district_request(fund, "3000.00", by=finance_user), approved_by=leader_user
    )
    services.reverse_entry(entry=paid, by=finance_user, reason="账号有误", on=date(2022, 7, 2))
    return LedgerEntry.objects.filter(fund=fund).order_by("sequence")


def test_the_fund_page_shows_each_entry_cell_by_cell(client, world, finance_user, leader_user):
    entries = list(_ledger_world(world, finance_user, leader_user))
    login(client, "finance")
    html = client.get(reverse("compensation:fund_detail", args=[world["fund"].pk])).content
    html = html.decode()

    def recorded(entry):
        return entry.recorded_by.get_full_name()

    deposit, payment, district, reversal = entries
    assert row_cells(html, "1") == [
        "1",
        deposit.occurred_on.isoformat(),
        "归集",
        "财政拨款",
        deposit.voucher_number,
        deposit.purpose,
        "1,000,000.00",
        "",
        "1,000,000.00",
        recorded(deposit),
        Truncator(deposit.hash).chars(11),
        "冲正 冲正",
    ]
    assert row_cells(html, "2") == [
        "2",
        payment.occurred_on.isoformat(),
        "划拨",
        "房屋补偿",
        payment.payee_name,
        "首付补偿款",
        "",
        "100,000.00",
        "900,000.00",
        recorded(payment),
        Truncator(payment.hash).chars(11),
        "冲正 冲正",
    ]
    assert row_cells(html, "3")[2:9] == [
        "划拨 已被第4笔冲正",
        "工作经费",
        district.payee_name,
        "工作经费",
        "",
        "3,000.00",
        "897,000.00",
    ]
    assert row_cells(html, "3")[-1] == ""  # reversed already: no form
    assert row_cells(html, "4")[1:9] == [
        "2022-07-02",
        "冲正 冲正第3笔",
        "工作经费",
        reversal.payee_name,
        reversal.purpose,
        "3,000.00",
        "",
        "900,000.00",
    ]
    assert row_cells(html, "4")[-1] == ""  # a reversal is not reversed
    local = timezone.localtime(reversal.recorded_at).strftime("%Y-%m-%d %H:%M:%S")
    assert f'title="{local}"' in html
    assert f'title="{reversal.hash}"' in html
    assert 'id="entry-4" class="kind-reversal"' in html
    for entry in (deposit, payment):
        assert f'action="{reverse("compensation:entry_reverse", args=[entry.pk])}"' in html
    for entry in (district, reversal):
        assert f'action="{reverse("compensation:entry_reverse", args=[entry.pk])}"' not in html
    # Newest first.
    assert html.index('id="entry-4"') < html.index('id="entry-3"') < html.index('id="entry-1"')

    client.post(reverse("logout"))
    login(client, "leader")  # may see the ledger, may not reverse
    html = client.get(reverse("compensation:fund_detail", args=[world["fund"].pk])).content
    html = html.decode()
    assert len(row_cells(html, "1")) == 11
    assert "entry_reverse" not in html and "冲正原因" not in html


def test_the_fund_pages_rows_escape_what_people_typed(client, world, finance_user, leader_user):
    fund = world["fund"]
    typed = '<b onclick="x()">工作经费</b> & 杂费'
    services.approve_disbursement(
        request=district_request(fund, "10.00", by=finance_user, purpose=typed),
        approved_by=leader_user,
    )
    login(client, "finance")
    html = client.get(reverse("compensation:fund_detail", args=[fund.pk])).content.decode()
    assert typed not in html
    assert "&lt;b onclick=&quot;x()&quot;&gt;工作经费&lt;/b&gt; &amp; 杂费" in html
    # Each reversal form carries the request's CSRF token.
    form = html[html.index('id="entry-3"') :]
    form = form[: form.index("</form>")]
    assert 'name="csrfmiddlewaretoken" value="' in form


def test_a_fund_without_entries_shows_an_empty_ledger(client, project, finance_user):
    fund = funded(project, "0", by=finance_user)
    login(client, "finance")
    for query in ({}, {"page": 3}):
        response = client.get(reverse("compensation:fund_detail", args=[fund.pk]), query)
        assert response.status_code == 200
        assert "暂无账目。" in response.content.decode()


def _deposits(fund, count, *, by):
    for n in range(count):
        services.record_deposit(
            fund=fund,
            by=by,
            amount=D(n + 1),
            source="fiscal",
            voucher_number=f"ZD-{fund.entry_count + n + 1}",
            received_on=date(2022, 2, 1),
        )


def test_the_fund_pages_later_pages_show_older_entries(client, world, finance_user):
    fund = world["fund"]  # 2 entries
    _deposits(fund, 28, by=finance_user)  # 30 in all
    login(client, "finance")
    url = reverse("compensation:fund_detail", args=[fund.pk])

    def sequences(query):
        html = client.get(url, query).content.decode()
        return [int(n) for n in re.findall(r'<tr id="entry-(\d+)"', html)], html

    first, html = sequences({"per_page": 25})
    assert first == list(range(30, 5, -1))
    assert "第 1 / 2 页" in html
    assert sequences({"per_page": 25, "page": 2})[0] == [5, 4, 3, 2, 1]
    assert sequences({"per_page": 25, "page": 9})[0] == [5, 4, 3, 2, 1]  # past the end: last
    assert sequences({"per_page": 25, "page": "x"})[0] == first
    assert sequences({})[0] == list(range(30, 0, -1))  # 50 a page


def test_the_fund_page_makes_the_same_number_of_queries_for_few_or_many_entries(
    client, world, finance_user, leader_user, django_assert_num_queries
):
    fund = world["fund"]  # 2 entries
    login(client, "finance")
    url = reverse("compensation:fund_detail", args=[fund.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _ledger_world(world, finance_user, leader_user)
    _deposits(fund, 60, by=finance_user)
    for query in ({}, {"page": 2}, {"per_page": 100}):
        with django_assert_num_queries(len(few.captured_queries)):
            client.get(url, query)


def test_a_request_dated_after_today_stays_on_its_form_with_the_reason(client, world):
    """A transfer is booked on its date when approved: one dated after today is refused, as a
    deposit is, so the ledger never carries a day still to come."""
    login(client, "finance")
    url = reverse("compensation:request_create", args=[world["fund"].pk])
    tomorrow = timezone.localdate() + timedelta(days=1)
    data = _district_request_data(client, url, paid_on=tomorrow.isoformat())
    response = client.post(url, data)
    assert response.status_code == 200
    assert "划拨日期不能晚于今天。" in response.content.decode()
    assert not DisbursementRequest.objects.filter(idempotency_key=data["idempotency_key"]).exists()


def test_a_resubmitted_request_form_makes_one_request(client, world):
    login(client, "finance")
    url = reverse("compensation:request_create", args=[world["fund"].pk])
    data = _district_request_data(client, url, paid_on="2022-07-01")
    key = data["idempotency_key"]
    first = client.post(url, data)
    second = client.post(url, data)
    assert first["Location"] == second["Location"]
    assert DisbursementRequest.objects.filter(idempotency_key=key).count() == 1


def test_a_leader_approves_and_a_double_click_pays_once(client, world, leader_user):
    login(client, "leader")
    pending = world["pending"]
    url = reverse("compensation:request_approve", args=[pending.pk])
    client.post(url)
    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert LedgerEntry.objects.filter(request=pending).count() == 1
    world["fund"].refresh_from_db()
    assert world["fund"].balance == D("895000.00")


def test_the_requester_cannot_approve_from_the_page(client, world):
    login(client, "finance")
    response = client.post(reverse("compensation:request_approve", args=[world["pending"].pk]))
    assert response.status_code == 403


def test_a_reversal_from_the_page_restores_the_balance(client, world):
    login(client, "finance")
    entry = world["entry"]
    client.post(reverse("compensation:entry_reverse", args=[entry.pk]), {"reason": "账号错误"})
    world["fund"].refresh_from_db()
    assert world["fund"].balance == D("1000000.00")
    world["agreement"].refresh_from_db()
    assert world["agreement"].paid == D("0.00")


def test_the_household_page_shows_the_breakdown_and_paid_vs_due(client, world):
    login(client, "district")
    html = client.get(
        reverse("compensation:household_detail", args=[world["household"].pk])
    ).content.decode()
    assert "被征收房屋价值" in html
    assert "224,600.00" in html  # due
    assert "100,000.00" in html  # paid
    assert "124,600.00" in html  # unpaid


def test_a_district_user_drafts_and_signs_an_agreement_the_office_approves(
    client, world, reviewer_user
):
    household = valued_household(world["project"], area="60.00", unit_price="5000.00")
    login(client, "district")
    response = client.post(
        reverse("compensation:agreement_draft", args=[household.pk]),
        {"method": "swap", "swap_area": "70.00", "swap_transition": "on"},
    )
    agreement = Agreement.objects.get(household=household)
    assert response["Location"] == agreement.get_absolute_url()
    client.post(
        reverse("compensation:agreement_sign", args=[agreement.pk]), {"signed_on": "2022-06-01"}
    )
    agreement.refresh_from_db()
    assert agreement.status == "signed"
    # 300,000 − 70 × 4,500 = −15,000; relocation 2,000; temporary 12 × 60 × 24 = 17,280; bonus.
    assert agreement.amount == D("24280.00")
    assert (
        client.post(reverse("compensation:agreement_approve", args=[agreement.pk])).status_code
        == 403
    )
    client.post(reverse("logout"))
    login(client, "legal")
    client.post(reverse("compensation:agreement_approve", args=[agreement.pk]), {"note": "同意"})
    agreement.refresh_from_db()
    assert agreement.status == "approved"


def test_counted_items_are_saved_and_priced(client, world):
    login(client, "district")
    household = world["household"]
    item = world["item"]
    client.post(
        reverse("compensation:household_items", args=[household.pk]), {f"item_{item.pk}": "1"}
    )
    assert household.item_counts.get().quantity == D("1")


def test_the_agreement_and_statement_download_as_pdf_and_docx(client, world):
    login(client, "district")
    for name, kind in [
        ("agreement_pdf", "application/pdf"),
        ("agreement_docx", "wordprocessingml"),
    ]:
        response = client.get(reverse(f"compensation:{name}", args=[world["agreement"].pk]))
        assert kind in response["Content-Type"]
    statement = client.get(reverse("compensation:statement_pdf", args=[world["household"].pk]))
    assert statement.content.startswith(b"%PDF")
    assert "filename*=UTF-8''" in statement["Content-Disposition"]


def test_only_office_staff_edit_the_templates(client, world, office_user):
    url = reverse("compensation:template_edit", args=[world["project"].pk, "settlement"])
    login(client, "district")
    assert client.post(url, {"body": "{{ 户号 }}"}).status_code == 403
    client.post(reverse("logout"))
    login(client, "clerk")
    client.post(url, {"body": "结算单 {{ 户号 }}"})
    assert DocumentTemplate.objects.get(kind="settlement").body == "结算单 {{ 户号 }}"
    bad = client.post(url, {"body": "{% load static %}"})
    assert "模板有语法错误" in bad.content.decode()


def test_the_price_list_takes_new_items(client, world):
    login(client, "district")
    client.post(
        reverse("compensation:price_list", args=[world["project"].pk]),
        {"name": "空调移机", "unit": "台", "unit_price": "300.00", "sort_order": "2"},
    )
    assert PriceItem.objects.filter(name="空调移机").exists()


def test_the_household_export_lists_due_paid_and_unpaid(client, world):
    login(client, "finance")
    response = client.get(reverse("compensation:household_export", args=[world["project"].pk]))
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    paid_row = next(row for row in rows if row[0] == world["household"].code)
    assert paid_row[6:9] == (224600, 100000, 124600)


def _many_funds(district, finance_user, count):
    for _ in range(count):
        project = ProjectFactory(district=district)
        fund = funded(project, "1000.00", by=finance_user)
        district_request(fund, "10.00", by=finance_user)
        HouseholdFactory(project=project)


@pytest.mark.parametrize(
    "name", ["compensation:fund_list", "compensation:request_list", "compensation:reconciliation"]
)
def test_list_pages_make_the_same_number_of_queries_for_few_or_many_rows(
    client, district, leader_user, finance_user, django_assert_max_num_queries, name
):
    _many_funds(district, finance_user, 2)
    login(client, "leader")
    with CaptureQueriesContext(connection) as few:
        client.get(reverse(name))
    _many_funds(district, finance_user, 8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse(name))


def test_the_households_page_makes_the_same_number_of_queries_for_many_rows(
    client, project, leader_user, finance_user, django_assert_max_num_queries
):
    approve_plan(project)
    for _ in range(2):
        valued_household(project)
    login(client, "leader")
    url = reverse("compensation:project_households", args=[project.pk])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(8):
        valued_household(project)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_the_subsidy_notice_is_drafted_from_the_page(client, world):
    login(client, "district")
    response = client.post(
        reverse("compensation:subsidy_notice", args=[world["project"].pk]), {"period_days": "7"}
    )
    world["subsidy"].refresh_from_db()
    assert world["subsidy"].notice is not None
    assert response["Location"] == world["subsidy"].notice.get_absolute_url()


def test_cost_accounts_from_budget_to_frozen_final_accounts(client, world):
    project = world["project"]
    login(client, "finance")
    budget = {
        f"{c}": "0"
        for c in [
            "house",
            "relocation",
            "temporary",
            "incentive",
            "hardship",
            "appraisal",
            "working",
            "other",
        ]
    }
    budget["house"] = "90000.00"
    client.post(reverse("compensation:budget_save", args=[project.pk]), {**budget, "note": "概算"})
    client.post(reverse("compensation:final_save", args=[project.pk]), {"note": "决算"})
    client.post(reverse("logout"))
    login(client, "leader")
    client.post(reverse("compensation:budget_approve", args=[project.pk]))
    client.post(
        reverse("compensation:request_reject", args=[world["pending"].pk]), {"note": "不需要"}
    )
    client.post(reverse("compensation:final_approve", args=[project.pk]))
    html = client.get(reverse("compensation:cost_accounts", args=[project.pk])).content.decode()
    assert "已审定" in html
    assert "10,000.00" in html  # house: 100,000 actual − 90,000 budget


def _request_household_payment(client, world, amount):
    """Finance fills a fresh request form for the household's agreement (a new key each time,
    as a second person or a second visit would) and posts it."""
    url = reverse("compensation:request_create", args=[world["fund"].pk])
    url = f"{url}?agreement={world['agreement'].pk}"
    key = client.get(url).context["form"].initial["idempotency_key"]
    data = {
        "idempotency_key": key,
        "amount": amount,
        "category": "house",
        "purpose": "补偿款余款",
        "paid_on": "2022-07-01",
    }
    return client.post(url, data)


def test_a_second_request_for_a_pending_household_payment_is_refused_on_the_page(client, world):
    login(client, "finance")
    first = _request_household_payment(client, world, "124600.00")
    assert first.status_code == 302
    second = _request_household_payment(client, world, "124600.00")
    assert second.status_code == 200
    html = second.content.decode()
    assert "该户已有一笔124,600.00元的划拨申请待审批" in html
    assert "审批或驳回前不能再次申请相同金额" in html
    assert "IntegrityError" not in html and "Traceback" not in html
    pending = DisbursementRequest.objects.pending().filter(agreement=world["agreement"])
    assert list(pending.values_list("amount", flat=True)) == [D("124600.00")]


def test_a_request_on_a_fully_paid_agreement_is_refused_on_the_page(client, world, leader_user):
    login(client, "finance")
    _request_household_payment(client, world, "124600.00")
    waiting = DisbursementRequest.objects.pending().get(agreement=world["agreement"])
    services.approve_disbursement(request=waiting, approved_by=leader_user)
    world["agreement"].refresh_from_db()
    assert world["agreement"].unpaid == D("0.00")
    response = _request_household_payment(client, world, "0.01")
    assert response.status_code == 200
    html = response.content.decode()
    number = world["agreement"].number
    assert f"协议{number}的补偿款已全部划拨（224,600.00元），不能再申请划拨。" in html
    assert DisbursementRequest.objects.filter(agreement=world["agreement"]).count() == 2


def test_the_households_page_shows_each_households_figures_and_the_projects_summary(client, world):
    project, paid, vulnerable = world["project"], world["household"], world["vulnerable"]
    Household.objects.filter(pk=vulnerable.pk).update(is_public_housing=True)
    HouseholdFactory(project=project, code="Z-001", head_name="王未算", area="12.50")
    services.compute_breakdown(household=paid, by=world["agreement"].drafted_by)
    login(client, "leader")

    html = client.get(reverse("compensation:project_households", args=[project.pk])).content
    html = html.decode()

    row = reports.reconciliation(Project.objects.filter(pk=project.pk)).rows[0]
    assert (
        f"应付补偿 {row.due:,.2f} 元，已付 {row.paid:,.2f} 元，未付 {row.unpaid:,.2f} 元"
        f"（已测算 {row.computed} / {row.households} 户）。"
    ) in html
    figures = reports.household_figures(Household.objects.get(pk=paid.pk))
    paid = Household.objects.get(pk=paid.pk)
    assert row_cells(html, paid.code) == [
        paid.code,
        paid.head_name,
        "住宅",
        f"{paid.area:,.2f}",
        f"{paid.signed_on.isoformat()} 货币补偿" if paid.signed_on else "未签约",
        f"{figures['due']:,.2f}",
        "100,000.00",
        f"{figures['due'] - D('100000.00'):,.2f}",
    ]
    assert f'href="{reverse("compensation:household_detail", args=[paid.pk])}"' in html
    assert row_cells(html, vulnerable.code)[1] == f"{vulnerable.head_name} 低保 公房"
    assert row_cells(html, "Z-001") == [
        "Z-001",
        "王未算",
        "住宅",
        "12.50",
        "未签约",
        "未测算",
        "0.00",
        "",
    ]
    assert 'class="num warn"' in html  # the unpaid amount stands out


def test_the_households_page_of_a_project_without_fund_or_figures_has_no_summary(
    client, project, leader_user
):
    HouseholdFactory(project=project, code="A-001")
    login(client, "leader")

    response = client.get(reverse("compensation:project_households", args=[project.pk]))

    assert response.context["summary"] is None
    assert "应付补偿" not in response.content.decode()
    assert row_cells(response.content.decode(), "A-001")[5] == "未测算"


def test_a_request_to_the_district_has_no_category_chosen_for_the_user(client, world):
    """A transfer to the district office may be for any cost: the form preselects none, and
    one sent without a category is refused by name."""
    login(client, "finance")
    url = reverse("compensation:request_create", args=[world["fund"].pk])
    page = client.get(url).content.decode()
    assert '<option value="" selected>请选择费用类别</option>' in page
    data = _district_request_data(client, url, category="", paid_on="2022-07-01")
    response = client.post(url, data)
    assert response.status_code == 200
    assert "这个字段是必填项。" in response.content.decode()
    assert not DisbursementRequest.objects.filter(idempotency_key=data["idempotency_key"]).exists()


def crumb_links(response) -> list[tuple[str, str | None]]:
    """The page's breadcrumbs as (text, address or None) in order."""
    nav = response.content.decode().split('class="breadcrumbs"', 1)[1].split("</nav>", 1)[0]
    crumbs = []
    for part in nav.split(">", 1)[1].split(" / "):
        href = re.search(r'href="([^"]*)"', part)
        crumbs.append((re.sub(r"<[^>]+>", "", part).strip(), href.group(1) if href else None))
    return crumbs


def test_the_refused_forms_of_an_archived_fund_lead_back_to_the_fund_and_its_project(client, world):
    fund, project = world["fund"], world["project"]
    put_at_stage(project, Stage.ARCHIVED)
    login(client, "finance")
    to_fund = [
        ("首页", reverse("core:home")),
        ("补偿资金", reverse("compensation:fund_list")),
        ("六岭棚改", reverse("compensation:project_households", args=[project.pk])),
        ("资金账户", fund.get_absolute_url()),
    ]
    deposit = reverse("compensation:deposit_create", args=[fund.pk])
    transfer = reverse("compensation:request_create", args=[fund.pk])
    forms = {
        deposit: "资金归集",
        transfer: "向区县征收部门划拨",
        f"{transfer}?agreement={world['agreement'].pk}": "向被征收户划拨",
    }
    for url, action in forms.items():
        for response, status in ((client.get(url), 200), (client.post(url, {}), 409)):
            page = response.content.decode()
            assert response.status_code == status, url
            assert "项目处于「完成归档」阶段" in page, url
            assert crumb_links(response) == [*to_fund, (action, None)], url
            assert f'<a href="{fund.get_absolute_url()}">返回资金账户</a>' in page, url
    fund.refresh_from_db()
    assert fund.balance == D("900000.00")  # nothing posted was recorded


def test_the_deposit_form_leads_back_the_same_way_as_its_refusal(client, world):
    fund, project = world["fund"], world["project"]
    login(client, "finance")
    response = client.get(reverse("compensation:deposit_create", args=[fund.pk]))
    assert "暂不可办理" not in response.content.decode()
    assert crumb_links(response) == [
        ("首页", reverse("core:home")),
        ("补偿资金", reverse("compensation:fund_list")),
        ("六岭棚改", reverse("compensation:project_households", args=[project.pk])),
        ("资金账户", fund.get_absolute_url()),
        ("资金归集", None),
    ]


# The households list reads its project and its page of households by SQL the ORM writes once
# per process (core.compiled): what it shows must be what the ORM's querysets give.


def _households_list(client, project, query=""):
    url = reverse("compensation:project_households", args=[project.pk]) + query
    response = client.get(url)
    assert response.status_code == 200
    return response


def test_the_households_list_shows_each_households_figures_to_the_fen(
    client, world, finance_user, leader_user
):
    project, household, agreement = world["project"], world["household"], world["agreement"]
    services.compute_breakdown(household=household, by=agreement.drafted_by)
    # A supplement of one fen, and one more fen paid: due and paid each end in .01.
    services.add_supplement(
        agreement=agreement,
        by=leader_user,
        number="补-1",
        signed_on=date(2022, 10, 15),
        reason="搬迁奖励",
        adjustment=D("0.01"),
    )
    services.approve_disbursement(
        request=agreement_request(world["fund"], agreement, "0.01", by=finance_user),
        approved_by=leader_user,
    )
    login(client, "leader")

    html = _households_list(client, project).content.decode()

    total = household.breakdowns.get(is_current=True).total
    figures = reports.household_figures(Household.objects.get(pk=household.pk))
    assert figures["due"] == total + D("0.01")
    assert figures["paid"] == D("100000.01")
    assert row_cells(html, household.code)[5:] == [
        f"{total + D('0.01'):,.2f}",
        "100,000.01",
        f"{total - D('100000.00'):,.2f}",
    ]
    # The summary's due counts the fen of the supplement as the reconciliation does.
    (row,) = reports.reconciliation(Project.objects.filter(pk=project.pk)).rows
    assert f"应付补偿 {row.due:,.2f} 元，已付 {row.paid:,.2f} 元" in html
    assert row.paid == D("100000.01")
    # The uncomputed household: 未测算, nothing paid, no unpaid figure.
    assert row_cells(html, world["vulnerable"].code)[5:] == ["未测算", "0.00", ""]


def test_the_households_lists_last_page_ends_with_the_last_household(client, project, leader_user):
    for n in range(53):
        HouseholdFactory(project=project, code=f"C-{n:03d}", head_name=f"户主{n}")
    login(client, "leader")

    first = _households_list(client, project).content.decode()
    assert "C-049" in first and "C-050" not in first
    for query in ("?page=2", "?page=99"):
        response = _households_list(client, project, query)
        html = response.content.decode()
        assert [row.code for row in response.context["page"].object_list] == [
            "C-050",
            "C-051",
            "C-052",
        ]
        assert row_cells(html, "C-052")[:2] == ["C-052", "户主52"]
        assert html.rindex("C-052") > html.rindex("C-050") and "C-049" not in html
    small = _households_list(client, project, "?per_page=25&page=3").context["page"]
    assert [row.code for row in small.object_list] == ["C-050", "C-051", "C-052"]
    assert small.paginator.num_pages == 3


def test_the_households_list_signed_filter_lists_the_signed_only(client, project, leader_user):
    for n in range(6):
        HouseholdFactory(project=project, code=f"S-{n}")
    Household.objects.filter(code__in=["S-1", "S-4"]).update(
        signed_on=date(2022, 10, 8), method="monetary"
    )
    login(client, "leader")

    everyone = _households_list(client, project)
    assert [row.code for row in everyone.context["page"].object_list] == [
        f"S-{n}" for n in range(6)
    ]
    signed = _households_list(client, project, "?signed=1")
    assert [row.code for row in signed.context["page"].object_list] == ["S-1", "S-4"]
    assert signed.context["page"].paginator.count == 2
    html = signed.content.decode()
    assert row_cells(html, "S-4")[4] == "2022-10-08 货币补偿"
    assert "S-0" not in html and " checked" in html
    assert row_cells(everyone.content.decode(), "S-0")[4] == "未签约"


def test_a_district_user_gets_404_for_another_districts_households_list(
    client, project, other_project, district_member
):
    HouseholdFactory(project=project, code="A-001")
    HouseholdFactory(project=other_project, code="B-001")
    login(client, "district")

    assert _households_list(client, project).status_code == 200
    for query in ("", "?signed=1", "?page=2"):
        url = reverse("compensation:project_households", args=[other_project.pk]) + query
        response = client.get(url)
        assert response.status_code == 404
        assert "B-001" not in response.content.decode()
    missing = reverse("compensation:project_households", args=[other_project.pk + 1000])
    assert client.get(missing).status_code == 404


def test_the_households_list_reads_its_rows_by_a_compiled_statement_at_any_page_size(client, world):
    project = world["project"]
    for n in range(120):
        HouseholdFactory(project=project, code=f"Q-{n:03d}")
    login(client, "leader")
    _households_list(client, project)  # the statements are prepared on this connection

    counts = {}
    for size in (50, 100):
        with CaptureQueriesContext(connection) as queries:
            response = _households_list(client, project, f"?per_page={size}")
        assert len(response.context["rows"]) == size
        counts[size] = len(queries)
        logged = [(q["sql"], logged_sql(q["sql"])) for q in queries]
        household_reads = [
            (sql, written)
            for sql, written in logged
            if 'FROM "projects_household"' in written and "LIMIT" in written
        ]
        # One read of the page's households: the EXECUTE of the statement written once.
        assert len(household_reads) == 1
        ((sql, written),) = household_reads
        assert sql.startswith("EXECUTE compiled_values_") and sql != written
        # The page's bounds are the statement's parameters: one SQL for every page and size.
        assert re.search(r"ORDER BY .+ LIMIT \$\d+ OFFSET \$\d+$", written)
        project_reads = [
            sql for sql, written in logged if written.startswith('SELECT "projects_project"."id"')
        ]
        assert len(project_reads) == 1 and project_reads[0].startswith("EXECUTE ")
    assert counts[50] == counts[100]
