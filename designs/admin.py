from django.contrib import admin
from django.http import HttpRequest

from designs.models import (
    ApiToken,
    Approval,
    Artifact,
    Comment,
    CompileJob,
    Design,
    Membership,
    ReviewState,
    Revision,
    Version,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Design)
class DesignAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "owner", "revision_number", "updated_at"]
    search_fields = ["name", "slug", "owner__username"]
    readonly_fields = ["revision_number", "created_at", "updated_at"]
    inlines = [MembershipInline]


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    list_display = ["design", "number", "author", "message", "created_at"]
    list_filter = ["design"]
    readonly_fields = ["design", "number", "document", "author", "message", "created_at"]

    def has_change_permission(self, request: HttpRequest, obj: Revision | None = None) -> bool:
        return False  # revisions are immutable


@admin.register(Version)
class VersionAdmin(admin.ModelAdmin):
    list_display = ["design", "label", "revision", "created_by", "created_at"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["design", "user", "role", "created_at"]
    list_filter = ["role"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "hint", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["token_hash", "hint"]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["design", "anchor_kind", "anchor_label", "author", "created_at", "resolved_at"]
    list_filter = ["anchor_kind"]


@admin.register(CompileJob)
class CompileJobAdmin(admin.ModelAdmin):
    list_display = ["design", "state", "progress", "created_at"]
    list_filter = ["state"]


admin.site.register([Artifact, ReviewState, Approval])
