from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.deadlines import LIBRARY_SOURCE
from projects import services
from projects.models import Notice
from tests.auth import login
from tests.factories import sign_off_and_publish, signed_off
from tests.html import visible_text
from tests.projects.helpers import file_approvals

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% notice attachment\n"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def notice_form(**overrides):
    data = {
        "kind": Notice.Kind.START,
        "title": "六岭棚改项目房屋征收启动公告",
        "body": "根据《国有土地上房屋征收与补偿条例》，现将有关事项公告如下。",
        "period_days": "0",
        **overrides,
    }
    return data


def drafted(project, by, **fields):
    values = {
        "kind": Notice.Kind.OTHER,
        "title": "一榜公示",
        "body": "调查登记结果公示。",
        **fields,
    }
    return services.draft_notice(project=project, by=by, **values)


def html_of(response) -> str:
    return response.content.decode()


def test_district_user_drafts_a_notice_with_an_attachment(client, project, district_member):
    login(client, "district")
    attachment = SimpleUploadedFile("一榜.pdf", PDF, content_type="application/pdf")

    response = client.post(
        reverse("projects:notice_create", args=[project.pk]),
        notice_form(kind=Notice.Kind.FIRST_LIST, title="一榜公示", period_days="7")
        | {"attachment": attachment},
        follow=True,
    )

    notice = Notice.objects.get(project=project)
    assert notice.created_by == district_member
    assert not notice.is_published
    assert notice.period_days == 7
    html = html_of(response)
    assert "公告草稿已保存，待领导签发后由责任科室发布。" in html
    assert "草稿" in html
    assert "7日，自发布次日起算" in html
    # The district drafts; only the office publishes.
    assert reverse("projects:notice_publish", args=[notice.pk]) not in html

    download = client.get(reverse("projects:notice_attachment", args=[notice.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF


def test_publishing_a_start_notice_sets_the_project_start_date(
    client, project, district_member, office_user
):
    file_approvals(project, district_user=district_member, staff=office_user)
    notice = drafted(project, district_member, kind=Notice.Kind.START, title="启动公告")
    signed_off(notice)
    login(client, "clerk")
    page = html_of(client.get(notice.get_absolute_url()))
    assert "发布" in page and "启动公告的发布日期即项目启动日期。" in page

    response = client.post(
        reverse("projects:notice_publish", args=[notice.pk]),
        {"published_on": "2022-03-15"},
        follow=True,
    )

    notice.refresh_from_db()
    project.refresh_from_db()
    assert notice.published_on == date(2022, 3, 15)
    assert notice.published_by == office_user
    assert project.started_on == date(2022, 3, 15)
    html = html_of(response)
    assert "公告已发布。" in html
    assert "已发布" in html
    assert "2022年3月15日" in html


def test_publishing_without_a_date_uses_today_and_shows_the_posting_period(
    client, project, office_user
):
    notice = drafted(project, office_user, period_days=10)
    signed_off(notice)
    login(client, "clerk")

    response = client.post(reverse("projects:notice_publish", args=[notice.pk]), follow=True)

    today = timezone.localdate()
    notice.refresh_from_db()
    assert notice.published_on == today
    # Ten days or fewer count working days (the deadline engine): at least ten calendar days.
    end = notice.ends_on
    assert end >= today + timedelta(days=10)
    html = html_of(response)
    assert (
        f"{today.year}年{today.month}月{today.day}日至{end.year}年{end.month}月{end.day}日" in html
    )
    assert "（10日）" in html
    assert notice.period_explanation.splitlines()[0] in html


def test_a_publication_date_in_the_future_is_refused(client, project, office_user):
    notice = drafted(project, office_user)
    signed_off(notice)
    login(client, "clerk")
    tomorrow = timezone.localdate() + timedelta(days=1)

    response = client.post(
        reverse("projects:notice_publish", args=[notice.pk]), {"published_on": tomorrow}
    )

    assert response.status_code == 200
    assert "发布日期不能晚于今天。" in html_of(response)
    notice.refresh_from_db()
    assert not notice.is_published


def test_a_published_notice_cannot_be_published_again(client, project, office_user):
    notice = drafted(project, office_user)
    sign_off_and_publish(notice, by=office_user, on=date(2022, 5, 1))
    login(client, "clerk")

    response = client.post(reverse("projects:notice_publish", args=[notice.pk]), follow=True)

    assert response.status_code == 200
    assert "该公告已经发布。" in html_of(response)
    notice.refresh_from_db()
    assert notice.published_on == date(2022, 5, 1)


def test_district_user_cannot_publish_a_notice(client, project, district_member):
    notice = drafted(project, district_member, kind=Notice.Kind.START)
    login(client, "district")

    response = client.post(reverse("projects:notice_publish", args=[notice.pk]))

    assert response.status_code == 403
    notice.refresh_from_db()
    project.refresh_from_db()
    assert not notice.is_published
    assert project.started_on is None


def test_office_staff_can_draft_a_notice_for_any_district(client, project, office_user):
    login(client, "clerk")

    response = client.post(reverse("projects:notice_create", args=[project.pk]), notice_form())

    notice = Notice.objects.get(project=project)
    assert response["Location"] == notice.get_absolute_url()
    assert notice.created_by == office_user


@pytest.mark.parametrize(
    ("attachment", "message"),
    [
        (
            SimpleUploadedFile("公告.html", b"<script>"),
            "只接受PDF、Word、Excel 或 JPG/PNG 图片文件。",
        ),
        (SimpleUploadedFile("公告.xlsx", b"not a zip"), "文件内容与扩展名.xlsx不符"),
    ],
)
def test_notice_attachment_must_be_a_document(
    client, project, district_member, attachment, message
):
    login(client, "district")

    response = client.post(
        reverse("projects:notice_create", args=[project.pk]),
        notice_form() | {"attachment": attachment},
    )

    assert response.status_code == 200
    assert message in html_of(response)
    assert not Notice.objects.exists()


def test_missing_title_and_body_are_reported_in_chinese(client, project, district_member):
    login(client, "district")

    response = client.post(
        reverse("projects:notice_create", args=[project.pk]), notice_form(title="", body="")
    )

    assert response.status_code == 200
    assert html_of(response).count("这个字段是必填项。") == 2


def test_notice_index_filters_by_kind_status_and_title(client, project, other_project, office_user):
    file_approvals(project, district_user=office_user, staff=office_user)
    start = drafted(project, office_user, kind=Notice.Kind.START, title="六岭棚改启动公告")
    sign_off_and_publish(start, by=office_user, on=date(2022, 3, 1))
    draft = drafted(project, office_user, kind=Notice.Kind.FIRST_LIST, title="六岭棚改一榜公示")
    elsewhere = drafted(
        other_project, office_user, kind=Notice.Kind.FIRST_LIST, title="水利局棚改一榜公示"
    )
    login(client, "clerk")
    url = reverse("projects:notice_index")

    def listed(**params):
        return set(client.get(url, params).context["page"])

    assert listed() == {start, draft, elsewhere}
    assert listed(kind=Notice.Kind.FIRST_LIST) == {draft, elsewhere}
    assert listed(status="published") == {start}
    assert listed(status="draft") == {draft, elsewhere}
    assert listed(q="水利局") == {elsewhere}
    assert listed(q="六岭", status="draft") == {draft}


def test_notice_index_pages_by_twenty_five(client, project, office_user):
    for n in range(30):
        drafted(project, office_user, title=f"公示{n}")
    login(client, "clerk")

    first = client.get(reverse("projects:notice_index"), {"status": "draft"})
    second = client.get(reverse("projects:notice_index"), {"status": "draft", "page": 2})

    assert len(first.context["page"]) == 25
    assert len(second.context["page"]) == 5
    # The filters survive paging.
    assert "status=draft&amp;page=2" in html_of(first)


def test_district_user_sees_only_their_districts_notices(
    client, project, other_project, district_member, office_user
):
    mine = drafted(project, office_user, title="双清区的公告")
    drafted(other_project, office_user, title="大祥区的公告")
    login(client, "district")

    response = client.get(reverse("projects:notice_index"))

    assert list(response.context["page"]) == [mine]
    assert "大祥区的公告" not in html_of(response)


def test_project_notice_list_shows_only_that_projects_notices(
    client, project, other_project, office_user
):
    mine = drafted(project, office_user, title="本项目公告")
    drafted(other_project, office_user, title="其他项目公告")
    login(client, "clerk")

    response = client.get(reverse("projects:notice_list", args=[project.pk]))

    assert list(response.context["page"]) == [mine]
    assert reverse("projects:notice_create", args=[project.pk]) in html_of(response)


def _notice_urls(notice):
    return [
        ("get", reverse("projects:notice_list", args=[notice.project_id])),
        ("get", reverse("projects:notice_create", args=[notice.project_id])),
        ("post", reverse("projects:notice_create", args=[notice.project_id])),
        ("get", reverse("projects:notice_detail", args=[notice.pk])),
        ("post", reverse("projects:notice_publish", args=[notice.pk])),
        ("get", reverse("projects:notice_attachment", args=[notice.pk])),
    ]


def test_district_user_cannot_reach_another_districts_notice_by_any_url(
    client, project, district_member, outsider
):
    notice = drafted(
        project,
        district_member,
        attachment=SimpleUploadedFile("一榜.pdf", PDF, content_type="application/pdf"),
    )
    login(client, "outsider")

    for method, url in _notice_urls(notice):
        response = getattr(client, method)(url, notice_form() if method == "post" else None)
        assert response.status_code == 404, url

    assert Notice.objects.count() == 1
    assert list(client.get(reverse("projects:notice_index")).context["page"]) == []


def test_anonymous_user_is_sent_to_login_from_every_notice_url(client, project, office_user):
    notice = drafted(project, office_user)

    for method, url in [*_notice_urls(notice), ("get", reverse("projects:notice_index"))]:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_a_notice_without_attachment_has_nothing_to_download(client, project, office_user):
    notice = drafted(project, office_user)
    login(client, "clerk")
    assert client.get(reverse("projects:notice_attachment", args=[notice.pk])).status_code == 404


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


def test_notice_lists_do_not_issue_more_queries_for_more_notices(
    client, project, office_user, django_assert_max_num_queries
):
    def add(count):
        for n in range(count):
            notice = drafted(project, office_user, title=f"公示{n}", period_days=7)
            if n % 2:
                sign_off_and_publish(notice, by=office_user, on=date(2022, 4, 1))

    add(3)
    login(client, "clerk")
    urls = [reverse("projects:notice_index"), reverse("projects:notice_list", args=[project.pk])]
    few = [_queries(client, url) for url in urls]

    add(27)
    for url, count in zip(urls, few, strict=True):
        with django_assert_max_num_queries(count):
            response = client.get(url)
        assert len(response.context["page"]) == 25


def test_a_draft_can_be_corrected_until_it_is_published(
    client, district_member, office_user, project
):
    notice = services.draft_notice(
        project=project, by=district_member, kind="other", title="一榜（错字）", body="正文"
    )
    login(client, "district")
    url = reverse("projects:notice_edit", args=[notice.pk])
    client.post(url, {"kind": "other", "title": "一榜公示", "body": "正文", "period_days": 7})
    notice.refresh_from_db()
    assert notice.title == "一榜公示"
    sign_off_and_publish(notice, by=office_user)
    response = client.post(
        url, {"kind": "first_list", "title": "改", "body": "正文", "period_days": 7}, follow=True
    )
    assert "公告已发布，不能修改" in response.content.decode()
    notice.refresh_from_db()
    assert notice.title == "一榜公示"


def test_another_district_cannot_edit_a_draft(client, outsider, district_member, project):
    notice = services.draft_notice(
        project=project, by=district_member, kind="other", title="草稿", body="正文"
    )
    login(client, "outsider")
    assert client.get(reverse("projects:notice_edit", args=[notice.pk])).status_code == 404


def test_the_posting_period_names_the_holiday_calendar_in_chinese_not_the_librarys_name(
    client, project, office_user
):
    notice = drafted(project, office_user, period_days=10)
    signed_off(notice)
    login(client, "clerk")
    client.post(reverse("projects:notice_publish", args=[notice.pk]))
    notice.refresh_from_db()
    # What is stored keeps the library's name and version; the pages translate it.
    assert f"节假日依据：{LIBRARY_SOURCE}" in notice.period_explanation
    tooltip = f'title="据 {LIBRARY_SOURCE} 数据（收录国务院办公厅历年部分节假日安排的通知）"'
    for url in (
        reverse("projects:notice_detail", args=[notice.pk]),
        reverse("projects:objection_list", args=[notice.pk]),
    ):
        html = html_of(client.get(url))
        assert "节假日依据：国务院办公厅历年节假日安排" in visible_text(html), url
        assert "chinesecalendar" not in visible_text(html), url
        assert tooltip in html, url
    notice.refresh_from_db()
    assert f"节假日依据：{LIBRARY_SOURCE}" in notice.period_explanation
