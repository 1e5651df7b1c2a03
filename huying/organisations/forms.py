from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from huying.organisations.choices import OrgKind, OrgLevel
from huying.organisations.models import Organisation


class OrganisationCreateForm(forms.Form):
    """A new unit under the page's organisation (the parent comes from the URL)."""

    name = forms.CharField(label=_("Name"), max_length=100)
    short_name = forms.CharField(label=_("Short name"), max_length=40, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=OrgKind.choices)
    level = forms.ChoiceField(label=_("Level"), choices=OrgLevel.choices)
    division_code = forms.RegexField(
        label=_("Division code"),
        regex=r"^\d{2,12}$",
        max_length=12,
        required=False,
        error_messages={"invalid": _("Enter the statistical division code: 2 to 12 digits.")},
    )
    sort_order = forms.IntegerField(label=_("Sort order"), initial=0, required=False)

    def action_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["sort_order"] = data.get("sort_order") or 0
        return data


class TreeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return "\u3000" * obj.depth + obj.name


class OrganisationMoveForm(forms.Form):
    parent = TreeChoiceField(
        label=_("New parent"),
        queryset=Organisation.objects.all(),
        required=False,
        empty_label=_("(top level)"),
        error_messages={"invalid_choice": _("Choose an existing organisation as the new parent.")},
    )


def apply_action_errors(form: forms.Form, exc: ValidationError, field_map: dict[str, str] | None = None) -> None:
    """Attach an action's ValidationError to the form, field by field where the form has
    the field (``field_map`` renames action fields to form fields), otherwise to the form."""
    field_map = field_map or {}
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        target = field_map.get(field, field)
        form.add_error(target if target in form.fields else None, errors)
