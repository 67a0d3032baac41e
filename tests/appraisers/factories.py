from datetime import date

import factory
from stdnum.cn import uscc

from appraisers.models import AppraisalFirm, Valuer


def credit_code(n: int, prefix: str = "91430500") -> str:
    """A made-up unified social credit code with a correct GB 32100 check character."""
    body = f"{prefix}MA4{n % 10**6:06d}"
    return body + uscc.calc_check_digit(body)


class FirmFactory(factory.django.DjangoModelFactory):
    """An eligible firm: active, qualified until 2099, with two active registered valuers."""

    class Meta:
        model = AppraisalFirm
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"测试房地产估价有限公司{n}")
    credit_code = factory.Sequence(lambda n: credit_code(n + 1))
    grade = AppraisalFirm.Grade.SECOND
    certificate_number = factory.Sequence(lambda n: f"湘建房估证字[2020]{n:04d}号")
    qualification_expires_on = date(2099, 12, 31)

    @factory.post_generation
    def valuers(self, create, extracted, **kwargs):
        if not create:
            return
        count = 2 if extracted is None else extracted
        for _ in range(count):
            ValuerFactory(firm=self)


class ValuerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Valuer

    firm = factory.SubFactory(FirmFactory)
    name = factory.Sequence(lambda n: f"估价师{n}")
    registration_number = factory.Sequence(lambda n: f"43200{n:05d}")
