"""Pages for logging in, one's own profile, two-factor login, API tokens, and people
management for administrators. Thin: they validate with forms and call actions."""

from __future__ import annotations

import base64
import time
from typing import Any

import qrcode
import qrcode.image.svg
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.contrib import messages
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.crypto import constant_time_compare
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from huying.accounts import actions
from huying.accounts.forms import (
    LoginForm,
    OtpTokenForm,
    PeopleFilterForm,
    PersonCreateForm,
    PersonEditForm,
    RoleAssignForm,
    TokenCreateForm,
)
from huying.accounts.models import ApiToken, RoleAssignment, User
from huying.organisations.models import Organisation

PENDING_KEY = "accounts_pending_login"
PENDING_SECONDS = 300
PEOPLE_PER_PAGE = 25
TOKENS_PER_PAGE = 20


def apply_errors(form: Form, error: ValidationError) -> None:
    """Put an action's ValidationError on the form fields it names (or on the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


# --- logging in -----------------------------------------------------------------------------
class LoginView(auth_views.LoginView):
    """Step one: login name and password (django-axes counts failures and locks out).

    People with two-factor login go on to :func:`login_verify`; their session is only
    logged in once the code is right."""

    template_name = "accounts/login.html"
    form_class = LoginForm

    def form_valid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        user = form.get_user()
        backend = getattr(user, "backend", None)
        if actions.has_two_factor(user):
            self.request.session[PENDING_KEY] = {
                "user": user.pk,
                "backend": backend,
                "hash": user.get_session_auth_hash(),
                "next": self.get_redirect_url(),
                "at": time.time(),
            }
            return redirect("accounts:login_verify")
        actions.do_log_in(self.request, user, backend=backend)
        return HttpResponseRedirect(self.get_success_url())


def _pending_user(request: HttpRequest) -> tuple[User, dict[str, Any]] | None:
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = get_user_model().objects.filter(pk=pending.get("user"), is_active=True).first()
    if user is None or not constant_time_compare(user.get_session_auth_hash(), pending.get("hash", "")):
        return None
    return user, pending  # type: ignore[return-value]


@require_http_methods(["GET", "HEAD", "POST"])
def login_verify(request: HttpRequest) -> HttpResponse:
    """Step two for people with two-factor login: a code from the app or a backup code."""
    found = _pending_user(request)
    if found is None:
        request.session.pop(PENDING_KEY, None)
        messages.info(request, _("Please log in again."))
        return redirect("accounts:login")
    user, pending = found
    credentials = {"username": user.get_username()}
    if AxesProxyHandler.is_locked(request, credentials):
        request.session.pop(PENDING_KEY, None)
        return get_lockout_response(request, None, credentials)
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = actions.check_otp_token(user, form.cleaned_data["otp_token"])
        if device is not None:
            request.session.pop(PENDING_KEY, None)
            actions.do_log_in(request, user, backend=pending.get("backend"), device=device)
            next_url = pending.get("next") or ""
            if not url_has_allowed_host_and_scheme(
                next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                next_url = reverse("core:home")
            return HttpResponseRedirect(next_url)
        # A wrong code counts as a failed login, so guessing codes runs into the lockout.
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if getattr(request, "axes_locked_out", False):
            request.session.pop(PENDING_KEY, None)
        form.add_error("otp_token", _("The code is not correct."))
    return render(request, "accounts/login_verify.html", {"form": form, "person": user})


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.user
        actions.do_change_password(user, user, form.cleaned_data["new_password1"])
        update_session_auth_hash(self.request, user)
        messages.success(self.request, _("Your password has been changed."))
        return HttpResponseRedirect(self.get_success_url())


# --- own profile ----------------------------------------------------------------------------
@require_safe
@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    roles = user.role_assignments.filter(is_active=True).select_related("organisation", "sector", "special_committee")
    totp = actions.confirmed_totp_device(user)
    backup_left = StaticToken.objects.filter(device__user=user, device__confirmed=True).count() if totp else 0
    tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True)[:5]
    return render(
        request,
        "accounts/profile.html",
        {
            "person": user,
            "roles": roles,
            "two_factor_on": totp is not None,
            "backup_codes_left": backup_left,
            "tokens": tokens,
        },
    )


# --- two-factor enrolment -------------------------------------------------------------------
def _qr_data_uri(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    svg = image.to_string(encoding="unicode")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _two_factor_allowed(user: User) -> None:
    # People who already have a device may always turn it off, even after a role change.
    if not user.may_use_two_factor and not TOTPDevice.objects.filter(user=user).exists():
        raise PermissionDenied(
            _("Two-factor authentication is offered to staff, leaders and administrators, not to this account.")
        )


def _two_factor_page(
    request: HttpRequest, form: OtpTokenForm | None = None, backup_codes: list[str] | None = None, status: int = 200
) -> HttpResponse:
    user = _user(request)
    confirmed = actions.confirmed_totp_device(user)
    pending = None if confirmed else TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    context: dict[str, Any] = {
        "confirmed": confirmed,
        "pending": pending,
        "form": form or OtpTokenForm(),
        "backup_codes": backup_codes,
        "backup_codes_left": StaticToken.objects.filter(device__user=user, device__confirmed=True).count(),
    }
    if pending is not None:
        context["qr_code"] = _qr_data_uri(pending.config_url)
        secret = base64.b32encode(pending.bin_key).decode()
        context["secret"] = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return render(request, "accounts/two_factor.html", context, status=status)


@require_safe
@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    _two_factor_allowed(_user(request))
    return _two_factor_page(request)


@require_POST
@login_required
def two_factor_start(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _two_factor_allowed(user)
    try:
        actions.do_start_two_factor(user, user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("accounts:two_factor")


@require_POST
@login_required
def two_factor_confirm(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _two_factor_allowed(user)
    form = OtpTokenForm(request.POST)
    if form.is_valid():
        try:
            codes = actions.do_confirm_two_factor(user, user, form.cleaned_data["otp_token"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            device = actions.confirmed_totp_device(user)
            if device is not None:
                # The person just proved they hold the device: mark this session verified.
                otp_login(request, device)
            messages.success(request, _("Two-factor authentication is on."))
            return _two_factor_page(request, backup_codes=codes)
    return _two_factor_page(request, form=form, status=400)


@require_POST
@login_required
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _two_factor_allowed(user)
    form = OtpTokenForm(request.POST)
    if form.is_valid():
        try:
            actions.do_disable_two_factor(user, user, form.cleaned_data["otp_token"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Two-factor authentication is off."))
            return redirect("accounts:two_factor")
    return _two_factor_page(request, form=form, status=400)


@require_POST
@login_required
def two_factor_backup_codes(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _two_factor_allowed(user)
    form = OtpTokenForm(request.POST)
    if form.is_valid():
        try:
            codes = actions.do_regenerate_backup_codes(user, user, form.cleaned_data["otp_token"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return _two_factor_page(request, backup_codes=codes)
    return _two_factor_page(request, form=form, status=400)


# --- API tokens -----------------------------------------------------------------------------
@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    """List, create (the secret is shown once, in this response) and revoke one's own tokens."""
    user = _user(request)
    form = TokenCreateForm(request.POST or None)
    secret = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                _token, secret = actions.do_create_api_token(user, user, form.cleaned_data["name"], form.expires_at)
            except ValidationError as error:
                apply_errors(form, error)
                status = 400
            else:
                form = TokenCreateForm()
        else:
            status = 400
    page = Paginator(ApiToken.objects.filter(user=user), TOKENS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "accounts/tokens.html", {"form": form, "page": page, "secret": secret}, status=status)


@require_POST
@login_required
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    try:
        actions.do_revoke_api_token(request.user, token)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The token “%(name)s” has been revoked.") % {"name": token.name})
    return redirect("accounts:tokens")


# --- people management ----------------------------------------------------------------------
def require_administrator(request: HttpRequest) -> User:
    user = _user(request)
    if not user.is_administrator:
        raise PermissionDenied(_("Managing people and roles is for system administrators."))
    return user


def _organisation_search(request: HttpRequest) -> tuple[str, list[Organisation]]:
    text = request.GET.get("org_q", "").strip()[:50]
    if not text:
        return "", []
    found = Organisation.objects.filter(is_active=True, name__icontains=text).order_by("path")[:20]
    return text, list(found)


@require_safe
@login_required
def people(request: HttpRequest) -> HttpResponse:
    require_administrator(request)
    form = PeopleFilterForm(request.GET or None)
    qs = User.objects.all()
    organisation = None
    if form.is_valid():
        organisation = form.cleaned_data["org"]
        qs = qs.search(form.cleaned_data["q"], viewer=request.user).holding(form.cleaned_data["role"], organisation)
    elif form.is_bound:
        qs = qs.none()
    page = Paginator(qs.with_current_roles().order_by("real_name", "pk"), PEOPLE_PER_PAGE).get_page(
        request.GET.get("page")
    )
    org_q, org_results = _organisation_search(request)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/people_list.html",
        {
            "form": form,
            "page": page,
            "organisation": organisation,
            "org_q": org_q,
            "org_results": org_results,
            "query": query.urlencode(),
            "active_area": "console",
        },
    )


@require_safe
@login_required
def person_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    """Anyone who can see the person (``User.objects.visible_to``) sees their name and
    roles; only administrators and the person see the whole mobile number and only
    administrators get the management buttons."""
    viewer = _user(request)
    person = get_object_or_404(User.objects.visible_to(viewer), pk=user_id)
    assignments = person.role_assignments.select_related("organisation", "sector", "special_committee").order_by(
        "-is_active", "-created_at"
    )
    return render(
        request,
        "accounts/person_detail.html",
        {
            "person": person,
            "mobile": person.mobile_for(viewer),
            "assignments": assignments,
            "may_manage": viewer.is_administrator,
            "two_factor_on": actions.has_two_factor(person) if viewer.is_administrator else None,
            "active_area": "console",
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def person_create(request: HttpRequest) -> HttpResponse:
    admin = require_administrator(request)
    form = PersonCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = actions.do_create_user(
                admin,
                username=data["username"],
                real_name=data["real_name"],
                mobile=data["mobile"],
                is_real_name_verified=data["is_real_name_verified"],
                password=data["password"] or None,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("%(name)s has been added.") % {"name": person.real_name})
            return redirect("accounts:person", user_id=person.pk)
    status = 400 if form.is_bound else 200
    return render(
        request,
        "accounts/person_form.html",
        {"form": form, "person": None, "active_area": "console"},
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def person_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    admin = require_administrator(request)
    person = get_object_or_404(User, pk=user_id)
    initial = {
        "real_name": person.real_name,
        "mobile": person.mobile,
        "is_real_name_verified": person.is_real_name_verified,
    }
    form = PersonEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_user(admin, person, **form.cleaned_data)
        except ValidationError as error:
            person.refresh_from_db()
            apply_errors(form, error)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("accounts:person", user_id=person.pk)
    status = 400 if form.is_bound else 200
    return render(
        request,
        "accounts/person_form.html",
        {"form": form, "person": person, "active_area": "console"},
        status=status,
    )


@require_POST
@login_required
def person_set_active(request: HttpRequest, user_id: int) -> HttpResponse:
    admin = require_administrator(request)
    person = get_object_or_404(User, pk=user_id)
    active = request.POST.get("active") == "1"
    try:
        actions.do_set_user_active(admin, person, active)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if active:
            messages.success(request, _("%(name)s can log in again.") % {"name": person.real_name})
        else:
            messages.success(request, _("%(name)s has been deactivated.") % {"name": person.real_name})
    return redirect("accounts:person", user_id=person.pk)


@require_POST
@login_required
def person_reset_two_factor(request: HttpRequest, user_id: int) -> HttpResponse:
    admin = require_administrator(request)
    person = get_object_or_404(User, pk=user_id)
    try:
        actions.do_reset_two_factor(admin, person)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Two-factor authentication of %(name)s has been reset.") % {"name": person.real_name}
        )
    return redirect("accounts:person", user_id=person.pk)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def role_assign(request: HttpRequest, user_id: int) -> HttpResponse:
    admin = require_administrator(request)
    person = get_object_or_404(User, pk=user_id)
    initial = {"organisation": request.GET.get("organisation", "")}
    form = RoleAssignForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_assign_role(
                admin,
                person,
                data["role"],
                data["organisation"],
                title=data["title"],
                term=data["term"],
                sector=data["sector"],
                special_committee=data["special_committee"],
                member_level=data["member_level"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The role has been assigned."))
            return redirect("accounts:person", user_id=person.pk)
    org_q, org_results = _organisation_search(request)
    status = 400 if form.is_bound else 200
    return render(
        request,
        "accounts/role_form.html",
        {"form": form, "person": person, "org_q": org_q, "org_results": org_results, "active_area": "console"},
        status=status,
    )


@require_POST
@login_required
def role_revoke(request: HttpRequest, user_id: int, assignment_id: int) -> HttpResponse:
    admin = require_administrator(request)
    assignment = get_object_or_404(
        RoleAssignment.objects.select_related("user", "organisation"), pk=assignment_id, user_id=user_id
    )
    try:
        actions.do_revoke_role(admin, assignment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The role has been revoked."))
    return redirect("accounts:person", user_id=user_id)
