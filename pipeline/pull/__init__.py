"""Pulling sources: fetch a help desk's records from its API into a landing folder, page by page.

The HTTP session comes from the caller (in Airflow, the provider hook's authenticated session); nothing
here imports Airflow. A landed folder is then loaded like any export, through a source mapping.
"""

from pipeline.pull.zendesk import (
    PullReport,
    ZendeskPullError,
    ZendeskPullSettings,
    interval_folder,
    pull_tickets,
)

__all__ = ["PullReport", "ZendeskPullError", "ZendeskPullSettings", "interval_folder", "pull_tickets"]
