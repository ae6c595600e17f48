"""The support team's workaround notes: one approved per incident, a few for everyday pain, one draft or two."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from pipeline.simulate.catalog import SIGNATURES
from pipeline.simulate.incidents import PlannedIncident
from pipeline.simulate.workaround_translations import (
    EVERYDAY_TRANSLATIONS,
    INCIDENT_TRANSLATIONS,
    PLATFORM_LABELS,
    REGRESSION_TEXT,
    REGRESSION_WORDS,
)

_PLATFORM_NAMES = {"web": "web app", "ios": "iOS app", "android": "Android app", "windows": "Windows app",
                   "macos": "Mac app"}


@dataclass(frozen=True)
class WorkaroundNote:
    """One Markdown file: front matter fields (translations too) and the steps."""

    workaround_id: str
    title: str
    status: str
    applies_to: dict[str, list[str]]
    steps: str
    translations: dict[str, tuple[str, str]] = field(default_factory=dict)  # locale -> (title, steps)

    def markdown(self) -> str:
        """The file's text: YAML front matter, then the steps."""
        meta: dict = {"id": self.workaround_id, "title": self.title, "status": self.status,
                      "applies_to": self.applies_to}
        if self.translations:
            meta["language"] = "en"
            meta["translations"] = {
                locale: {"title": title, "steps": steps.strip() + "\n"}
                for locale, (title, steps) in sorted(self.translations.items())
            }
        front = yaml.dump(meta, Dumper=_BlockDumper, sort_keys=False, allow_unicode=True, default_flow_style=False,
                          width=1000)
        return f"---\n{front}---\n\n{self.steps.strip()}\n"


class _BlockDumper(yaml.SafeDumper):
    """Writes multi-line text (translated steps) as a readable ``|`` block instead of one escaped line."""


_BlockDumper.add_representer(
    str,
    lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None),
)


EVERYDAY_NOTES: tuple[WorkaroundNote, ...] = (
    WorkaroundNote(
        "wa-password-reset-email", "The password reset email does not arrive", "approved",
        {"features": ["login"], "keywords": ["password", "reset", "forgot", "email"]},
        "1. Check the spam or junk folder for a mail from *no-reply@acme-projects.test*.\n"
        "2. Company mail filters sometimes hold our mails for a few minutes; wait ten minutes before asking "
        "for another link, because each new link cancels the previous one.\n"
        "3. Ask your IT team to allow *acme-projects.test* as a sender.\n"
        "4. Still nothing? Reply to this email and we will verify it is you and reset the password with you.\n",
    ),
    WorkaroundNote(
        "wa-csv-export-excel", "Accents look garbled when a CSV export is opened in Excel", "approved",
        {"features": ["export"], "keywords": ["csv", "excel", "encoding", "umlaut", "accents"]},
        "Your export is fine — Excel just guesses the wrong character set when it opens a CSV directly.\n\n"
        "1. In Excel choose **Data → From Text/CSV** and pick the exported file.\n"
        "2. Set **File origin** to **65001: Unicode (UTF-8)** and click **Load**.\n"
        "3. Or choose **Export → Excel (.xlsx)** in Acme Projects, which opens correctly straight away.\n",
    ),
    WorkaroundNote(
        "wa-calendar-sync-reconnect", "Due dates do not show up in Google or Outlook calendar", "approved",
        {"error_codes": ["E-CAL-403"], "features": ["calendar"], "keywords": ["calendar", "google", "outlook", "sync"]},
        "Reconnecting the calendar fixes this almost every time.\n\n"
        "1. Open **Settings → Integrations → Calendar** and click **Disconnect**.\n"
        "2. Connect it again and allow access to the calendar you want to use.\n"
        "3. Give it up to 15 minutes: calendar providers refresh external feeds on their own schedule.\n",
    ),
    WorkaroundNote(
        "wa-push-notifications", "Push notifications stopped arriving on a phone", "approved",
        {"error_codes": ["E-NOTIF-PUSH"], "features": ["notifications"], "platforms": ["ios", "android"],
         "keywords": ["notification", "push", "reminder"]},
        "Here is how to get notifications flowing again.\n\n"
        "1. In the app, open **Settings → Notifications** and switch push notifications off and on; this "
        "registers your phone again.\n"
        "2. In the phone's own settings, check that Acme Projects may send notifications and is not in a "
        "Focus or battery-saver exception.\n"
        "3. Log out and back in once if they still do not arrive.\n",
    ),
    WorkaroundNote(
        "wa-stay-signed-in", "The app keeps signing you out", "approved",
        {"error_codes": ["E-AUTH-401"], "features": ["login"], "keywords": ["logged out", "session", "sign in"]},
        "These settings keep your session alive.\n\n"
        "1. Tick **Keep me signed in** on the login page.\n"
        "2. Allow cookies for *app.acme-projects.test* if your browser clears them on exit.\n"
        "3. If your company uses SSO, your admin's session length applies; ask them to raise it.\n",
    ),
    WorkaroundNote(
        "wa-offline-sync-conflicts", "Offline edits lost after a sync conflict", "draft",
        {"error_codes": ["E-SYNC-409"], "features": ["sync"], "keywords": ["sync", "conflict", "offline"]},
        "DRAFT — to be checked with the mobile team.\n\n"
        "1. Open the task and choose **History** to find the lost version.\n"
        "2. Copy the text back into the task.\n",
    ),
    WorkaroundNote(
        "wa-api-rate-limits", "Staying under the API rate limit", "draft",
        {"error_codes": ["HTTP-429"], "features": ["api"], "keywords": ["api", "rate limit", "429"]},
        "DRAFT — numbers to confirm with the platform team.\n\n"
        "1. Respect the `Retry-After` header.\n"
        "2. Batch reads with the `/v2/tasks?updated_since=` filter instead of polling every task.\n",
    ),
)


def incident_note(incident: PlannedIncident) -> WorkaroundNote:
    """The approved workaround for one incident, fitted to its signature (and build, for a regression)."""
    template = incident.template
    signature = SIGNATURES[incident.signature_index]
    applies_to: dict[str, list[str]] = {"error_codes": [signature.error_code], "features": [signature.feature]}
    values = {"version": "", "previous_version": "", "platform_label": ""}
    if incident.bad_release is not None and incident.previous_release is not None:
        applies_to["platforms"] = [incident.bad_release.platform]
        applies_to["app_versions"] = [incident.bad_release.version]
        values = {"version": incident.bad_release.version, "previous_version": incident.previous_release.version,
                  "platform_label": _PLATFORM_NAMES[incident.bad_release.platform]}
    applies_to["keywords"] = list(template.keywords)
    translations = {}
    for locale, (title, steps) in _incident_texts(template.signature_key).items():
        local = dict(values)
        if incident.bad_release is not None:
            local["platform_label"] = PLATFORM_LABELS[locale][incident.bad_release.platform]
        translations[locale] = (_fill(title, local), _fill(steps, local))
    title = _fill(template.workaround_title, values)
    steps = _fill(template.workaround_steps, values)
    return WorkaroundNote(incident_workaround_id(incident), title, "approved", applies_to, steps, translations)


def _incident_texts(signature_key: str) -> dict[str, tuple[str, str]]:
    """The translated (title, steps) of an incident's workaround, placeholders still in."""
    if signature_key in REGRESSION_WORDS:
        return {
            locale: (title.replace("{action}", action), steps.replace("{step}", step))
            for locale, (action, step) in REGRESSION_WORDS[signature_key].items()
            for title, steps in [REGRESSION_TEXT[locale]]
        }
    return dict(INCIDENT_TRANSLATIONS.get(signature_key, {}))


def _fill(text: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return text


def incident_workaround_id(incident: PlannedIncident) -> str:
    """Stable id of an incident's workaround, from its signature."""
    return "wa-" + SIGNATURES[incident.signature_index].key.replace("_", "-")


def write_workarounds(folder: Path, incidents: list[PlannedIncident]) -> list[str]:
    """Write every note as ``<id>.md`` under ``folder``; return the relative paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    everyday = [replace(note, translations=EVERYDAY_TRANSLATIONS.get(note.workaround_id, {})) for note in EVERYDAY_NOTES]
    for note in [*(incident_note(incident) for incident in incidents), *everyday]:
        (folder / f"{note.workaround_id}.md").write_text(note.markdown(), encoding="utf-8")
        written.append(f"workarounds/{note.workaround_id}.md")
    return written
