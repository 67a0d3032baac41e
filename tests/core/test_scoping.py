import pytest
from django.contrib.auth.models import AnonymousUser

from core.scoping import sees_district, visible_to
from projects.models import Project
from tests.factories import district_user, staff

pytestmark = pytest.mark.django_db


def test_sees_district_follows_the_rule_of_visible_to(project, other_project):
    office = staff()
    own = district_user(project.district, username="own")
    inactive = district_user(project.district, username="gone", is_active=False)
    for user in (office, own, inactive, AnonymousUser()):
        visible = set(visible_to(Project, user).values_list("pk", flat=True))
        for row in (project, other_project):
            assert sees_district(user, row.district_id) == (row.pk in visible), (user, row)
    assert sees_district(own, project.district_id)
    assert not sees_district(own, other_project.district_id)
    assert sees_district(office, other_project.district_id)
