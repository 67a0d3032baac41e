"""Large household imports: the checked rows are kept with the upload (the file is read once),
and a file of more than HOUSEHOLD_IMPORT_JOB_ROWS rows is saved by a Celery job while its page
shows the progress."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from projects import imports
from projects.models import Household, HouseholdImport
from projects.tasks import import_households
from tests.auth import login
from tests.factories import HouseholdFactory
from tests.projects.test_imports import good_row, post_file, upload, workbook

JOB_ROWS = 3


@pytest.fixture(autouse=True)
def _media_and_job_size(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.HOUSEHOLD_IMPORT_JOB_ROWS = JOB_ROWS


def rows(count: int, start: int = 1) -> list[list]:
    return [good_row(n) for n in range(start, start + count)]


@pytest.mark.django_db
def test_preview_and_confirm_never_read_the_file_again(
    client, district_member, project, monkeypatch
):
    login(client, "district")
    data = workbook([*rows(2), good_row(3, phone="5201234")])
    post_file(client, project, data)
    record = HouseholdImport.objects.get()
    kept = imports.unpack_records(record.records)
    assert [row["code"] for row in kept] == ["A001", "A002", "A003"]
    assert kept[0]["area"] == "85.50"
    # Packed by column: the keys are written once, not once per row.
    assert record.records["code"] == ["A001", "A002", "A003"]
    assert [(w["row"], w["column"]) for w in record.warnings] == [(4, "联系电话")]

    def no_second_read(file):
        raise AssertionError("the kept file was read again")

    monkeypatch.setattr(imports, "read_household_rows", no_second_read)
    for _reload in range(2):
        html = client.get(reverse("projects:import_detail", args=[record.pk])).content.decode()
        assert "确认导入" in html and "没有区号" in html and "测试户主3" in html
    client.post(reverse("projects:import_confirm", args=[record.pk]))
    record.refresh_from_db()
    assert record.status == HouseholdImport.Status.IMPORTED
    assert project.households.get(code="A003").phone == "0739-5201234"


@pytest.mark.django_db
def test_a_file_of_exactly_the_job_size_is_saved_within_the_request(
    client, district_member, project
):
    login(client, "district")
    post_file(client, project, workbook(rows(JOB_ROWS)))
    record = HouseholdImport.objects.get()
    client.post(reverse("projects:import_confirm", args=[record.pk]))
    record.refresh_from_db()
    assert (record.status, record.job_id) == (HouseholdImport.Status.IMPORTED, "")
    assert project.households.count() == JOB_ROWS


@pytest.mark.django_db(transaction=True)
def test_a_larger_file_saved_by_its_job_within_the_request_says_how_many_were_imported(
    client, district_member, project
):
    """Without a broker (`make run`) the job runs in the request, once the confirmation
    commits (the transaction is real here)."""
    login(client, "district")
    post_file(client, project, workbook(rows(JOB_ROWS + 1)))
    record = HouseholdImport.objects.get()
    url = reverse("projects:import_confirm", args=[record.pk])
    confirmed = client.post(url, follow=True)
    assert f"已导入{JOB_ROWS + 1}户被征收户。" in confirmed.content.decode()
    assert project.households.count() == JOB_ROWS + 1


@pytest.mark.django_db
def test_a_larger_file_shows_a_progress_bar_until_its_job_has_saved_it(
    client, district_member, project
):
    login(client, "district")
    post_file(client, project, workbook(rows(JOB_ROWS + 1)))
    record = HouseholdImport.objects.get()
    # The job is sent when the request's transaction commits, which a test never does.
    confirmed = client.post(reverse("projects:import_confirm", args=[record.pk]), follow=True)
    assert (
        f"正在导入{JOB_ROWS + 1}户被征收户，本页显示进度，完成后自动刷新。"
        in confirmed.content.decode()
    )
    record.refresh_from_db()
    assert record.status == HouseholdImport.Status.IMPORTING
    assert record.job_id and record.confirmed_by == district_member
    assert not project.households.exists()

    html = client.get(reverse("projects:import_detail", args=[record.pk])).content.decode()
    progress_url = reverse("projects:import_progress", args=[record.pk])
    assert f'hx-get="{progress_url}"' in html and "正在导入" in html
    assert reverse("projects:import_confirm", args=[record.pk]) not in html
    partial = client.get(progress_url)
    assert partial.status_code == 200 and "已保存 0 / 4 户" in partial.content.decode()
    again = client.post(reverse("projects:import_confirm", args=[record.pk]), follow=True)
    assert "该文件正在导入，请稍候。" in again.content.decode()

    seen = []
    imports.run_household_import(import_id=record.pk, progress=seen.append)
    record.refresh_from_db()
    assert record.status == HouseholdImport.Status.IMPORTED
    assert seen == [JOB_ROWS + 1]
    history = Household.history.filter(project=project)
    assert {(h.history_type, h.history_user_id) for h in history} == {("+", district_member.pk)}
    assert history.count() == JOB_ROWS + 1
    done = client.get(progress_url)
    assert (done.status_code, done["HX-Refresh"]) == (204, "true")
    # Run twice (a redelivered job): nothing more is saved.
    imports.run_household_import(import_id=record.pk)
    assert project.households.count() == JOB_ROWS + 1


@pytest.mark.django_db
def test_the_job_saves_nothing_when_a_code_was_registered_meanwhile(district_member, project):
    record = imports.upload_household_file(
        project=project, by=district_member, file=upload(workbook(rows(JOB_ROWS + 2)))
    )
    imports.confirm_household_import(household_import=record, by=district_member)
    HouseholdFactory(project=project, code="A005")
    imports.run_household_import(import_id=record.pk)
    record.refresh_from_db()
    assert record.status == HouseholdImport.Status.FAILED
    assert record.errors == [
        {"row": 6, "column": "户号", "message": "户号“A005”在本项目中已经登记。"}
    ]
    assert list(project.households.values_list("code", flat=True)) == ["A005"]
    assert not Household.history.filter(project=project, code="A001").exists()
    # Its page says the check had passed and the confirmation found the problem.
    client = Client()
    client.force_login(district_member)
    html = client.get(reverse("projects:import_detail", args=[record.pk])).content.decode()
    assert "确认导入时发现 1 处问题" in html and "文件中有" not in html


@pytest.mark.django_db
def test_the_job_saves_the_kept_rows_as_checked_in_row_order_reporting_each_batch(
    district_member, project, monkeypatch
):
    """The job saves from the rows kept with the upload, inside the database, KEPT_BATCH rows
    a statement: every field as the check left it (the phone given its area code, the area
    to the fen, the labels as stored values), households in row order, one "+" history row
    each, and the progress after each statement."""
    monkeypatch.setattr(imports, "KEPT_BATCH", 2)
    name = "二〇二二年双清区某某片区被征收户调查登记表（第二批，已核对）" * 3 + ".xlsx"
    record = imports.upload_household_file(
        project=project,
        by=district_member,
        file=upload(
            workbook(
                [
                    good_row(1),
                    good_row(2, phone="5201234", area="0.01"),
                    good_row(3, use="非住宅", hardship="低保", note="有搭建"),
                    good_row(4, area="99999999.99"),
                    good_row(5),
                ]
            ),
            name=name,
        ),
    )
    kept = imports.unpack_records(record.records)
    imports.confirm_household_import(household_import=record, by=district_member)
    seen = []
    imports.run_household_import(import_id=record.pk, progress=seen.append)
    record.refresh_from_db()
    assert record.status == HouseholdImport.Status.IMPORTED and record.imported_at
    assert seen == [2, 4, 5]
    saved = list(project.households.order_by("pk"))
    assert [h.code for h in saved] == ["A001", "A002", "A003", "A004", "A005"]
    for household, row in zip(saved, kept, strict=True):
        for name_, value in row.items():
            if name_ != "row":
                assert str(getattr(household, name_)) == value, (row["row"], name_)
    assert saved[1].phone == "0739-5201234" and saved[1].area == Decimal("0.01")
    assert (saved[2].use, saved[2].hardship, saved[2].note) == (
        Household.Use.NON_RESIDENTIAL,
        Household.Hardship.DIBAO,
        "有搭建",
    )
    assert saved[3].area == Decimal("99999999.99")
    # The local day (Asia/Shanghai), not created_at's UTC date, which differs after 16:00 UTC.
    assert all(h.registered_on == timezone.localdate(h.created_at) for h in saved)
    history = Household.history.filter(project=project).order_by("id")
    assert [(h.id, h.history_type, h.history_user_id) for h in history] == [
        (h.pk, "+", district_member.pk) for h in saved
    ]
    reason = history[0].history_change_reason
    assert reason.startswith("调查登记表导入：二〇二二年") and len(reason) == 100
    assert {h.history_date for h in history} == {history[0].history_date}
    tally = project.tallies.get()
    assert (tally.households, tally.area) == (5, sum(h.area for h in saved))


@pytest.mark.django_db
def test_the_job_saves_nothing_when_the_kept_file_is_gone(district_member, project):
    record = imports.upload_household_file(
        project=project, by=district_member, file=upload(workbook(rows(JOB_ROWS + 1)))
    )
    imports.confirm_household_import(household_import=record, by=district_member)
    record.file.delete(save=False)
    imports.run_household_import(import_id=record.pk)
    record.refresh_from_db()
    assert record.status == HouseholdImport.Status.FAILED
    assert [e["message"] for e in record.errors] == ["无法读取已上传的文件，请重新上传。"]
    assert not project.households.exists()


def test_outsider_cannot_watch_another_districts_import(client, outsider, district_member, project):
    record = imports.upload_household_file(
        project=project, by=district_member, file=upload(workbook(rows(1)))
    )
    login(client, "outsider")
    response = client.get(reverse("projects:import_progress", args=[record.pk]))
    assert response.status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_saves_a_large_import_confirmed_on_the_page(
    celery_worker, client, district_member, project
):
    login(client, "district")
    post_file(client, project, workbook(rows(JOB_ROWS + 7)))
    record = HouseholdImport.objects.get()
    client.post(reverse("projects:import_confirm", args=[record.pk]))
    # The worker took the job queued on commit; wait for it through a second, no-op
    # delivery (an import no longer `importing` is left alone), which the solo worker runs
    # after the first.
    assert import_households.delay(record.pk).get(timeout=60) == "imported"
    record.refresh_from_db()
    assert record.status == HouseholdImport.Status.IMPORTED
    assert project.households.count() == JOB_ROWS + 7
    assert Household.history.filter(project=project, history_type="+").count() == JOB_ROWS + 7
    assert client.get(reverse("projects:import_progress", args=[record.pk]))["HX-Refresh"]


@pytest.fixture
def five_rows_two_a_page(client, district_member, project, monkeypatch):
    """An upload of five rows by the district's user (logged in), previewed two a page."""
    from projects.views import imports as import_views

    monkeypatch.setattr(import_views, "PREVIEW_ROWS", 2)
    login(client, "district")
    post_file(client, project, workbook(rows(5)))
    return HouseholdImport.objects.get()


@pytest.mark.django_db
def test_the_preview_shows_a_long_file_page_by_page_in_order(client, five_rows_two_a_page):
    url = reverse("projects:import_detail", args=[five_rows_two_a_page.pk])
    html = client.get(url).content.decode()
    assert "测试户主1<" in html and "测试户主2<" in html and "测试户主3<" not in html
    assert "共 5 户，这里显示第 1–2 户" in html and "第 1 / 3 页" in html
    assert "确认导入" in html
    middle = client.get(url, {"page": 2}).content.decode()
    assert "测试户主2<" not in middle and "测试户主3<" in middle and "测试户主4<" in middle
    last = client.get(url, {"page": 3}).content.decode()
    assert "共 5 户，这里显示第 5–5 户" in last
    assert "测试户主5<" in last and "测试户主4<" not in last


@pytest.mark.django_db
def test_the_preview_finds_a_code_registered_after_the_upload_whatever_page_is_shown(
    client, project, five_rows_two_a_page
):
    HouseholdFactory(project=project, code="A005")  # on the third page, not the first
    url = reverse("projects:import_detail", args=[five_rows_two_a_page.pk])
    html = client.get(url).content.decode()
    assert "上传后本项目的被征收户有了变化" in html and "户号“A005”在本项目中已经登记。" in html
    assert "确认导入" not in html
    # The badge says so too, not 校验通过 above the errors.
    assert "上传后有变化，不能导入</span>" in html and "校验通过" not in html
