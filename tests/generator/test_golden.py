"""Golden files: small specs written for the tests, and the exact package each produces.

``_manifest.py`` is not kept: its fingerprint hashes the generator's own sources (a cache
key), and the files it lists are compared directly.

After an intended change to the generator, refresh with
``python -m tests.generator.refresh_golden`` and review the diff.
"""

from __future__ import annotations

import difflib

import pytest

from generator.codegen.pipeline import MANIFEST
from tests.generator.golden_cases import CASES, GOLDEN_DIR, REFRESH_COMMAND, generate_case


def test_there_are_golden_cases() -> None:
    assert CASES == ["dated_chat", "foundry_multipart", "v1_surface"]


@pytest.mark.parametrize("case", CASES)
def test_output_matches_the_golden_files(case: str) -> None:
    package = generate_case(case)
    files = {k: v for k, v in package.files.items() if k != MANIFEST}
    expected_dir = GOLDEN_DIR / case / "expected"
    expected = {p.name: p.read_bytes() for p in sorted(expected_dir.iterdir()) if p.is_file()}
    assert sorted(files) == sorted(expected), f"file set changed; run {REFRESH_COMMAND}"
    for name, data in files.items():
        if data != expected[name]:
            diff = "\n".join(
                difflib.unified_diff(
                    expected[name].decode().splitlines(),
                    data.decode().splitlines(),
                    f"expected/{name}",
                    f"generated/{name}",
                    lineterm="",
                    n=1,
                )
            )
            pytest.fail(
                f"{case}/{name} differs (run {REFRESH_COMMAND} if intended):\n{diff[:4000]}"
            )


def test_dated_case_names_and_problems() -> None:
    package = generate_case("dated_chat")
    models = package.files["models.py"].decode()
    for name in (
        "class MessageSystem(",  # union member named by its role
        "class MessageUserContentList(",  # constrained list in a union, named by type
        "class CreateChatResponseChoice(",  # array items: parent + singular property
        "class NamedMessageSystem(SystemMessage)",  # allOf over a union, distributed
        "class CreateChatResponseUsageObject(",  # collision with a component: no number
        "class ChatCompletionsCreateErrorResponse(",  # inline default response
    ):
        assert name in models
    assert "class ToolMessageWithIdSystem" not in models  # role tool ∧ system: impossible
    locations = sorted(p.location for p in package.problems)
    assert locations == [
        "#/components/schemas/createChatResponse/properties/usage",
        "#/components/schemas/toolMessageWithId",
    ]


def test_v1_case_surface_rules() -> None:
    builders = generate_case("v1_surface").files["builders.py"].decode()
    assert 'BASE_PATH = "/openai/v1"' in builders
    assert 'deployment_field="model",' in builders
    assert "deployment=deployment," in builders
    assert 'api_version: Literal["v1", "preview"] | None = None' in builders
    assert 'aoai_evals: Literal["preview"] = "preview"' in builders
