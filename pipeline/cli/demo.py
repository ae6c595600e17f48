"""``forewarn demo``: simulate a world, then run every DAG through Airflow, day by day."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import click

from pipeline.cli.errors import UserError

REPO = Path(__file__).resolve().parents[2]


@click.command()
@click.option("--customers", default=2000, show_default=True, help="Customers in the simulated world.")
@click.option("--days", default=30, show_default=True, help="Days of simulated history.")
@click.option("--replay-days", default=8, show_default=True,
              help="Days at the end replayed one DAG run at a time (earlier days load as history).")
@click.option("--seed", default=7, show_default=True, help="Seed of the simulated world.")
@click.option("--fresh", is_flag=True, help="Start from an empty warehouse and outbox (default: reuse them).")
@click.option("--email-effect", type=click.FloatRange(0.0, 1.0), default=0.4, show_default=True,
              help="Share of an emailed customer's later tickets about the incident that are not written.")
def command(customers: int, days: int, replay_days: int, seed: int, fresh: bool, email_effect: float) -> None:
    """Simulate a world, run ingest -> detect -> outreach -> measure -> report through Airflow, print where things are.

    Approvals are answered by the demo's auto-approve policy; emails go to the outbox; SendGrid-style
    events are simulated for what was sent. A second run reuses everything and sends nothing twice.
    """
    from pipeline.simulate import WorldSettings, simulate_world
    from pipeline.warehouse import database_url, forewarn_home

    if not 1 <= replay_days < days:
        raise UserError(f"--replay-days {replay_days} must be at least 1 and less than --days {days}")
    started = time.perf_counter()
    home = forewarn_home()
    if fresh:
        _clear(home)
    world = home / "demo-world"
    settings = WorldSettings(customers=customers, days=days, seed=seed)
    if _same_world(world, settings):
        click.echo(f"demo: reusing the simulated world in {world}")
    else:
        click.echo(f"demo: simulating {customers} customers over {days} days into {world} ...")
        simulate_world(settings, world, progress=True)
    env = _airflow_env(home, world, database_url(), reacts=email_effect > 0)
    _migrate_airflow(env)
    last_day = settings.start + timedelta(days=days)
    history_until = last_day - timedelta(days=replay_days)
    click.echo(f"demo: running the DAGs for {history_until} .. {last_day} (Airflow log: {env['FOREWARN_DEMO_LOG']})")
    _run_dags(env, history_until, last_day, home, world, email_effect)
    _print_where(home, env, time.perf_counter() - started)


def _same_world(world: Path, settings) -> bool:  # noqa: ANN001
    manifest = world / "truth" / "manifest.json"
    if not manifest.is_file() or not (world / "product_profile.yaml").is_file():  # a world from before profiles
        return False
    content = json.loads(manifest.read_text())
    recorded = content.get("settings", {}) if content.get("complete") else {}
    return recorded.get("customers") == settings.customers and recorded.get("days") == settings.days and (
        recorded.get("seed") == settings.seed
    )


def _clear(home: Path) -> None:
    import shutil

    for name in ("warehouse.db", "warehouse.db-wal", "warehouse.db-shm"):
        (home / name).unlink(missing_ok=True)
    for folder in ("outbox", "email-events", "reports", "demo-source"):
        shutil.rmtree(home / folder, ignore_errors=True)


def _secret(home: Path) -> str:
    path = home / ".jwt_secret"
    if not path.is_file():
        home.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _airflow_env(home: Path, world: Path, warehouse_url: str, *, reacts: bool = False) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("AIRFLOW_HOME", str(home / "airflow"))
    env.setdefault("AIRFLOW_CONFIG", str(REPO / "airflow.cfg"))
    env.setdefault("FOREWARN_REPO", str(REPO))
    env["FOREWARN_HOME"] = str(home)
    env["FOREWARN_DATABASE_URL"] = warehouse_url
    env.setdefault("AIRFLOW__API_AUTH__JWT_SECRET", _secret(home))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "dags"), env.get("PYTHONPATH")]))
    env["AIRFLOW_CONN_FOREWARN_WAREHOUSE"] = json.dumps(
        {"conn_type": "generic", "extra": {"sqlalchemy_url": warehouse_url}}
    )
    # A world that reacts to email is read through a view without the tickets an email kept unwritten.
    env["AIRFLOW_VAR_FOREWARN_SOURCE"] = str(home / "demo-source" if reacts else world)
    env["AIRFLOW_VAR_FOREWARN_WORKAROUNDS"] = str(world / "workarounds")
    env["AIRFLOW_VAR_FOREWARN_PRODUCT_PROFILE"] = str(world / "product_profile.yaml")
    env["AIRFLOW_VAR_FOREWARN_EMAIL_EVENTS_DIR"] = str(home / "email-events")
    env["AIRFLOW_VAR_FOREWARN_OUTCOME_WINDOW_DAYS"] = "3"
    # The demo's approval policy: approved workaround, any audience up to 5,000, any severity.
    env["AIRFLOW_VAR_FOREWARN_OUTREACH_SETTINGS"] = json.dumps(
        {"auto_approve": True, "auto_approve_max_audience": 5000, "auto_approve_min_severity": 0.0}
    )
    # A campaign the policy leaves to a person times out to "not sent" quickly in the demo.
    env.setdefault("FOREWARN_APPROVAL_TIMEOUT_HOURS", "0.002")
    env["FOREWARN_DEMO_LOG"] = str(home / "logs" / "demo-airflow.log")
    return env


def _migrate_airflow(env: dict[str, str]) -> None:
    airflow = Path(sys.executable).parent / "airflow"
    Path(env["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
    result = subprocess.run([str(airflow), "db", "migrate"], env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise UserError(f"airflow db migrate failed: {result.stderr.strip().splitlines()[-1:]}")


def _run_dags(env: dict[str, str], history_until: date, last_day: date, home: Path, world: Path,
              email_effect: float) -> None:
    command = [
        sys.executable, "-m", "forewarn_tasks.demo_runner",
        "--history-until", history_until.isoformat(), "--last-day", last_day.isoformat(),
        "--events-dir", str(home / "email-events"), "--log-file", env["FOREWARN_DEMO_LOG"],
        "--world", str(world), "--view", str(home / "demo-source"), "--email-effect", str(email_effect),
    ]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    tail: list[str] = []
    for line in process.stdout:
        if line.startswith("demo"):
            click.echo(line.rstrip())
        else:
            tail = (tail + [line.rstrip()])[-15:]
    if process.wait() != 0:
        detail = "\n".join(tail)
        raise UserError(f"a DAG run failed; last output:\n{detail}\nfull log: {env['FOREWARN_DEMO_LOG']}")


def _print_where(home: Path, env: dict[str, str], seconds: float) -> None:
    reports = sorted((home / "reports").glob("*.html"))
    outbox = home / "outbox"
    messages = len(list(outbox.glob("*.eml"))) if outbox.is_dir() else 0
    click.echo("")
    click.echo(f"demo: done in {seconds:.0f} s")
    click.echo(f"  report:       {reports[-1] if reports else '(none written)'}")
    click.echo(f"  outbox:       {outbox} ({messages} emails, .eml files any mail client opens)")
    click.echo(f"  warehouse:    {env['FOREWARN_DATABASE_URL']}")
    click.echo(f"  Airflow logs: {env['FOREWARN_DEMO_LOG']} and {env['AIRFLOW_HOME']}/logs")
    click.echo("  Airflow UI on this state: make airflow-ui  (airflow standalone, http://localhost:8080)")
