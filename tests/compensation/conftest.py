import pytest

from tests.compensation import factories
from tests.factories import ProjectFactory


@pytest.fixture
def finance_user(db):
    return factories.finance()


@pytest.fixture
def leader_user(db):
    return factories.leader()


@pytest.fixture
def other_leader(db):
    return factories.leader(username="leader2", name="吴领导")


@pytest.fixture
def reviewer_user(db):
    return factories.reviewer()


@pytest.fixture
def project(district):
    """A project of the `district` fixture (双清区)."""
    return ProjectFactory(district=district, code="2022-SQ-001", name="六岭棚改")


@pytest.fixture
def other_project(other_district):
    """A project of another district (大祥区): district users of 双清区 must not reach it."""
    return ProjectFactory(district=other_district, code="2022-DX-001", name="水利局棚改")
