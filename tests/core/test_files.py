"""Files in an S3-compatible object store (a real S3 API server started by the suite), served
only through the views that check access; no /media/ path in any mode."""

from io import StringIO

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from budget import services as budget_services
from budget.models import AnnualReport
from config.storage import s3_options
from projects.models import HouseholdDocument
from tests.auth import login
from tests.budget.factories import BudgetYearFactory
from tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db


def bucket_objects(storage_url: str) -> dict[str, bytes]:
    """What the bucket holds, read straight from the S3 server (not through our code)."""
    options = s3_options(storage_url)
    s3 = boto3.client(
        "s3",
        endpoint_url=options["endpoint_url"],
        aws_access_key_id=options["access_key"],
        aws_secret_access_key=options["secret_key"],
        region_name=options["region_name"],
    )
    listing = s3.list_objects_v2(Bucket=options["bucket_name"]).get("Contents", [])
    return {
        item["Key"]: s3.get_object(Bucket=options["bucket_name"], Key=item["Key"])["Body"].read()
        for item in listing
    }


def upload(client, household, content=b"%PDF-1.4 scan"):
    return client.post(
        reverse("projects:document_upload", args=[household.pk]),
        {
            "kind": "certificate",
            "title": "房屋所有权证",
            "file": SimpleUploadedFile("证.pdf", content, "application/pdf"),
        },
    )


def test_an_archive_file_goes_to_the_bucket_and_only_those_allowed_get_it(
    client, s3_storage, district_member, outsider, project
):
    household = HouseholdFactory(project=project)
    login(client, "district")
    upload(client, household)

    document = HouseholdDocument.objects.get()
    assert bucket_objects(s3_storage) == {document.file.name: b"%PDF-1.4 scan"}
    download = client.get(reverse("projects:document_download", args=[document.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == b"%PDF-1.4 scan"

    client.post(reverse("logout"))
    login(client, "outsider")
    assert client.get(reverse("projects:document_download", args=[document.pk])).status_code == 404
    client.post(reverse("logout"))
    assert client.get(reverse("projects:document_download", args=[document.pk])).status_code == 302


def test_two_uploads_with_one_name_keep_both_files(client, s3_storage, district_member, project):
    household = HouseholdFactory(project=project)
    login(client, "district")
    upload(client, household, b"%PDF-1.4 first")
    upload(client, household, b"%PDF-1.4 second")
    first, second = HouseholdDocument.objects.order_by("pk")
    assert first.file.name != second.file.name
    assert sorted(bucket_objects(s3_storage).values()) == [b"%PDF-1.4 first", b"%PDF-1.4 second"]


@pytest.mark.parametrize("debug", [True, False])
def test_no_stored_file_is_reachable_at_a_media_path(client, district_member, project, debug):
    household = HouseholdFactory(project=project)
    login(client, "district")
    upload(client, household)
    document = HouseholdDocument.objects.get()
    client.post(reverse("logout"))
    with override_settings(DEBUG=debug):
        from django.urls import clear_url_caches

        clear_url_caches()
        response = client.get(f"/media/{document.file.name}")
    assert response.status_code == 404
    assert b"%PDF-1.4 scan" not in response.content


def test_a_report_built_into_the_bucket_is_served_to_staff_only_until_published(
    client, s3_storage, office_user, district_member
):
    budget_year = BudgetYearFactory(year=2022)
    run = AnnualReport.objects.create(budget_year=budget_year, requested_by=office_user)
    budget_services.build_report(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == "done"
    stored = bucket_objects(s3_storage)
    assert sorted(stored) == sorted(
        f"budget/reports/2022/run-{run.pk}/{name}" for name in AnnualReport.FILES.values()
    )
    assert stored[run.pdf.name].startswith(b"%PDF-")

    # Built again (a second delivery of the job): the same five objects, overwritten.
    AnnualReport.objects.filter(pk=run.pk).update(status="running", progress=60, finished_at=None)
    budget_services.build_report(run_id=run.pk)
    assert sorted(bucket_objects(s3_storage)) == sorted(stored)

    login(client, "clerk")
    staff_download = client.get(reverse("budget:report_file", args=[run.pk, "pdf"]))
    assert b"".join(staff_download.streaming_content).startswith(b"%PDF-")
    client.post(reverse("logout"))
    login(client, "district")
    assert client.get(reverse("budget:report_file", args=[run.pk, "pdf"])).status_code == 403
    client.post(reverse("logout"))
    public = client.get(reverse("public:report_file", args=[run.pk, "pdf"]))
    assert public.status_code == 404  # not published


def test_the_bucket_command_is_safe_to_repeat(s3_storage):
    out = StringIO()
    call_command("create_media_bucket", stdout=out)
    assert "已就绪" in out.getvalue()


def test_the_storage_url_names_host_bucket_and_keys():
    options = s3_options("s3://AK%2F1:s%40cret@minio.internal:9000/media?region=cn-north-1")
    assert (options["endpoint_url"], options["bucket_name"]) == (
        "https://minio.internal:9000",
        "media",
    )
    assert (options["access_key"], options["secret_key"], options["region_name"]) == (
        "AK/1",
        "s@cret",
        "cn-north-1",
    )
    with pytest.raises(ValueError, match="s3://"):
        s3_options("https://minio.internal/media")


@pytest.fixture
def dead_storage(settings):
    """STORAGE_URL pointing at a port where no S3 server listens (the object store is down)."""
    from tests.nodes import free_port

    url = f"s3+http://test:test-secret@127.0.0.1:{free_port()}/media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": s3_options(url)},
    }
    return url


def test_an_upload_while_the_object_store_is_down_gets_a_chinese_503_and_saves_nothing(
    client, dead_storage, district_member, project
):
    household = HouseholdFactory(project=project)
    login(client, "district")
    response = upload(client, household)
    assert response.status_code == 503
    page = response.content.decode()
    assert "文件存储服务暂不可用" in page
    assert "未能保存" in page
    assert not HouseholdDocument.objects.exists()


def test_a_download_while_the_object_store_is_down_gets_a_chinese_503(
    client, dead_storage, district_member, project
):
    document = HouseholdDocument.objects.create(
        household=HouseholdFactory(project=project),
        kind="certificate",
        title="房屋所有权证",
        file="households/2026/11/证.pdf",
    )
    login(client, "district")
    response = client.get(reverse("projects:document_download", args=[document.pk]))
    assert response.status_code == 503
    assert "文件存储服务暂不可用" in response.content.decode()
