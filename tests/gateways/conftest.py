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


@pytest.fixture(scope="session")
def litellm_gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    """A running LiteLLM proxy (azure provider -> the emulator); both stopped afterwards."""
    if not mirror_available():
        pytest.skip("needs the upstream spec mirror for the emulator: set AOAI_SPECS_MIRROR")
    executable = litellm_bin()
    if executable is None:
        pytest.skip(INSTALL_HINT)
    with litellm_in_front_of_emulator(executable, tmp_path_factory.mktemp("litellm")) as gw:
        yield gw
