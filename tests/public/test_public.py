import re
from datetime import date

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from stdnum.cn import ric

from projects import services
from projects.models import CompensationPlan, Household, Notice, Project
from tests.auth import login
from tests.factories import HouseholdFactory, NoticeFactory, ProjectFactory, sign_off_and_publish
from tests.html import row_cells
from tests.projects.helpers import file_approvals

pytestmark = pytest.mark.django_db

RESIDENT_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dX](?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _people_names() -> set[str]:
    """Full names of every demo household head, family member, and petitioner or visitor."""
    names = set(Household.objects.values_list("head_name", flat=True))
    names |= set(apps.get_model("projects", "FamilyMember").objects.values_list("name", flat=True))
    for label, field in [("petitions.Petitioner", "name"), ("petitions.Visit", "visitor_name")]:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        names |= set(model.objects.exclude(**{field: ""}).values_list(field, flat=True))
    return {name for name in names if len(name) >= 2}


def _leaks(html: str, names: set[str], allowed: set[str] = frozenset()) -> list[str]:
    found = [n for n in RESIDENT_ID.findall(html) if ric.calc_check_digit(n) == n[-1]]
    found += MOBILE.findall(html)
    # The allowed names (the household's own) are cut out first, so that another person whose
    # name is part of an allowed one (贾福 in 贾福辉) is found only where it stands alone.
    for name in sorted(allowed, key=len, reverse=True):
        html = html.replace(name, "")
    found += [name for name in names - allowed if name in html]
    return found


def _public_patterns(resolver=None, prefix=""):
    """Every URL pattern under /public/, from the URL map itself."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _public_patterns(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            if route.startswith("public/"):
                yield route, pattern


def _urls_for(route: str) -> list[str]:
    """Fill a route's parameters with every published object it can show."""
    if "<str:" in route:
        return []  # file downloads (reports): attachments, not pages
    if "<slug:code>" in route:
        codes = Project.objects.filter(started_on__isnull=False).values_list("code", flat=True)
        return ["/" + route.replace("<slug:code>", code) for code in codes]
    if "<int:pk>" in route:
        published = {
            "public/notices/": Notice.objects.published(),
            "public/policies/": apps.get_model("public", "PolicyDocument").objects.published(),
            "public/credit/": apps.get_model("appraisers", "CreditList").objects.published(),
            "public/draws/": apps.get_model("appraisers", "FirmSelection").objects.filter(
                method="draw", winner__isnull=False
            ),
        }
        for start, queryset in published.items():
            if route.startswith(start):
                pks = queryset.values_list("pk", flat=True)
                return ["/" + route.replace("<int:pk>", str(pk)) for pk in pks]
        raise AssertionError(f"No published objects known for {route}: add them to this test")
    return ["/" + route]


def test_no_public_page_shows_personal_data(client, demo_data):
    names = _people_names()
    assert len(names) > 1000
    visited = 0
    for route, _pattern in _public_patterns():
        for url in _urls_for(route):
            response = client.get(url)
            assert response.status_code in (200, 302, 404), url
            if response.status_code != 200 or response.get("Content-Disposition"):
                continue
            body = b"".join(response.streaming_content) if response.streaming else response.content
            html = body.decode("utf-8", errors="ignore")
            assert _leaks(html, names) == [], url
            visited += 1
    assert visited > 20


def test_a_household_sees_its_own_row_and_its_neighbours_masked(client, demo_data):
    household = Household.objects.filter(project__code="2019-SQ-01").order_by("code")[3]
    response = client.post(
        reverse("public:lookup"),
        {
            "project": household.project_id,
            "code": household.code,
            "id_tail": household.id_number[-6:],
        },
    )
    assert response["Location"] == reverse("public:lookup_result")
    html = client.get(reverse("public:lookup_result")).content.decode()
    assert household.head_name in html
    assert household.address in html
    neighbours = set(household.project.households.values_list("head_name", flat=True))
    assert _leaks(html, neighbours | _people_names(), allowed={household.head_name}) == []
    assert client.session.get_expiry_age() == 15 * 60


@pytest.mark.parametrize(
    ("address", "shown"),
    [
        ("六岭路12号3栋2单元401室", "六岭路12号3栋***"),
        ("青云街8号201室", "青云街8号***"),
        ("六岭路3号4栋", "六岭路3号***"),  # a building of its own: its number would point at it
        ("六岭路12号楼", "六岭路***"),  # not 六岭路12号***, the building's number
        ("水利局宿舍3栋", "水利局宿舍***"),
        ("西湖路5号", "西湖路***"),
        ("5号", "***"),
    ],
)
def test_the_lookup_masks_a_neighbours_address_to_the_building(client, project, address, shown):
    project.started_on = date(2022, 3, 1)
    project.save(update_fields=["started_on"])
    own = HouseholdFactory(project=project, code="A-1", address="青云街8号202室")
    HouseholdFactory(project=project, code="A-2", address=address)
    answer = {"project": project.pk, "code": "A-1", "id_tail": own.id_number[-6:]}
    client.post(reverse("public:lookup"), answer)
    html = client.get(reverse("public:lookup_result")).content.decode()
    assert row_cells(html, "A-2")[2] == shown
    assert address not in html
    assert row_cells(html, "A-1")[2] == "青云街8号202室"  # the household's own row is whole


def test_the_lookup_never_says_which_field_was_wrong_and_locks_after_five_failures(client, project):
    household = HouseholdFactory(project=project, code="A-1")
    project.started_on = date(2022, 3, 1)
    project.save(update_fields=["started_on"])
    url = reverse("public:lookup")
    tail = household.id_number[-6:]
    wrong_code = client.post(url, {"project": project.pk, "code": "A-9", "id_tail": tail})
    wrong_tail = client.post(url, {"project": project.pk, "code": "A-1", "id_tail": "000000"})
    message = "项目、户号或身份证号码后六位不正确"
    assert message in wrong_code.content.decode() and message in wrong_tail.content.decode()
    for attempt in range(4):
        client.post(
            url,
            {"project": project.pk, "code": "A-1", "id_tail": "000000"},
            REMOTE_ADDR=f"10.0.1.{attempt}",
        )
    # Five failures for this household: locked even with the right answer, from any address.
    right = {"project": project.pk, "code": "A-1", "id_tail": tail}
    locked = client.post(url, right, REMOTE_ADDR="10.9.9.9")
    assert "查询失败次数过多" in locked.content.decode()


def test_the_lookup_finds_a_code_typed_in_either_case_and_counts_its_failures_as_one(
    client, project
):
    project.started_on = date(2022, 3, 1)
    project.save(update_fields=["started_on"])
    upper = HouseholdFactory(project=project, code="V02-003")
    lower = HouseholdFactory(project=project, code="b-7x")
    # Codes that differ only in case are two households: each answers to its own ID.
    twin = HouseholdFactory(project=project, code="v02-003")
    url = reverse("public:lookup")
    result = reverse("public:lookup_result")
    for household, typed in [(upper, "v02-003"), (lower, "B-7X"), (twin, "V02-003")]:
        answer = {"project": project.pk, "code": typed, "id_tail": household.id_number[-6:]}
        assert client.post(url, answer)["Location"] == result, typed
        assert row_cells(client.get(result).content.decode(), household.code)[1] == (
            household.head_name
        )
    # Five wrong tails, whatever the case of the 户号: the household is locked in every case.
    for attempt, typed in enumerate(["v02-003", "V02-003", "v02-003", "V02-003", "v02-003"]):
        wrong = {"project": project.pk, "code": typed, "id_tail": "000000"}
        client.post(url, wrong, REMOTE_ADDR=f"10.0.2.{attempt}")
    right = {"project": project.pk, "code": "V02-003", "id_tail": upper.id_number[-6:]}
    assert "查询失败次数过多" in client.post(url, right, REMOTE_ADDR="10.9.9.8").content.decode()


def test_the_lookup_locks_an_address_that_tries_many_households(client, project):
    project.started_on = date(2022, 3, 1)
    project.save(update_fields=["started_on"])
    household = HouseholdFactory(project=project, code="B-1")
    url = reverse("public:lookup")
    for number in range(5):
        client.post(url, {"project": project.pk, "code": f"X-{number}", "id_tail": "123456"})
    right = {"project": project.pk, "code": "B-1", "id_tail": household.id_number[-6:]}
    assert "查询失败次数过多" in client.post(url, right).content.decode()
    assert client.post(url, right, REMOTE_ADDR="10.7.7.7").status_code == 302


def test_a_lookup_writes_one_session_row_and_reading_the_result_writes_none(client, project):
    household = HouseholdFactory(project=project, code="A-1")
    project.started_on = date(2022, 3, 1)
    project.save(update_fields=["started_on"])
    answer = {"project": project.pk, "code": "A-1", "id_tail": household.id_number[-6:]}
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("public:lookup"), answer)
    assert response["Location"] == reverse("public:lookup_result")
    writes = [
        q["sql"].split()[0]
        for q in queries
        if "django_session" in q["sql"] and not q["sql"].startswith("SELECT")
    ]
    assert writes == ["INSERT"]  # not an INSERT then an UPDATE
    with CaptureQueriesContext(connection) as queries:
        assert household.code in client.get(reverse("public:lookup_result")).content.decode()
    assert [q for q in queries if "django_session" in q["sql"]][1:] == []  # one read only
    assert client.session.get_expiry_age() == 15 * 60

    # A second look-up from the same browser gets a new key (against session fixation).
    old_key = client.session.session_key
    client.post(reverse("public:lookup"), answer)
    assert client.session.session_key != old_key
    assert not Session.objects.filter(session_key=old_key).exists()


def test_the_lookup_result_needs_a_lookup_first(client):
    response = client.get(reverse("public:lookup_result"))
    assert response["Location"] == reverse("public:lookup")


def test_drafts_and_unapproved_plans_never_show(client, project, office_user, district_member):
    project.started_on = date(2022, 3, 1)
    project.save(update_fields=["started_on"])
    draft = services.draft_notice(
        project=project, by=office_user, kind="first_list", title="内部草稿一榜", body="正文"
    )
    html = client.get(reverse("public:project_detail", args=[project.code])).content.decode()
    assert "内部草稿一榜" not in html
    assert client.get(reverse("public:notice_detail", args=[draft.pk])).status_code == 404
    assert not CompensationPlan.objects.filter(status="approved").exists()
    assert "补偿方案尚未公布" in html


def test_the_project_page_and_home_add_up_households_and_signed_area(client, project):
    project.started_on = date(2022, 3, 1)
    project.save(update_fields=["started_on"])
    HouseholdFactory(project=project, area="80.25", signed_on=date(2022, 9, 1), method="monetary")
    HouseholdFactory(project=project, area="0.01", signed_on=date(2023, 1, 3), method="swap")
    HouseholdFactory(project=project, area="100.50")
    html = client.get(reverse("public:project_detail", args=[project.code])).content.decode()
    cards = dict(re.findall(r'card-label">([^<]+)</span><span class="card-value">([^<]+)<', html))
    assert cards["被征收户"] == "3"
    assert cards["建筑面积（平方米）"] == "180.76"
    assert cards["已签约户数"] == "2"
    assert cards["已签约面积（平方米）"] == "80.26"
    home = client.get(reverse("public:home")).content.decode()
    assert 'data-label="面积（平方米）">180.76</td>' in home
    assert 'data-label="已签约">2</td>' in home


def test_publishing_invalidates_the_cached_pages(
    client, project, office_user, django_capture_on_commit_callbacks
):
    project.started_on = date(2022, 3, 1)
    project.save(update_fields=["started_on"])
    url = reverse("public:project_detail", args=[project.code])
    assert "新发布的二榜" not in client.get(url).content.decode()
    notice = services.draft_notice(
        project=project, by=office_user, kind="other", title="新发布的二榜", body="正文"
    )
    assert "新发布的二榜" not in client.get(url).content.decode()  # a draft changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        sign_off_and_publish(notice, by=office_user)
    assert "新发布的二榜" in client.get(url).content.decode()


def test_public_pages_issue_a_constant_number_of_queries(client, district):
    def make(count):
        for _ in range(count):
            project = ProjectFactory(district=district, started_on=date(2022, 1, 1))
            HouseholdFactory.create_batch(5, project=project)

    make(2)
    pages = [reverse("public:home"), reverse("public:notice_list")]
    counts = []
    for url in pages:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        counts.append(len(queries))
    make(20)
    for url, count in zip(pages, counts, strict=True):
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        assert len(queries) == count, url


def test_a_cached_page_costs_no_query(client, district):
    ProjectFactory(district=district, started_on=date(2022, 1, 1))
    client.get(reverse("public:home"))
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("public:home"))
    assert len(queries) <= 1  # at most the session lookup


def _staff_routes(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _staff_routes(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            if route.startswith(("public/", "admin/", "accounts/", "healthz", "petitions/lookup")):
                continue
            yield route


def test_anonymous_visitors_get_nothing_from_staff_and_district_urls(client):
    checked = 0
    for route in _staff_routes():
        url = "/" + re.sub(
            r"<(?:int:)?[a-z_]+>", "1", re.sub(r"<(?:slug|str):[a-z_]+>", "x", route)
        )
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, (route, response.status_code)
            assert response["Location"].startswith(reverse("login")), route
        checked += 1
    assert checked > 50


def test_anyone_can_verify_a_random_draw_and_read_the_credit_list(client, demo_data):
    selection = apps.get_model("appraisers", "FirmSelection").objects.filter(
        method="draw", winner__isnull=False
    )[0]
    html = client.get(reverse("public:draw_verify", args=[selection.pk])).content.decode()
    assert selection.seed in html
    assert "复算结果与公布结果一致" in html
    assert selection.winner.name in html
    credit = client.get(reverse("public:credit_list")).content.decode()
    assert "2022" in credit and "信用等级" in credit


def test_a_household_sees_its_valuation_and_compensation(client, demo_data):
    household = (
        Household.objects.filter(project__code="2019-SQ-01", signed_on__isnull=False)
        .order_by("code")
        .first()
    )
    data = {"project": household.project_id, "code": household.code}
    client.post(reverse("public:lookup"), {**data, "id_tail": household.id_number[-6:]})
    html = client.get(reverse("public:lookup_result")).content.decode()
    assert "分户评估结果" in html and "评估价值（元）" in html
    assert "补偿款" in html and "已划拨（元）" in html
    assert "被征收房屋价值" in html


def test_the_public_pages_show_duties_and_what_was_paid(client, demo_data):
    html = client.get(reverse("public:home")).content.decode()
    assert "主要职责" in html and "审核区人民政府房屋征收补偿方案" in html
    project = Project.objects.get(code="2019-SQ-01")
    page = client.get(reverse("public:project_detail", args=[project.code]))
    assert page.context["totals"]["paid"] > 0
    assert "已支付补偿（元）" in page.content.decode()


def test_the_fund_hashes_are_published(client, demo_data):
    html = client.get(reverse("public:fund_hashes")).content.decode()
    fund = apps.get_model("compensation", "Fund").objects.order_by("pk").first()
    assert fund.project.name in html
    assert re.search(r"[0-9a-f]{64}", html)


def test_the_atom_feed_lists_published_notices(client, project, office_user):
    project.started_on = date(2022, 3, 1)
    project.save(update_fields=["started_on"])
    file_approvals(project, district_user=office_user, staff=office_user)
    notice = services.draft_notice(
        project=project, by=office_user, kind="start", title="六岭棚改启动公告", body="正文"
    )
    sign_off_and_publish(notice, by=office_user)
    response = client.get(reverse("public:notice_feed"))
    assert response["Content-Type"].startswith("application/atom+xml")
    assert "六岭棚改启动公告" in response.content.decode()


def test_the_notice_search_finds_by_title_and_kind(client, project, office_user):
    project.started_on = date(2022, 3, 1)
    project.save(update_fields=["started_on"])
    for kind, title in [("first_list", "青云街一榜公示"), ("second_list", "青云街二榜公示")]:
        # Published directly: each kind's own stage is not what the search is about.
        NoticeFactory(project=project, kind=kind, title=title, published_on=date(2022, 5, 1))
    page = client.get(reverse("public:notice_list"), {"q": "青云街", "kind": "second_list"})
    assert [n.title for n in page.context["page"]] == ["青云街二榜公示"]


def test_logged_in_staff_get_uncached_pages(client, office_user, district):
    ProjectFactory(district=district, started_on=date(2022, 1, 1))
    client.get(reverse("public:home"))  # cached for visitors
    login(client, "clerk")
    html = client.get(reverse("public:home")).content.decode()
    assert "退出" in html  # their own navigation, not the visitors' cached page


def test_the_lookup_form_lists_the_public_projects_and_refuses_a_project_not_listed(
    client, project, other_project
):
    project.started_on = date(2022, 3, 1)
    project.save(update_fields=["started_on"])  # other_project has not started: not public
    html = client.get(reverse("public:lookup")).content.decode()
    options = re.findall(r'<option value="(\d*)"[^>]*>([^<]*)</option>', html)
    assert options == [("", "---------"), (str(project.pk), project.name)]
    tampered = client.post(
        reverse("public:lookup"), {"project": "第1项", "code": "A-1", "id_tail": "123456"}
    ).content.decode()
    assert "请从列表中选择征收项目。" in tampered
    # A project that is not public is answered as a wrong 户号, never as "no such project".
    hidden = client.post(
        reverse("public:lookup"), {"project": other_project.pk, "code": "A-1", "id_tail": "123456"}
    ).content.decode()
    assert "项目、户号或身份证号码后六位不正确" in hidden


def test_the_lookup_result_lists_the_project_fifty_households_a_page(client, project):
    """A project may have thousands of households: the result lists them 50 a page by 户号,
    the household's own row unmasked on its page, every other row masked on every page."""
    households = [
        HouseholdFactory(project=project, code=f"B-{n:03d}", head_name=f"欧阳{chr(0x5B50 + n)}")
        for n in range(51)
    ]
    own = households[50]
    project.started_on = date(2022, 3, 1)
    project.save(update_fields=["started_on"])
    response = client.post(
        reverse("public:lookup"),
        {"project": project.pk, "code": own.code, "id_tail": own.id_number[-6:]},
    )
    assert response["Location"] == reverse("public:lookup_result")
    url = reverse("public:lookup_result")
    first = client.get(url).content.decode()
    table = first.split("本项目各户情况")[1]
    assert table.count("<tr") == 1 + 50  # the heading and 50 households
    assert "B-049" in table and "B-050" not in table
    assert "第 1 / 2 页" in table
    assert all(h.head_name not in table for h in households[:50])
    second = client.get(url, {"page": "2"}).content.decode().split("本项目各户情况")[1]
    assert second.count("<tr") == 1 + 1
    assert own.head_name in second and 'class="own-row"' in second
    past = client.get(url, {"page": "99"}).content.decode().split("本项目各户情况")[1]
    assert own.head_name in past  # past the end: the last page


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("18474", "请输入身份证号码的后六位（6个字符），目前只输入了5个。"),
        ("118474X", "请输入身份证号码的后六位（6个字符），目前输入了7个。"),
        ("", "请输入身份证号码的后六位（6个字符）。"),
    ],
)
def test_the_lookup_says_in_plain_words_how_many_id_characters_to_type(
    client, project, typed, message
):
    project.started_on = date(2022, 3, 1)
    project.save(update_fields=["started_on"])
    html = client.post(
        reverse("public:lookup"), {"project": project.pk, "code": "A-1", "id_tail": typed}
    ).content.decode()
    assert message in html
    assert "变量" not in html


def _csrf_token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_ending_the_lookup_takes_the_result_pages_button_and_says_so(project):
    client = Client(enforce_csrf_checks=True)
    project.started_on = date(2022, 3, 1)
    project.save(update_fields=["started_on"])
    household = HouseholdFactory(project=project, code="A-1")
    lookup, result, end = (
        reverse(f"public:{name}") for name in ("lookup", "lookup_result", "lookup_end")
    )
    token = _csrf_token(client.get(lookup).content.decode())
    answer = {"project": project.pk, "code": "A-1", "id_tail": household.id_number[-6:]}
    client.post(lookup, {**answer, "csrfmiddlewaretoken": token})
    html = client.get(result).content.decode()
    assert re.search(rf'<form[^>]*method="post" action="{end}">', html)

    # A link or an image on any page cannot end it: a GET ends nothing, a POST needs the token.
    assert client.get(end)["Location"] == result
    assert client.post(end).status_code == 403
    assert household.head_name in client.get(result).content.decode()

    response = client.post(end, {"csrfmiddlewaretoken": _csrf_token(html)}, follow=True)
    assert response.redirect_chain == [(lookup, 302)]
    assert "查询已结束。" in response.content.decode()
    again = client.get(result, follow=True).content.decode()
    assert household.head_name not in again
    assert "查询已结束。" not in again


def test_a_project_code_typed_in_another_case_finds_the_projects_public_pages(client, district):
    project = ProjectFactory(district=district, code="2022-SQ-009", started_on=date(2022, 3, 1))
    ProjectFactory(district=district, code="2022-SQ-010")  # not started: not public
    for name in ["public:project_detail", "public:selection_order", "public:selection_board"]:
        response = client.get(reverse(name, args=["2022-sq-009"]))
        assert response.status_code == 302
        assert response["Location"] == reverse(name, args=[project.code])
    response = client.get(reverse("public:project_detail", args=["2022-Sq-009"]) + "?x=1")
    assert response["Location"] == reverse("public:project_detail", args=[project.code]) + "?x=1"
    assert client.get(response["Location"]).status_code == 200
    # the plan's download: no approved plan yet is a 404, reached under either spelling
    plan = client.get(reverse("public:plan_document", args=["2022-sq-009"]), follow=True)
    assert plan.redirect_chain == [(reverse("public:plan_document", args=[project.code]), 302)]
    assert plan.status_code == 404
    assert client.get(reverse("public:project_detail", args=["2022-sq-010"])).status_code == 404
    assert client.get(reverse("public:project_detail", args=["2022-sq-011"])).status_code == 404


def test_codes_that_differ_only_in_case_are_each_found_as_typed_and_never_guessed(client, district):
    upper = ProjectFactory(district=district, code="2022-SQ-020", started_on=date(2022, 3, 1))
    lower = ProjectFactory(district=district, code="2022-sq-020", started_on=date(2022, 3, 2))
    for project in (upper, lower):
        page = client.get(reverse("public:project_detail", args=[project.code]))
        assert page.status_code == 200 and project.name in page.content.decode()
    assert client.get(reverse("public:project_detail", args=["2022-Sq-020"])).status_code == 404


def test_counts_of_a_thousand_and_more_are_grouped_by_three_like_areas_and_amounts(client, project):
    project.started_on = date(2022, 3, 1)
    project.save(update_fields=["started_on"])
    Household.objects.bulk_create(
        HouseholdFactory.build(project=project, code=f"G{n:04d}", area="10.00") for n in range(1000)
    )
    page = client.get(reverse("public:project_detail", args=[project.code])).content.decode()
    cards = dict(re.findall(r'card-label">([^<]+)</span><span class="card-value">([^<]+)<', page))
    assert (cards["被征收户"], cards["建筑面积（平方米）"]) == ("1,000", "10,000.00")
    home = client.get(reverse("public:home")).content.decode()
    assert 'data-label="被征收户">1,000</td>' in home
