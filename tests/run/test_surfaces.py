"""conformance.surfaces: the request shape of each surface, from the generator's rules."""

from __future__ import annotations

import pytest

from conformance import surfaces


@pytest.mark.parametrize(
    ("surface", "path", "query", "body_model", "headers"),
    [
        ("dated", "/openai/deployments/d1/chat/completions", {"api-version": "V"}, None, {}),
        ("v1", "/openai/v1/chat/completions", {}, "d1", {}),
        (
            "foundry",
            "/models/chat/completions",
            {"api-version": "V"},
            None,
            {"azureml-model-deployment": "d1"},
        ),
    ],
)
def test_the_chat_request_of_each_surface(
    surface: str, path: str, query: dict[str, str], body_model: str | None, headers: dict[str, str]
) -> None:
    assert surfaces.chat_path(surface, "d1") == path
    assert surfaces.default_params(surface, "V") == query
    assert surfaces.chat_body(surface, "d1").get("model") == body_model
    assert surfaces.chat_headers(surface, "d1") == headers


def test_foundry_takes_the_detected_prefix() -> None:
    assert surfaces.chat_path("foundry", "d1", "") == "/chat/completions"
    assert surfaces.spec_root("foundry", "") == ""
    assert surfaces.spec_root("v1") == "/openai/v1"


def test_the_deployment_goes_where_the_body_names_it() -> None:
    v1: dict[str, object] = {"model": "x"}
    surfaces.name_deployment_in_body("v1", v1, "d1")
    foundry_with: dict[str, object] = {"model": "x"}
    surfaces.name_deployment_in_body("foundry", foundry_with, "d1")
    foundry_without: dict[str, object] = {}
    surfaces.name_deployment_in_body("foundry", foundry_without, "d1")
    dated: dict[str, object] = {"model": "x"}
    surfaces.name_deployment_in_body("dated", dated, "d1")
    assert (v1, foundry_with, foundry_without, dated) == (
        {"model": "d1"},
        {"model": "d1"},
        {},
        {"model": "x"},
    )


def test_choices_and_audience_derive_from_one_spelling() -> None:
    assert surfaces.SURFACE_CHOICES == ("auto", *surfaces.SURFACES)
    assert surfaces.TOKEN_SCOPE == surfaces.ENTRA_AUDIENCE + "/.default"
