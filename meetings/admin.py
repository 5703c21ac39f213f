"""Staff tools: import history, corrections of body and date, document upload."""

from django.contrib import admin

from .models import AgendaItem, Body, Case, ImportedFile, ImportRun, Meeting, SourceDocument


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["__str__", "body", "date", "location"]
    list_filter = ["body", ("date", admin.EmptyFieldListFilter)]
    search_fields = ["body__name", "slug"]
    fields = ["body", "date", "time", "location", "participants", "absent", "slug"]
    readonly_fields = ["slug"]


@admin.register(SourceDocument)
class SourceDocumentAdmin(admin.ModelAdmin):
    list_display = ["file_name", "layout", "size", "parser_version", "imported_at"]
    search_fields = ["file_name"]
    readonly_fields = [
        "file_name",
        "sha256",
        "size",
        "content_type",
        "page_count",
        "layout",
        "parser_version",
        "metadata",
        "warnings",
        "meetings",
        "imported_at",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(AgendaItem)
class AgendaItemAdmin(admin.ModelAdmin):
    list_display = ["meeting", "number", "kind", "access", "title"]
    list_filter = ["kind", "access", "meeting__body"]
    search_fields = ["title"]
    readonly_fields = [f.name for f in AgendaItem._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    search_fields = ["number"]


class ImportedFileInline(admin.TabularInline):
    model = ImportedFile
    fields = ["path", "outcome", "message", "meetings", "items", "warnings"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = [
        "started_at",
        "started_by",
        "dry_run",
        "created",
        "replaced",
        "unchanged",
        "failed",
    ]
    list_filter = ["dry_run"]
    readonly_fields = [
        "started_at",
        "finished_at",
        "started_by",
        "dry_run",
        "options",
        "created",
        "replaced",
        "unchanged",
        "failed",
    ]
    inlines = [ImportedFileInline]

    def has_add_permission(self, request):
        return False
