"""Which specs a run needs, and whether this machine has them, decided before any request.

Each surface of a run needs the spec it is checked against (the emulator validates
requests with it, the schemathesis phase and the boundary clauses read it). Sources are
tried as ``generator.spec.sources`` orders them (cache, mirror, installed package, URL):

- found locally: nothing to say;
- not local and the network allowed: fetched now (``sources`` announces the download)
  and cached;
- not available (offline, or the fetch failed): the surface is left out, with one line
  naming the spec and the fix; a run with no surface left is a usage error (exit 2).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from generator.errors import SpecError, UsageError
from generator.spec import probe, resolve
from generator.spec.registry import Registry
from generator.spec.sources import MIRROR_ENV, OFFLINE_ENV, missing_reason, network_allowed

__all__ = ["SpecPlan", "plan_specs"]


@dataclass
class SpecPlan:
    """The surfaces a run can serve, and a line per spec it cannot have."""

    kept: list[str]
    left_out: dict[str, str] = field(default_factory=dict)  # surface -> why
    lines: list[str] = field(default_factory=list)  # one per missing spec, with the fix

    def notes(self) -> list[str]:
        out = list(self.lines)
        if self.left_out:
            out.append(
                "surfaces left out (their specs are missing): "
                + ", ".join(f"{s} ({why})" for s, why in self.left_out.items())
            )
        return out


def _fix(spec_id: str) -> str:
    sync = f"`aoai-conformance specs sync {spec_id}`"
    if network_allowed():
        return f"run {sync} once the network is reachable, or set {MIRROR_ENV} to a copy"
    return (
        f"run {sync} where the network is reachable (without {OFFLINE_ENV}=1), or set "
        f"{MIRROR_ENV} to a folder holding a copy"
    )


def plan_specs(
    registry: Registry,
    needs: Mapping[str, Sequence[str]],
    announce: Callable[[str], None] | None = None,
) -> SpecPlan:
    """Keep the surfaces of ``needs`` (surface -> spec ids) whose specs can be had.

    Raises :class:`UsageError` (exit 2) when no surface is left.
    """
    status: dict[str, str | None] = {}  # spec id -> None (available) or the line why not
    for spec_ids in needs.values():
        for spec_id in spec_ids:
            if spec_id in status:
                continue
            entry = registry.get(spec_id)
            found = probe(entry)
            if found.verified:
                status[spec_id] = None
                continue
            if not network_allowed():
                status[spec_id] = (
                    f"spec {spec_id} is not available offline ({missing_reason(found)}); "
                    + _fix(spec_id)
                )
                continue
            try:
                resolve(entry)  # announced by generator.spec.sources, and cached
                status[spec_id] = None
            except SpecError as exc:
                status[spec_id] = f"{exc}"
    plan = SpecPlan(kept=[])
    for surface, spec_ids in needs.items():
        missing = [i for i in dict.fromkeys(spec_ids) if status[i] is not None]
        if missing:
            plan.left_out[surface] = "spec " + ", ".join(missing) + " missing"
        else:
            plan.kept.append(surface)
    plan.lines = [line for line in status.values() if line is not None]
    if announce is not None and plan.kept:
        for line in plan.lines:
            announce(f"note: {line}")
        if plan.left_out and plan.kept:
            announce(
                f"note: checking {', '.join(plan.kept)} only; left out "
                f"{', '.join(plan.left_out)} (their specs are missing)"
            )
    if not plan.kept:
        missing = sorted({i for ids in needs.values() for i in ids if status[i] is not None})
        raise UsageError(
            f"no surface can be checked: the spec(s) {', '.join(missing)} are missing; "
            + _fix(" ".join(missing))
        )
    return plan
