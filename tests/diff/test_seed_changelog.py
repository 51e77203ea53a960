"""The diff finds what seed 002's "API version changelog" says changed in chat completions.

Seed 002 (`/work/shared/seeds/002_*.txt`, section "API version changelog") lists, for
consecutive dated previews, what each one added. ``CHANGELOG`` below is that list,
restricted to the items that are chat-completions request/response fields; the pairs
whose specs are not in the mirror are skipped (and say so).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from generator.diff import SpecDiff, diff_specs, open_spec
from generator.spec import load_registry, probe
from generator.spec.sources import mirror_dir
from tests.support import ROOT

SEED_002 = sorted((ROOT.parent / "shared" / "seeds").glob("002_*.txt"))
ADDED = {"request-field-added-optional", "request-field-added-required", "response-field-added"}
REMOVED = {"request-field-removed", "response-field-removed"}

# (older, newer, [(item, "added"|"removed"), ...]) in the seed's order. Only items that
# name a chat-completions field are listed; feature-level lines ("Responses API",
# "Computer use", "Batch API support added", ...) have no field to look for.
CHANGELOG: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("2025-03-01-preview", "2025-04-01-preview", []),  # the seed lists nothing
    ("2025-02-01-preview", "2025-03-01-preview", []),  # Responses API, computer use
    ("2025-01-01-preview", "2025-02-01-preview", []),  # stored completions (distillation)
    ("2024-12-01-preview", "2025-01-01-preview", [("prediction", "added")]),
    (
        "2024-10-01-preview",
        "2024-12-01-preview",
        [
            ("store", "added"),
            ("metadata", "added"),
            ("reasoning_effort", "added"),
            ("user_security_context", "added"),
        ],
    ),
    (
        "2024-08-01-preview",
        "2024-09-01-preview",
        [
            ("max_completion_tokens", "added"),
            ("parallel_tool_calls", "added"),
            ("completion_tokens_details", "added"),
            ("reasoning_tokens", "added"),
            ("stream_options", "added"),
            ("include_usage", "added"),
        ],
    ),
    # On Your Data: `role_information` parameter removed, `rerank_score` added to citation.
    (
        "2024-07-01-preview",
        "2024-08-01-preview",
        [("role_information", "removed"), ("rerank_score", "added")],
    ),
    ("2024-05-01-preview", "2024-07-01-preview", []),  # batch, vector stores, max_num_results
    ("2024-04-01-preview", "2024-05-01-preview", []),  # assistants v2, fine-tuning, ...
    ("2024-03-01-preview", "2024-04-01-preview", []),  # enhancements removed, TTS formats
]

CASES = [
    pytest.param(old, new, item, kind, id=f"{old}..{new}:{item}")
    for old, new, items in CHANGELOG
    for item, kind in items
]


def _available(api_version: str) -> bool:
    """Registered, and verified bytes are at hand (mirror, cache or package; no network)."""
    entry = load_registry().find_version(api_version, "dated")
    return entry is not None and probe(entry).verified


@cache
def _chat_diff(old: str, new: str) -> SpecDiff:
    registry = load_registry()
    return diff_specs(
        open_spec(old, registry), open_spec(new, registry), ["ChatCompletions_Create"]
    )


def _leaves(diff: SpecDiff, kinds: set[str]) -> set[str]:
    found: set[str] = set()
    for change in diff.changes:
        if change.rule_id in kinds:
            for path in (change.path, *change.children):
                found.add(re.split(r"\.|\[\]|\{\}", path.rstrip("[]{}"))[-1])
    return found


@pytest.mark.parametrize(("old", "new", "item", "kind"), CASES)
def test_diff_reports_what_the_changelog_names(old: str, new: str, item: str, kind: str) -> None:
    missing = [v for v in (old, new) if not _available(v)]
    if missing:
        pytest.skip(
            f"seed 002 pair {old}..{new}: {', '.join(missing)} not registered/in the mirror"
        )
    diff = _chat_diff(old, new)
    assert diff.operations and diff.operations[0].operation_id == "ChatCompletions_Create"
    assert item in _leaves(diff, ADDED if kind == "added" else REMOVED), [
        c.message for c in diff.changes
    ]


def test_at_least_two_changelog_pairs_are_checked() -> None:
    """Guards against every case silently skipping (e.g. a mirror without the previews)."""
    checked = [(o, n) for o, n, items in CHANGELOG if items and _available(o) and _available(n)]
    if mirror_dir() is None:
        pytest.skip("needs AOAI_SPECS_MIRROR")
    assert ("2024-08-01-preview", "2024-09-01-preview") in checked
    assert ("2024-10-01-preview", "2024-12-01-preview") in checked


@pytest.mark.skipif(not SEED_002, reason="seed 002 not found beside the repo (../shared/seeds)")
def test_table_follows_the_seed() -> None:
    """Every "Changes between X and Y" heading of seed 002 is a pair of CHANGELOG."""
    text = Path(SEED_002[0]).read_text(encoding="utf-8")
    pairs = re.findall(r"Changes between (\S+) and (\S+?)(?: API specification)?\n", text)
    dated = {frozenset(p) for p in pairs if all(re.match(r"\d{4}-\d{2}-\d{2}", v) for v in p)}
    assert dated == {frozenset((old, new)) for old, new, _ in CHANGELOG}
