"""Incidents the simulator can inject, each with how affected customers describe it and a workaround."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.simulate.ticket_topics import Phrases

SPIKE, NEW_SIGNATURE, RELEASE_REGRESSION = "spike", "new_signature", "release_regression"


@dataclass(frozen=True)
class IncidentTemplate:
    """One kind of thing that can go wrong, tied to a signature in the catalog.

    ``workaround_steps`` is Markdown; it may use {version}, {previous_version} and {platform_label}.
    """

    kind: str
    signature_key: str
    en: Phrases
    workaround_title: str
    workaround_steps: str
    keywords: tuple[str, ...]
    tags: tuple[str, ...]
    platform: str | None = None  # the one platform a regression hits
    translations: dict[str, Phrases] = field(default_factory=dict)


SPIKE_TEMPLATES: tuple[IncidentTemplate, ...] = (
    IncidentTemplate(
        SPIKE, "pdf_export_timeout",
        en=Phrases(
            subjects=("PDF export failing today", "Export broken?", "Can't export anything right now", "Export timeout"),
            symptoms=("Since this morning every PDF export fails with a timeout.",
                      "None of my exports work today, they all time out.",
                      "Export to PDF was fine yesterday, today it fails every single time.",
                      "I need to send a report to a client and the export keeps timing out.")),
        translations={
            "de": Phrases(subjects=("PDF-Export geht nicht",), symptoms=("Seit heute früh bricht jeder PDF-Export mit einem Timeout ab.",)),
            "fr": Phrases(subjects=("Export PDF impossible",), symptoms=("Depuis ce matin, tous les exports PDF échouent.",)),
            "es": Phrases(subjects=("Falla la exportación a PDF",), symptoms=("Desde esta mañana ninguna exportación a PDF funciona.",)),
        },
        workaround_title="PDF exports time out: get your document another way",
        workaround_steps="PDF exports are timing out for many workspaces at the moment. Until that is fixed:\n\n"
        "1. Open the project and choose **Export → CSV** instead; CSV exports are not affected.\n"
        "2. If you need a PDF, filter the board to one section (**View → Filter → Section**) and export "
        "each section on its own; smaller exports finish in time.\n"
        "3. Still stuck? Reply to this email with the project name and we will send you the PDF ourselves.\n",
        keywords=("export", "pdf", "timeout"), tags=("export", "bug"),
    ),
    IncidentTemplate(
        SPIKE, "search_timeout",
        en=Phrases(
            subjects=("Search not working", "Search down?", "search times out"),
            symptoms=("Search has stopped working for me, it just spins and gives up.",
                      "Every search I run today ends with 'took longer than 10 s'.",
                      "Nobody in our team can search tasks right now.")),
        translations={"de": Phrases(subjects=("Suche funktioniert nicht",), symptoms=("Die Suche lädt ewig und bricht dann ab.",))},
        workaround_title="Search is slow or times out: find tasks another way",
        workaround_steps="Search is overloaded right now. Meanwhile:\n\n"
        "1. Use the project's **Filter** (top right) by assignee, tag or due date; filters do not use search.\n"
        "2. Press **Ctrl/⌘ + K** and type the project name to jump straight to a project.\n"
        "3. Bookmark saved views you use often, so you do not need to search for them.\n",
        keywords=("search", "timeout", "slow"), tags=("search", "bug"),
    ),
    IncidentTemplate(
        SPIKE, "calendar_sync_forbidden",
        en=Phrases(
            subjects=("Calendar sync broken today", "Google Calendar not updating", "Calendar 403 error"),
            symptoms=("Since a few hours none of our tasks sync to Google Calendar.",
                      "The calendar sync fails with a 403 error today.",
                      "New due dates don't reach my calendar any more.")),
        workaround_title="Calendar sync is rejected: keep your dates in view",
        workaround_steps="The calendar provider is rejecting our calendar connector for some accounts. "
        "Until that is fixed:\n\n"
        "1. Open **Settings → Integrations → Calendar** and copy the **iCal feed URL**.\n"
        "2. In Google Calendar choose **Other calendars → From URL** and paste it; this read-only feed keeps "
        "working.\n"
        "3. Remove that feed again once we tell you the sync is back, so dates are not shown twice.\n",
        keywords=("calendar", "sync", "403"), tags=("calendar", "bug"),
    ),
)

NEW_SIGNATURE_TEMPLATES: tuple[IncidentTemplate, ...] = (
    IncidentTemplate(
        NEW_SIGNATURE, "attachment_limit_rejected",
        en=Phrases(
            subjects=("Can't upload files anymore", "New upload limit?", "Attachment rejected", "file too large error"),
            symptoms=("Since yesterday the app refuses my attachments and says the file is too large.",
                      "I can't upload a 30 MB video any more, it worked last week.",
                      "Uploads get rejected with a 25 MB limit message, we never had a limit before.",
                      "Our designers can't attach their files to tasks anymore.")),
        translations={
            "de": Phrases(subjects=("Datei zu groß?",), symptoms=("Seit gestern lehnt die App meine Anhänge ab, angeblich ist die Datei zu groß.",)),
            "fr": Phrases(subjects=("Pièce jointe refusée",), symptoms=("Depuis hier, je ne peux plus joindre de fichiers, ils sont « trop volumineux ».",)),
            "es": Phrases(subjects=("No puedo subir archivos",), symptoms=("Desde ayer la aplicación rechaza mis archivos adjuntos por tamaño.",)),
        },
        workaround_title="Attachments over 25 MB are rejected: how to share big files now",
        workaround_steps="A change on our side started rejecting attachments larger than 25 MB. Until it is "
        "rolled back:\n\n"
        "1. Compress the file (right-click → **Compress** / **Send to → Compressed folder**) and upload the "
        "zip if it is under 25 MB.\n"
        "2. For bigger files, upload them to your cloud drive and paste the share link into the task; the "
        "link preview shows up like an attachment.\n"
        "3. Files you attached before are safe and can still be opened.\n",
        keywords=("attachment", "upload", "too large", "25 MB"), tags=("attachments", "bug"),
    ),
    IncidentTemplate(
        NEW_SIGNATURE, "calendar_token_refresh",
        en=Phrases(
            subjects=("Google Calendar disconnected", "Calendar invalid_grant", "Calendar keeps disconnecting"),
            symptoms=("My Google Calendar connection broke and says invalid_grant.",
                      "Calendar sync stopped and reconnecting Google does nothing.",
                      "We get 'token refresh failed' for the calendar integration.")),
        translations={"fr": Phrases(subjects=("Agenda Google déconnecté",), symptoms=("La connexion à Google Agenda est cassée : invalid_grant.",))},
        workaround_title="Google Calendar disconnected: reconnect in three steps",
        workaround_steps="A change in how we refresh Google sign-ins disconnected some calendars.\n\n"
        "1. Open **Settings → Integrations → Google Calendar** and click **Disconnect**.\n"
        "2. Visit your Google account's **Third-party access** page and remove *Acme Projects*.\n"
        "3. Connect the calendar again from Acme Projects; your due dates reappear within a few minutes.\n",
        keywords=("calendar", "google", "invalid_grant", "token"), tags=("calendar", "integration", "bug"),
    ),
    IncidentTemplate(
        NEW_SIGNATURE, "search_index_unavailable",
        en=Phrases(
            subjects=("Search says index unavailable", "Search completely broken", "Search error"),
            symptoms=("Search shows 'index unavailable' for our whole workspace.",
                      "No search results at all, just an error about the index.",
                      "Search stopped working for everyone in our company.")),
        workaround_title="Search says the index is unavailable: work around it while we rebuild",
        workaround_steps="We are rebuilding the search index of some workspaces.\n\n"
        "1. Use **Filters** on a project (assignee, tag, due date); they work without the index.\n"
        "2. Jump to projects with **Ctrl/⌘ + K** and the project name.\n"
        "3. Search comes back on its own when the rebuild is done; there is nothing to reinstall.\n",
        keywords=("search", "index", "unavailable"), tags=("search", "bug"),
    ),
    IncidentTemplate(
        NEW_SIGNATURE, "digest_template_error",
        en=Phrases(
            subjects=("No daily digest", "Daily summary email missing", "Digest emails stopped"),
            symptoms=("Our daily digest emails stopped coming.",
                      "I don't get the morning summary of my tasks any more.",
                      "The daily digest is missing for the whole team.")),
        translations={"es": Phrases(subjects=("No llega el resumen diario",), symptoms=("Ya no recibimos el correo de resumen diario.",))},
        workaround_title="Daily digest emails are not sent: see your day at a glance",
        workaround_steps="An error on our side stopped the daily digest.\n\n"
        "1. Open **My Tasks → Today** for the same list the digest would have sent.\n"
        "2. Turn on **push reminders** for due dates under **Settings → Notifications**.\n"
        "3. The digest restarts automatically once fixed; no setting needs to change.\n",
        keywords=("digest", "daily", "email", "summary"), tags=("notifications", "bug"),
    ),
    IncidentTemplate(
        NEW_SIGNATURE, "csv_export_encoding",
        en=Phrases(
            subjects=("CSV export fails", "Export aborted", "Can't export to CSV"),
            symptoms=("CSV export aborts with an encoding error.",
                      "Exporting tasks to CSV fails when titles have emoji or accents.",
                      "The CSV export just stops with 'cannot encode characters'.")),
        translations={"de": Phrases(subjects=("CSV-Export bricht ab",), symptoms=("Der CSV-Export bricht mit einem Kodierungsfehler ab.",))},
        workaround_title="CSV export stops with an encoding error: export another way",
        workaround_steps="CSV exports fail when task titles contain some special characters.\n\n"
        "1. Choose **Export → Excel (.xlsx)**; it handles every character.\n"
        "2. Or use **Export → JSON** if you load the data into another tool.\n"
        "3. We will let you know when CSV exports work again.\n",
        keywords=("csv", "export", "encoding"), tags=("export", "bug"),
    ),
)

_REGRESSION_PHRASES = (
    "The app crashes since I updated to {version}.",
    "After the latest update the app keeps crashing on {platform_label}.",
    "Since version {version} the app closes by itself several times a day.",
    "The new update is broken, the app crashes right away.",
    "Ever since the update the app quits whenever I {action}.",
)
_REGRESSION_SUBJECTS = ("App crashing after update", "Crash since {version}", "App keeps closing",
                        "Latest update crashes", "crashes constantly")
_REGRESSION_TRANSLATIONS = {
    "de": Phrases(subjects=("App stürzt nach Update ab",), symptoms=("Seit dem Update auf {version} stürzt die App ständig ab.",)),
    "fr": Phrases(subjects=("L'application plante",), symptoms=("Depuis la mise à jour {version}, l'application plante sans arrêt.",)),
    "es": Phrases(subjects=("La app se cierra sola",), symptoms=("Desde la actualización {version} la aplicación se cierra sola.",)),
}
_ROLLBACK = (
    "Version {version} of the {platform_label} has a bug that makes it crash; {previous_version} "
    "does not have it, and a fixed version is on its way.\n\n"
    "1. {step}\n"
    "2. Until the fix arrives, use Acme Projects in your browser at app.acme-projects.test; all your "
    "work is there.\n"
    "3. When the update after {version} arrives, install it: it fixes the crash.\n"
)


def _regression(platform: str, key: str, action: str, step: str, keywords: tuple[str, ...]) -> IncidentTemplate:
    phrases = tuple(text.replace("{action}", action) for text in _REGRESSION_PHRASES)
    return IncidentTemplate(
        RELEASE_REGRESSION, key, platform=platform,
        en=Phrases(subjects=_REGRESSION_SUBJECTS, symptoms=phrases),
        translations=_REGRESSION_TRANSLATIONS,
        workaround_title=f"The {{platform_label}} {{version}} crashes when you {action}: how to keep working",
        workaround_steps=_ROLLBACK.replace("{step}", step),
        keywords=("crash", "update", *keywords), tags=("crash", platform, "bug"),
    )


REGRESSION_TEMPLATES: tuple[IncidentTemplate, ...] = (
    _regression("android", "android_offline_db_locked", "sync",
                "Turn off **Settings → Offline mode**; the crash only happens while offline data syncs.",
                ("sync", "offline")),
    _regression("android", "android_calendar_widget_npe", "open the calendar",
                "Remove the Acme Projects calendar widget from your home screen; the app itself then stays up.",
                ("calendar", "widget")),
    _regression("ios", "ios_launch_watchdog", "open it",
                "Force-quit the app, turn on Airplane mode, open the app, then turn Airplane mode off again; "
                "it then starts normally.", ("launch", "startup")),
    _regression("ios", "ios_attachment_preview", "preview an attachment",
                "Long-press an attachment and choose **Open in…** instead of tapping it to preview.",
                ("attachment", "preview")),
    _regression("windows", "windows_webview_access_violation", "write a comment",
                "Write comments in the task's **Details** pane instead of the pop-up editor.",
                ("comment", "editor")),
)
