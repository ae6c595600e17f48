"""Answer the approval task Airflow holds for a campaign that a person decided from the terminal.

Under Airflow, ``forewarn_outreach`` asks a person with one human-in-the-loop task per campaign and
sends only after the answer. A decision made with ``forewarn campaigns approve`` (or ``reject``,
``cancel``) is recorded in the warehouse at once, but the task did not see it: it went on waiting for
its own answer or its timeout (48 h by default), so an approval from the terminal sent nothing until
then, while the affected customers went on writing in. With ``FOREWARN_AIRFLOW_API_URL`` set, the
command line now gives that task the same answer through Airflow's REST API (``hitlDetails``), and the
run goes on to record and send at once. Only HTTP is spoken here: the library never imports Airflow.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

# The approval task's options, as ``forewarn_outreach`` offers them and ``record_decisions`` reads them.
APPROVE, REJECT = "Approve", "Reject"
OUTREACH_DAG_ID = "forewarn_outreach"
APPROVAL_TASK_ID = "approve"

API_URL_ENV = "FOREWARN_AIRFLOW_API_URL"
TOKEN_ENV = "FOREWARN_AIRFLOW_TOKEN"
USERNAME_ENV = "FOREWARN_AIRFLOW_USERNAME"
PASSWORD_ENV = "FOREWARN_AIRFLOW_PASSWORD"
_PAGE = 100


class AirflowApprovalError(RuntimeError):
    """Airflow's API could not be reached or refused the answer; the message says what to do."""


@dataclass(frozen=True)
class AirflowApprovals:
    """Airflow's REST API at ``api_url``, signed in with a token, or a user name and password (the API's
    ``/auth/token``), or neither (an auth manager that lets every caller in, as Forewarn's embedded one)."""

    api_url: str
    token: str | None = None
    username: str | None = None
    password: str | None = None
    timeout_s: float = 15.0

    @classmethod
    def from_env(cls) -> AirflowApprovals | None:
        """From ``FOREWARN_AIRFLOW_API_URL`` and its credentials; None when Airflow is not configured."""
        url = os.environ.get(API_URL_ENV, "").strip().rstrip("/")
        if not url:
            return None
        return cls(
            url,
            token=os.environ.get(TOKEN_ENV) or None,
            username=os.environ.get(USERNAME_ENV) or None,
            password=os.environ.get(PASSWORD_ENV) or None,
        )

    def answer(self, campaign_id: str, option: str) -> list[str]:
        """Give every approval task still waiting for ``campaign_id`` the answer ``option``.

        Returns the ids of the DAG runs answered (none when no task waits for that campaign: Airflow
        never asked, or a person answered it there first, and that answer stands).

        Raises:
            AirflowApprovalError: the API is unreachable or refused the call.
        """
        headers = self._headers()
        answered = []
        for detail in self._waiting(headers):
            task = detail.get("task_instance") or {}
            if task.get("rendered_map_index") != campaign_id:
                continue
            run_id = urllib.parse.quote(str(task["dag_run_id"]), safe="")
            path = (f"/api/v2/dags/{OUTREACH_DAG_ID}/dagRuns/{run_id}/taskInstances/{APPROVAL_TASK_ID}/"
                    f"{int(task['map_index'])}/hitlDetails")
            try:
                self._call("PATCH", path, headers, {"chosen_options": [option], "params_input": {}})
            except _Conflict:
                continue  # answered in Airflow meanwhile: that answer stands
            answered.append(str(task["dag_run_id"]))
        return answered

    def still_waiting(self, run_ids: list[str]) -> list[str]:
        """The campaigns whose approval tasks in these DAG runs still wait: the run sends only once all are answered.

        Raises:
            AirflowApprovalError: the API is unreachable or refused the call.
        """
        runs = set(run_ids)
        return sorted(
            str((detail.get("task_instance") or {}).get("rendered_map_index"))
            for detail in self._waiting(self._headers())
            if str((detail.get("task_instance") or {}).get("dag_run_id")) in runs
        )

    def _waiting(self, headers: dict[str, str]) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        while True:
            query = urllib.parse.urlencode(
                {"task_id": APPROVAL_TASK_ID, "response_received": "false", "limit": _PAGE, "offset": len(found)}
            )
            page = self._call("GET", f"/api/v2/dags/{OUTREACH_DAG_ID}/dagRuns/~/hitlDetails?{query}", headers)
            details = list(page.get("hitl_details") or [])
            found += details
            if not details or len(found) >= int(page.get("total_entries") or 0):
                return found

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        token = self.token
        if token is None and self.username:
            reply = self._call("POST", "/auth/token", headers, {"username": self.username, "password": self.password or ""})
            token = str(reply.get("access_token") or "")
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return headers

    def _call(self, method: str, path: str, headers: dict[str, str], body: dict[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(f"{self.api_url}{path}", data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:  # noqa: S310 - a configured http(s) URL
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            if error.code == 409:
                raise _Conflict from error
            what = {401: "not signed in: set FOREWARN_AIRFLOW_TOKEN, or FOREWARN_AIRFLOW_USERNAME and FOREWARN_AIRFLOW_PASSWORD",
                    403: "this user may not answer approval tasks"}.get(error.code, f"HTTP {error.code}")
            raise AirflowApprovalError(f"Airflow's API at {self.api_url} refused {method} {path.split('?')[0]}: {what}") from error
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            reason = getattr(error, "reason", error)
            raise AirflowApprovalError(f"Airflow's API at {self.api_url} did not answer ({reason}); check {API_URL_ENV}") from error


class _Conflict(Exception):
    """The task was answered already (HTTP 409)."""
