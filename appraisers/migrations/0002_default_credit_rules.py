"""The default credit rules: base score, grades and kinds of events. Staff change them later;
this only fills an empty table."""

from django.db import migrations

BASE_SCORE = 100

GRADES = [
    ("A", "A级（守信）", 90),
    ("B", "B级（基本守信）", 75),
    ("C", "C级（失信）", 60),
    ("D", "D级（严重失信）", 0),
]

KINDS = [
    ("commendation", "受到表彰或通报表扬", 5, "受到省、市住房城乡建设部门或行业协会表彰。"),
    ("late_report", "逾期出具评估报告", -5, "未在委托合同约定的期限内出具分户评估报告。"),
    (
        "valuation_changed",
        "评估结果经复核或鉴定改变",
        -5,
        "复核评估或专家鉴定改变原评估结果（系统自动记录）。",
    ),
    ("complaint_upheld", "投诉经查属实", -10, "被征收人投诉经调查属实。"),
    ("admin_penalty", "受到行政处罚", -20, "因评估活动受到行政处罚。"),
]


def load(apps, schema_editor):
    CreditPolicy = apps.get_model("appraisers", "CreditPolicy")
    CreditGrade = apps.get_model("appraisers", "CreditGrade")
    CreditEventKind = apps.get_model("appraisers", "CreditEventKind")
    if not CreditPolicy.objects.exists():
        CreditPolicy.objects.create(base_score=BASE_SCORE)
    if not CreditGrade.objects.exists():
        for code, name, min_score in GRADES:
            CreditGrade.objects.create(code=code, name=name, min_score=min_score)
    for code, name, points, description in KINDS:
        CreditEventKind.objects.get_or_create(
            code=code, defaults={"name": name, "points": points, "description": description}
        )


class Migration(migrations.Migration):
    dependencies = [("appraisers", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
