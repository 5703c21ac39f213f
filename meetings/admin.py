"""Staff tools: import history, corrections of body and date, document upload.

The admin parses requests and shows results; importing goes through
meetings.importing and checks of input through meetings.forms, never here.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from . import corrections, reasons, versions
from .forms import DecisionForm, ItemCorrectionForm, MeetingAdminForm, UploadForm
from .importing import queue_upload
from .models import (
    AgendaItem,
    Body,
    Case,
    DocumentVersion,
    ImportedFile,
    ImportRun,
    Meeting,
    SourceDocument,
)

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


class DocumentVersionInline(admin.TabularInline):
    """Every version of the document: what each import brought, and what staff decided."""

    model = DocumentVersion
    fields = [
        "number",
        "state",
        "file_name",
        "imported_at",
        "imported_by",
        "short_hash",
        "reasons_for_review",
        "decided_by",
        "decision_reason",
        "actions",
    ]
    readonly_fields = fields
    extra = 0
    ordering = ["-number"]
    template = "admin/meetings/history_inline.html"

    def has_add_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        # The versions are the document's history: whoever may see the document sees them.
        opts = SourceDocument._meta
        return request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}") or (
            request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")
        )

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("SHA-256"))
    def short_hash(self, version: DocumentVersion) -> str:
        return f"{version.sha256[:12]}…"  # the whole hash is on the version's document

    @admin.display(description=_("grunde til gennemsyn"))
    def reasons_for_review(self, version: DocumentVersion) -> str:
        return reasons.SEPARATOR.join(
            reasons.in_reader_language(reason) for reason in version.review_reasons
        )

    @admin.display(description=_("handlinger"))
    def actions(self, version: DocumentVersion) -> str:
        links = []
        earlier = _earlier_with_text(version)
        if earlier is not None and version.text:
            links.append((_("ændringer"), "changes", version))
        if version.state == DocumentVersion.HELD:
            links += [(_("offentliggør"), "publish", version), (_("afvis"), "drop", version)]
        if version.state not in (DocumentVersion.WITHDRAWN, DocumentVersion.DROPPED):
            links.append((_("træk tilbage"), "withdraw_version", version))
        return format_html(
            " · ".join(['<a href="{}">{}</a>'] * len(links)),
            *[
                part
                for label, name, v in links
                for part in (
                    reverse(f"admin:meetings_sourcedocument_{name}", args=[v.document_id, v.pk]),
                    label,
                )
            ],
        )


def _earlier_with_text(version: DocumentVersion) -> DocumentVersion | None:
    return (
        DocumentVersion.objects.filter(document_id=version.document_id, number__lt=version.number)
        .exclude(text="")
        .order_by("-number")
        .first()
    )


class ReviewFilter(admin.SimpleListFilter):
    """Documents with a version waiting for staff: listed apart, with the reasons."""

    title = _("gennemsyn")
    parameter_name = "gennemsyn"
    WAITING = "venter"

    def lookups(self, request, model_admin):
        return [(self.WAITING, _("Venter på gennemsyn"))]

    def queryset(self, request, queryset: QuerySet[SourceDocument]) -> QuerySet[SourceDocument]:
        if self.value() == self.WAITING:
            return queryset.filter(versions__state=DocumentVersion.HELD).distinct()
        return queryset


@admin.register(SourceDocument)
class SourceDocumentAdmin(admin.ModelAdmin):
    list_display = ["file_name", "status", "layout", "size", "parser_version", "imported_at"]
    list_filter = [ReviewFilter, "status"]
    search_fields = ["file_name", "source_key"]
    readonly_fields = [
        "file_name",
        "status",
        "source_key",
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
    inlines = [DocumentVersionInline]
    change_form_template = "admin/meetings/sourcedocument/change_form.html"

    def has_add_permission(self, request):
        return False  # documents come in through the upload (or `ingest`), never by hand

    def has_delete_permission(self, request, obj=None):
        # Deleting by hand would skip the importer's bookkeeping (which version of
        # each item is current, meetings left without documents): staff withdraw.
        return False

    def changelist_view(self, request, extra_context=None):
        waiting = DocumentVersion.objects.filter(state=DocumentVersion.HELD).count()
        extra_context = {
            **(extra_context or {}),
            "can_upload": can_upload(request),
            "waiting_count": waiting,
            "waiting_filter": f"?{ReviewFilter.parameter_name}={ReviewFilter.WAITING}",
        }
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        def view(name: str, route: str):
            return path(
                route,
                self.admin_site.admin_view(getattr(self, f"{name}_view")),
                name=f"meetings_sourcedocument_{name}",
            )

        return [
            view("changes", "<int:pk>/versioner/<int:version>/aendringer/"),
            view("publish", "<int:pk>/versioner/<int:version>/offentliggoer/"),
            view("drop", "<int:pk>/versioner/<int:version>/afvis/"),
            view("withdraw_version", "<int:pk>/versioner/<int:version>/traek-tilbage/"),
            view("withdraw_document", "<int:pk>/traek-tilbage/"),
            *super().get_urls(),
        ]

    def changes_view(self, request: HttpRequest, pk: int, version: int) -> HttpResponse:
        newer = self._version(request, pk, version, change=False)
        older = _earlier_with_text(newer)
        lines = versions.changes(older, newer) if older else []
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Ændringer i version %(number)s") % {"number": newer.number},
            "document": newer.document,
            "older": older,
            "newer": newer,
            "lines": lines,
        }
        return TemplateResponse(request, "admin/meetings/sourcedocument/changes.html", context)

    def publish_view(self, request, pk, version):
        return self._decide(request, pk, version, "publish")

    def drop_view(self, request, pk, version):
        return self._decide(request, pk, version, "drop")

    def withdraw_version_view(self, request, pk, version):
        return self._decide(request, pk, version, "withdraw_version")

    def withdraw_document_view(self, request, pk):
        return self._decide(request, pk, None, "withdraw_document")

    DECISIONS = {
        "publish": (_("Offentliggør version %(number)s"), False),
        "drop": (_("Afvis version %(number)s"), True),
        "withdraw_version": (_("Træk version %(number)s tilbage"), True),
        "withdraw_document": (_("Træk hele dokumentet tilbage"), True),
    }

    def _decide(self, request: HttpRequest, pk: int, number: int | None, decision: str):
        """Confirm a decision on a document or one of its versions, then carry it out."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        document = get_object_or_404(SourceDocument, pk=pk)
        version = self._version(request, pk, number, change=True) if number else None
        title, needs_reason = self.DECISIONS[decision]
        title = title % {"number": version.number if version else ""}
        form = DecisionForm(request.POST or None, reason_required=needs_reason)
        if request.method == "POST" and form.is_valid():
            by = f"{request.user.get_username()} (admin)"
            reason = form.cleaned_data["reason"]
            try:
                if decision == "publish":
                    versions.publish_held(version, by=by)
                elif decision == "drop":
                    versions.drop_held(version, by=by, reason=reason)
                elif decision == "withdraw_version":
                    versions.withdraw_version(version, by=by, reason=reason)
                else:
                    versions.withdraw_document(document, by=by, reason=reason)
            except versions.VersionError:
                messages.error(request, gettext("Den beslutning gælder ikke denne version."))
            else:
                messages.success(request, gettext("Udført: %(title)s.") % {"title": title})
            return redirect("admin:meetings_sourcedocument_change", document.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "document": document,
            "version": version,
            "form": form,
        }
        return TemplateResponse(request, "admin/meetings/sourcedocument/decide.html", context)

    def _version(self, request, pk: int, number: int, *, change: bool) -> DocumentVersion:
        allowed = (
            self.has_change_permission(request) if change else self.has_view_permission(request)
        )
        if not allowed:
            raise PermissionDenied
        return get_object_or_404(
            DocumentVersion.objects.select_related("document"), document_id=pk, pk=number
        )


@admin.register(AgendaItem)
class AgendaItemAdmin(admin.ModelAdmin):
    """Items come from imports; staff correct title, case numbers, decision and access."""

    form = ItemCorrectionForm
    list_display = ["meeting", "item_number", "kind", "access", "title", "corrected_at"]
    list_filter = ["kind", "access", "meeting__body"]
    search_fields = ["title"]
    fields = [
        "meeting", "document", "kind", "item_number", "title", "access", "case_numbers",
        "decision", "corrected_at", "corrected_by",
    ]  # fmt: skip
    readonly_fields = ["meeting", "document", "kind", "item_number", "corrected_at", "corrected_by"]

    @admin.display(description=_("nummer"), ordering="number")
    def item_number(self, obj: AgendaItem) -> str:
        return obj.label  # a sub-item's 1.1 as printed

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # an item leaves with its document (withdraw it), never alone

    def save_model(self, request, obj, form, change):
        corrections.correct_item(
            obj,
            title=form.cleaned_data["title"],
            decision=form.cleaned_data["decision"],
            access=form.cleaned_data["access"],
            case_numbers=form.cleaned_data["case_numbers"],
            by=request.user.get_username(),
        )

    def save_related(self, request, form, formsets, change):
        pass  # the cases are the correction's (correct_item), not the form's


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
    fields = ["path", "outcome", "reason", "meetings", "items", "warnings", "document"]
    readonly_fields = fields
    extra = 0
    template = "admin/meetings/history_inline.html"

    @admin.display(description=_("besked"))
    def reason(self, result: ImportedFile) -> str:
        return reasons.in_reader_language(result.message)


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyHistory, admin.ModelAdmin):
    list_display = [
        "started_at",
        "started_by",
        "status",
        "dry_run",
        "created",
        "replaced",
        "unchanged",
        "held",
        "failed",
    ]
    list_filter = ["status", "dry_run"]
    readonly_fields = [
        "started_at",
        "finished_at",
        "started_by",
        "status",
        "dry_run",
        "options",
        "created",
        "replaced",
        "unchanged",
        "held",
        "failed",
    ]
    inlines = [ImportedFileInline]
    change_form_template = "admin/meetings/importrun/change_form.html"

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

    def change_view(self, request, object_id, form_url="", extra_context=None):
        run = self.get_object(request, object_id)
        extra_context = {
            **(extra_context or {}),
            "run_in_progress": run is not None and run.status != ImportRun.FINISHED,
            "upload_result": upload_result(run) if run and "upload" in run.options else None,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        """Import one document a staff member sends, then show the run it made."""
        if not can_upload(request):
            raise PermissionDenied
        form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
        if form.is_bound and form.is_valid():
            upload = form.cleaned_data["file"]
            # Imported in the background: a heavy PDF must not hold this web worker.
            run = queue_upload(
                upload.read(),
                upload.name,
                form.metadata(),
                started_by=f"{request.user.get_username()} (admin)",
                dry_run=form.cleaned_data["dry_run"],
            )
            # The run's page says how it goes, and what came of it.
            return redirect("admin:meetings_importrun_change", run.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Importér dokument"),
            "form": form,
        }
        return TemplateResponse(request, "admin/meetings/importrun/upload.html", context)


def upload_result(run: ImportRun) -> tuple[str, str] | None:
    """What an upload's run page says of it (level, message), once it has finished."""
    if run.status != ImportRun.FINISHED:
        return None
    result = run.files.first()
    if result is None:
        return None
    # Each message starts with a word of ours: the admin capitalises a message's first
    # letter, which would rename a file "brev.txt" to "Brev.txt".
    values = {
        "file": result.path,
        "outcome": result.get_outcome_display(),
        "counts": _counts(result.meetings, result.items),
        "reason": reasons.in_reader_language(result.message),
    }
    if result.outcome == ImportedFile.FAILED:
        return "error", gettext("Dokumentet %(file)s blev ikke importeret: %(reason)s") % values
    if result.outcome == ImportedFile.HELD:
        message = gettext(
            "Dokumentet %(file)s er importeret til gennemsyn og ikke offentliggjort: %(reason)s"
        )
        return "warning", message % values
    if result.outcome == ImportedFile.UNCHANGED:
        message = gettext("Dokumentet %(file)s er uændret: den version er allerede i arkivet.")
        return "info", message % values
    if run.dry_run:
        message = gettext(
            "Prøvekørsel, intet er gemt: dokumentet %(file)s kan importeres (%(outcome)s): "
            "%(counts)s."
        )
        return "success", message % values
    message = gettext("Dokumentet %(file)s er importeret (%(outcome)s): %(counts)s.")
    return "success", message % values


def _counts(meetings: int, items: int) -> str:
    """Each count with its noun in the right number: 1 møde, 5 punkter."""
    return ", ".join(
        [
            ngettext("%(count)d møde", "%(count)d møder", meetings) % {"count": meetings},
            ngettext("%(count)d punkt", "%(count)d punkter", items) % {"count": items},
        ]
    )
