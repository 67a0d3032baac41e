"""The report job: queued from the page, run (eagerly in tests), its files, publication,
idempotence, failure and the command (faults: test_job_faults.py)."""

import re
from decimal import Decimal
from io import BytesIO, StringIO
from urllib.parse import unquote

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from budget import services, tasks
from budget.models import AnnualReport, FindingNote, Fund, SpendingKind
from core.roles import Section
from tests.auth import login
from tests.budget.conftest import indicator, line, wan
from tests.factories import staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_year(budget_year, finance):
    line(budget_year, finance, kind=SpendingKind.BASIC, amounts=("0", "213.4", "213.4", "0"))
    line(budget_year, finance, kind=SpendingKind.PROJECT, amounts=("3", "5", "3", "5"))
    services.save_stated_total(
        budget_year=budget_year,
        by=finance,
        fund=Fund.GENERAL,
        income=wan("213.4"),
        expenditure=wan("213.4"),
    )
    _one_indicator_worth_everything(budget_year, finance)
    return budget_year


def _one_indicator_worth_everything(budget_year, finance):
    """One output indicator worth all 100 points, as this year's layout says."""
    services.update_year(
        budget_year=budget_year,
        by=finance,
        weight_execution=0,
        weight_output=100,
        weight_benefit=0,
        weight_satisfaction=0,
    )
    indicator(budget_year, finance, target=Decimal(1), actual=Decimal(1), weight=Decimal(100))


def request_report(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("budget:report_request", args=[2022]))
    return response, AnnualReport.objects.get()


def test_the_button_queues_the_job_which_writes_five_files(
    client, small_year, office_user, django_capture_on_commit_callbacks
):
    login(client, "clerk")
    response, run = request_report(client, django_capture_on_commit_callbacks)
    assert response["Location"] == run.get_absolute_url()
    assert (run.status, run.progress, run.requested_by) == ("done", 100, office_user)
    assert [field for field, _label, _file in run.files()] == list(AnnualReport.FILES)
    assert run.total_score == Decimal("100.00")
    assert [(f["stated"], f["computed"]) for f in run.findings] == [
        ("213.4", "218.4"),
        ("213.4", "216.4"),
    ]

    page = client.get(run.get_absolute_url()).content.decode()
    assert "一致性检查发现2处不一致" in page
    assert 'hx-trigger="every' not in page  # finished: nothing polls

    download = client.get(reverse("budget:report_file", args=[run.pk, "attachment2"]))
    assert download["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(BytesIO(b"".join(download.streaming_content))).active
    assert sheet["A1"].value == "部门整体支出绩效自评表"


def test_a_queued_run_polls_its_progress_until_it_finishes(client, small_year, office_user):
    run = AnnualReport.objects.create(budget_year=small_year, requested_by=office_user)
    login(client, "finance")  # who may publish: the form comes too
    page = client.get(run.get_absolute_url()).content.decode()
    partial = client.get(reverse("budget:report_progress", args=[run.pk])).content.decode()
    for html in (page, partial):
        # The page's run part and the polled answer are one element, which replaces itself.
        assert re.search(r'<div id="report-run" hx-get="[^"]+" hx-trigger="every 1s"', html)
        assert '<progress max="100" value="0"' in html
        assert "已提交生成任务，请稍候" in html
        assert "一致性检查" not in html

    services.build_report(run_id=run.pk)
    partial = client.get(reverse("budget:report_progress", args=[run.pk])).content.decode()
    assert '<div id="report-run">' in partial
    assert "hx-trigger" not in partial
    assert "已提交生成任务" not in partial
    assert reverse("budget:report_file", args=[run.pk, "pdf"]) in partial
    # What the page shows of a finished run comes with it, without a reload.
    assert "自评得分" in partial and "一致性检查发现2处不一致" in partial
    assert reverse("budget:report_publish", args=[run.pk]) in partial
    assert "<html" not in partial


def test_a_queued_report_leaves_no_submitted_message_behind(
    client, small_year, office_user, django_capture_on_commit_callbacks
):
    login(client, "clerk")
    # The job is not run: the run stays queued, as when the worker has not started it yet.
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("budget:report_request", args=[2022]), follow=True)
    run = AnnualReport.objects.get()
    assert run.status == "queued"
    html = response.content.decode()
    assert '<ul class="messages">' not in html  # a message would stay once the run finished
    assert "已提交生成任务，请稍候" in html

    services.build_report(run_id=run.pk)
    html = client.get(reverse("budget:report_progress", args=[run.pk])).content.decode()
    assert "已提交生成任务" not in html and "已完成" in html


DOWNLOAD_NAMES = {
    "pdf": ("2022年度整体支出绩效自评报告.pdf", "2022-report.pdf"),
    "docx": ("2022年度整体支出绩效自评报告.docx", "2022-report.docx"),
    "attachment1": ("附件1 2022年度部门整体支出绩效评价基础数据表.xlsx", "2022-attachment1.xlsx"),
    "attachment2": ("附件2 2022年度部门整体支出绩效自评表.xlsx", "2022-attachment2.xlsx"),
    "attachment3": ("附件3 2022年度项目支出绩效自评表.xlsx", "2022-attachment3.xlsx"),
}


def _download_names(response) -> tuple[str, str]:
    """(filename*, filename) of an attachment, decoded as a browser reads them."""
    header = response["Content-Disposition"]
    assert header.startswith("attachment; ")
    extended = re.search(r"filename\*=utf-8''([^;]+)", header, re.IGNORECASE)
    plain = re.search(r'filename="([^"]+)"', header)
    assert extended and plain, header
    assert plain.group(1).isascii()
    return unquote(extended.group(1)), plain.group(1)


def test_the_files_download_under_their_chinese_titles_with_an_ascii_fallback(
    client, budget_year, finance
):
    _one_indicator_worth_everything(budget_year, finance)
    run = AnnualReport.objects.create(budget_year=budget_year, requested_by=finance)
    services.build_report(run_id=run.pk)
    run.refresh_from_db()
    assert run.findings == []  # nothing stands in the way of publishing it
    login(client, "finance")
    for field, names in DOWNLOAD_NAMES.items():
        response = client.get(reverse("budget:report_file", args=[run.pk, field]))
        assert _download_names(response) == names, field
    assert client.get(reverse("budget:report_file", args=[run.pk, "secret"])).status_code == 404

    # The public page serves the published run under the same names.
    services.publish_report(run=run, by=finance)
    client.logout()
    for field, names in DOWNLOAD_NAMES.items():
        response = client.get(reverse("public:report_file", args=[run.pk, field]))
        assert _download_names(response) == names, field
    assert client.get(reverse("public:report_file", args=[run.pk, "secret"])).status_code == 404


def test_running_the_job_twice_changes_nothing(small_year, office_user):
    run = AnnualReport.objects.create(budget_year=small_year, requested_by=office_user)
    first = tasks.build_annual_report.delay(run.pk).get()
    run.refresh_from_db()
    finished_at, pdf_name = run.finished_at, run.pdf.name
    second = tasks.build_annual_report.delay(run.pk).get()
    run.refresh_from_db()
    assert (first, second) == ("done", "done")
    assert (run.finished_at, run.pdf.name) == (finished_at, pdf_name)


def test_a_run_interrupted_half_way_is_built_again_over_its_own_files(small_year, office_user):
    run = AnnualReport.objects.create(budget_year=small_year, requested_by=office_user)
    services.build_report(run_id=run.pk)
    run.refresh_from_db()
    name = run.pdf.name
    # As if the worker died after writing: the broker delivers the job again.
    AnnualReport.objects.filter(pk=run.pk).update(status="running", progress=60, finished_at=None)
    services.build_report(run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.pdf.name) == ("done", name)
    assert name.endswith(f"run-{run.pk}/report.pdf")


def test_a_failing_build_is_recorded_on_the_run(small_year, office_user, monkeypatch):
    from budget.report import build

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(build, "build_files", broken)
    run = AnnualReport.objects.create(budget_year=small_year, requested_by=office_user)
    run = services.build_report(run_id=run.pk)
    assert run.status == "failed"
    assert run.error == "生成失败：disk full"


def test_publishing_a_run_with_findings_needs_a_leaders_acknowledgement_of_each(
    small_year, finance, office_user, client
):
    leader = staff(Section.LEADER, username="leader", name="周领导")
    run = AnnualReport.objects.create(budget_year=small_year, requested_by=finance)
    services.build_report(run_id=run.pk)
    login(client, "finance")
    url = reverse("budget:report_publish", args=[run.pk])
    page = client.post(url, follow=True).content.decode()
    assert "一致性检查发现的2处不一致尚未经领导确认其说明" in page
    assert not AnnualReport.objects.published().exists()

    # The office writes its explanation of each (any staff member), a leader acknowledges it.
    client.logout()
    login(client, "clerk")
    for key, text in [
        ("stated:general:income", "决算收入未含项目支出收入5万元。"),
        ("stated:general:expenditure", "决算支出未含项目支出3万元。"),
    ]:
        client.post(reverse("budget:finding_explain", args=[2022, key]), {"explanation": text})
    refused = client.post(
        reverse("budget:finding_acknowledge", args=[2022, "stated:general:income"])
    )
    assert refused.status_code == 403  # a clerk is not a leader, and the page says so
    assert "只有领导可以确认一致性检查的差异说明" in refused.content.decode()
    client.logout()
    login(client, "leader")
    for key in ("stated:general:income", "stated:general:expenditure"):
        client.post(reverse("budget:finding_acknowledge", args=[2022, key]))
    note = FindingNote.objects.get(key="stated:general:income")
    assert (note.acknowledged_by, note.acknowledged_figures) == (leader, "213.4/218.4万元")
    assert note.history.filter(acknowledged_by=leader).exists()

    # This run printed no explanation: it stays unpublishable; the next build prints them.
    client.logout()
    login(client, "finance")
    client.post(url)
    assert not AnnualReport.objects.published().exists()
    rebuilt = AnnualReport.objects.create(budget_year=small_year, requested_by=finance)
    services.build_report(run_id=rebuilt.pk)
    rebuilt.refresh_from_db()
    assert [f["explanation"] for f in rebuilt.findings] == [
        "决算收入未含项目支出收入5万元。",
        "决算支出未含项目支出3万元。",
    ]
    client.post(reverse("budget:report_publish", args=[rebuilt.pk]))
    assert list(AnnualReport.objects.published()) == [rebuilt]
    rebuilt.refresh_from_db()
    assert rebuilt.published_by == finance

    client.post(reverse("budget:report_withdraw", args=[rebuilt.pk]))
    assert not AnnualReport.objects.published().exists()


def test_new_words_or_new_figures_need_a_new_acknowledgement(small_year, finance):
    leader = staff(Section.LEADER, username="leader", name="周领导")
    key = "stated:general:income"
    services.explain_finding(budget_year=small_year, by=finance, key=key, explanation="原说明。")
    services.acknowledge_finding(budget_year=small_year, by=leader, key=key)
    note = services.explain_finding(
        budget_year=small_year, by=finance, key=key, explanation="改过的说明。"
    )
    assert note.acknowledged_at is None

    services.acknowledge_finding(budget_year=small_year, by=leader, key=key)
    # The project line's income changes: the finding now says 213.4 against 219.4.
    line(small_year, finance, kind=SpendingKind.PROJECT, amounts=("3", "6", "3", "6"))
    run = AnnualReport.objects.create(budget_year=small_year, requested_by=finance)
    services.build_report(run_id=run.pk)
    run.refresh_from_db()
    assert [f["key"] for f in services.unacknowledged(run)] == [key, "stated:general:expenditure"]


def test_correcting_the_data_leaves_nothing_to_acknowledge(small_year, finance):
    services.save_stated_total(
        budget_year=small_year,
        by=finance,
        fund=Fund.GENERAL,
        income=wan("218.4"),
        expenditure=wan("216.4"),
    )
    run = AnnualReport.objects.create(budget_year=small_year, requested_by=finance)
    run = services.build_report(run_id=run.pk)
    assert run.findings == []
    services.publish_report(run=run, by=finance)
    assert run.budget_year.reports.published().get() == run


def test_a_district_user_cannot_explain_a_finding(small_year, district_member, client):
    login(client, "district")
    response = client.post(
        reverse("budget:finding_explain", args=[2022, "stated:general:income"]),
        {"explanation": "区县不应能写。"},
    )
    assert response.status_code == 403
    assert not FindingNote.objects.exists()


def test_an_unfinished_run_cannot_be_published(small_year, finance):
    from django.core.exceptions import ValidationError

    run = AnnualReport.objects.create(budget_year=small_year)
    with pytest.raises(ValidationError):
        services.publish_report(run=run, by=finance)


def test_the_command_writes_the_five_files_without_a_broker(small_year, tmp_path):
    out = tmp_path / "out"
    stdout, stderr = StringIO(), StringIO()
    call_command(
        "build_annual_report", "--year", "2022", "--out", str(out), stdout=stdout, stderr=stderr
    )
    assert sorted(p.name for p in out.iterdir()) == sorted(AnnualReport.FILES.values())
    assert (out / "report.pdf").read_bytes().startswith(b"%PDF")
    assert "合计218.4万元" in stderr.getvalue()
    assert "得分100" in stdout.getvalue()
    assert AnnualReport.objects.get().requested_by is None


def test_the_command_refuses_a_year_that_does_not_exist(db, tmp_path):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="2030年度尚未建立"):
        call_command("build_annual_report", "--year", "2030", "--out", str(tmp_path))
