"""Recurring product-problem tickets of Acme Projects (export, sync, search, notifications, ...)."""

from __future__ import annotations

from pipeline.simulate.ticket_topics import Phrases, TicketTopic

PRODUCT_TOPICS: tuple[TicketTopic, ...] = (
    TicketTopic(
        key="export_pdf_fails", weight=7, tags=("export", "pdf"),
        en=Phrases(
            subjects=("PDF export fails", "Export to PDF times out", "Can't export project as PDF", "pdf export broken?"),
            symptoms=("Exporting a project to PDF spins for a minute and then fails.",
                      "The PDF export times out for our bigger projects.",
                      "When I export the board as PDF I get an error instead of a file.",
                      "PDF export worked for small projects but not for the one with 400 tasks.",
                      "Export to PDF says it timed out while rendering."),
            details=("The project has a lot of attachments.", "CSV export of the same project works."),
            asks=("Is there a limit on project size?", "Can you export it for us?"),
        ),
        signature_key="pdf_export_timeout", pii=("url",),
    ),
    TicketTopic(
        key="csv_export_garbled_characters", weight=5, tags=("export", "csv"),
        en=Phrases(
            subjects=("CSV export shows weird characters", "Umlauts broken in CSV", "Excel export encoding"),
            symptoms=("When I open the CSV export in Excel all accented characters are garbled.",
                      "Names like Müller come out as MÃ¼ller in the exported CSV.",
                      "The CSV export puts everything into one column in Excel.",
                      "Special characters in task titles turn into question marks after export."),
            asks=("Can you export as UTF-8 with BOM?", "Which settings should I use in Excel?"),
        ),
        translations={
            "de": Phrases(subjects=("Umlaute im CSV-Export kaputt",),
                          symptoms=("Im CSV-Export werden alle Umlaute falsch angezeigt, aus Müller wird MÃ¼ller.",)),
            "fr": Phrases(subjects=("Export CSV : caractères illisibles",),
                          symptoms=("Dans l'export CSV, tous les accents sont remplacés par des caractères bizarres.",)),
        },
        pii=(),
    ),
    TicketTopic(
        key="notifications_not_arriving", weight=7, tags=("notifications",),
        en=Phrases(
            subjects=("Not getting notifications", "Push notifications stopped", "No email notifications",
                      "Notifications missing"),
            symptoms=("I stopped getting push notifications on {platform_label} a few days ago.",
                      "I'm not notified when someone assigns me a task.",
                      "Email notifications for comments don't arrive any more.",
                      "Mentions don't trigger any notification at all.",
                      "My team misses deadlines because reminders never come through."),
            details=("Notifications are enabled in the phone settings.", "I reinstalled the app."),
            asks=("What else can I check?", "Is there an outage?"),
        ),
        translations={
            "de": Phrases(subjects=("Keine Benachrichtigungen",),
                          symptoms=("Seit ein paar Tagen bekomme ich keine Push-Benachrichtigungen mehr.",)),
            "es": Phrases(subjects=("No llegan las notificaciones",),
                          symptoms=("Desde hace unos días no recibo notificaciones en el móvil.",)),
        },
        signature_key="push_token_rejected",
    ),
    TicketTopic(
        key="search_slow", weight=6, tags=("search", "performance"),
        en=Phrases(
            subjects=("Search is very slow", "Search doesn't find tasks", "search takes forever"),
            symptoms=("Searching for a task takes 10 seconds or more and often gives up.",
                      "Search doesn't find tasks I know exist.",
                      "The search box spins forever on our big workspace.",
                      "Search results are missing everything older than a few weeks."),
            asks=("Is search being worked on?", "Any tips to make it faster?"),
        ),
        signature_key="search_timeout", pii=(),
    ),
    TicketTopic(
        key="calendar_sync_delayed", weight=6, tags=("calendar", "integration"),
        en=Phrases(
            subjects=("Calendar sync not working", "Tasks missing in Google Calendar", "Outlook calendar out of date"),
            symptoms=("Due dates don't show up in my Google Calendar any more.",
                      "The calendar feed is hours behind, new tasks appear the next day.",
                      "Calendar sync fails with a 403 from Google.",
                      "Our Outlook calendar shows tasks that were deleted a week ago."),
            asks=("Should I reconnect the calendar?", "Is this a known problem?"),
        ),
        translations={
            "de": Phrases(subjects=("Kalender-Synchronisierung",),
                          symptoms=("Fällige Aufgaben erscheinen nicht mehr in meinem Google Kalender.",)),
            "fr": Phrases(subjects=("Synchronisation du calendrier",),
                          symptoms=("Les échéances n'apparaissent plus dans mon agenda Google.",)),
            "es": Phrases(subjects=("Sincronización del calendario",),
                          symptoms=("Las fechas de vencimiento ya no aparecen en mi Google Calendar.",)),
        },
        signature_key="calendar_sync_forbidden",
    ),
    TicketTopic(
        key="api_rate_limits", weight=5, tags=("api", "developer"),
        en=Phrases(
            subjects=("API rate limit", "Getting 429 from the API", "Too many requests error"),
            symptoms=("Our integration gets HTTP 429 after only a few hundred requests.",
                      "The API returns 'Too many requests' during our nightly sync job.",
                      "What are the actual rate limits of the REST API?",
                      "Can we get a higher API rate limit on the Business plan?"),
            details=("We call the /v2/tasks endpoint in a loop.", "Retry-After header is missing sometimes."),
            asks=("Can you raise the limit for our token?", "Is there a bulk endpoint?"),
        ),
        signature_key="api_rate_limited", pii=("url",),
    ),
    TicketTopic(
        key="mobile_sync_conflicts", weight=6, tags=("sync", "mobile"),
        en=Phrases(
            subjects=("Changes lost after sync", "Sync conflict on phone", "Offline edits disappeared"),
            symptoms=("Edits I made offline on {platform_label} disappeared after syncing.",
                      "I keep getting a sync conflict message and my changes are lost.",
                      "Tasks show up twice after the app syncs.",
                      "What I change on my phone doesn't appear on the desktop."),
            asks=("How do I get my changes back?", "Is it safe to keep working offline?"),
        ),
        translations={
            "de": Phrases(subjects=("Änderungen nach Sync verloren",),
                          symptoms=("Offline gemachte Änderungen sind nach dem Synchronisieren verschwunden.",)),
            "fr": Phrases(subjects=("Modifications perdues",),
                          symptoms=("Mes modifications faites hors ligne ont disparu après la synchronisation.",)),
        },
        signature_key="sync_conflict",
    ),
    TicketTopic(
        key="attachment_upload_fails", weight=5, tags=("attachments",),
        en=Phrases(
            subjects=("Can't upload files", "Attachment upload fails", "Upload stuck at 99%"),
            symptoms=("Uploading an attachment fails halfway with 'connection reset'.",
                      "Files get stuck at 99% and never finish uploading.",
                      "I can't attach screenshots to tasks from {platform_label}.",
                      "Drag and drop of attachments does nothing."),
            asks=("Is there a file size limit?", "What can I try?"),
        ),
        signature_key="attachment_upload_failed",
    ),
    TicketTopic(
        key="recurring_tasks_wrong_date", weight=3, tags=("tasks", "recurring"),
        en=Phrases(
            subjects=("Recurring tasks on wrong day", "Repeat task bug", "Recurring task date off by one"),
            symptoms=("Recurring tasks are created one day early since the clocks changed.",
                      "My weekly task repeats on Tuesday instead of Monday.",
                      "Monthly recurring tasks skip a month."),
            asks=("Can you check our workspace time zone?",),
        ),
        pii=(),
    ),
    TicketTopic(
        key="report_totals_wrong", weight=3, tags=("reports",),
        en=Phrases(
            subjects=("Report numbers wrong", "Time report doesn't add up", "Reports fail to load"),
            symptoms=("The time report shows fewer hours than we logged.",
                      "The workload report fails with an internal server error.",
                      "Totals in the project report don't match the task list."),
            asks=("Which numbers are correct?",),
        ),
        signature_key="report_server_error", pii=(),
    ),
    TicketTopic(
        key="feature_request_timeline", weight=4, tags=("feature-request",),
        en=Phrases(
            subjects=("Feature request: Gantt chart", "Timeline view?", "Dependencies between tasks",
                      "Suggestion: dark mode"),
            symptoms=("It would be great to have a Gantt or timeline view for our projects.",
                      "Are task dependencies on the roadmap?",
                      "We'd love a dark mode, the white screen is hard on the eyes at night.",
                      "Please add a way to see all projects on one timeline."),
            asks=("Any ETA?", "Is this planned?"),
        ),
        pii=(),
    ),
    TicketTopic(
        key="slack_integration_disconnected", weight=3, tags=("integrations", "slack"),
        en=Phrases(
            subjects=("Slack integration stopped", "Slack notifications stopped", "Reconnect Slack"),
            symptoms=("Our Slack channel no longer gets updates from Acme Projects.",
                      "The Slack integration says the token expired and reconnecting doesn't help.",
                      "We reconnected Slack but messages still don't come through."),
            asks=("Do we need to reinstall the Slack app?",),
        ),
        signature_key="integration_token_expired", pii=("url",),
    ),
    TicketTopic(
        key="large_board_crash", weight=3, tags=("crash", "mobile"),
        en=Phrases(
            subjects=("App crashes on big board", "Crash opening project", "App closes itself"),
            symptoms=("The app crashes every time I open our biggest board on {platform_label}.",
                      "Opening the Marketing project makes the app close immediately.",
                      "The app freezes and then quits when I scroll through a long list."),
            asks=("Is there a fix coming?",),
        ),
        signature_key="board_out_of_memory", pii=(),
    ),
)
