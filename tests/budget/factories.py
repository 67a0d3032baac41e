import factory

from budget.models import BudgetYear


class BudgetYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetYear
        django_get_or_create = ["year"]

    year = 2022
    authorized_posts = 16
    staff_in_post = 11
    retired = 8
    sections = "计划财务科\n法规科\n人事秘书科\n业务科"
    duties = "审核区人民政府房屋征收补偿方案；\n法律、法规和规章规定的其他工作职责。"
