"""A throw-away Airflow deployment for integration tests: PostgreSQL metadata, CeleryExecutor on Redis.

Every Airflow component runs as its own subprocess (``airflow api-server``, ``scheduler``,
``dag-processor``, ``celery worker``) with one shared environment: the repo's ``airflow.cfg`` plus the
production overrides the README documents, all given as ``AIRFLOW__...`` environment variables.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

T = TypeVar("T")
AIRFLOW_BIN = Path(sys.executable).parent / "airflow"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def throwaway_database(server_url: str, prefix: str) -> Iterator[str]:
    """Create database ``<prefix>_<random>`` on the server of ``server_url``, yield its URL, drop it after."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))  # name is generated above, not user input
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        # FORCE ends connections a killed component may have left behind.
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def redis_key_prefix(redis_url: str) -> Iterator[str]:
    """Yield a fresh key prefix for Celery's broker keys; delete the keys under it afterwards (only those)."""
    import redis

    prefix = f"fw_test_{uuid.uuid4().hex[:10]}:"
    try:
        yield prefix
    finally:
        client = redis.Redis.from_url(redis_url)
        try:
            keys = list(client.scan_iter(match=f"{prefix}*", count=500))
            if keys:
                client.delete(*keys)
        finally:
            client.close()


def wait_for(check: Callable[[], T | None], timeout_s: float, what: str, interval_s: float = 1.0) -> T:
    """Call ``check`` until it returns something other than None/False; fail after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up after {timeout_s:.0f} s waiting for {what}")
        time.sleep(interval_s)


@dataclass
class Component:
    """One running Airflow component and the file its output goes to."""

    name: str
    process: subprocess.Popen
    log_path: Path


class AirflowCluster:
    """Airflow components as subprocesses sharing ``env``; always stopped on exit, logs kept in ``home``."""

    def __init__(self, home: Path, env: dict[str, str], api_port: int) -> None:
        self.home = home
        self.env = env
        self.api_url = f"http://127.0.0.1:{api_port}"
        self.components: list[Component] = []
        self.logs: list[Path] = []

    def __enter__(self) -> AirflowCluster:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self.stop()
        if exc_type is not None:
            # pytest shows captured stdout of a failed test: the tails say which component broke and why.
            print(self.log_tails())

    def run(self, *args: str, timeout_s: float = 180, attempts: int = 3) -> None:
        """Run a one-shot ``airflow`` command to completion; raise with its output if it fails.

        On the embedded SQLite metadata database a command can meet the running scheduler's write lock
        ("database is locked", seen once in CI with the suite in two processes); its transaction rolled
        back, so it is run again, up to ``attempts`` times. Any other failure raises at once.
        """
        log_path = self.home / f"{'-'.join(args[:2])}.log"
        self.logs.append(log_path)
        for attempt in range(1, attempts + 1):
            with log_path.open("w") as log:
                result = subprocess.run(
                    [str(AIRFLOW_BIN), *args], env=self.env, cwd=self.home, stdout=log, stderr=subprocess.STDOUT,
                    timeout=timeout_s, check=False,
                )
            if result.returncode == 0:
                return
            if attempt == attempts or "database is locked" not in log_path.read_text(errors="replace"):
                raise RuntimeError(f"airflow {' '.join(args)} exited {result.returncode}:\n{_tail(log_path, 40)}")
            time.sleep(2 * attempt)

    def start(self, name: str, *args: str) -> Component:
        """Start ``airflow <args>`` in its own process group, output to ``<home>/<name>.log``."""
        log_path = self.home / f"{name}.log"
        self.logs.append(log_path)
        log = log_path.open("w")
        process = subprocess.Popen(
            [str(AIRFLOW_BIN), *args], env=self.env, cwd=self.home, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()  # the child holds its own handle
        component = Component(name, process, log_path)
        self.components.append(component)
        return component

    def check_alive(self) -> None:
        """Raise if a component has exited: waiting on it any longer would only time out."""
        for component in self.components:
            if component.process.poll() is not None:
                raise RuntimeError(
                    f"airflow {component.name} exited with {component.process.returncode}:\n"
                    f"{_tail(component.log_path, 40)}"
                )

    def stop(self, grace_s: float = 5) -> None:
        """Stop every component and everything it started: SIGTERM, then SIGKILL after ``grace_s``."""
        running = [c for c in self.components if c.process.poll() is None]
        descendants = {pid for c in running for pid in _descendants(c.process.pid)}
        for component in running:
            _signal_group(component.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace_s
        for component in running:
            try:
                component.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for component in running:
            _signal_group(component.process.pid, signal.SIGKILL)
            component.process.wait(timeout=10)
        # Task processes may have left the group (supervisors fork); end the ones we saw, by id.
        for pid in descendants:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def api(self, method: str, path: str, body: dict[str, Any] | None = None, attempts: int = 3) -> Any:
        """Call the REST API (``/api/v2/...``); the simple auth manager lets every caller in as admin here.

        As with ``run``: on the embedded SQLite metadata database a write can meet the scheduler's lock
        and answer 500 after SQLite's 5 s wait ("database is locked", or in Airflow 3.3 "Error with id
        ..., statement: ..." in the api-server's log; seen in CI). Its transaction rolled back and the calls made here are idempotent, so it is sent again,
        up to ``attempts`` times. Any other error raises at once. (A 60 s SQLite busy timeout in
        airflow.cfg was tried instead, stop 37; in its one CI run the scheduler crashed on a
        StaleDataError, so the embedded default keeps SQLite's own wait.)
        """
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        log = self.home / "api-server.log"
        attempt = 1
        while True:
            request = urllib.request.Request(f"{self.api_url}{path}", method=method, data=data, headers=headers)
            written = _size(log)
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    return json.loads(response.read() or b"null")
            except urllib.error.HTTPError as error:
                # What the server logged for this request: older Airflow named the lock; 3.3 logs only
                # "Error with id ..., statement: INSERT ..." (the database's error, its text withheld), after
                # SQLite's 5 s wait. A CI run failed on that 500 where the check looked for the words alone.
                logged = _since(log, written)
                locked = error.code == 500 and ("database is locked" in logged or "Error with id" in logged)
                if attempt == attempts or not locked:
                    raise
            time.sleep(2 * attempt)
            attempt += 1

    def api_or_none(self, path: str) -> Any:
        """GET ``path``; None while the server is not up yet or the object does not exist yet."""
        try:
            return self.api("GET", path)
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return None
            raise
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return None

    def log_tails(self, lines: int = 40) -> str:
        """The last lines of every component's output and of every task log."""
        paths = [*self.logs, *sorted((self.home / "logs").rglob("*.log"))]
        return "\n".join(f"===== {path.relative_to(self.home)} =====\n{_tail(path, lines)}" for path in paths)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _since(path: Path, offset: int) -> str:
    """What ``path`` holds past byte ``offset`` (what a component logged since then)."""
    try:
        with path.open("rb") as handle:
            handle.seek(offset)
            return handle.read().decode(errors="replace")
    except OSError as error:
        return f"(unreadable: {error})"


def _tail(path: Path, lines: int) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError as error:
        return f"(unreadable: {error})"


def _signal_group(pid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pid, sig)  # each component leads its own group (start_new_session)
    except (ProcessLookupError, PermissionError):
        pass


def _descendants(root: int) -> list[int]:
    """Every live process below ``root``, read from /proc (Linux)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])  # field 4, after the parenthesised command
        children.setdefault(parent, []).append(int(entry.name))
    found, stack = [], [root]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found
