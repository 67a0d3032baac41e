import pytest

from tests.compensation import factories


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
