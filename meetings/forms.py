"""Staff forms: the document upload and the meeting correction in the admin.

Forms check what a person typed or sent; they never write rows themselves —
the upload goes through meetings.importing, the correction through the admin.
"""

from __future__ import annotations

import datetime as dt
from pathlib import PurePath

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .importing import SUFFIXES, ImportError_, Metadata, check_date
from .models import KIND_CHOICES, Meeting, SourceDocument
from .parsing.decode import KNOWN_BINARY_FORMATS, PDF_HEADER_WINDOW

MAX_UPLOAD_BYTES = 20 * 2**20
SNIFF_BYTES = 8192


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Dokument"),
        help_text=format_lazy(
            _("Tekst (.txt) eller PDF (.pdf), højst {} MB."), MAX_UPLOAD_BYTES // 2**20
        ),
        max_length=SourceDocument._meta.get_field("file_name").max_length,
    )
    body = forms.CharField(
        label=_("Organ"),
        required=False,
        max_length=300,
        help_text=_("Udfyld, når dokumentet ikke selv nævner organet."),
    )
    date = forms.DateField(
        label=_("Mødedato"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("ÅÅÅÅ-MM-DD. Udfyld kun, når datoen er kendt; den gættes aldrig."),
    )
    kind = forms.ChoiceField(
        label=_("Art"), required=False, choices=[("", _("fra dokumentet")), *KIND_CHOICES]
    )
    dry_run = forms.BooleanField(
        label=_("Prøvekørsel"),
        required=False,
        help_text=_("Læs og kontrollér dokumentet, men gem intet."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        suffix = PurePath(upload.name).suffix.lower()
        if suffix not in SUFFIXES:
            raise ValidationError(_("Kun .txt- og .pdf-filer kan importeres."), code="extension")
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                _("Filen er større end %(limit)d MB."),
                code="size",
                params={"limit": MAX_UPLOAD_BYTES // 2**20},
            )
        upload.seek(0)
        head = upload.read(SNIFF_BYTES)
        upload.seek(0)
        problem = sniff(head, suffix)
        if problem:
            raise ValidationError(problem, code="content")
        return upload

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date:
            _check_meeting_date(date)
        return date

    def metadata(self) -> Metadata:
        data = self.cleaned_data
        return Metadata(
            body=data["body"].strip() or None, date=data["date"], kind=data["kind"] or None
        )


def sniff(head: bytes, suffix: str) -> str | None:
    """Why the first bytes of a file do not match its extension, or None when they do."""
    if suffix == ".pdf":
        if b"%PDF-" in head[:PDF_HEADER_WINDOW]:
            return None
        return gettext("Filen hedder .pdf, men er ikke en PDF.")
    if head.lstrip()[:5] == b"%PDF-":
        return gettext("Filen hedder .txt, men er en PDF: omdøb den til .pdf.")
    for magic, what in KNOWN_BINARY_FORMATS:
        if head.startswith(magic):
            return gettext("Filen er ikke en tekstfil, men %(what)s.") % {"what": what}
    if b"\x00" in head:
        return gettext("Filen er ikke en tekstfil: den indeholder binære data.")
    return None


def _check_meeting_date(date: dt.date) -> None:
    try:
        check_date(date, "date")
    except ImportError_ as exc:
        raise ValidationError(
            _("%(date)s kan ikke være en mødedato."), code="implausible", params={"date": date}
        ) from exc


class MeetingAdminForm(forms.ModelForm):
    """A correction of body or date: a plausible date, and one meeting per body and date."""

    class Meta:
        model = Meeting
        fields = ["body", "date", "time", "location", "participants", "absent"]

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date:
            _check_meeting_date(date)
        return date

    def clean(self):
        cleaned = super().clean()
        body, date = cleaned.get("body"), cleaned.get("date")
        other = (
            Meeting.objects.filter(body=body, date=date).exclude(pk=self.instance.pk).first()
            if body and date
            else None
        )
        if other:
            # On the field that was changed, naming the meeting that has it: the
            # database constraint's generic message is then not added as well.
            changed = "body" if self.changed_data == ["body"] else "date"
            self.add_error(
                changed,
                ValidationError(
                    _("%(body)s har allerede et møde %(date)s (%(slug)s): ret organ eller dato."),
                    code="duplicate",
                    params={"body": body, "date": date.isoformat(), "slug": other.slug},
                ),
            )
        return cleaned


class DecisionForm(forms.Form):
    """Staff confirm a decision on a document; withdrawing or dropping says why."""

    reason = forms.CharField(
        label=_("Begrundelse"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Gemmes i dokumentets historik sammen med dit navn og tidspunktet."),
    )

    def __init__(self, *args, reason_required: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = reason_required
