from django.contrib.auth import views as auth_views
from django.urls import path

from huying.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/verify/", views.login_verify, name="login_verify"),
    # Django's LogoutView only accepts POST.
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("profile/", views.profile, name="profile"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("two-factor/start/", views.two_factor_start, name="two_factor_start"),
    path("two-factor/confirm/", views.two_factor_confirm, name="two_factor_confirm"),
    path("two-factor/disable/", views.two_factor_disable, name="two_factor_disable"),
    path("two-factor/backup-codes/", views.two_factor_backup_codes, name="two_factor_backup_codes"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("people/", views.people, name="people"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:user_id>/", views.person_detail, name="person"),
    path("people/<int:user_id>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:user_id>/active/", views.person_set_active, name="person_set_active"),
    path("people/<int:user_id>/two-factor/reset/", views.person_reset_two_factor, name="person_reset_two_factor"),
    path("people/<int:user_id>/roles/new/", views.role_assign, name="role_assign"),
    path("people/<int:user_id>/roles/<int:assignment_id>/revoke/", views.role_revoke, name="role_revoke"),
]
