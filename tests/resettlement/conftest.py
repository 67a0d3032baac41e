import pytest

from core.roles import Section
from tests.factories import staff


@pytest.fixture
def clerk():
    """A 业务科 clerk who runs the selection day at the desk."""
    return staff(Section.OPERATIONS, username="desk", name="叫号员")
