"""The product "Acme Projects": platforms, features, event names and its everyday error signatures."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PLATFORMS: tuple[str, ...] = ("web", "ios", "android", "windows", "macos")
PLATFORM_LABELS: dict[str, tuple[str, ...]] = {
    "web": ("the web app", "the browser version", "Chrome", "the website"),
    "ios": ("the iPhone app", "iOS", "my iPad", "the iOS app"),
    "android": ("the Android app", "my Android phone", "Android", "my Pixel"),
    "windows": ("the Windows app", "the desktop app on Windows", "Windows 11", "the Windows client"),
    "macos": ("the Mac app", "macOS", "the desktop app on my MacBook", "the Mac client"),
}
# Who uses what first: most accounts start in the browser; many also carry a phone app.
PRIMARY_PLATFORM_SHARE = np.array([0.36, 0.18, 0.18, 0.16, 0.12])
SECONDARY_PLATFORM_PROBABILITY = 0.45
SECONDARY_EVENT_SHARE = 0.3

FEATURES: tuple[str, ...] = (
    "tasks", "projects", "comments", "search", "export", "sync", "login", "sso", "billing",
    "notifications", "attachments", "calendar", "reports", "api", "integrations",
)
# Relative use of each feature (same order as FEATURES), per platform.
_FEATURE_USE = {
    "web": (30, 14, 10, 8, 3, 0, 0, 0, 1, 2, 4, 3, 4, 4, 2),
    "ios": (32, 10, 10, 6, 1, 6, 0, 0, 0, 5, 4, 6, 1, 0, 0),
    "android": (32, 10, 10, 6, 1, 6, 0, 0, 0, 5, 4, 6, 1, 0, 0),
    "windows": (30, 12, 9, 7, 3, 4, 0, 0, 0, 2, 4, 3, 4, 0, 1),
    "macos": (30, 12, 9, 7, 3, 4, 0, 0, 0, 2, 4, 3, 4, 0, 1),
}

EVENT_NAMES: tuple[str, ...] = ("session_start", "feature_used", "sync_completed", "login", "error", "crash")
SESSION_START, FEATURE_USED, SYNC_COMPLETED, LOGIN, ERROR, CRASH = range(len(EVENT_NAMES))
# Share of the events after a session's first one, per platform: feature_used, sync_completed, login,
# error, crash. Browsers do not crash the app, native clients do, rarely.
_FOLLOW_UP_MIX = {
    "web": (0.885, 0.0, 0.09, 0.025, 0.0),
    "ios": (0.81, 0.10, 0.06, 0.025, 0.005),
    "android": (0.81, 0.10, 0.06, 0.025, 0.005),
    "windows": (0.837, 0.07, 0.067, 0.023, 0.003),
    "macos": (0.837, 0.07, 0.067, 0.023, 0.003),
}


@dataclass(frozen=True)
class Signature:
    """An error signature (event name, code, feature, message) and where and how often it occurs.

    ``weight`` is the relative frequency among a platform's errors (or crashes); 0 means it never
    occurs on its own, only when an incident injects it.
    """

    key: str
    name: str
    error_code: str
    feature: str
    message: str
    platforms: tuple[str, ...] = PLATFORMS
    weight: float = 1.0


_ALL = PLATFORMS
_NATIVE = ("ios", "android", "windows", "macos")
SIGNATURES: tuple[Signature, ...] = (
    Signature("session_expired", "error", "E-AUTH-401", "login", "Session expired, please sign in again", _ALL, 12),
    Signature("sync_conflict", "error", "E-SYNC-409", "sync", "Sync conflict: item was changed on another device", _NATIVE, 10),
    Signature("api_rate_limited", "error", "HTTP-429", "api", "Too many requests: API rate limit exceeded", ("web",), 9),
    Signature("pdf_export_timeout", "error", "E-EXPORT-504", "export", "Export timed out while rendering the PDF", _ALL, 6),
    Signature("attachment_upload_failed", "error", "E-ATTACH-UPLOAD", "attachments", "Upload failed: connection reset", _ALL, 6),
    Signature("search_timeout", "error", "E-SEARCH-TIMEOUT", "search", "Search took longer than 10 s and was cancelled", _ALL, 5),
    Signature("calendar_sync_forbidden", "error", "E-CAL-403", "calendar", "Calendar sync failed: remote calendar returned 403", _ALL, 4),
    Signature("push_token_rejected", "error", "E-NOTIF-PUSH", "notifications", "Push token rejected by the provider", ("ios", "android"), 4),
    Signature("report_server_error", "error", "HTTP-500", "reports", "Internal server error while building the report", _ALL, 3),
    Signature("sync_unavailable", "error", "HTTP-503", "sync", "Service temporarily unavailable, retrying", _NATIVE, 3),
    Signature("mention_lookup_failed", "error", "E-COMMENT-404", "comments", "Mentioned user not found in workspace", _ALL, 2),
    Signature("card_declined", "error", "E-BILL-402", "billing", "Payment method declined by the card issuer", ("web",), 1.5),
    Signature("saml_signature_invalid", "error", "E-SSO-SAML", "sso", "SAML response signature is invalid", ("web", "windows", "macos"), 1.5),
    Signature("integration_token_expired", "error", "E-INT-401", "integrations", "Slack integration token expired", ("web", "windows", "macos"), 1.5),
    # Crashes: rare, native only. Some of them are what a bad release makes frequent.
    Signature("board_out_of_memory", "crash", "E-CRASH-OOM", "tasks", "Out of memory while loading a large board", ("ios", "android"), 3),
    Signature("android_offline_db_locked", "crash", "E-CRASH-SQLITE", "sync", "SQLiteDatabaseLockedException in OfflineSyncWorker", ("android",), 2),
    Signature("android_calendar_widget_npe", "crash", "E-CRASH-NPE", "calendar", "NullPointerException in CalendarWidgetProvider.onUpdate", ("android",), 2),
    Signature("ios_launch_watchdog", "crash", "E-CRASH-0x8BADF00D", "login", "Watchdog terminated the app during launch (0x8badf00d)", ("ios",), 2),
    Signature("ios_attachment_preview", "crash", "E-CRASH-EXC-BAD-ACCESS", "attachments", "EXC_BAD_ACCESS in AttachmentPreviewController", ("ios", "macos"), 2),
    Signature("windows_webview_access_violation", "crash", "E-CRASH-0xC0000005", "comments", "Access violation in WebView2Loader.dll", ("windows",), 2),
    Signature("macos_editor_breakpoint", "crash", "E-CRASH-EXC-BREAKPOINT", "tasks", "EXC_BREAKPOINT in RichTextEditor.applyFormatting", ("macos",), 2),
    Signature("windows_gpu_renderer", "crash", "E-CRASH-GPU", "reports", "Renderer process crashed (GPU process lost)", ("windows",), 1),
    # Never in the baseline: only a "new signature" incident brings these to life.
    Signature("attachment_limit_rejected", "error", "E-ATTACH-413", "attachments", "Upload rejected: file is larger than the 25 MB limit", _ALL, 0),
    Signature("calendar_token_refresh", "error", "E-CAL-OAUTH", "calendar", "Google Calendar token refresh failed: invalid_grant", _ALL, 0),
    Signature("search_index_unavailable", "error", "E-SEARCH-IDX-UNAVAILABLE", "search", "Search index unavailable for this workspace", _ALL, 0),
    Signature("digest_template_error", "error", "E-NOTIF-TEMPLATE", "notifications", "Daily digest failed: template variable 'due_date' is undefined", _ALL, 0),
    Signature("csv_export_encoding", "error", "E-EXPORT-ENCODING", "export", "CSV export aborted: cannot encode characters in column 'title'", _ALL, 0),
)
SIGNATURE_INDEX: dict[str, int] = {signature.key: index for index, signature in enumerate(SIGNATURES)}


def platform_index(platform: str) -> int:
    """Position of ``platform`` in PLATFORMS."""
    return PLATFORMS.index(platform)


def feature_cdf(platform: str) -> np.ndarray:
    """Cumulative distribution over FEATURES for feature_used events on ``platform``."""
    use = np.asarray(_FEATURE_USE[platform], dtype=float)
    return np.cumsum(use / use.sum())


def follow_up_cdf(platform: str) -> np.ndarray:
    """Cumulative distribution over (feature_used, sync_completed, login, error, crash) on ``platform``."""
    mix = np.asarray(_FOLLOW_UP_MIX[platform], dtype=float)
    return np.cumsum(mix / mix.sum())


def signature_cdf(platform: str, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Baseline signatures (indices into SIGNATURES) of event ``name`` on ``platform`` and their CDF."""
    members = [
        index
        for index, signature in enumerate(SIGNATURES)
        if signature.name == name and signature.weight > 0 and platform in signature.platforms
    ]
    if not members:
        return np.zeros(0, dtype=np.int16), np.zeros(0)
    weights = np.array([SIGNATURES[index].weight for index in members], dtype=float)
    return np.array(members, dtype=np.int16), np.cumsum(weights / weights.sum())
