from django.contrib.auth import views as auth_views
from django.urls import path

from designs import import_views, views, views_accounts, views_sharing

urlpatterns = [
    path("", views.home, name="home"),
    path("designs/", views.design_list, name="design-list"),
    path("designs/import/", import_views.design_import, name="design-import"),
    path("d/<slug:slug>/", views.design_editor, name="design-editor"),
    path("d/<slug:slug>/members/", views_sharing.members, name="design-members"),
    path("invite/<str:token>/", views_sharing.invitation, name="invitation"),
    path("s/<str:token>/", views_sharing.share_link, name="share-link"),
    path("accounts/login/", views_accounts.Login.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/password/", views_accounts.PasswordChange.as_view(), name="password-change"),
    path("accounts/password/reset/", views_accounts.PasswordReset.as_view(), name="password-reset"),
    path("accounts/password/reset/sent/", views_accounts.PasswordResetSent.as_view(), name="password-reset-sent"),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        views_accounts.PasswordResetConfirm.as_view(),
        name="password-reset-confirm",
    ),
    path("accounts/tokens/", views.tokens, name="tokens"),
    path("accounts/tokens/<int:token_id>/revoke/", views.revoke_token, name="token-revoke"),
]
