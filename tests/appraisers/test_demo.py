from datetime import date

import pytest

from appraisers import demo, draws, services
from appraisers.models import (
    AppraisalFirm,
    CreditEvent,
    CreditList,
    FirmSelection,
    Valuation,
    Valuer,
    Vote,
)
from core.validators import validate_credit_code
from projects.models import Household, Notice, Stage

pytestmark = pytest.mark.django_db
SEED_PEOPLE = ["曾国强", "杨光斗", "曾新林"]


def counts():
    return [
        model.objects.count()
        for model in (AppraisalFirm, Valuer, FirmSelection, Vote, Valuation, CreditEvent, Notice)
    ] + [CreditList.objects.published().count()]


def test_the_demo_loads_firms_selections_valuations_and_the_2022_list_once(demo_data):
    before = counts()  # the session's demo, loaded once on an empty database
    demo.load()
    assert counts() == before

    firms = list(AppraisalFirm.objects.all())
    assert 10 <= len(firms) <= 14
    for firm in firms:
        validate_credit_code(firm.credit_code)
        assert firm.credit_code.startswith("91430500")
    names = set(Valuer.objects.values_list("name", flat=True))
    names |= set(AppraisalFirm.objects.values_list("contact_person", flat=True))
    assert not names & set(SEED_PEOPLE)

    today = date(2026, 1, 5)
    flagged = [r for r in services.assess_firms(firms, today=today) if not r.is_eligible]
    assert {r.firm.name for r in flagged} == {
        "邵阳市旧城房地产估价事务所有限公司",
        "湖南速评房地产咨询有限公司",
    }

    selections = FirmSelection.objects.select_related("project")
    methods = {s.project.name: s.method for s in selections}
    assert set(methods.values()) >= {"vote", "draw", "negotiation", ""}
    for selection in selections.filter(method=FirmSelection.Method.DRAW):
        assert services.draw_record(selection).verifies()
    for selection in selections.filter(method=FirmSelection.Method.VOTE):
        assert services.tally(selection).winner == selection.winner
    assert selections.get(project__name="青云街棚改").vote_failed

    for selection in selections.exclude(method=""):
        assert selection.notice.title.endswith("评估机构选定结果公告")

    past_appraisal = Household.objects.filter(
        project__stage__in=[Stage.SIGNING, Stage.ENFORCEMENT, Stage.ARCHIVED]
    )
    valued = Valuation.objects.current().filter(household__in=past_appraisal).count()
    assert valued == past_appraisal.count()
    assert Valuation.objects.exclude(source=Valuation.Source.ORIGINAL).exists()

    lists = services.published_credit_lists()
    assert lists.current.title == "2022年度评估机构信用名录"
    assert lists.current.entries.count() == len(firms)


def test_demo_draw_seeds_are_fixed_so_the_demo_is_the_same_every_time(demo_data):
    selection = FirmSelection.objects.get(project__name="水利局棚改")
    codes = list(selection.draw_candidates)
    assert selection.winner.credit_code == codes[draws.winner_index(selection.seed, codes)]
    assert selection.seed == __import__("hashlib").sha256(b"demo-draw-2020-DX-01").hexdigest()[:32]
