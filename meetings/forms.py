"""Staff forms: the document upload and the meeting correction in the admin.

Forms check what a person typed or sent; they never write rows themselves —
the upload goes through meetings.importing, the correction through the admin.
"""

from __future__ import annotations

import datetime as dt
import difflib
from pathlib import PurePath

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .importing import SUFFIXES, ImportError_, Metadata, check_date
from .models import KIND_CHOICES, AgendaItem, Body, Meeting, SourceDocument
from .parsing import media_type
from .parsing.decode import KNOWN_BINARY_FORMATS, PDF_HEADER_WINDOW

MAX_UPLOAD_BYTES = 20 * 2**20
SNIFF_BYTES = 8192
# An export's extension: the media type its content must have, and its name in a message.
EXPORTS = {
    ".json": ("application/json", _("JSON")),
    ".xml": ("application/xml", _("XML")),
    ".html": ("text/html", _("en webside (HTML)")),
    ".htm": ("text/html", _("en webside (HTML)")),
    ".zip": ("application/zip", _("et ZIP-arkiv")),
}


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Dokument"),
        help_text=format_lazy(
            _(
                "Tekst (.txt), PDF (.pdf) eller et dagsordensystems eksport (.json, .xml, "
                ".html, .zip), højst {} MB."
            ),
            MAX_UPLOAD_BYTES // 2**20,
        ),
        max_length=SourceDocument._meta.get_field("file_name").max_length,
    )
    body = forms.ModelChoiceField(
        label=_("Organ"),
        queryset=Body.objects.order_by("name"),
        required=False,
        empty_label=_("som dokumentet nævner det"),
        help_text=_("Vælg, når dokumentet ikke selv nævner organet."),
    )
    new_body = forms.CharField(
        label=_("Nyt organ"),
        required=False,
        max_length=300,
        help_text=_("Kun når organet ikke findes i listen: det oprettes med dette navn."),
    )
    create_similar = forms.BooleanField(
        label=_("Opret det nye organ, selv om det ligner et, der findes"),
        required=False,
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
            raise ValidationError(
                _("Kun .txt-, .pdf-, .json-, .xml-, .html- og .zip-filer kan importeres."),
                code="extension",
            )
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

    def clean(self):
        cleaned = super().clean()
        body, new_body = cleaned.get("body"), " ".join(cleaned.get("new_body", "").split())
        cleaned["new_body"] = new_body
        if body and new_body:
            self.add_error("new_body", _("Vælg et organ i listen eller skriv et nyt, ikke begge."))
        elif new_body:
            names = list(Body.objects.values_list("name", flat=True))
            same = [name for name in names if name.casefold() == new_body.casefold()]
            # A typo ("Sundhedsudvalgt") would make a public duplicate of a body: ask first.
            close = difflib.get_close_matches(new_body, names, n=1, cutoff=0.85)
            if same:
                self.add_error(
                    "new_body",
                    ValidationError(
                        _("%(name)s findes allerede: vælg det i listen."),
                        params={"name": same[0]},
                    ),
                )
            elif close and not cleaned.get("create_similar"):
                self.add_error(
                    "new_body",
                    ValidationError(
                        _(
                            "Mente du %(name)s? Vælg det i listen, eller sæt kryds for at "
                            "oprette det nye organ alligevel."
                        ),
                        params={"name": close[0]},
                    ),
                )
        return cleaned

    def metadata(self) -> Metadata:
        data = self.cleaned_data
        body = data["body"].name if data["body"] else data["new_body"] or None
        return Metadata(body=body, date=data["date"], kind=data["kind"] or None)


def sniff(head: bytes, suffix: str) -> str | None:
    """Why the first bytes of a file do not match its extension, or None when they do."""
    if suffix == ".pdf":
        if b"%PDF-" in head[:PDF_HEADER_WINDOW]:
            return None
        return gettext("Filen hedder .pdf, men er ikke en PDF.")
    export = EXPORTS.get(suffix)
    if export:
        if media_type(head, suffix) == export[0]:
            return None
        return gettext("Filen hedder %(suffix)s, men er ikke %(what)s.") % {
            "suffix": suffix,
            "what": export[1],
        }
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


class ItemCorrectionForm(forms.ModelForm):
    """Staff correct what a parse got wrong; closing an item removes its content everywhere."""

    case_numbers = forms.CharField(
        label=_("Sagsnumre"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Adskilt af komma, fx EMN-2024-00917, 10/2562."),
    )

    class Meta:
        model = AgendaItem
        fields = ["title", "access", "decision"]
        widgets = {"title": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "access": _(
                "Et fortroligt punkt beholder kun nummer, adgang og titel: dets tekst, "
                "beslutning og sagsnumre fjernes fra arkivet og kan ikke hentes tilbage "
                "her (importér dokumentet igen for det)."
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            numbers = self.instance.cases.order_by("number").values_list("number", flat=True)
            self.fields["case_numbers"].initial = ", ".join(numbers)

    def clean_case_numbers(self) -> list[str]:
        from .corrections import parse_case_numbers

        numbers = parse_case_numbers(self.cleaned_data["case_numbers"])
        too_long = [n for n in numbers if len(n) > 40]
        if too_long:
            raise ValidationError(
                _("%(number)s er ikke et sagsnummer."), params={"number": too_long[0]}
            )
        return numbers
