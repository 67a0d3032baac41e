"""The frame every logged-in page pays (issue 16): its queries, and that nothing in it is kept
between requests where it must not be (groups, activity, logout)."""

import pytest
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse, set_script_prefix
from django.utils import translation

from core.backends import ModelBackend
from core.compiled import logged_sql
from core.models import District, User
from core.navigation import frame_urls, main_nav_html, nav_for
from core.roles import Section
from tests.auth import login
from tests.factories import district_user, staff

pytestmark = pytest.mark.django_db

# A real page with no query of its own: what it costs is the frame's.
FRAME_ONLY = "password_change"


def _group(section: Section) -> Group:
    return Group.objects.get_or_create(name=section.value)[0]


def test_the_frame_reads_the_session_and_the_user_with_its_groups_in_two_queries(client):
    staff(Section.OPERATIONS, username="clerk", name="王测试")
    login(client, "clerk")
    client.get(reverse(FRAME_ONLY))  # the session's first renewal is behind us
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(FRAME_ONLY))
    assert response.status_code == 200
    assert "业务科" in response.content.decode()  # the role label: the groups were read
    # Inside the test's transaction the office's name is read, not cached (Office.page_name).
    frame = [logged_sql(q["sql"]) for q in captured if '"core_office"' not in q["sql"]]
    assert len(frame) == 2, frame
    assert frame[0].startswith('SELECT "django_session"."session_data" AS "session_data" FROM')
    assert 'FROM "core_user" LEFT OUTER JOIN "core_district"' in frame[1]
    assert 'ARRAY(SELECT U0."name" AS "name" FROM "auth_group" U0' in frame[1]


def test_a_district_users_frame_reads_the_district_with_the_user(client, district):
    district_user(district, username="district", name="李区县")
    login(client, "district")
    client.get(reverse(FRAME_ONLY))
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(FRAME_ONLY))
        assert response.wsgi_request.user.district.name == "双清区"
    assert "双清区征收部门" in response.content.decode()
    frame = [logged_sql(q["sql"]) for q in captured if '"core_office"' not in q["sql"]]
    assert len(frame) == 2, frame
    assert 'LEFT OUTER JOIN "core_district"' in frame[1]

    District.objects.filter(pk=district.pk).update(name="新双清区")
    assert "新双清区征收部门" in client.get(reverse(FRAME_ONLY)).content.decode()


def test_a_group_change_counts_from_the_next_request(client):
    clerk = staff(Section.OPERATIONS, username="clerk", name="王测试")
    login(client, "clerk")
    html = client.get(reverse(FRAME_ONLY)).content.decode()
    assert "业务科" in html and "领导" not in html
    payment = "compensation.approve_payment"

    clerk.groups.set([_group(Section.LEADER)])
    response = client.get(reverse(FRAME_ONLY))
    assert "领导" in response.content.decode() and "业务科" not in response.content.decode()
    assert response.wsgi_request.user.sections == [Section.LEADER]
    assert response.wsgi_request.user.has_perm(payment)

    clerk.groups.clear()
    response = client.get(reverse(FRAME_ONLY))
    assert response.wsgi_request.user.sections == []
    assert not response.wsgi_request.user.has_perm(payment)


def test_a_renamed_group_counts_from_the_next_request(client):
    staff(Section.LEADER, username="boss", name="赵领导")
    login(client, "boss")
    assert client.get(reverse(FRAME_ONLY)).wsgi_request.user.is_leader
    Group.objects.filter(name=Section.LEADER.value).update(name="前领导")
    assert not client.get(reverse(FRAME_ONLY)).wsgi_request.user.is_leader


def test_a_deactivated_or_deleted_user_is_logged_out_at_the_next_request(client):
    clerk = staff(Section.OPERATIONS, username="clerk", name="王测试")
    login(client, "clerk")
    assert client.get(reverse(FRAME_ONLY)).status_code == 200
    User.objects.filter(pk=clerk.pk).update(is_active=False)
    response = client.get(reverse(FRAME_ONLY))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))

    other = staff(Section.OPERATIONS, username="other", name="李测试")
    login(client, "other")
    assert client.get(reverse(FRAME_ONLY)).status_code == 200
    other.delete()
    response = client.get(reverse(FRAME_ONLY))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_logout_ends_the_session(client):
    staff(Section.OPERATIONS, username="clerk", name="王测试")
    login(client, "clerk")
    assert client.get(reverse(FRAME_ONLY)).status_code == 200
    client.post(reverse("logout"))
    assert not Session.objects.exists()
    response = client.get(reverse(FRAME_ONLY))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_backend_reads_every_group_name_and_none(db):
    both = staff(Section.FINANCE, username="both")
    both.groups.add(_group(Section.LEADER))
    nobody = User.objects.create_user("nobody", password="x" * 12)
    backend = ModelBackend()

    user = backend.get_user(both.pk)
    with CaptureQueriesContext(connection) as captured:
        assert user.sections == [Section.FINANCE, Section.LEADER]
        assert user.role_label == "计划财务科、领导"
    assert len(captured) == 0
    assert user.district is None
    assert backend.get_user(nobody.pk).sections == []
    assert backend.get_user(nobody.pk + 1000) is None
    # A user loaded any other way reads the names when first asked (one query).
    plain = User.objects.get(pk=both.pk)
    with CaptureQueriesContext(connection) as captured:
        assert plain.sections == [Section.FINANCE, Section.LEADER]
    assert len(captured) == 1


def test_the_frame_keeps_its_security_headers_and_csrf_token(client):
    staff(Section.OPERATIONS, username="clerk", name="王测试")
    login(client, "clerk")
    response = client.get(reverse(FRAME_ONLY))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in response
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()


def test_the_frame_links_are_the_routes_and_follow_the_script_prefix(client):
    """The frame's addresses are worked out once per URL configuration and script prefix
    (core.navigation), not by a {% url %} tag on every page."""
    clerk = staff(Section.OPERATIONS, username="clerk", name="王测试")
    login(client, "clerk")
    links = {
        "core:home": 'class="brand" href="{}"',
        "core:todo_list": 'href="{}" class="todo-link"',
        "core:nav_counts": 'hx-get="{}"',
        "core:notification_list": 'href="{}" class="notification-link"',
        "password_change": 'href="{}"',
        "logout": 'action="{}"',
        "projects:project_list": 'href="{}"',
    }
    html = client.get(reverse(FRAME_ONLY)).content.decode()
    for name, markup in links.items():
        assert markup.format(reverse(name)) in html, name
    try:
        set_script_prefix("/office/")
        assert frame_urls()["todo"] == "/office/todo/"
        assert frame_urls()["logout"] == "/office/accounts/logout/"
        projects = nav_for(clerk, "/office/projects/")[0]
        assert projects["url"] == "/office/projects/" and projects["active"]
    finally:
        set_script_prefix("/")
    assert frame_urls()["todo"] == "/todo/"


def test_on_other_databases_the_backend_is_djangos(db, monkeypatch, district):
    """Other databases than PostgreSQL get Django's ModelBackend.get_user: the groups are read
    when first asked, the district when first used."""
    clerk = staff(Section.LEGAL, username="clerk")
    member = district_user(district, username="district")
    monkeypatch.setattr(connection, "vendor", "sqlite")
    user = ModelBackend().get_user(clerk.pk)
    assert User.GROUP_NAMES not in user.__dict__
    with CaptureQueriesContext(connection) as captured:
        assert user.sections == [Section.LEGAL]
    assert len(captured) == 1
    assert ModelBackend().get_user(member.pk).district == district


def test_the_main_navigation_is_rendered_once_per_kind_of_user_and_current_item(
    client, settings, district
):
    """core.navigation.main_nav_html: the same markup as the loop in the template gave, kept
    per language, kind of user and current item; with DEBUG on, rendered on every page."""
    clerk = staff(Section.OPERATIONS, username="clerk", name="王测试")
    member = district_user(district, username="district", name="李区县")
    login(client, "clerk")
    html = client.get(reverse("projects:project_list")).content.decode()
    assert '<nav class="mainnav" aria-label="主导航">' in html
    assert '<a href="/projects/" class="active" aria-current="page">项目</a>' in html
    assert '<a href="/appraisers/">评估机构</a>' in html
    assert html.count('aria-current="page"') == 1

    on_projects = main_nav_html(clerk, "/projects/")
    assert main_nav_html(clerk, "/projects/2/") is on_projects  # kept
    assert main_nav_html(member, "/projects/") is not on_projects
    assert "评估机构" not in main_nav_html(member, "/projects/")
    with translation.override("en"):
        assert main_nav_html(clerk, "/projects/") is not on_projects
    assert "aria-current" not in main_nav_html(clerk, reverse(FRAME_ONLY))

    settings.DEBUG = True
    assert main_nav_html(clerk, "/projects/") is not on_projects
    assert main_nav_html(clerk, "/projects/") == on_projects


def test_a_browser_preferring_english_still_gets_one_language(client):
    """Django's own messages stay Chinese too, so a page never mixes two languages."""
    staff(Section.OPERATIONS, username="clerk", name="王测试")
    login(client, "clerk")
    english = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}
    response = client.post(reverse(FRAME_ONLY), {}, **english)
    html = response.content.decode()
    assert "修改密码" in html
    assert "这个字段是必填项。" in html  # Django's own message, in Chinese
    assert "This field is required." not in html
    assert response.headers["Content-Language"] == "zh-hans"
