from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huying.duty.choices import ScopeKind
from huying.duty.queries import Filters, group_choices, kind_choices

MIN_YEAR, MAX_YEAR = 2000, 2100


class RecordFilterForm(forms.Form):
    group = forms.ChoiceField(label=_("Type"), required=False)
    kind = forms.ChoiceField(label=_("Kind of act"), required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=MIN_YEAR, max_value=MAX_YEAR)
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", _("All types")), *group_choices()]  # type: ignore[attr-defined]
        self.fields["kind"].choices = [("", _("All kinds")), *kind_choices()]  # type: ignore[attr-defined]

    def filters(self) -> Filters:
        if not self.is_valid():
            return Filters()
        data = self.cleaned_data
        return Filters(
            group=data["group"] or "", kind=data["kind"] or "", year=data["year"], start=data["start"], end=data["end"]
        )


class RankingForm(forms.Form):
    scope = forms.ChoiceField(label=_("Rank within"), choices=ScopeKind.choices, required=False)
    target = forms.IntegerField(label=_("Which"), required=False, min_value=1)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=MIN_YEAR, max_value=MAX_YEAR)
    threshold = forms.IntegerField(
        label=_("Flag members below (points)"), required=False, min_value=-10000, max_value=10000, initial=10
    )
    flagged_only = forms.BooleanField(label=_("Only members below the threshold"), required=False)

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "scope": data.get("scope") or ScopeKind.CPPCC,
            "target": data.get("target"),
            "year": data.get("year") or timezone.localdate().year,
            "threshold": 10 if data.get("threshold") is None else data["threshold"],
            "flagged_only": bool(data.get("flagged_only")),
        }


class RuleForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of act"))
    qualifier = forms.CharField(label=_("Qualifier"), required=False, max_length=24)
    points = forms.IntegerField(label=_("Points"), min_value=-1000, max_value=1000)
    valid_from = forms.DateField(label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_to = forms.DateField(label=_("Valid to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "—"), *kind_choices()]  # type: ignore[attr-defined]
        self.fields["qualifier"].help_text = _(
            "Empty: any qualifier. E.g. first, cosigner, district, city, province, national."
        )


def today() -> datetime.date:
    return timezone.localdate()
