"""The long tail: questions that come up once in a while and form no real pain point."""

from __future__ import annotations

ONE_OFF_ACTIONS: tuple[tuple[str, str], ...] = (
    ("project_color", "change the colour of a project"),
    ("rename_workspace", "rename our workspace"),
    ("transfer_ownership", "transfer ownership of a project to a colleague"),
    ("print_task_list", "print a task list"),
    ("default_assignee", "set a default assignee for new tasks"),
    ("bulk_archive", "archive old projects in bulk"),
    ("week_start_sunday", "start the week on Sunday in the calendar view"),
    ("hide_completed", "hide completed tasks by default"),
    ("custom_field_budget", "add a custom field for the budget"),
    ("move_task_workspace", "move a task to another workspace"),
    ("student_discount", "get a student or non-profit discount"),
    ("merge_accounts", "merge my two accounts"),
    ("export_comments", "export the comments together with the tasks"),
    ("interface_language", "switch the interface language"),
    ("working_hours", "set working hours per person"),
    ("audit_deleted_task", "see who deleted a task"),
    ("restore_project", "restore a project I deleted by accident"),
    ("w9_form", "get your W-9 form for our vendor setup"),
    ("sign_dpa", "sign a data processing agreement with you"),
    ("soc2_report", "get a copy of your SOC 2 report"),
    ("embed_confluence", "embed a board in a Confluence page"),
    ("pin_comment", "pin a comment to the top of a task"),
    ("delete_account", "delete my account and all my data"),
    ("change_login_email", "change the email address I log in with"),
    ("chromebook", "use the app on a Chromebook"),
    ("invoice_currency", "get invoices in euros instead of dollars"),
    ("keyboard_shortcuts", "see all keyboard shortcuts"),
    ("task_templates", "save a task as a template"),
)
ONE_OFF_FORMS: tuple[str, ...] = (
    "Is there a way to {action}?",
    "How do I {action}?",
    "Quick question: can we {action}?",
    "I couldn't find in the docs how to {action}.",
    "Hello, we would like to {action}. Is that possible?",
    "Sorry if this is obvious, but how can I {action}?",
)
ONE_OFF_SUBJECTS: tuple[str, ...] = ("Quick question", "Question", "How to {action}?", "Help please", "{action}")
