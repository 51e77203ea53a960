"""Every registered spec loads, verifies, and is accepted by the downstream tools."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.spec import load_registry, load_spec
from tests.support import requires_mirror

REGISTRY = load_registry()
IDS = REGISTRY.ids()


def test_registry_covers_the_mirror_and_pins_by_commit_where_known() -> None:
    manifest_ids = {
        "azure-openai-2024-08-01-preview",
        "azure-openai-2024-09-01-preview",
        "azure-openai-2024-10-01-preview",
        "azure-openai-2024-10-21",
        "azure-openai-2024-12-01-preview",
        "azure-openai-2025-03-01-preview",
        "azure-openai-2025-04-01-preview",
        "azure-openai-v1",
        "foundry-model-inference-2024-05-01-preview",
    }
    assert set(IDS) == manifest_ids
    for entry in REGISTRY:
        assert entry.surface in ("dated", "v1", "foundry")
        assert len(entry.sha256) == 64
        assert entry.url.startswith("https://raw.githubusercontent.com/Azure/azure-rest-api-specs/")
        if entry.commit:
            assert f"/{entry.commit}/" in entry.url
        else:
            assert entry.note  # says why the URL is not pinned by commit


@requires_mirror
@pytest.mark.parametrize("spec_id", IDS)
def test_loads_as_openapi_30(spec_id: str) -> None:
    loaded = load_spec(spec_id)
    assert loaded.document["openapi"] == "3.0.3" or loaded.document["openapi"].startswith("3.0")
    assert loaded.operations()
    assert loaded.schemas


@requires_mirror
def test_2025_04_01_preview_has_its_operations_and_repairs() -> None:
    loaded = load_spec("azure-openai-2025-04-01-preview")
    assert len(loaded.operations()) == 52
    assert len(loaded.schemas) == 342
    rules = {c.rule for c in loaded.changes}
    assert {"openapi31-to-30", "annotation-not-string", "drop-external-refs"} <= rules
    desc = [c for c in loaded.changes if c.rule == "annotation-not-string"]
    assert desc[0].where.startswith("#/components/schemas/createResponse")


@requires_mirror
def test_dated_streaming_overlay_splits_media_types() -> None:
    loaded = load_spec("azure-openai-2024-10-21")
    content = loaded.document["paths"]["/deployments/{deployment-id}/chat/completions"]["post"][
        "responses"
    ]["200"]["content"]
    assert content["text/event-stream"]["schema"]["$ref"].endswith(
        "createChatCompletionStreamResponse"
    )
    assert content["application/json"]["schema"]["$ref"].endswith("createChatCompletionResponse")
    assert [o.id for o in loaded.overlays][0] == "dated-chat-streaming-sse"


@requires_mirror
@pytest.mark.parametrize("spec_id", IDS)
def test_schemathesis_accepts(spec_id: str) -> None:
    import schemathesis

    schema = schemathesis.openapi.from_dict(load_spec(spec_id).copy_document())
    operations = list(schema.get_all_operations())
    assert len(operations) == len(load_spec(spec_id).operations())
    assert all(op.ok() for op in operations)


@requires_mirror
@pytest.mark.slow
@pytest.mark.parametrize("spec_id", IDS)
def test_datamodel_code_generator_accepts(spec_id: str, tmp_path: Path) -> None:
    from datamodel_code_generator import DataModelType, InputFileType, generate

    out = tmp_path / "models"
    generate(
        json.dumps(load_spec(spec_id).document),
        input_file_type=InputFileType.OpenAPI,
        output=out,
        output_model_type=DataModelType.PydanticV2BaseModel,
    )
    produced = list(out.rglob("*.py")) if out.is_dir() else [out]
    assert produced and sum(p.stat().st_size for p in produced) > 10_000


def test_registry_save_round_trips_byte_for_byte(tmp_path: Path) -> None:
    from generator.paths import REGISTRY_FILE

    target = REGISTRY.save(tmp_path / "registry.json")
    assert target.read_bytes() == REGISTRY_FILE.read_bytes()
