"""The reception log: staff record visits; cases are opened from them."""

from datetime import date

import pytest
from django.urls import reverse

from petitions.models import Channel, Petition, Visit
from tests.auth import login
from tests.petitions.factories import register, visit

pytestmark = pytest.mark.django_db


def visit_form(**overrides):
    return {
        "visited_on": "2022-05-10",
        "project": "",
        "district": "",
        "people_count": "3",
        "visitor_name": "来访代表",
        "visitor_id_number": "",
        "visitor_phone": "13907391111",
        "summary": "反映过渡安置费发放延迟。",
        "handling": "",
        "petition_reference": "",
        **overrides,
    }


def test_a_receptionist_records_a_visit(client, office_user, project):
    login(client, "clerk")
    response = client.post(reverse("petitions:visit_create"), visit_form(project=project.pk))
    recorded = Visit.objects.get()
    assert response["Location"] == recorded.get_absolute_url()
    assert recorded.receptionist == office_user
    assert recorded.district == project.district
    assert recorded.history.get().history_user == office_user


def test_a_case_opened_from_a_visit_carries_its_facts(client, office_user, project):
    recorded = visit(by=office_user, project=project, people_count=2, visitor_name="来访甲")
    login(client, "clerk")
    url = reverse("petitions:petition_create") + f"?visit={recorded.pk}"
    form = client.get(url).content.decode()
    assert "来访甲" in form and "咨询安置房分配进度" in form
    client.post(
        url,
        {
            "received_on": "2022-03-01",
            "channel": "visit",
            "project": project.pk,
            "district": "",
            "category": "resettlement",
            "request": "咨询安置房分配进度。",
            "people_count": "2",
            "household_code": "",
            "repeat_reference": "",
            "petitioner-name": "来访甲",
            "petitioner-phone": "",
            "petitioner-id_number": "",
            "petitioner-address": "",
        },
    )
    petition = Petition.objects.get()
    recorded.refresh_from_db()
    assert recorded.petition == petition
    assert petition.channel == Channel.VISIT
    again = client.get(url)
    assert again["Location"] == petition.get_absolute_url()


def test_a_later_visit_is_linked_to_its_case_by_reference(client, office_user, district):
    petition = register(by=office_user, district=district).petition
    login(client, "clerk")
    client.post(
        reverse("petitions:visit_create"),
        visit_form(district=district.pk, petition_reference=petition.reference.lower()),
    )
    assert Visit.objects.get().petition == petition


def test_a_visit_cannot_name_a_case_of_another_district(
    client, office_user, district, other_district
):
    petition = register(by=office_user, district=other_district).petition
    login(client, "clerk")
    response = client.post(
        reverse("petitions:visit_create"),
        visit_form(district=district.pk, petition_reference=petition.reference),
    )
    assert "关联的信访件属于其他区县" in response.content.decode()
    assert not Visit.objects.exists()


def test_district_users_read_their_districts_visits_only(
    client, office_user, district_member, district, other_district
):
    own = visit(by=office_user, district=district, visitor_name="本区来访人")
    other = visit(by=office_user, district=other_district, visitor_name="外区来访人")
    login(client, "district")
    html = client.get(reverse("petitions:visit_list")).content.decode()
    assert "本区来访人" in html and "外区来访人" not in html
    assert client.get(own.get_absolute_url()).status_code == 200
    assert client.get(other.get_absolute_url()).status_code == 404
    assert client.get(reverse("petitions:visit_create")).status_code == 403
    assert client.get(reverse("petitions:visit_edit", args=[own.pk])).status_code == 403


def test_outsiders_and_anonymous_visitors_cannot_read_a_visit(
    client, office_user, outsider, district
):
    recorded = visit(by=office_user, district=district)
    for name in ("visit_detail", "visit_edit"):
        url = reverse(f"petitions:{name}", args=[recorded.pk])
        assert client.get(url)["Location"].startswith(reverse("login"))
    assert client.get(reverse("petitions:visit_list"))["Location"].startswith(reverse("login"))
    login(client, "outsider")
    for name in ("visit_detail", "visit_edit"):
        assert client.get(reverse(f"petitions:{name}", args=[recorded.pk])).status_code == 404


def test_a_visit_in_the_future_is_refused(office_user, district):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="来访日期不能晚于今天"):
        visit(by=office_user, district=district, visited_on=date(2023, 1, 1))


def test_the_visit_list_runs_a_constant_number_of_queries(
    client, office_user, district, project, django_assert_max_num_queries
):
    login(client, "clerk")
    visit(by=office_user, project=project)
    url = reverse("petitions:visit_list")
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for n in range(15):
        petition = register(by=office_user, project=project).petition
        visit(by=office_user, project=project, visitor_name=f"来访人{n}", petition=petition)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
