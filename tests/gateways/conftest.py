"""Fixtures: LiteLLM proxy on 127.0.0.1 in front of the emulator (see litellm_gateway.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.gateways.litellm_gateway import (
    INSTALL_HINT,
    Gateway,
    litellm_bin,
    litellm_in_front_of_emulator,
)
from tests.support import mirror_available


def _gateway(tmp: pytest.TempPathFactory, *, v1_pass_through: bool) -> Iterator[Gateway]:
    if not mirror_available():
        pytest.skip("needs the upstream spec mirror for the emulator: set AOAI_SPECS_MIRROR")
    executable = litellm_bin()
    if executable is None:
        pytest.skip(INSTALL_HINT)
    workdir = tmp.mktemp("litellm")
    with litellm_in_front_of_emulator(executable, workdir, v1_pass_through=v1_pass_through) as gw:
        yield gw


@pytest.fixture(scope="session")
def litellm_gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    """LiteLLM proxy as configured by default (azure provider -> the emulator's dated path)."""
    yield from _gateway(tmp_path_factory, v1_pass_through=False)


@pytest.fixture(scope="session")
def litellm_v1_gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    """The same, plus its OpenAI pass-through aimed at the emulator: the v1 surface served."""
    yield from _gateway(tmp_path_factory, v1_pass_through=True)
