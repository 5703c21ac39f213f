"""Staff tools: import history, corrections of body and date, document upload.

The admin parses requests and shows results; importing goes through
meetings.importing and checks of input through meetings.forms, never here.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .forms import MeetingAdminForm, UploadForm
from .importing import run_upload
from .models import AgendaItem, Body, Case, ImportedFile, ImportRun, Meeting, SourceDocument

# The archive's name where Django's own stood ("Django administration", untranslated).
admin.site.site_header = _("Mødearkiv – administration")
admin.site.site_title = _("Mødearkiv")
admin.site.index_title = _("Arkivets data og importer")

# Uploading creates source documents, and the upload ends on the run's page.
UPLOAD_PERMISSIONS = ("meetings.add_sourcedocument", "meetings.view_importrun")


def can_upload(request: HttpRequest) -> bool:
    return (
        request.user.is_active
        and request.user.is_staff
        and request.user.has_perms(UPLOAD_PERMISSIONS)
    )


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class DateKnownFilter(admin.SimpleListFilter):
    """Meetings no document dated: listed for staff to complete."""

    title = _("dato")
    parameter_name = "dato"
    UNKNOWN, KNOWN = "ukendt", "kendt"

    def lookups(self, request, model_admin):
        return [(self.UNKNOWN, _("Dato ukendt")), (self.KNOWN, _("Dato kendt"))]

    def queryset(self, request, queryset: QuerySet[Meeting]) -> QuerySet[Meeting]:
        if self.value() == self.UNKNOWN:
            return queryset.filter(date__isnull=True)
        if self.value() == self.KNOWN:
            return queryset.filter(date__isnull=False)
        return queryset


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    form = MeetingAdminForm
    list_display = ["__str__", "body", "date", "location"]
    list_filter = [DateKnownFilter, "body"]
    search_fields = ["body__name", "slug"]
    fields = ["body", "date", "time", "location", "participants", "absent", "slug"]
    readonly_fields = ["slug"]

    def changelist_view(self, request, extra_context=None):
        undated = Meeting.objects.filter(date__isnull=True).count()
        extra_context = {
            **(extra_context or {}),
            "undated_count": undated,
            "undated_filter": f"?{DateKnownFilter.parameter_name}={DateKnownFilter.UNKNOWN}",
        }
        return super().changelist_view(request, extra_context)


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
        return False  # documents come in through the upload (or `ingest`), never by hand

    def has_delete_permission(self, request, obj=None):
        # Deleting by hand would skip the importer's bookkeeping (which version of
        # each item is current, meetings left without documents).
        return False

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_upload": can_upload(request)}
        return super().changelist_view(request, extra_context)


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


class ReadOnlyHistory:
    """The import history is a record of what happened: shown, never added to, edited
    or deleted by hand, superusers included."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ImportedFileInline(ReadOnlyHistory, admin.TabularInline):
    model = ImportedFile
    fields = ["path", "outcome", "message", "meetings", "items", "warnings"]
    readonly_fields = fields
    extra = 0


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyHistory, admin.ModelAdmin):
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

    def get_urls(self):
        upload = path(
            "upload/",
            self.admin_site.admin_view(self.upload_view),
            name="meetings_importrun_upload",
        )
        return [upload, *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_upload": can_upload(request)}
        return super().changelist_view(request, extra_context)

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        """Import one document a staff member sends, then show the run it made."""
        if not can_upload(request):
            raise PermissionDenied
        form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
        if form.is_bound and form.is_valid():
            upload = form.cleaned_data["file"]
            run = run_upload(
                upload.read(),
                upload.name,
                form.metadata(),
                started_by=f"{request.user.get_username()} (admin)",
                dry_run=form.cleaned_data["dry_run"],
            )
            _report_upload(request, run)
            return redirect("admin:meetings_importrun_change", run.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Importér dokument"),
            "form": form,
        }
        return TemplateResponse(request, "admin/meetings/importrun/upload.html", context)


def _report_upload(request: HttpRequest, run: ImportRun) -> None:
    # Each message starts with a word of ours: the admin capitalises a message's first
    # letter, which would rename a file "brev.txt" to "Brev.txt".
    result = run.files.get()
    values = {
        "file": result.path,
        "outcome": result.get_outcome_display(),
        "counts": _counts(result.meetings, result.items),
        "reason": result.message,
    }
    if result.outcome == ImportedFile.FAILED:
        message = gettext("Dokumentet %(file)s blev ikke importeret: %(reason)s") % values
        messages.error(request, message)
    elif result.outcome == ImportedFile.UNCHANGED:
        message = (
            gettext("Dokumentet %(file)s er uændret: den version er allerede i arkivet.") % values
        )
        messages.info(request, message)
    elif run.dry_run:
        message = gettext(
            "Prøvekørsel, intet er gemt: dokumentet %(file)s kan importeres (%(outcome)s): "
            "%(counts)s."
        )
        messages.success(request, message % values)
    else:
        message = gettext("Dokumentet %(file)s er importeret (%(outcome)s): %(counts)s.")
        messages.success(request, message % values)


def _counts(meetings: int, items: int) -> str:
    """Each count with its noun in the right number: 1 møde, 5 punkter."""
    return ", ".join(
        [
            ngettext("%(count)d møde", "%(count)d møder", meetings) % {"count": meetings},
            ngettext("%(count)d punkt", "%(count)d punkter", items) % {"count": items},
        ]
    )
