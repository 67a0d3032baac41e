import pytest
from django.urls import reverse

from core.models import District
from tests.auth import login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_admin_changes_to_a_district_are_kept_with_who_made_them(client, district):
    UserFactory(username="root", is_superuser=True, is_staff=True)
    login(client, "root")
    url = reverse("admin:core_district_change", args=[district.pk])
    response = client.post(
        url,
        {
            "code": district.code,
            "name": "双清区（新）",
            "kind": "district",
            "office_name": "双清区征收办",
            "sort_order": 1,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    latest = District.history.filter(id=district.pk).latest("history_date")
    assert latest.name == "双清区（新）"
    assert latest.history_user.username == "root"
    assert District.history.filter(id=district.pk).count() == 2
