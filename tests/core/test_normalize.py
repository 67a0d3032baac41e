"""The one normalisation of what people type, and masking by the parts of a name."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.masking import compound_surnames, mask_name
from core.normalize import (
    describe_changes,
    normalize_credit_code,
    normalize_identifier,
    normalize_name,
    normalize_resident_id,
)

INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u180e\u3164"
SPACES = " \u3000\u00a0\u2002\u2003\u2009\u202f\u205f\t"
SINGLE_SURNAMES = "张王李赵刘陈杨黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
# Any CJK character may stand in a given name, the characters of compound surnames too.
CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)


def test_identifiers_lose_every_space_and_invisible_character():
    typed = "４３０５０２\u3000１９７３\u00a0０１１８\u200b４７４ｘ"
    assert normalize_resident_id(typed) == "43050219730118474X"
    assert normalize_identifier(" V\u200b01－001 ") == "V01-001"
    assert normalize_credit_code("９１４３ 0500mA4l") == "914305 00MA4L".replace(" ", "")


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("张\u3000三", "张三"),
        ("李  四", "李四"),
        (" 王\u00a0\u200b五 ", "王五"),
        ("阿依古丽 • 买买提", "阿依古丽·买买提"),
        ("阿依古丽・买买提", "阿依古丽·买买提"),
        ("John   Smith", "John Smith"),
        ("欧\u3000阳\u3000娜", "欧阳娜"),
    ],
)
def test_names_are_trimmed_and_lose_their_padding(typed, name):
    assert normalize_name(typed) == name


def test_describe_changes_names_the_cause():
    changes = describe_changes("430502\u200b1971１107 0661")
    assert changes.invisible == ("U+200B ZERO WIDTH SPACE",)
    assert changes.spaces == 1
    assert changes.converted == ("１",)
    explained = changes.explain()
    assert "不可见字符" in explained and "空格" in explained and "全角" in explained
    assert not describe_changes("430502197111070661")


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("张三丰", "张*丰"),
        ("张　三", "张*"),
        ("李  四", "李*"),
        ("欧阳娜", "欧阳*"),
        ("司马光明", "司马*明"),
        ("诸葛亮", "诸葛*"),
        ("上官婉儿", "上官*儿"),
        ("东方", "东*"),
        ("慕容复", "慕容*"),
        ("皇甫嵩", "皇甫*"),
        ("阿依古丽·买买提", "阿***·**提"),
        ("王", "*"),
    ],
)
def test_names_are_masked_by_their_parts(name, masked):
    assert mask_name(name) == masked


def test_the_maintained_list_has_the_usual_compound_surnames():
    assert {"欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "慕容"} <= set(compound_surnames())


padding = st.text(alphabet=SPACES + INVISIBLE, max_size=2)


@st.composite
def names(draw):
    surname = draw(st.sampled_from([*SINGLE_SURNAMES, *compound_surnames()]))
    given = draw(st.text(alphabet=CJK, min_size=1, max_size=3))
    parts = [*surname, *given]
    typed = draw(padding) + "".join(char + draw(padding) for char in parts)
    return typed, surname, given


@settings(max_examples=400, deadline=None)
@given(names())
def test_no_masked_name_shows_a_two_character_given_name_whole_or_a_one_character_one(case):
    typed, surname, given_name = case
    name = surname + given_name
    masked = mask_name(typed)
    # Every character of the masked form is the name's own character or a star.
    assert len(masked) == len(name)
    assert all(m in ("*", c) for m, c in zip(masked, name, strict=True))
    shown = [m for m in masked[len(surname) :] if m != "*"]
    if len(given_name) == 1:
        assert shown == []
    else:
        assert len(shown) <= len(given_name) - 1
    assert masked[len(surname) :] != given_name


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.text(alphabet=CJK, min_size=1, max_size=4), min_size=2, max_size=3),
    st.sampled_from(["·", "•", "・", " · "]),
)
def test_dotted_names_never_show_a_part_whole(parts, dot):
    masked = mask_name(dot.join(parts))
    pieces = masked.split("·")
    assert len(pieces) == len(parts)
    for piece, part in zip(pieces, parts, strict=True):
        assert piece != part or len(part) == 0


# ---------------------------------------------------------------------------
# The data migration's helper, on rows stored before normalisation existed


@pytest.mark.django_db
def test_stored_rows_are_normalised_and_uncovered_duplicates_reported_not_merged(project):
    import io

    from django.apps import apps
    from django.db import connection

    from core.normalize import normalize_stored_phone
    from core.renormalize import renormalize
    from projects.models import Household
    from tests.factories import HouseholdFactory, resident_id

    number = resident_id(3, born="19700101")
    first = HouseholdFactory(project=project, code="A1", id_number=number)
    second = HouseholdFactory(project=project, code="A2")
    third = HouseholdFactory(project=project, code="A3")
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in number)
    table = Household._meta.db_table
    with connection.cursor() as cursor:  # as rows were written before the fields normalised
        cursor.execute(
            f"UPDATE {table} SET id_number = %s, head_name = %s, phone = %s WHERE id = %s",  # noqa: S608
            [fullwidth, "张\u3000三", "138-1234-5678", second.pk],
        )
        cursor.execute(f"UPDATE {table} SET code = %s WHERE id = %s", ["Ａ1", third.pk])  # noqa: S608
    out = io.StringIO()
    report = renormalize(
        apps,
        "projects.Household",
        {
            "code": normalize_identifier,
            "head_name": normalize_name,
            "id_number": normalize_resident_id,
            "phone": normalize_stored_phone,
        },
        unique=("project_id", "code"),
        duplicates_within=("project_id", "id_number"),
        out=out,
    )
    second.refresh_from_db()
    third.refresh_from_db()
    assert (second.id_number, second.head_name, second.phone) == (number, "张三", "13812345678")
    # "Ａ1" would become A1, which the first household has: left as typed, and reported.
    assert third.code == "Ａ1"
    assert any("already taken" in line and f"pk={third.pk}" in line for line in report)
    # The ID typed two ways is one person on two rows: reported, both rows kept.
    assert any(str(first.pk) in line and str(second.pk) in line for line in report)
    assert Household.objects.filter(id_number=number).count() == 2
    assert "not merged" in out.getvalue()
