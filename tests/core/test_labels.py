from django.utils import translation

from core.labels import label, labels
from projects.models import Household, Project, Stage


def test_a_label_is_the_choices_own_and_an_unknown_value_is_shown_as_it_is():
    assert label(Stage, "survey") == "调查登记"
    assert label(Project.Kind, "road") == "道路"
    assert label(Household.Hardship, "") == "无"
    assert label(Stage, "retired-stage") == "retired-stage"


def test_the_row_labels_match_get_display():
    project = Project(stage=Stage.SIGNING, kind=Project.Kind.PUBLIC)
    household = Household(use="non_residential", hardship="dibao", method="swap")
    assert project.stage_label == project.get_stage_display() == "签约"
    assert project.kind_label == project.get_kind_display()
    assert household.use_label == household.get_use_display()
    assert household.hardship_label == household.get_hardship_display()
    assert household.method_label == household.get_method_display() == "产权调换"


def test_a_tables_labels_are_read_once_in_the_active_language():
    chinese = labels(Household.Method)
    assert chinese == {"": "未签约", "monetary": "货币补偿", "swap": "产权调换"}
    assert labels(Household.Method) is chinese  # read once, then kept
    with translation.override("en"):
        english = labels(Household.Method)
        assert english is not chinese  # kept per language
        assert english["swap"] == label(Household.Method, "swap")
