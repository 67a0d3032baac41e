import pytest

from appraisers.defaults import ensure_credit_rules
from projects.models import Stage
from tests.appraisers.factories import FirmFactory
from tests.factories import HouseholdFactory, ProjectFactory, put_at_stage


@pytest.fixture(autouse=True)
def _credit_rules(request):
    """The default credit rules (a data migration), which the transactional tests elsewhere in
    the suite flush away with the rest of the database."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        return
    request.getfixturevalue("transactional_db" if marker.kwargs.get("transaction") else "db")
    ensure_credit_rules()


@pytest.fixture
def firms(db):
    """Three eligible firms, created so that their database order is not the published order
    (published order is ascending credit code)."""
    return [
        FirmFactory(name="丙评估", credit_code="91430500MA4C00003" + _check("91430500MA4C00003")),
        FirmFactory(name="甲评估", credit_code="91430500MA4A00001" + _check("91430500MA4A00001")),
        FirmFactory(name="乙评估", credit_code="91430500MA4B00002" + _check("91430500MA4B00002")),
    ]


def _check(body: str) -> str:
    from stdnum.cn import uscc

    return uscc.calc_check_digit(body)


@pytest.fixture
def project(district):
    """A project of the `district` fixture (双清区) that has announced its expropriation decision:
    the households now choose their appraisal firm (Decree 590 art. 20)."""
    project = ProjectFactory(district=district, code="2022-SQ-001", name="六岭棚改")
    return put_at_stage(project, Stage.DECISION)


@pytest.fixture
def households(project):
    """Five households of the `project` fixture (六岭棚改, 双清区)."""
    return [HouseholdFactory(project=project, code=f"A-{n:03d}") for n in range(1, 6)]
