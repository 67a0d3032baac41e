"""The default credit rules: base score, grades and kinds of events.

Staff change them afterwards (the kinds and the base score on the credit rules page, the grades
in the admin); these only fill empty tables. The data migration calls `ensure_credit_rules` with
its historical models; the demo loader and the tests call it with the real ones (a test run that
flushes the database, as transactional tests do, empties these tables too).
"""

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


def ensure_credit_rules(policy_model=None, grade_model=None, kind_model=None) -> None:
    """Fill the base score, the grades and the kinds of events where they are missing."""
    if policy_model is None:
        from appraisers.models import CreditEventKind, CreditGrade, CreditPolicy

        policy_model, grade_model, kind_model = CreditPolicy, CreditGrade, CreditEventKind
    if not policy_model.objects.exists():
        policy_model.objects.create(base_score=BASE_SCORE)
    if not grade_model.objects.exists():
        for code, name, min_score in GRADES:
            grade_model.objects.create(code=code, name=name, min_score=min_score)
    for code, name, points, description in KINDS:
        kind_model.objects.get_or_create(
            code=code, defaults={"name": name, "points": points, "description": description}
        )
