from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from huying.organisations.models import Organisation
from huying.reports.figures import Period, parse_period


class GenerateForm(forms.Form):
    scope = forms.ModelChoiceField(label=_("Scope"), queryset=Organisation.objects.none(), empty_label=None)
    month = forms.CharField(
        label=_("Month"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-11"}),
        help_text=_("A whole month (a month not yet over: to date)."),
    )
    start = forms.DateField(label=_("Or first day"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Last day"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, scopes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scope"].queryset = scopes  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            data["period"] = parse_period(month=data.get("month"), start=data.get("start"), end=data.get("end"))
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        return data

    @property
    def period(self) -> Period:
        return self.cleaned_data["period"]  # type: ignore[no-any-return]
