"""The product profile of the simulated "Acme Projects": how its features and platforms are called per language.

Written beside the world as ``product_profile.yaml`` (the demo points ``forewarn_product_profile`` at it), so
the demo's German, French and Spanish customers read their product's words in their own language. Every
feature of the catalog is named in every language; the names are in the nominative singular, as the templates
use them ("{feature} funktioniert nicht zuverlässig"), and say no more than the English name: a German customer
whose attachment preview crashed was told that uploading attachments failed when the name was "das Hochladen
von Anhängen".
"""

from __future__ import annotations

from pathlib import Path

import yaml

PROFILE_FILE = "product_profile.yaml"

_FEATURES = {  # catalog feature -> (en, de, fr, es)
    "login": ("signing in", "die Anmeldung", "la connexion", "el inicio de sesión"),
    "sync": ("sync", "die Synchronisierung", "la synchronisation", "la sincronización"),
    "api": ("the API", "die API", "l'API", "la API"),
    "export": ("exports", "der Export", "l'export", "la exportación"),
    "attachments": ("attachments", "die Anhangfunktion", "les pièces jointes", "los archivos adjuntos"),
    "search": ("search", "die Suche", "la recherche", "la búsqueda"),
    "calendar": ("the calendar", "der Kalender", "l'agenda", "el calendario"),
    "notifications": ("notifications", "der Benachrichtigungsversand", "les notifications", "las notificaciones"),
    "reports": ("reports", "die Berichtsfunktion", "les rapports", "los informes"),
    "comments": ("comments", "die Kommentarfunktion", "les commentaires", "los comentarios"),
    "billing": ("billing", "die Abrechnung", "la facturation", "la facturación"),
    "sso": ("single sign-on", "die Single-Sign-on-Anmeldung", "l'authentification unique", "el inicio de sesión único"),
    "integrations": ("integrations", "die Anbindung anderer Dienste", "les intégrations", "las integraciones"),
    "tasks": ("tasks", "die Aufgabenverwaltung", "les tâches", "las tareas"),
}
_LOCALES = {
    "en": {"team": "The Acme Projects support team", "sign_off": "Warm regards,"},
    "de": {"team": "Ihr Support-Team von Acme Projects", "sign_off": "Herzliche Grüße"},
    "fr": {"team": "L'équipe support d'Acme Projects", "sign_off": "Bien cordialement,"},
    "es": {"team": "El equipo de soporte de Acme Projects", "sign_off": "Un saludo cordial,"},
}


def product_profile() -> dict:
    """The profile as YAML-ready data."""
    locales = {}
    for index, (locale, words) in enumerate(_LOCALES.items()):
        locales[locale] = {
            **words,
            "status_url": "https://status.acme-projects.test",
            "contact_url": f"https://acme-projects.test/{locale}/contact",
            "features": {feature: names[index] for feature, names in _FEATURES.items()},
        }
    return {"product": "Acme Projects", "team": "The Acme Projects support team", "locales": locales}


def write_product_profile(out_dir: Path) -> str:
    """Write ``product_profile.yaml`` into ``out_dir``; return its relative path."""
    text = yaml.safe_dump(product_profile(), sort_keys=False, allow_unicode=True, width=1000)
    (out_dir / PROFILE_FILE).write_text(text, encoding="utf-8")
    return PROFILE_FILE
