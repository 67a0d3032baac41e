"""Model fields that store what people type in its one normalised form (core.normalize).

A field normalises in three places, so no path can skip it: `to_python` (model validation,
and every query value: `filter(id_number="４３…")` finds 43…), `pre_save` (every save,
bulk_create and the history rows), and its form field's `to_python` (forms and the admin,
before the length is checked: "430502　19711107　0661" is 20 characters typed, 18 stored).
"""

from collections.abc import Callable

from django import forms
from django.db import models

from core import normalize, validators


class NormalizedFormField(forms.CharField):
    def __init__(self, *, normalizer: Callable[[object], str], **kwargs):
        self.normalizer = normalizer
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return self.normalizer(value) if value not in self.empty_values else value

    def widget_attrs(self, widget):
        # No maxlength in the page: the browser would cut "430502　19711107　0661" (20
        # characters typed, 18 stored) before the server can normalise it and name the cause.
        # The length is still checked, after normalising.
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs


class NormalizedCharField(models.CharField):
    """A CharField whose values go through `normalize_value` (identity here)."""

    # How a form turns what was typed into the stored value (may raise ValidationError
    # with the cause); by default the same as the model's.
    form_normalizer: Callable[[object], str] | None = None

    def normalize_value(self, value: str) -> str:
        return value

    def to_python(self, value):
        value = super().to_python(value)
        return self.normalize_value(value) if isinstance(value, str) else value

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if isinstance(value, str):
            value = self.stored_value(value)
            setattr(model_instance, self.attname, value)
        return value

    def stored_value(self, value: str) -> str:
        return self.normalize_value(value)

    def formfield(self, **kwargs):
        normalizer = type(self).form_normalizer or self.normalize_value
        return super().formfield(
            **{"form_class": NormalizedFormField, "normalizer": normalizer, **kwargs}
        )


class ResidentIdField(NormalizedCharField):
    """身份证号码: ASCII digits and X, no spaces or invisible characters."""

    form_normalizer = staticmethod(validators.clean_resident_id)

    def normalize_value(self, value: str) -> str:
        return normalize.normalize_resident_id(value)


class CreditCodeField(NormalizedCharField):
    """统一社会信用代码: ASCII, upper case, no spaces or invisible characters."""

    def normalize_value(self, value: str) -> str:
        return normalize.normalize_credit_code(value)


class IdentifierField(NormalizedCharField):
    """An office's own identifier (户号): no spaces or invisible characters, NFKC."""

    def normalize_value(self, value: str) -> str:
        return normalize.normalize_identifier(value)


class PersonNameField(NormalizedCharField):
    """A person's name: trimmed, no padding between CJK characters (张　三 → 张三)."""

    def normalize_value(self, value: str) -> str:
        return normalize.normalize_name(value)


class PhoneField(NormalizedCharField):
    """A phone: 13812345678, 0739-5123456 or 0739-5123456转8012 (core.normalize).

    Query values lose only spaces and invisible characters (a search for part of a number
    must still work); saved values are brought to the one form when they can be."""

    form_normalizer = staticmethod(validators.clean_phone)

    def normalize_value(self, value: str) -> str:
        return normalize.normalize_identifier(value)

    def stored_value(self, value: str) -> str:
        return normalize.normalize_stored_phone(value)
