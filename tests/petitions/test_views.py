"""The case pages: who may see and do what, registration, steps, the reply letter."""

import re
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.clocks import due_items
from petitions import services
from petitions.models import Petition, Status
from tests.auth import login
from tests.petitions.factories import TODAY, accepted, leader_user, petitioner, register, replied

pytestmark = pytest.mark.django_db


def case_form(**overrides):
    return {
        "received_on": "2022-06-01",
        "channel": "letter",
        "referred_by": "",
        "referral_number": "",
        "project": "",
        "district": "",
        "category": "resettlement",
        "request": "要求尽快交付安置房。",
        "people_count": "1",
        "household_code": "",
        "repeat_reference": "",
        "petitioner-name": "欧阳测试",
        "petitioner-id_number": "",
        "petitioner-phone": "13907390000",
        "petitioner-address": "",
        **overrides,
    }


@pytest.fixture
def own_case(office_user, district):
    return register(by=office_user, district=district, petitioners=[petitioner(7)]).petition


@pytest.fixture
def other_case(office_user, other_district):
    return register(
        by=office_user, district=other_district, petitioners=[petitioner(8, name="外区信访人")]
    ).petition


CASE_PAGES = [
    "petition_detail",
    "petition_edit",
    "petition_receipt",
]


@pytest.mark.parametrize(
    "url",
    [
        lambda p: reverse("petitions:petition_list"),
        lambda p: reverse("petitions:petition_due"),
        lambda p: reverse("petitions:petition_create"),
        lambda p: reverse("petitions:petition_figures"),
        lambda p: reverse("petitions:petition_detail", args=[p.pk]),
        lambda p: reverse("petitions:petition_letter", args=[p.pk]),
        lambda p: reverse("petitions:petition_letter_pdf", args=[p.pk]),
        lambda p: reverse("petitions:petition_receipt", args=[p.pk]),
        lambda p: reverse("petitions:petition_step", args=[p.pk, "accept"]),
    ],
)
def test_anonymous_visitors_are_sent_to_login(client, own_case, url):
    response = client.get(url(own_case))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("petition_detail", "get"),
        ("petition_edit", "get"),
        ("petition_receipt", "get"),
        ("petition_letter", "get"),
        ("petition_letter_pdf", "get"),
        ("petitioner_add", "post"),
        ("petition_assign", "post"),
        ("petition_reset_code", "post"),
        ("document_upload", "post"),
    ],
)
def test_a_district_user_cannot_reach_another_districts_case(
    client, outsider, own_case, name, method
):
    login(client, "outsider")
    url = reverse(f"petitions:{name}", args=[own_case.pk])
    assert getattr(client, method)(url).status_code == 404


def test_a_district_user_cannot_post_a_step_on_another_districts_case(client, outsider, own_case):
    login(client, "outsider")
    url = reverse("petitions:petition_step", args=[own_case.pk, "accept"])
    assert client.post(url, {"accept-on": "2022-03-02"}).status_code == 404
    own_case.refresh_from_db()
    assert own_case.status == Status.REGISTERED


def test_district_users_see_only_their_districts_cases(
    client, district_member, own_case, other_case
):
    login(client, "district")
    html = client.get(reverse("petitions:petition_list")).content.decode()
    assert own_case.reference in html
    assert other_case.reference not in html
    assert "外区信访人" not in html
    detail = client.get(own_case.get_absolute_url())
    assert detail.status_code == 200
    assert "测试信访人7" in detail.content.decode()


def test_district_users_read_but_do_not_handle_cases(client, district_member, own_case):
    login(client, "district")
    html = client.get(own_case.get_absolute_url()).content.decode()
    assert f"petitions/{own_case.pk}/steps/accept/" not in html
    url = reverse("petitions:petition_step", args=[own_case.pk, "accept"])
    assert client.post(url, {"accept-on": "2022-03-02"}).status_code == 403
    assert client.get(reverse("petitions:petition_create")).status_code == 403


def test_a_district_user_may_add_documents_to_their_districts_case(
    client, district_member, own_case
):
    login(client, "district")
    client.post(
        reverse("petitions:document_upload", args=[own_case.pk]),
        {
            "kind": "investigation",
            "title": "区征收办调查情况",
            "number": "",
            "file": SimpleUploadedFile("调查.pdf", b"%PDF-1.4 x", "application/pdf"),
        },
    )
    document = own_case.documents.get()
    assert document.uploaded_by == district_member
    download = client.get(reverse("petitions:document_download", args=[document.pk]))
    assert b"".join(download.streaming_content) == b"%PDF-1.4 x"


def test_staff_register_a_case_and_the_receipt_shows_the_code_once(client, office_user, district):
    login(client, "clerk")
    response = client.post(
        reverse("petitions:petition_create"), case_form(district=district.pk), follow=True
    )
    petition = Petition.objects.get()
    assert response.redirect_chain[-1][0] == reverse(
        "petitions:petition_receipt", args=[petition.pk]
    )
    html = response.content.decode()
    code = html.split('id="lookup-code">')[1].split("<")[0]
    assert services.code_matches(petition, code)
    assert petition.reference in html
    assert petition.petitioners.get().name == "欧阳测试"
    again = client.get(reverse("petitions:petition_receipt", args=[petition.pk])).content.decode()
    assert code not in again
    assert "查询码只在登记或重设时显示一次" in again


def test_a_case_for_a_project_takes_its_district_and_household(
    client, office_user, district, project
):
    from tests.factories import HouseholdFactory

    HouseholdFactory(project=project, code="A-009")
    login(client, "clerk")
    client.post(
        reverse("petitions:petition_create"),
        case_form(project=project.pk, household_code="A-009"),
    )
    petition = Petition.objects.get()
    assert petition.district == district
    assert petition.household.code == "A-009"


def test_bad_registration_input_is_refused_in_chinese(client, office_user, district, project):
    login(client, "clerk")
    response = client.post(
        reverse("petitions:petition_create"),
        case_form(
            channel="referred",
            project=project.pk,
            household_code="NOPE",
            **{"petitioner-id_number": "123"},
        ),
    )
    html = response.content.decode()
    assert "上级交办的信访件须填写交办机关" in html
    assert "该项目中没有此户号" in html
    assert "应为18位" in html
    assert not Petition.objects.exists()


def test_steps_are_taken_from_the_case_page(client, office_user, own_case):
    login(client, "clerk")
    url = reverse("petitions:petition_step", args=[own_case.pk, "accept"])
    yesterday = timezone.localdate() - timedelta(days=1)
    response = client.post(
        url, {"accept-on": yesterday.isoformat(), "accept-note": ""}, follow=True
    )
    assert "已受理，答复期限开始计算" in response.content.decode()
    own_case.refresh_from_db()
    assert own_case.status == Status.ACCEPTED


def test_a_refused_step_shows_why(client, office_user, own_case):
    login(client, "clerk")
    url = reverse("petitions:petition_step", args=[own_case.pk, "reply"])
    response = client.post(
        url,
        {
            "reply-on": "2022-03-05",
            "reply-number": "1号",
            "reply-findings": "略",
            "reply-opinion": "略",
            "reply-review_body": "市住建局",
        },
        follow=True,
    )
    assert "尚未受理，不能答复" in response.content.decode()


def test_only_leaders_see_and_take_the_extension(client, office_user, district):
    today = timezone.localdate()
    petition = accepted(
        by=office_user, district=district, received_on=today, accepted_on=today, today=today
    )
    login(client, "clerk")
    assert "延长办理期限" not in client.get(petition.get_absolute_url()).content.decode()
    leader_user()
    client.post(reverse("logout"))
    login(client, "boss")
    assert "延长办理期限" in client.get(petition.get_absolute_url()).content.decode()
    client.post(
        reverse("petitions:petition_step", args=[petition.pk, "extend"]),
        {
            "extend-on": timezone.localdate().isoformat(),
            "extend-days": "15",
            "extend-reason": "复杂",
        },
    )
    petition.refresh_from_db()
    assert petition.extension_days == 15


def test_an_unknown_step_is_not_found(client, office_user, own_case):
    login(client, "clerk")
    url = reverse("petitions:petition_step", args=[own_case.pk, "explode"])
    assert client.post(url).status_code == 404


def test_the_reply_letter_is_generated_from_the_case(client, office_user, district):
    petition = replied(by=office_user, district=district, petitioners=[petitioner(3)])
    login(client, "clerk")
    html = client.get(reverse("petitions:petition_letter", args=[petition.pk])).content.decode()
    assert "信访处理意见书" in html
    assert "邵征信复〔2022〕1号" in html
    assert "测试信访人3：" in html
    assert "你于2022年3月1日以来信形式反映的“征收补偿标准偏低，要求重新评估”问题" in html
    assert "本机关已于2022年3月3日依法受理" in html
    assert "维持原补偿方案确定的补偿标准。" in html
    assert "自收到本意见书之日起30日内，向邵阳市住房和城乡建设局书面请求复查" in html
    assert "2022年4月1日" in html


def test_the_reply_letter_is_also_a_pdf(client, office_user, district):
    petition = replied(by=office_user, district=district)
    login(client, "clerk")
    response = client.get(reverse("petitions:petition_letter_pdf", args=[petition.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_a_reply_letter_with_a_character_no_font_has_is_not_issued(client, office_user, district):
    name = "林\U0002ebf0"  # CJK extension I: in no installed font
    petition = replied(by=office_user, district=district, petitioners=[petitioner(3, name=name)])
    login(client, "clerk")
    url = reverse("petitions:petition_letter_pdf", args=[petition.pk])
    response = client.get(url, follow=True)
    assert response.redirect_chain
    html = response.content.decode()
    assert "U+2EBF0" in html and petition.reference in html and "没有生成PDF" in html


def test_there_is_no_letter_before_the_reply(client, office_user, own_case):
    login(client, "clerk")
    assert client.get(reverse("petitions:petition_letter", args=[own_case.pk])).status_code == 404


def test_the_due_list_shows_overdue_and_soon_due_cases_but_not_legacy_ones(
    client, office_user, district
):
    today = timezone.localdate()
    overdue = register(
        by=office_user, district=district, received_on=today - timedelta(days=40), today=today
    ).petition
    soon = accepted(
        by=office_user,
        district=district,
        received_on=today - timedelta(days=56),
        accepted_on=today - timedelta(days=55),
        today=today,
    )
    later = register(by=office_user, district=district, received_on=today, today=today).petition
    legacy = register(
        by=office_user, district=district, received_on=date(2015, 3, 1), today=today
    ).petition
    services.flag_legacy(petition=legacy, by=office_user, on=today, note="多年积案", today=today)
    login(client, "clerk")
    html = client.get(reverse("petitions:petition_due")).content.decode()
    overdue_part, soon_part = html.split("日内到期（")
    assert overdue.reference in overdue_part
    assert soon.reference in soon_part
    assert later.reference not in html
    assert legacy.reference not in html


def test_the_deadlines_page_shows_petition_clocks_without_personal_data(
    client, office_user, district
):
    today = timezone.localdate()
    petition = register(
        by=office_user,
        district=district,
        received_on=today - timedelta(days=20),
        petitioners=[petitioner(5, name="私密姓名")],
        today=today,
    ).petition
    items = [i for i in due_items(office_user, until=today) if i.kind == "信访受理期限"]
    assert [item.title for item in items] == [f"{petition.reference} 补偿标准"]
    login(client, "clerk")
    html = client.get(reverse("core:deadline_list")).content.decode()
    assert petition.reference in html
    assert "私密姓名" not in html
    home = client.get(reverse("core:home")).content.decode()
    assert "私密姓名" not in home


def test_the_deadlines_page_keeps_to_the_district_rule(client, office_user, outsider, district):
    today = timezone.localdate()
    register(by=office_user, district=district, received_on=today - timedelta(days=20), today=today)
    assert [i for i in due_items(outsider, until=today) if i.kind == "信访受理期限"] == []


def test_the_list_runs_a_constant_number_of_queries(
    client, office_user, district, django_assert_max_num_queries
):
    login(client, "clerk")
    register(by=office_user, district=district)
    url = reverse("petitions:petition_list")
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for n in range(12):
        accepted(
            by=office_user,
            district=district,
            petitioners=[petitioner(n), petitioner(n + 50)],
            people_count=2,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_the_due_list_runs_a_constant_number_of_queries(
    client, office_user, district, django_assert_max_num_queries
):
    today = timezone.localdate()
    login(client, "clerk")
    url = reverse("petitions:petition_due")
    register(by=office_user, district=district, received_on=today - timedelta(days=30), today=today)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for _n in range(10):
        register(
            by=office_user, district=district, received_on=today - timedelta(days=30), today=today
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_the_list_filters_by_status_and_legacy(client, office_user, district):
    open_case = register(by=office_user, district=district).petition
    old = replied(
        by=office_user,
        district=district,
        received_on=date(2012, 1, 4),
        accepted_on=date(2012, 1, 5),
        replied_on=date(2012, 2, 1),
    )
    services.flag_legacy(
        petition=old, by=office_user, on=date(2022, 1, 4), note="积案", today=TODAY
    )
    login(client, "clerk")
    url = reverse("petitions:petition_list")
    legacy_html = client.get(url, {"legacy": "open"}).content.decode()
    assert old.reference in legacy_html and open_case.reference not in legacy_html
    registered_html = client.get(url, {"status": "registered"}).content.decode()
    assert open_case.reference in registered_html and old.reference not in registered_html


def test_the_figures_page_shows_the_years_numbers(client, office_user, district):
    replied(by=office_user, district=district)
    login(client, "clerk")
    html = client.get(reverse("petitions:petition_figures"), {"year": 2022}).content.decode()
    assert "2022年信访工作统计" in html
    assert "答复办结1件，其中按期办结1件，按期办结率100.0%" in html


@pytest.mark.parametrize(("cases", "link"), [(10, False), (11, True)])
def test_the_home_page_lists_my_ten_soonest_clocks_and_links_to_the_rest(
    client, office_user, district, cases, link
):
    """A large office's petition section answers for hundreds of clocks: the home page lists
    the ten soonest, and, past ten, says how many there are and links to the deadlines page."""
    references = _my_cases_due_in_order(office_user, district, cases)
    login(client, "clerk")
    html = client.get(reverse("core:home")).content.decode()
    mine = html.split("我负责的项目近期到期事项")[1].split("</section>")[0]
    assert [ref for ref in references if ref in mine] == references[:10]
    more = reverse("core:deadline_list") + "?mine=1&days=7"
    if link:
        assert f"共{cases}项：在期限提醒中查看全部" in mine
        assert more.replace("&", "&amp;") in mine
        # The page it leads to counts what the home page counted: the same 7 days, mine.
        assert _deadline_page_total(client.get(more).content.decode(), days=7) == cases
    else:
        assert "在期限提醒中查看全部" not in mine


@pytest.mark.parametrize(("cases", "link"), [(20, False), (21, True)])
def test_the_todo_page_lists_my_twenty_soonest_clocks_and_counts_them_all(
    client, office_user, district, cases, link
):
    """The to-do page lists the twenty soonest legal clocks; past twenty it still counts
    them all (heading, total, the navigation bar) and links to the deadlines page."""
    references = _my_cases_due_in_order(office_user, district, cases)
    login(client, "clerk")
    html = client.get(reverse("core:todo_list")).content.decode()
    clocks = html.split('id="todo-clock"')[1].split("</section>")[0]
    assert [ref for ref in references if ref in clocks] == references[:20]
    assert f"（{cases}）" in clocks
    assert f'id="todo-total">{cases}项' in html
    more = reverse("core:deadline_list") + "?mine=1&days=7"
    assert (f"共{cases}项：在期限提醒中查看全部" in clocks) is link
    assert (more.replace("&", "&amp;") in clocks) is link
    assert _deadline_page_total(client.get(more).content.decode(), days=7) == cases
    counts = client.get(reverse("core:nav_counts")).content.decode()
    assert f'data-count="{cases}"' in counts


def _deadline_page_total(html: str, *, days: int) -> int:
    """The deadlines page's overdue and upcoming counts added, checking it lists `days` days."""
    assert f"今后{days}日内到期的事项" in html
    overdue = re.search(r"已逾期（(\d+)项）", html)
    upcoming = re.search(rf"{days}日内到期（(\d+)项）", html)
    return sum(int(match.group(1)) for match in (overdue, upcoming) if match)


@pytest.mark.parametrize(
    ("asked", "days"), [("7", 7), ("1", 1), ("0", 1), ("30", 30), ("31", 30), ("abc", 30), ("", 30)]
)
def test_the_deadlines_page_lists_the_days_asked_from_one_to_thirty(
    client, office_user, asked, days
):
    login(client, "clerk")
    html = client.get(reverse("core:deadline_list"), {"days": asked}).content.decode()
    assert f"今后{days}日内到期的事项" in html


def _my_cases_due_in_order(office_user, district, count: int) -> list[str]:
    """`count` cases assigned to `office_user`, received 40, 39, … days ago (their clocks due
    soonest first): their references in that order."""
    today = timezone.localdate()
    references = []
    for n in range(count):
        petition = register(
            by=office_user,
            district=district,
            received_on=today - timedelta(days=40 - n),
            petitioners=[petitioner(n)],
            today=today,
        ).petition
        services.assign_petition(petition=petition, by=office_user, assignee=office_user, on=today)
        references.append(petition.reference)
    return references
