"""``aoai-conformance emulate``: serve the embedded emulator with uvicorn."""

from __future__ import annotations

import socket

import click

from conformance.emulator import (
    DEFAULT_API_KEY,
    DEFAULT_DEPLOYMENTS,
    FAULTS,
    PROFILES,
    Deployment,
    EmulatorConfig,
    create_app,
)
from conformance.model_families import family_named
from generator.errors import UsageError

__all__ = ["emulate", "parse_deployment", "banner"]

# the shipped profile files (specs/profiles, `run --profile`) by the emulator mode they have
PROFILE_ALIASES = {"seed-003-gateway": "seed-003"}


def parse_deployment(text: str) -> Deployment:
    """``NAME[:classic|reasoning][:family=F][:rpm=N][:tpm=N][:window=SECONDS]`` → a Deployment.

    ``family`` is a model family of :mod:`conformance.model_families` (``deepseek-r1``,
    ``mai-ds-r1``, ``grok-3-mini``...); the model the answers name is then the deployment's.
    """
    name, *options = text.split(":")
    if not name:
        raise UsageError(f"--deployment {text!r}: the name is empty; use NAME[:reasoning][:rpm=N]")
    kind = "classic"
    family = "openai"
    limits: dict[str, float] = {}
    for option in options:
        if option in ("classic", "reasoning"):
            kind = option
            continue
        key, _, value = option.partition("=")
        if key == "family":
            family = family_named(value).name
            continue
        if key not in ("rpm", "tpm", "window"):
            raise UsageError(
                f"--deployment {text!r}: unknown option {option!r}; use classic, reasoning, "
                "family=NAME, rpm=N, tpm=N or window=SECONDS"
            )
        try:
            limits[key] = float(value) if key == "window" else int(value)
        except ValueError:
            raise UsageError(
                f"--deployment {text!r}: {key} needs a number, got {value!r}"
            ) from None
        if limits[key] <= 0:
            raise UsageError(f"--deployment {text!r}: {key} must be positive")
    if family != "openai":
        model = name
    else:
        model = "gpt-5.1-mini" if kind == "reasoning" else "gpt-4o-mini-2024-07-18"
    return Deployment(
        name,
        model=model,
        kind=kind,  # type: ignore[arg-type]
        family=family,
        rpm=int(limits["rpm"]) if "rpm" in limits else None,
        tpm=int(limits["tpm"]) if "tpm" in limits else None,
        window_seconds=float(limits.get("window", 60.0)),
    )


def banner(config: EmulatorConfig, base: str) -> str:
    """The start-up text: the key, the base URL of each surface, deployments and faults."""
    # The default key is public (it is in --help); a key the user chose is a secret and is
    # never printed (DESIGN "Secrets never leak").
    shown_key = config.api_key if config.api_key == DEFAULT_API_KEY else "*** (from --api-key)"
    lines = [f"aoai-conformance emulator on {base}", f"  api-key:  {shown_key}"]
    if config.profile == "seed-003":
        name = config.deployments[0].name
        lines.append(f"  gateway (seed 003): {base}/openai/deployments/{name}/chat/completions")
    else:
        lines += [
            f"  dated:    {base}/openai/deployments/{{deployment}}/chat/completions"
            "?api-version=2024-10-21",
            f'            AzureOpenAI(azure_endpoint="{base}", api_version="2024-10-21")',
            f'  v1:       {base}/openai/v1/   (OpenAI(base_url="{base}/openai/v1/"))',
            f"  foundry:  {base}/models/chat/completions?api-version=2024-05-01-preview",
            f'            ChatCompletionsClient(endpoint="{base}/models")',
        ]
    described = []
    for d in config.deployments:
        limits = [f"rpm={d.rpm}"] if d.rpm else []
        limits += [f"tpm={d.tpm}"] if d.tpm else []
        family = [] if d.family == "openai" else [d.family]
        described.append(f"{d.name} ({', '.join([d.kind, *family, *limits])})")
    lines.append("  deployments: " + ", ".join(described))
    if config.faults:
        lines.append(
            "  faults:   " + ", ".join(f"{f} (breaks {FAULTS[f].clause})" for f in config.faults)
        )
    return "\n".join(lines)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    metavar="0-65535",
    help="Port to bind (0: any free port).",
)
@click.option(
    "--api-key",
    default=DEFAULT_API_KEY,
    show_default=True,
    help="The key clients must send (api-key header, or Bearer on v1/Foundry).",
)
@click.option(
    "--deployment",
    "deployments",
    multiple=True,
    metavar="NAME[:classic|reasoning][:family=F][:rpm=N][:tpm=N][:window=SECONDS]",
    help="A deployment to serve (repeatable; replaces the defaults "
    + ", ".join(d.name for d in DEFAULT_DEPLOYMENTS)
    + ").",
)
@click.option(
    "--fault", "faults", multiple=True, metavar="NAME", help="Inject a fault (repeatable)."
)
@click.option("--list-faults", is_flag=True, help="List the faults and the clause each breaks.")
@click.option(
    "--profile",
    type=click.Choice([*PROFILES, *PROFILE_ALIASES]),
    help="Serve a documented gateway profile (the names `run --profile` takes).",
)
@click.option(
    "--stream-delay",
    type=click.FloatRange(0, 10),
    default=0.0,
    show_default=True,
    metavar="SECONDS",
    help="Pause between streamed chunks (simulates token pacing).",
)
def emulate(
    host: str,
    port: int,
    api_key: str,
    deployments: tuple[str, ...],
    faults: tuple[str, ...],
    list_faults: bool,
    profile: str | None,
    stream_delay: float,
) -> None:
    """Serve the emulator: the dated, v1 and Foundry surfaces on one port.

    \b
    Examples:
      aoai-conformance emulate
      aoai-conformance emulate --port 9000 --fault no-done --fault wrong-key-accepted
      aoai-conformance emulate --deployment gpt-4o-mini --deployment o4:reasoning:rpm=60
      aoai-conformance emulate --profile seed-003
      aoai-conformance emulate --list-faults
    """
    if list_faults:
        width = max(len(name) for name in FAULTS)
        for fault in FAULTS.values():
            click.echo(f"{fault.name:<{width}}  {fault.clause:<11}  {fault.description}")
        return
    profile = PROFILE_ALIASES.get(profile or "", profile)
    config = EmulatorConfig(
        api_key=api_key,
        deployments=tuple(parse_deployment(d) for d in deployments) or DEFAULT_DEPLOYMENTS,
        faults=faults,
        profile=profile,
        stream_delay=stream_delay,
    )
    import uvicorn

    sock = _bind(host, port)
    app = create_app(config)
    app.state.emulator.warm_up()
    shown = f"[{host}]" if ":" in host else host
    click.echo(banner(config, f"http://{shown}:{sock.getsockname()[1]}"))
    missing = app.state.emulator.missing_specs
    if missing:
        click.echo(
            f"  not served (spec not on this machine): {', '.join(sorted(missing))}; "
            "requests that need them are answered 503. Fix: `aoai-conformance specs sync` "
            "where the network is reachable, or set AOAI_SPECS_MIRROR",
            err=True,
        )
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    )
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()


def _bind(host: str, port: int) -> socket.socket:
    """Bind first, so that a taken port is a one-line usage error (exit 2), not a log."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except (OSError, OverflowError, ValueError, TypeError, UnicodeError) as exc:
        # gaierror (an unknown --host) is an OSError; a NUL in --host a TypeError
        sock.close()
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise UsageError(
            f"cannot listen on {host}:{port} ({reason}); pass another --port or --host"
        ) from None
    sock.listen(2048)
    return sock
