"""Demo policy documents: the national rules the office works under, and the city's own."""

from datetime import date

from public.models import PolicyDocument

POLICIES = [
    (
        "国有土地上房屋征收与补偿条例",
        "国务院",
        "国务院令第590号",
        date(2011, 1, 21),
        "规范国有土地上房屋征收与补偿活动：征收决定、补偿、评估、强制执行等程序。",
    ),
    (
        "国有土地上房屋征收评估办法",
        "住房和城乡建设部",
        "建房〔2011〕77号",
        date(2011, 6, 3),
        "被征收房屋价值评估的机构选定、评估时点、复核与专家鉴定等规定。",
    ),
    (
        "邵阳市国有土地上房屋征收与补偿实施办法",
        "邵阳市人民政府",
        "",
        date(2016, 1, 1),
        "确定市房屋征收部门及其职责，明确征收补偿标准和工作机制。（演示数据：文号与日期为示意）",
    ),
]


def load() -> None:
    for title, issuer, number, issued_on, summary in POLICIES:
        PolicyDocument.objects.get_or_create(
            title=title,
            defaults={
                "issuer": issuer,
                "number": number,
                "issued_on": issued_on,
                "summary": summary,
            },
        )
