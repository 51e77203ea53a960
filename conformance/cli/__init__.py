"""The ``aoai-conformance`` command line: thin wrappers over library functions.

Every command lives in its own module under ``conformance/cli/`` and is registered in
``_COMMANDS`` below. User errors (:class:`generator.errors.AoaiError` and click usage
errors) print one line, ``error: ...``, and exit with the documented code:

====  ===========================================================
0     success; the target conforms (no divergence outside baseline)
1     divergences found, or ``generate --check`` found drift
2     usage or configuration error (bad option, unknown spec, ...)
3     target unreachable, or the run is inconclusive
130   interrupted (Ctrl-C); partial reports are still written
====  ===========================================================
"""

from __future__ import annotations

import importlib
import sys

import click

from conformance import __version__
from generator.errors import AoaiError
from generator.spec.sources import mirror_dir, report_fetches

__all__ = ["main", "cli"]

# (module under conformance.cli, attribute): one line per command group or command.
_COMMANDS: list[tuple[str, str]] = [
    ("specs", "specs"),
    ("generate", "generate"),
    ("run", "run"),
    ("contracts", "contracts"),
    ("emulate", "emulate"),
    ("report", "report"),
]


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="aoai-conformance")
def cli() -> None:
    """Conformance suite and code generator for the Azure OpenAI chat-completions APIs.

    \b
    Examples:
      aoai-conformance specs list
      aoai-conformance specs show azure-openai-2025-04-01-preview
    """


for _module, _attr in _COMMANDS:
    cli.add_command(getattr(importlib.import_module(f"conformance.cli.{_module}"), _attr))


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns (and exits with) the exit code."""
    # a spec download is never silent: one line on stderr per spec fetched
    report_fetches(lambda line: click.echo(line, err=True))
    try:
        args = sys.argv[1:] if argv is None else argv
        if not {"-h", "--help", "--version"} & set(args):
            # a broken AOAI_SPECS_MIRROR is refused up front, whatever the cache already holds
            mirror_dir()
        code = cli.main(args=argv, prog_name="aoai-conformance", standalone_mode=False)
    except AoaiError as exc:
        click.echo(f"error: {exc}", err=True)
        code = exc.exit_code
    except click.UsageError as exc:
        if type(exc).__name__.startswith("NoArgsIsHelp"):
            # A group called without a subcommand: show its help (click's exit code 2).
            click.echo(exc.format_message())
            return _exit(2, argv)
        command = exc.ctx.command_path if exc.ctx is not None else "aoai-conformance"
        click.echo(f"error: {exc.format_message()} (see '{command} --help')", err=True)
        code = 2
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except click.Abort:
        click.echo("error: interrupted", err=True)
        code = 130
    except KeyboardInterrupt:
        click.echo("error: interrupted", err=True)
        code = 130
    return _exit(int(code or 0), argv)


def _exit(code: int, argv: list[str] | None) -> int:
    if argv is None:
        sys.exit(code)
    return code
