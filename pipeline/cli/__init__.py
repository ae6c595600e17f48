"""The ``forewarn`` command line: one lazily loaded module per command.

Each command lives in ``pipeline/cli/<name>.py`` and exposes a click command named ``command``.
Loading them lazily keeps ``forewarn --help`` fast: pandas, scikit-learn and Airflow are only
imported by the command that needs them.
"""

from __future__ import annotations

import importlib
import logging
import sys

import click

from pipeline.cli.errors import UserError

# name -> (module, one-line help shown by ``forewarn --help``)
COMMANDS: dict[str, tuple[str, str]] = {
    "simulate": ("pipeline.cli.simulate", "Write a synthetic world in the input contract, with its truth."),
    "migrate": ("pipeline.cli.migrate", "Create or upgrade the warehouse schema."),
    "ingest": ("pipeline.cli.ingest", "Load one interval of a source folder or database into the warehouse."),
    "mapping": ("pipeline.cli.mapping", "Check a source mapping against a sample of the source; loads nothing."),
    "detect": ("pipeline.cli.detect", "Find pain points, incidents and the links between them."),
    "outreach": ("pipeline.cli.outreach", "Build campaigns and send the approved ones."),
    "campaigns": ("pipeline.cli.campaigns", "List, show, approve, reject, cancel or reopen campaigns (the human gate)."),
    "events": ("pipeline.cli.events", "Ingest SendGrid Event Webhook data, or serve a webhook receiver."),
    "measure": ("pipeline.cli.measure", "Measure campaign outcomes against the holdout."),
    "report": ("pipeline.cli.report", "Write the product managers' HTML report."),
    "painpoints": ("pipeline.cli.painpoints", "Correct pain points: rename, merge, split, mute, pin (kept by every run)."),
    "cluster": ("pipeline.cli.cluster", "Cluster a ticket_id,text CSV into pain points (no warehouse)."),
    "anomalies": ("pipeline.cli.anomalies", "Run the online spike/level-shift detector on one series."),
    "backtest": ("pipeline.cli.backtest", "Replay the loop day by day and score it against the truth."),
    "demo": ("pipeline.cli.demo", "Simulate a world and run every DAG through Airflow end to end."),
}


class LazyGroup(click.Group):
    """A click group that imports a command's module only when that command runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module_name, help_text = COMMANDS[cmd_name]
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            return click.Command(cmd_name, help=f"{help_text} (not available in this build)")
        command = module.command
        command.name = cmd_name
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Short help from the table, so --help imports nothing heavy.
        with formatter.section("Commands"):
            formatter.write_dl([(name, help_text) for name, (_, help_text) in COMMANDS.items()])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
def cli(verbose: int) -> None:
    """Forewarn: find what hurts many customers, and help them before they write in."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Third-party chatter stays out of the user's terminal unless asked for with -vv.
    for noisy in ("great_expectations", "alembic"):
        logging.getLogger(noisy).setLevel(level if verbose >= 2 else logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; a UserError becomes one line on stderr and exit code 2, never a traceback."""
    try:
        cli.main(args=argv, prog_name="forewarn", standalone_mode=False)
    except UserError as exc:
        # One line even when a driver's message spans several ("Connection refused\n\tIs the server running").
        click.echo(f"forewarn: error: {' '.join(str(exc).split())}", err=True)
        return 2
    except click.exceptions.Abort:
        click.echo("forewarn: aborted", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
