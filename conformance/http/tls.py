"""TLS settings of a live run: verification on, a CA bundle when asked, never a silent off.

Where the trusted CAs come from, first match wins:

1. ``--ca-bundle PATH`` (a PEM file, or a folder of hashed certificates);
2. ``SSL_CERT_FILE`` (what OpenSSL, httpx and the openai SDK honour);
3. ``REQUESTS_CA_BUNDLE`` (what requests-based tools such as the Azure CLI honour);
4. certifi's Mozilla bundle (httpx's default).

``--insecure`` turns verification off; the caller prints a warning and the report records
it. Nothing else ever turns it off.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Mapping
from dataclasses import dataclass

from generator.errors import UsageError

__all__ = ["TlsSettings", "tls_settings", "INSECURE_WARNING"]

INSECURE_WARNING = (
    "WARNING: --insecure: TLS certificate verification is OFF; anyone on the network path "
    "can read the key and answer for the target. Use --ca-bundle PATH instead."
)


@dataclass(frozen=True)
class TlsSettings:
    """What the HTTP client gets as ``verify`` and how the report describes it."""

    verify: ssl.SSLContext
    description: str
    insecure: bool = False


def _context(path: str, source: str) -> ssl.SSLContext:
    if not os.path.exists(path):
        raise UsageError(f"{source} {path!r} does not exist; pass a PEM file of trusted CAs")
    try:
        if os.path.isdir(path):
            return ssl.create_default_context(capath=path)
        return ssl.create_default_context(cafile=path)
    except (ssl.SSLError, OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise UsageError(
            f"{source} {path!r} is not a readable PEM CA bundle ({reason}); "
            "pass a PEM file of trusted CAs"
        ) from None


def tls_settings(ca_bundle: str | None, insecure: bool, env: Mapping[str, str]) -> TlsSettings:
    """The client's TLS verification for a live target (see the module docstring).

    The options were checked already (``--insecure`` with ``--ca-bundle`` is refused by
    :meth:`conformance.run.options.TargetOptions.validate`); ``insecure`` wins here.
    """
    if insecure:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        return TlsSettings(ctx, "TLS verification DISABLED (--insecure)", insecure=True)
    if ca_bundle:
        return TlsSettings(
            _context(ca_bundle, "--ca-bundle"), f"TLS verified with --ca-bundle {ca_bundle}"
        )
    for name in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE"):
        value = env.get(name)
        if value:
            return TlsSettings(_context(value, name), f"TLS verified with {name}={value}")
    import certifi

    return TlsSettings(
        ssl.create_default_context(cafile=certifi.where()), "TLS verified (certifi CA bundle)"
    )
