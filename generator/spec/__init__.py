"""The spec pipeline: registry → sources (pinned by sha256) → loader → normalisation → overlays."""

from generator.spec.loader import LoadedSpec, load_document, load_spec, load_spec_file
from generator.spec.registry import Registry, SpecEntry, load_registry
from generator.spec.sources import Resolved, probe, resolve

__all__ = [
    "LoadedSpec",
    "Registry",
    "Resolved",
    "SpecEntry",
    "load_document",
    "load_registry",
    "load_spec",
    "load_spec_file",
    "probe",
    "resolve",
]
