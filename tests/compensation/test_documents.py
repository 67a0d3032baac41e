from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from docx import Document as Docx
from pypdf import PdfReader

from compensation import documents, services
from compensation.models import CompensationBreakdown
from tests.compensation.factories import approve_plan, approved_agreement, valued_household
from tests.factories import staff

pytestmark = pytest.mark.django_db
TODAY = date(2022, 7, 1)


def pdf_text(content: bytes) -> str:
    pages = PdfReader(BytesIO(content)).pages
    return "".join(page.extract_text() for page in pages).replace("\n", "")


@pytest.fixture
def agreement(project):
    approve_plan(project)
    # 4,000 × 50 = 200,000; + relocation 1,000 + temporary 3,600 + bonus 20,000 = 224,600.
    household = valued_household(
        project, area="50.00", unit_price="4000.00", head_name="林小满", address="六岭路3号"
    )
    return approved_agreement(household)


def test_capital_numerals_follow_the_rmb_convention():
    assert documents.capital(Decimal("123456.00")) == "壹拾贰万叁仟肆佰伍拾陆元整"
    assert documents.capital(Decimal("224600.00")) == "贰拾贰万肆仟陆佰元整"
    assert documents.capital(Decimal("10000.05")) == "壹万元零伍分"


def test_the_agreement_pdf_carries_every_amount_in_figures_and_capitals(agreement):
    document = documents.agreement_document(agreement, TODAY)
    text = pdf_text(documents.document_pdf(document))
    assert "房屋征收补偿协议" in text
    assert "林小满" in text
    assert "224,600.00" in text
    assert "贰拾贰万肆仟陆佰元整" in text  # the total
    assert "贰拾万元整" in text  # the house value line


def test_the_agreement_docx_has_the_same_text(agreement):
    document = documents.agreement_document(agreement, TODAY)
    docx = Docx(BytesIO(documents.document_docx(document)))
    text = "\n".join(paragraph.text for paragraph in docx.paragraphs)
    assert docx.paragraphs[0].text == "国有土地上房屋征收补偿协议"
    assert "贰拾贰万肆仟陆佰元整" in text
    assert "六岭路3号" in text


def test_the_statement_pdf_lists_the_lines_with_capitals(agreement):
    breakdown = CompensationBreakdown.objects.current().get(household=agreement.household)
    text = pdf_text(documents.statement_pdf(breakdown, TODAY))
    assert "房屋征收补偿明细表" in text
    assert "壹仟元整" in text  # relocation, once
    assert "叁仟陆佰元整" in text  # temporary allowance
    assert "贰拾贰万肆仟陆佰元整" in text


def test_the_settlement_sheet_shows_paid_and_unpaid(agreement):
    household = agreement.household
    breakdown = CompensationBreakdown.objects.current().get(household=household)
    text = pdf_text(
        documents.document_pdf(documents.settlement_document(household, breakdown, TODAY))
    )
    assert "房屋征收补偿结算单" in text
    assert "尚未划拨：224,600.00元（大写：贰拾贰万肆仟陆佰元整）" in text


def test_the_office_edits_the_template_with_placeholders(agreement):
    office = staff(username="template-editor")
    services.save_document_template(
        project=agreement.household.project,
        by=office,
        kind="agreement",
        body="补偿协议\n{{ 被征收人 }}应得{{ 协议金额 }}元（{{ 协议金额大写 }}）。",
    )
    document = documents.agreement_document(agreement, TODAY)
    assert document.plain_text == "补偿协议\n林小满应得224,600.00元（贰拾贰万肆仟陆佰元整）。"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{% load static %}{% static 'x' %}", "语法错误"),
        ("{% include 'base.html' %}", "语法错误"),
        ("{% debug %}", "语法错误"),
        ("{% extends 'base.html' %}", "语法错误"),
        ("{{ settings.SECRET_KEY }}", "未知的占位符"),
        ("{{ 户主 }}", "未知的占位符"),
    ],
)
def test_a_template_cannot_reach_beyond_its_placeholders(project, body, message):
    with pytest.raises(ValidationError, match=message):
        services.save_document_template(
            project=project, by=staff(username="t"), kind="agreement", body=body
        )


def test_markup_in_the_template_or_the_data_is_escaped(agreement):
    household = agreement.household
    household.head_name = "<b>林</b>"
    household.save(update_fields=["head_name"])
    agreement.party_name = "<b>林</b>"
    body = documents.render_template(
        "<script>x</script>{{ 当事人 }}", documents.agreement_context(agreement, TODAY)
    )
    assert str(body) == "&lt;script&gt;x&lt;/script&gt;&lt;b&gt;林&lt;/b&gt;"


# ---------------------------------------------------------------------------
# Characters outside Noto CJK (issue 13)


def embedded_fonts(content: bytes, tmp_path) -> str:
    import subprocess

    path = tmp_path / "document.pdf"
    path.write_bytes(content)
    command = ["/usr/bin/pdffonts", str(path)]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603


@pytest.fixture
def rare_name_agreement(project):
    approve_plan(project)
    # 𪚥 (U+2A6A5, CJK extension B) is not in Noto Serif CJK; the HanaMin fonts have it.
    household = valued_household(project, area="50.00", unit_price="4000.00", head_name="林𪚥")
    return approved_agreement(household)


def test_a_name_from_the_extension_planes_prints_with_the_fallback_font(
    client, district_member, rare_name_agreement, tmp_path
):
    from tests.auth import login

    login(client, "district")
    response = client.get(reverse("compensation:agreement_pdf", args=[rare_name_agreement.pk]))
    assert response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content) if response.streaming else response.content
    fonts = embedded_fonts(content, tmp_path)
    assert "Noto-Serif-CJK-SC" in fonts and "HanaMin" in fonts
    assert "林𪚥" in pdf_text(content)


@pytest.mark.parametrize("char", ["\U0002ebf0", "\ue000"], ids=["ext-I", "private-use"])
def test_a_character_no_font_has_is_named_and_no_pdf_is_issued(
    client, district_member, project, char
):
    from tests.auth import login

    approve_plan(project)
    household = valued_household(project, area="50.00", unit_price="4000.00", head_name="林" + char)
    agreement = approved_agreement(household)
    login(client, "district")
    url = reverse("compensation:agreement_pdf", args=[agreement.pk])
    response = client.get(url, follow=True)
    assert response.redirect_chain and response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert f"U+{ord(char):04X}" in html
    assert agreement.number in html  # which document
    assert "没有生成PDF" in html
    statement = client.get(reverse("compensation:statement_pdf", args=[household.pk]), follow=True)
    assert f"U+{ord(char):04X}" in statement.content.decode()
    assert not statement.content.startswith(b"%PDF")
