import pytest
from django.core.management import call_command

from core.models import District, Office, User
from core.roles import Section

pytestmark = pytest.mark.django_db


def run_load_demo(*args):
    from io import StringIO

    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def test_load_demo_creates_the_office_districts_and_users(demo_data):
    output = demo_data.output  # the session's first run, on an empty database
    assert Office.objects.get().name == "邵阳市人民政府房屋征收管理办公室"
    assert list(District.objects.values_list("name", flat=True)) == [
        "双清区",
        "大祥区",
        "北塔区",
        "邵阳经济技术开发区",
    ]
    for section in Section:
        assert User.objects.filter(groups__name=section.value).exists(), section
    for district in District.objects.all():
        assert district.users.count() == 1
    assert User.objects.get(username="admin").is_superuser
    assert output.count("Demo-") == User.objects.count()


def test_load_demo_is_safe_to_run_twice(demo_data):
    first = demo_data.output
    password = next(line.split()[-1] for line in first.splitlines() if "finance" in line)
    second = run_load_demo()
    assert User.objects.count() == 10
    assert District.objects.count() == 4
    assert Office.objects.count() == 1
    assert "Demo-" not in second
    assert User.objects.get(username="finance").check_password(password)


def test_load_demo_can_reset_passwords(demo_data):
    output = run_load_demo("--reset-passwords")
    password = next(line.split()[-1] for line in output.splitlines() if "leader" in line)
    assert User.objects.get(username="leader").check_password(password)
