"""The archive's data: bodies, meetings, the documents they came from, items, cases.

Invariants live in the database (unique keys, foreign keys, checks) as well as
here. A confidential item keeps only its number and access level: a check
constraint makes any stored text on it impossible.
"""

from __future__ import annotations

import re

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Func, Q, Value
from django.db.models.functions import Lower, Reverse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PUBLIC = "public"
CONFIDENTIAL = "confidential"
ACCESS_CHOICES = [(PUBLIC, _("Offentlig")), (CONFIDENTIAL, _("Fortrolig"))]

AGENDA = "agenda"
MINUTES = "minutes"
KIND_CHOICES = [(AGENDA, _("Dagsorden")), (MINUTES, _("Referat"))]

PDF = "application/pdf"

# What a sub-item's part may hold (a PositiveSmallIntegerField).
MAX_SUB = 32767


def item_key(number: int | str) -> tuple[int, int] | None:
    """A printed item number as the archive stores it, (number, sub): 2 -> (2, 0),
    "1.1" -> (1, 1). None for what it cannot store: "1.1.1", "3a", "1.0"."""
    if isinstance(number, int):
        return (number, 0) if number >= 0 else None
    match = re.fullmatch(r"(\d+)(?:\.(\d+))?", number.strip())
    if match is None:
        return None
    main, sub = int(match.group(1)), int(match.group(2) or 0)
    if match.group(2) is not None and not 0 < sub <= MAX_SUB:
        return None
    return main, sub


def item_label(number: int, sub: int) -> str:
    """The number as printed: "1.1" for a sub-item, "2" for an item."""
    return f"{number}.{sub}" if sub else str(number)


class Body(models.Model):
    """A committee, board or working group whose meetings the archive holds."""

    name = models.CharField(_("navn"), max_length=300, unique=True)
    slug = models.SlugField(_("kortnavn"), max_length=120, unique=True)
    # Entered by staff: where a reader asks the body for access to a closed item.
    contact = models.TextField(
        _("kontakt"),
        blank=True,
        help_text=_(
            "Hvor man beder organet om aktindsigt: sekretariat, adresse, e-mail, telefon. "
            "Vises på lukkede punkters sider."
        ),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organ")
        verbose_name_plural = _("organer")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("body_detail", args=[self.slug])


class Meeting(models.Model):
    """One meeting of one body. Its agenda and its minutes are two documents of it."""

    body = models.ForeignKey(
        Body,
        on_delete=models.PROTECT,
        related_name="meetings",
        null=True,
        blank=True,
        verbose_name=_("organ"),
    )
    # Null when no document states it: never guessed; staff complete it in the admin.
    date = models.DateField(_("dato"), null=True, blank=True, db_index=True)
    time = models.CharField(_("tidspunkt"), max_length=40, blank=True)
    location = models.CharField(_("sted"), max_length=300, blank=True)
    participants = ArrayField(models.CharField(max_length=200), default=list, blank=True)
    absent = ArrayField(models.CharField(max_length=200), default=list, blank=True)
    # Set once at creation so permalinks survive later corrections of body or date.
    slug = models.SlugField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = [models.F("date").desc(nulls_last=True), "-id"]
        verbose_name = _("møde")
        verbose_name_plural = _("møder")
        # Search's "newest first" (and this default order) walks it instead of sorting.
        indexes = [models.Index(F("date").desc(nulls_last=True), name="meeting_newest_first")]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "date"],
                condition=Q(date__isnull=False),
                name="meeting_one_per_body_and_date",
            ),
        ]

    def __str__(self) -> str:
        date = self.date.isoformat() if self.date else _("ukendt dato")
        return f"{self.body or _('ukendt organ')}, {date}"

    def get_absolute_url(self) -> str:
        return reverse("meeting_detail", args=[self.slug])


class SourceDocument(models.Model):
    """A document of the archive (a meeting's agenda or minutes), in one or more versions.

    Identity is never the file name: a document is the same document when it
    comes from the same source path (`source_key`, set by `ingest`), or when
    a new file gives the same meeting's agenda or minutes again (see
    meetings/importing.py). Its fields hold the version the public pages show;
    every version, the shown one included, is a DocumentVersion row.

    The text is kept as the parser numbered its lines, with every closed
    item's lines blanked, and the original bytes only when the document has no
    closed item: nothing stored can hold their text.
    """

    PUBLISHED, HELD, WITHDRAWN = "published", "held", "withdrawn"
    STATUSES = [
        (PUBLISHED, _("offentliggjort")),
        (HELD, _("til gennemsyn")),
        (WITHDRAWN, _("trukket tilbage")),
    ]

    # The name the file had when last imported: shown, never an identity.
    file_name = models.CharField(_("filnavn"), max_length=255)
    # The source path an `ingest` read it from (resolved); empty for uploads.
    source_key = models.CharField(_("kildesti"), max_length=1000, blank=True, default="")
    # Published: its items are on the public pages. Held: imported for staff to review,
    # on no public page. Withdrawn: taken off every public page by staff.
    status = models.CharField(_("status"), max_length=10, choices=STATUSES, default=PUBLISHED)
    # Of the original file, also when its bytes are not kept.
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("størrelse (bytes)"))
    # NULL when the document has a confidential item (the file would carry its text).
    content = models.BinaryField(null=True, editable=False)
    has_original = models.GeneratedField(
        expression=Q(content__isnull=False),
        output_field=models.BooleanField(),
        db_persist=True,
    )
    # The normalised lines joined by "\n" (Item.line counts in them), confidential spans blank.
    text = models.TextField(blank=True, default="", editable=False)
    content_type = models.CharField(_("filtype"), max_length=100)
    page_count = models.PositiveIntegerField(_("sider"), null=True, blank=True)
    layout = models.CharField(_("layout"), max_length=40)
    parser_version = models.CharField(_("parserversion"), max_length=20)
    # What the import applied on top of the parse (options, sidecar): part of its identity.
    metadata = models.JSONField(_("oplyst ved import"), default=dict, blank=True)
    warnings = models.JSONField(_("advarsler"), default=list, blank=True)
    meetings = models.ManyToManyField(
        Meeting, related_name="documents", blank=True, verbose_name=_("møder")
    )
    imported_at = models.DateTimeField(_("importeret"))

    class Meta:
        ordering = ["file_name", "id"]
        verbose_name = _("kildedokument")
        verbose_name_plural = _("kildedokumenter")
        constraints = [
            models.CheckConstraint(
                condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="document_sha256_is_hex"
            ),
            models.UniqueConstraint(
                fields=["source_key"], condition=~Q(source_key=""), name="document_source_once"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["published", "held", "withdrawn"]),
                name="document_status",
            ),
        ]

    def __str__(self) -> str:
        return self.file_name

    @property
    def is_pdf(self) -> bool:
        return self.content_type == PDF

    @property
    def is_published(self) -> bool:
        return self.status == self.PUBLISHED

    @property
    def offers_file(self) -> bool:
        """Whether the original PDF can be downloaded (text documents are read on their page)."""
        return self.is_pdf and self.has_original and self.is_published


class DocumentVersion(models.Model):
    """One file a document was imported from: its text, hash, time and who imported it.

    Kept when a newer version replaces it. Its parse is kept too (confidential
    items already stripped), so a held version can be published and an earlier
    version can stand in again when staff withdraw a later one. A withdrawn or
    dropped version keeps only its record (hash, times, who and why): its text
    and parse are cleared.
    """

    CURRENT, SUPERSEDED, OLDER, HELD, WITHDRAWN, DROPPED = (
        "current",
        "superseded",
        "older",
        "held",
        "withdrawn",
        "dropped",
    )
    STATES = [
        (CURRENT, _("vises")),
        (SUPERSEDED, _("erstattet")),
        (OLDER, _("ældre end den viste")),
        (HELD, _("til gennemsyn")),
        (WITHDRAWN, _("trukket tilbage")),
        (DROPPED, _("afvist")),
    ]

    document = models.ForeignKey(SourceDocument, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    state = models.CharField(_("tilstand"), max_length=12, choices=STATES)
    file_name = models.CharField(_("filnavn"), max_length=255)
    source_path = models.CharField(_("kildesti"), max_length=1000, blank=True, default="")
    # The file's modification time where the import could read it: of two versions of one
    # document the later file is shown, whichever was imported last.
    source_modified = models.DateTimeField(_("filens tid"), null=True, blank=True)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(_("størrelse (bytes)"))
    content_type = models.CharField(max_length=100)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    layout = models.CharField(_("layout"), max_length=40)
    parser_version = models.CharField(max_length=20)
    metadata = models.JSONField(default=dict, blank=True)
    warnings = models.JSONField(_("advarsler"), default=list, blank=True)
    review_reasons = models.JSONField(_("grunde til gennemsyn"), default=list, blank=True)
    text = models.TextField(blank=True, default="", editable=False)
    parsed = models.JSONField(null=True, blank=True, editable=False)
    imported_at = models.DateTimeField(_("importeret"))
    imported_by = models.CharField(_("importeret af"), max_length=200, blank=True)
    decided_at = models.DateTimeField(_("afgjort"), null=True, blank=True)
    decided_by = models.CharField(_("afgjort af"), max_length=200, blank=True)
    decision_reason = models.TextField(_("begrundelse"), blank=True)

    class Meta:
        ordering = ["document", "-number"]
        verbose_name = _("dokumentversion")
        verbose_name_plural = _("dokumentversioner")
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="version_number_once"),
            models.UniqueConstraint(
                fields=["document"], condition=Q(state="current"), name="version_current_once"
            ),
            models.CheckConstraint(
                condition=Q(
                    state__in=["current", "superseded", "older", "held", "withdrawn", "dropped"]
                ),
                name="version_state",
            ),
        ]
        indexes = [models.Index(fields=["sha256"], name="version_sha256")]

    def __str__(self) -> str:
        return f"{self.document} · v{self.number}"


class Case(models.Model):
    """One case number (normalised), linked to every item that carried it."""

    number = models.CharField(_("sagsnummer"), max_length=40, unique=True)
    # Search: the number lower-cased without separators (EMN-2024-00917 -> emn202400917;
    # the slash of 10/2562 stays, so old and modern numbers never run together), with a
    # trigram index so partial (00917) and mistyped numbers are found. Kept by the database.
    compact = models.GeneratedField(
        expression=Lower(
            Func(
                F("number"),
                Value("[^[:alnum:]/]"),
                Value(""),
                Value("g"),
                function="regexp_replace",
            )
        ),
        output_field=models.CharField(max_length=40),
        db_persist=True,
    )
    # What the list of cases shows: how many shown (current, public) items carried the
    # case, and their first and last meeting dates. Kept by database triggers on the
    # items and their case links (migration 0019), whatever code writes them, so the
    # list reads one row per case instead of aggregating every item on each request.
    shown_items = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    first_date = models.DateField(null=True, editable=False)
    last_date = models.DateField(null=True, editable=False)

    class Meta:
        ordering = ["number"]
        verbose_name = _("sag")
        verbose_name_plural = _("sager")
        indexes = [
            GinIndex(fields=["compact"], opclasses=["gin_trgm_ops"], name="case_compact_trgm"),
            # A number's end (2019-00160 of any prefix) as the start of the reversed number:
            # a B-tree range instead of the trigram index, whose digit trigrams are common
            # (4-5 ms a look-up among 333,000 numbers).
            models.Index(
                OpClass(Reverse("compact"), name="text_pattern_ops"), name="case_compact_reversed"
            ),
            # The list of cases: latest-discussed first, only cases with a shown item.
            models.Index(
                F("last_date").desc(nulls_last=True),
                "number",
                condition=Q(shown_items__gt=0),
                name="case_list_order",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("case_detail", args=[self.number])


class AgendaItem(models.Model):
    """An item as one document gives it; agenda and minutes each keep their own row."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    document = models.ForeignKey(SourceDocument, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("art"), max_length=10, choices=KIND_CHOICES)
    number = models.PositiveIntegerField(_("nummer"))
    # A sub-item's second part: "1.1" is number 1, sub 1; a plain item has sub 0 (also in
    # the database, for rows inserted in SQL).
    sub = models.PositiveSmallIntegerField(_("underpunkt"), default=0, db_default=0)
    access = models.CharField(_("adgang"), max_length=12, choices=ACCESS_CHOICES, default=PUBLIC)
    title = models.TextField(_("titel"), blank=True)
    handler = models.CharField(_("sagsbehandler"), max_length=300, blank=True)
    recommendation = models.TextField(_("indstilling"), blank=True)
    recommended_by = models.CharField(max_length=200, blank=True)
    decision = models.TextField(_("beslutning"), blank=True)
    # [{"heading": ..., "text": ...}, ...] in document order (a jsonb object forgets key order).
    sections = models.JSONField(default=list, blank=True)
    links = ArrayField(models.TextField(), default=list, blank=True)
    other_case_numbers = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    page = models.PositiveIntegerField(null=True, blank=True)
    line = models.PositiveIntegerField(null=True, blank=True)
    # When a new version of its document changed this item (None: as first published).
    revised_at = models.DateTimeField(_("revideret"), null=True, blank=True, editable=False)
    # When staff last corrected it in the admin, and who (the public page says when).
    corrected_at = models.DateTimeField(_("rettet"), null=True, blank=True, editable=False)
    corrected_by = models.CharField(_("rettet af"), max_length=150, blank=True, editable=False)
    # The row the pages show for its meeting and number: the minutes' when there are
    # any, else the agenda's; of two of one kind the newer. Kept by the importer
    # (meetings.importing.refresh_current) in each document's transaction.
    is_current = models.BooleanField(default=False, editable=False)
    cases = models.ManyToManyField(Case, through="ItemCase", related_name="items", blank=True)
    # Search: title (A), recommendation/decision/Resumé (B), other sections (C), case numbers
    # ('simple', A). Written only by database triggers (migration 0002), whatever Django sends:
    # it needs the item's cases from another table, which a generated column cannot read.
    # NULL for confidential items, so they can never be hits.
    search_vector = SearchVectorField(null=True, editable=False)
    # Copies of the meeting's date and body, written only by database triggers (migration
    # 0011) whatever Django sends: a search ranks and counts a thousand candidates by them,
    # and looking up each candidate's meeting was a third of that query's time. Filters go
    # through the meeting, whose indexes narrow them (meetings/search_filters.py).
    meeting_date = models.DateField(null=True, editable=False)
    meeting_body = models.ForeignKey(
        Body,
        on_delete=models.DO_NOTHING,  # the meeting's own key protects the body
        db_constraint=False,
        db_index=False,
        null=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        ordering = ["meeting", "number", "sub", "kind"]
        verbose_name = _("dagsordenspunkt")
        verbose_name_plural = _("dagsordenspunkter")
        constraints = [
            models.UniqueConstraint(
                fields=["document", "meeting", "number", "sub"],
                name="item_number_once_per_document",
            ),
            # Also the index of a meeting's shown items.
            models.UniqueConstraint(
                fields=["meeting", "number", "sub"],
                condition=Q(is_current=True),
                name="item_current_once_per_number",
            ),
            models.CheckConstraint(
                condition=Q(access__in=[PUBLIC, CONFIDENTIAL]), name="item_access"
            ),
            models.CheckConstraint(condition=Q(kind__in=[AGENDA, MINUTES]), name="item_kind"),
            # A confidential item carries nothing but its number, access level and title.
            models.CheckConstraint(
                condition=~Q(access=CONFIDENTIAL)
                | (
                    Q(handler="", recommendation="", recommended_by="", decision="")
                    & Q(sections=[], links=[], other_case_numbers=[])
                ),
                name="confidential_item_keeps_no_content",
            ),
        ]
        indexes = [
            models.Index(fields=["meeting", "number", "sub"], name="item_by_meeting_number"),
            # The decisions list and its count: shown public items that record a decision.
            models.Index(
                fields=["meeting", "number", "sub"],
                condition=Q(is_current=True, access=PUBLIC) & ~Q(decision=""),
                name="item_current_decisions",
            ),
            GinIndex(fields=["search_vector"], name="item_search_vector_gin"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.label}"

    def get_absolute_url(self) -> str:
        return reverse("item_detail", args=[self.meeting.slug, self.label])

    @property
    def label(self) -> str:
        """The number as printed: "1.1" for a sub-item, "2" for an item."""
        return item_label(self.number, self.sub)

    @property
    def printed_number(self) -> int | str:
        """The number as the parser gives it: an int for an item, the label for a sub-item."""
        return self.label if self.sub else self.number

    @property
    def is_confidential(self) -> bool:
        return self.access == CONFIDENTIAL


class ItemCase(models.Model):
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE)
    case = models.ForeignKey(Case, on_delete=models.PROTECT)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "case"], name="item_case_once")]

    def __str__(self) -> str:
        return f"{self.item_id} · {self.case_id}"


class Attachment(models.Model):
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="attachments")
    position = models.PositiveIntegerField()
    title = models.TextField(_("titel"))
    document_id = models.CharField(_("dokument-id"), max_length=40, blank=True)
    case_number = models.CharField(_("sagsnummer"), max_length=40, blank=True)

    class Meta:
        ordering = ["item", "position"]
        verbose_name = _("bilag")
        verbose_name_plural = _("bilag")
        constraints = [
            models.UniqueConstraint(fields=["item", "position"], name="attachment_position_once")
        ]

    def __str__(self) -> str:
        return self.title


class ImportRun(models.Model):
    """One run of the importer: who, when, what it did to each file."""

    started_at = models.DateTimeField(_("startet"))
    finished_at = models.DateTimeField(_("afsluttet"), null=True, blank=True)
    started_by = models.CharField(_("startet af"), max_length=200)
    dry_run = models.BooleanField(_("prøvekørsel"), default=False)
    options = models.JSONField(_("indstillinger"), default=dict, blank=True)
    created = models.PositiveIntegerField(_("nye"), default=0)
    replaced = models.PositiveIntegerField(_("erstattede"), default=0)
    unchanged = models.PositiveIntegerField(_("uændrede"), default=0)
    held = models.PositiveIntegerField(_("til gennemsyn"), default=0)
    failed = models.PositiveIntegerField(_("fejlede"), default=0)
    # An upload is imported in the background: queued, then running, then finished.
    QUEUED, RUNNING, FINISHED = "queued", "running", "finished"
    STATUSES = [(QUEUED, _("i kø")), (RUNNING, _("importeres")), (FINISHED, _("færdig"))]
    status = models.CharField(_("status"), max_length=10, choices=STATUSES, default=FINISHED)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("importkørsel")
        verbose_name_plural = _("importkørsler")

    def __str__(self) -> str:
        # In the archive's time zone, as the admin shows the run's times beside it.
        return f"{timezone.localtime(self.started_at):%Y-%m-%d %H:%M} ({self.started_by})"


class QueuedUpload(models.Model):
    """A document uploaded in the admin, waiting for the background import of its run."""

    run = models.OneToOneField(ImportRun, on_delete=models.CASCADE, related_name="upload")
    file_name = models.CharField(max_length=255)
    data = models.BinaryField()
    metadata = models.JSONField(default=dict)

    def __str__(self) -> str:
        return self.file_name


class ImportedFile(models.Model):
    CREATED, REPLACED, UNCHANGED, HELD, FAILED = (
        "created",
        "replaced",
        "unchanged",
        "held",
        "failed",
    )
    OUTCOMES = [
        (CREATED, _("ny")),
        (REPLACED, _("erstattet")),
        (UNCHANGED, _("uændret")),
        (HELD, _("til gennemsyn")),
        (FAILED, _("fejlet")),
    ]

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="files")
    path = models.TextField(_("fil"))
    outcome = models.CharField(_("udfald"), max_length=10, choices=OUTCOMES)
    message = models.TextField(_("besked"), blank=True)
    warnings = models.JSONField(_("advarsler"), default=list, blank=True)
    meetings = models.PositiveIntegerField(_("møder"), default=0)
    items = models.PositiveIntegerField(_("punkter"), default=0)
    document = models.ForeignKey(
        SourceDocument,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="imports",
        verbose_name=_("dokument"),
    )

    class Meta:
        ordering = ["run", "id"]
        verbose_name = _("importeret fil")
        verbose_name_plural = _("importerede filer")

    def __str__(self) -> str:
        return f"{self.path}: {self.get_outcome_display()}"


class Person(models.Model):
    """A participant, absentee or case handler, as the archive's rows name them.

    Derived, never entered: meetings/persons.py makes and links people from the
    meetings' participant lists and the shown public items' handlers, by the key
    meetings/people.py reads from each printed name (one key, one person), and
    removes a person no row names any more.
    """

    name = models.CharField(_("navn"), max_length=300)
    # The identity: the name as meetings/people.py folds it, or "@" and the e-mail
    # address of a handler known only by it.
    key = models.CharField(max_length=300, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    email = models.CharField(_("e-mail"), max_length=254, blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("personer")
        indexes = [
            # Search's "Personer": the words of a name anywhere in its key.
            GinIndex(fields=["key"], opclasses=["gin_trgm_ops"], name="person_key_trgm"),
            models.Index(fields=["name", "id"], name="person_by_name"),
            models.Index(fields=["email"], condition=~Q(email=""), name="person_email"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("person_detail", args=[self.slug])


class PersonLink(models.Model):
    """A person at a meeting (attended or absent), or handling an item of it.

    The meeting and the item are set to NULL, not deleted with them, so the
    next refresh sees which people lost a link and removes those no row names
    any more. Pages read only links whose meeting (and item) still exist.
    """

    ATTENDED, ABSENT, HANDLED = "attended", "absent", "handled"
    ROLES = [
        (ATTENDED, _("deltog")),
        (ABSENT, _("fraværende")),
        (HANDLED, _("sagsbehandler")),
    ]

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="links")
    meeting = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, related_name="person_links"
    )
    item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, related_name="person_links"
    )
    role = models.CharField(max_length=10, choices=ROLES)
    # The name as the row printed it ("Carl Holst (V)"): the meeting page links it.
    printed = models.CharField(max_length=300)

    class Meta:
        verbose_name = _("persons forbindelse")
        verbose_name_plural = _("personers forbindelser")
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=["attended", "absent", "handled"]), name="person_link_role"
            ),
            models.CheckConstraint(
                condition=Q(role="handled") | Q(item__isnull=True), name="person_link_item_handled"
            ),
            models.UniqueConstraint(
                fields=["person", "meeting", "role"],
                condition=~Q(role="handled"),
                name="person_at_meeting_once",
            ),
            models.UniqueConstraint(
                fields=["item"], condition=Q(item__isnull=False), name="item_handler_once"
            ),
        ]
        indexes = [
            models.Index(fields=["person", "role"], name="person_link_by_person"),
            # Links whose meeting or item is gone: swept by the next refresh.
            models.Index(
                fields=["person"],
                condition=Q(meeting__isnull=True) | Q(role="handled", item__isnull=True),
                name="person_link_orphaned",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} · {self.role} · {self.meeting_id}"


class Word(models.Model):
    """A word of the archive's public items (lower-case, as printed), kept by the importer
    (meetings.words.register): its compound parts for the search vectors, and the
    vocabulary "Mente du …" suggests from (a trigram index on the word)."""

    word = models.CharField(max_length=60, primary_key=True)
    # Space-separated terms the word is also found by (lokal plan forslag lokalplan …).
    parts = models.CharField(max_length=400, blank=True, default="")
    # How many item texts held it when first registered (suggestions prefer common words).
    uses = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [GinIndex(fields=["word"], opclasses=["gin_trgm_ops"], name="word_trgm")]

    def __str__(self) -> str:
        return self.word
