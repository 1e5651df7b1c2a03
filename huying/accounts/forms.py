"""Forms of the accounts pages. They validate input; the actions do the writing."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huying.accounts.choices import MemberLevel, Role
from huying.accounts.models import User, mobile_validator, username_validator
from huying.organisations.models import Organisation, Sector


class LoginForm(AuthenticationForm):
    """Django's login form; inactive people are refused by the authentication backend."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(autocomplete="username", autocapitalize="none")
        self.fields["password"].widget.attrs.update(autocomplete="current-password")


class OtpTokenForm(forms.Form):
    """A six-digit code from the authenticator app, or a backup code.

    The field is called ``otp_token`` so that django-axes masks it like a password."""

    otp_token = forms.CharField(
        label=_("Verification code"),
        max_length=16,
        help_text=_("The 6-digit code from your authenticator app, or one of your backup codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Client name"), max_length=80, help_text=_("E.g. the mini-program or system using the token.")
    )
    expires_on = forms.DateField(
        label=_("Valid until"),
        required=False,
        help_text=_("Optional. The token stops working at the end of this day."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_expires_on(self) -> Any:
        day = self.cleaned_data.get("expires_on")
        if day is not None and day < timezone.localdate():
            raise forms.ValidationError(_("Choose today or a later day."))
        return day

    @property
    def expires_at(self) -> datetime | None:
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


class PeopleFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=50)
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[("", _("Any role")), *Role.choices])
    org = forms.IntegerField(label=_("Organisation number"), required=False, min_value=1)

    def clean_org(self) -> Organisation | None:
        org_id = self.cleaned_data.get("org")
        if org_id is None:
            return None
        org = Organisation.objects.filter(pk=org_id).first()
        if org is None:
            raise forms.ValidationError(_("There is no organisation with this number."))
        return org


class PersonEditForm(forms.Form):
    real_name = forms.CharField(label=_("Real name"), max_length=50)
    mobile = forms.CharField(
        label=_("Mobile phone"),
        max_length=11,
        required=False,
        validators=[mobile_validator],
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    is_real_name_verified = forms.BooleanField(label=_("Real-name verified"), required=False)


class PersonCreateForm(PersonEditForm):
    username = forms.CharField(label=_("Login name"), max_length=40, validators=[username_validator])
    password = forms.CharField(
        label=_("Initial password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Optional. Without one, the person cannot log in with a password until one is set."),
    )

    field_order = ["username", "real_name", "mobile", "is_real_name_verified", "password"]

    def clean_password(self) -> str:
        password: str = self.cleaned_data.get("password") or ""
        if password:
            probe = User(username=self.data.get("username", ""), real_name=self.data.get("real_name", ""))
            password_validation.validate_password(password, probe)
        return password


class OrganisationIdField(forms.IntegerField):
    """An organisation chosen by its number (the page offers a search that shows numbers)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 1)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Organisation | None:
        org_id = super().clean(value)
        if org_id is None:
            return None
        org = Organisation.objects.filter(pk=org_id, is_active=True).first()
        if org is None:
            raise forms.ValidationError(_("There is no active organisation with this number."))
        return org


class RoleAssignForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    organisation = OrganisationIdField(
        label=_("Organisation number"), help_text=_("Leave empty for the public role. Search below to find a number.")
    )
    title = forms.CharField(label=_("Job title"), max_length=50, required=False)
    term = forms.IntegerField(label=_("Term"), required=False, min_value=1, max_value=99, help_text=_("Members only."))
    sector = forms.ModelChoiceField(
        label=_("Sector"), queryset=Sector.objects.all(), required=False, help_text=_("Members only.")
    )
    special_committee = OrganisationIdField(label=_("Special committee number"), help_text=_("Members only."))
    member_level = forms.ChoiceField(
        label=_("Member level"),
        required=False,
        choices=[("", "—"), *MemberLevel.choices],
        help_text=_("Members only."),
    )
