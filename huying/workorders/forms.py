"""Forms of the intake pages: the public report form, the grid inspector's report and the
member's referral. They render the fields and check their shape; the rules of each channel
are :mod:`huying.workorders.reporting`'s, whose ValidationErrors are put back on the fields
(:meth:`IntakeForm.add_action_errors`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huying.core.uploads import limits
from huying.handling.choices import Rating
from huying.organisations.choices import OrgKind
from huying.organisations.models import Organisation
from huying.workorders.actions import MAX_CONTENT_CHARS, UploadedAttachment
from huying.workorders.choices import Nature, Urgency
from huying.workorders.models import Category
from huying.workorders.reporting import district_label
from huying.workorders.tracking import MAX_COMMENT_CHARS

ACCEPTED_FILES = "image/jpeg,image/png,image/webp,application/pdf"
# Which form field shows an error the intake action names.
ACTION_FIELDS = {"attachments": "photos", "external_id": "token", "client_token": "token"}


class LimitedTextField(forms.CharField):
    """Free text with a length limit the person can see: the help text states it and a live
    counter (huying/static/js/char_count.js) shows how much is left. No ``maxlength``
    attribute, so a browser never cuts pasted text short without a word; text over the
    limit is refused with the field's error instead."""

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        limit = attrs.pop("maxlength", None)
        if limit is not None:
            attrs.update(counter_attrs(int(limit)))
        return attrs


def counter_attrs(limit: int) -> dict[str, Any]:
    """The attributes huying/static/js/char_count.js reads (also used by console pages)."""
    return {
        "data-maxlength": str(limit),
        "data-count-text": _("%(count)s of %(max)s characters"),
        "data-over-text": _("%(over)s characters over the limit of %(max)s: please shorten the text."),
    }


def limit_note(help_text: Any, limit: int) -> str:
    note = gettext("At most %(n)s characters.") % {"n": limit}
    return f"{help_text} {note}" if help_text else note


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; cleans to a list (empty when none was chosen)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPTED_FILES}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def category_choices() -> list[tuple[str, Any]]:
    """First- and second-level active categories: a first-level category with children is
    an option group (itself first, as "… — other"), one without children a plain option."""
    rows = list(Category.objects.active().filter(level__lte=2).order_by("code"))
    children: dict[int, list[Category]] = {}
    for row in rows:
        if row.parent_id is not None:
            children.setdefault(row.parent_id, []).append(row)
    choices: list[tuple[str, Any]] = [("", _("Not sure — the command centre will decide"))]
    for top in (r for r in rows if r.level == 1):
        below = children.get(top.pk, [])
        if not below:
            choices.append((top.code, top.name))
            continue
        group = [(top.code, _("%(name)s — other") % {"name": top.name})]
        group += [(c.code, c.name) for c in below]
        choices.append((top.name, group))
    return choices


def _grouped(places: list[Organisation], parents: dict[int, str], empty: Any) -> list[tuple[Any, Any]]:
    """Options for ``places``, grouped under their parents' names when there is more than one parent."""
    by_parent: dict[str, list[tuple[int, str]]] = {}
    for place in places:
        by_parent.setdefault(parents.get(place.parent_id or 0, ""), []).append((place.pk, place.name))
    choices: list[tuple[Any, Any]] = [("", empty)]
    if len(by_parent) <= 1:
        return choices + [item for items in by_parent.values() for item in items]
    return choices + list(by_parent.items())


class IntakeForm(forms.Form):
    """The fields every intake page shares; subclasses drop what their channel does not use."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    # Content and phone are checked by the channel's action (with every other problem at
    # once); the browser is told they are required.
    content = LimitedTextField(
        label=_("What is the problem?"),
        max_length=MAX_CONTENT_CHARS,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "required": True}),
        help_text=_("Where, what and since when: the more precise, the faster it is handled."),
    )
    category = forms.ChoiceField(label=_("Kind of problem"), required=False)
    nature = forms.ChoiceField(label=_("Nature"), choices=Nature.choices, initial=Nature.HELP)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    district = forms.TypedChoiceField(label=_("District"), coerce=int)
    street = forms.TypedChoiceField(label=_("Street"), coerce=int, required=False, empty_value=None)
    community = forms.TypedChoiceField(label=_("Community"), coerce=int, required=False, empty_value=None)
    address = forms.CharField(
        label=_("Address"),
        max_length=200,
        required=False,
        help_text=_("Road, house number or a landmark nearby."),
    )
    latitude = forms.CharField(
        label=_("Latitude"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    longitude = forms.CharField(
        label=_("Longitude"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    photos = MultipleFileField(label=_("Choose photos or files"), required=False)
    caller_name = forms.CharField(
        label=_("Your name"), max_length=50, required=False, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    caller_phone = forms.CharField(
        label=_("Mobile or phone number"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel", "required": True}),
    )
    anonymous = forms.BooleanField(
        label=_("Report anonymously"),
        required=False,
        help_text=_(
            "Handling staff will not see your name. Your number is only shown to the command centre, "
            "which may call you back about the result."
        ),
    )

    drop: tuple[str, ...] = ()

    def __init__(self, *args: Any, districts: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.drop:
            del self.fields[name]
        self.districts = districts
        self.fields["category"].choices = category_choices()  # type: ignore[attr-defined]
        district_field = self.fields["district"]
        district_field.choices = [(d.pk, district_label(d)) for d in districts]  # type: ignore[attr-defined]
        if len(districts) == 1:
            district_field.widget = forms.HiddenInput()
            district_field.initial = districts[0].pk
            district_field.required = False  # the only one is taken when none is sent
        within = Q(pk__in=[])
        for district in districts:
            within |= Q(path__startswith=district.path)
        places = Organisation.objects.filter(within, is_active=True)
        streets = list(places.filter(kind=OrgKind.STREET).order_by("name"))
        names = {d.pk: district_label(d) for d in districts}
        self.fields["street"].choices = _grouped(streets, names, _("Not sure"))  # type: ignore[attr-defined]
        if "community" in self.fields:
            names.update({s.pk: s.name for s in streets})
            communities = list(places.filter(kind=OrgKind.COMMUNITY).order_by("path"))
            self.fields["community"].choices = _grouped(communities, names, _("Not sure"))  # type: ignore[attr-defined]
        if "content" in self.fields:
            content = self.fields["content"]
            content.help_text = limit_note(content.help_text, MAX_CONTENT_CHARS)
        upload = limits()
        self.fields["photos"].help_text = gettext(
            "Up to %(n)d photos (JPEG, PNG or WebP) or PDF files, each at most %(mb)d MB, %(total)d MB in all."
        ) % {"n": upload.max_files, "mb": min(upload.max_file_mb, 10), "total": upload.max_total_mb}

    @property
    def single_district(self) -> bool:
        return len(self.districts) == 1

    def intake_data(self) -> dict[str, Any]:
        """The cleaned values as :mod:`huying.workorders.reporting` takes them."""
        data = self.cleaned_data
        values: dict[str, Any] = {
            key: data.get(key)
            for key in (
                "content",
                "category",
                "nature",
                "urgency",
                "street",
                "community",
                "address",
                "latitude",
                "longitude",
                "caller_name",
                "caller_phone",
            )
            if key in self.fields
        }
        values["district"] = str(data.get("district") or "")
        values["anonymous"] = bool(data.get("anonymous"))
        return {key: ("" if value is None else value) for key, value in values.items()}

    def uploads(self) -> list[UploadedAttachment]:
        return [UploadedAttachment(name=f.name or "file", file=f) for f in self.cleaned_data.get("photos") or []]

    def add_action_errors(self, error: ValidationError) -> None:
        """Show the action's errors next to the fields they name (the rest above the form)."""
        messages = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        for field, texts in messages.items():
            name = ACTION_FIELDS.get(field, field)
            visible = name in self.fields and not self.fields[name].widget.is_hidden
            self.add_error(name if visible else None, list(texts))


class ReportForm(IntakeForm):
    """The public report form (channel ``web``): no urgency or community to choose, the
    phone required, a honeypot field for bots."""

    drop = ("urgency", "community")

    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("website"):
            # Only programs fill in a field people cannot see.
            raise ValidationError(_("Your report could not be accepted. Please try again."), code="honeypot")
        return data


class GridReportForm(IntakeForm):
    """The grid inspector's report (channel ``grid``): urgency and community, the caller
    optional (the inspector by default)."""

    drop = ("anonymous",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["caller_phone"].widget.attrs.pop("required", None)
        self.fields["caller_name"].label = _("Caller's name")
        self.fields["caller_phone"].label = _("Caller's phone")
        self.fields["caller_phone"].help_text = _("Leave both empty when you report what you found yourself.")


class ReferralForm(IntakeForm):
    """A member's referral (channel ``member``): the citizen who raised the problem, or the
    member when left empty."""

    drop = ("urgency", "community")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["caller_phone"].widget.attrs.pop("required", None)
        self.fields["caller_name"].label = _("Name of the person who raised it")
        self.fields["caller_phone"].label = _("Their phone number")
        self.fields["caller_phone"].help_text = _(
            "Leave both empty to be the contact yourself (your name and mobile from your profile)."
        )
        self.fields["anonymous"].label = _("The person asks to stay anonymous")
        self.fields["anonymous"].help_text = ""


class TrackForm(forms.Form):
    number = forms.CharField(
        label=_("Report number"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("The phone number you gave"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["number"].help_text = gettext("For example %(number)s.") % {"number": "荔湾-2026-000123"}


SOLVED_CHOICES = [("yes", _("Yes, it was solved")), ("no", _("No, it was not solved"))]


class RatingForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("How satisfied are you with the answer?"), choices=Rating.choices, widget=forms.RadioSelect
    )
    solved = forms.ChoiceField(
        label=_("Was the problem solved?"), choices=SOLVED_CHOICES, required=False, widget=forms.RadioSelect
    )
    comment = LimitedTextField(
        label=_("Comment (optional)"),
        max_length=MAX_COMMENT_CHARS,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["comment"].help_text = limit_note("", MAX_COMMENT_CHARS)

    def solved_value(self) -> bool | None:
        value = self.cleaned_data.get("solved")
        return {"yes": True, "no": False}.get(value or "")
