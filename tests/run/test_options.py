"""RunOptions.from_settings: the one constructor of the front ends, and its rules."""

from __future__ import annotations

import pytest

from conformance.run.options import RunOptions, split_patterns
from generator.errors import UsageError

pytest_plugins = ["pytester"]

LIVE = {"target": "https://gw.example.test"}


def _build(values: dict[str, object], env: dict[str, str] | None = None) -> RunOptions:
    return RunOptions.from_settings(values, env={} if env is None else env)


def test_every_setting_reaches_the_options() -> None:
    options = _build(
        {
            **LIVE,
            "deployment": ["a", "b"],
            "timeout": 7.5,
            "ca_bundle": "/etc/ca.pem",
            "reasoning": True,
            "model_family": None,
            "select": ("RESP-*",),
            "boundary": "none",
            "schemathesis": False,
        }
    )
    target = options.target
    assert (target.target, target.deployment, target.timeout_s) == (LIVE["target"], "a", 7.5)
    assert (target.ca_bundle, target.reasoning, target.env) == ("/etc/ca.pem", True, {})
    assert (options.deployments, options.select, options.boundary) == (
        ("a", "b"),
        ("RESP-*",),
        "none",
    )
    assert options.schemathesis is False


def test_the_api_key_joins_the_secrets_before_any_request() -> None:
    options = _build({**LIVE, "api_key": "key-123456"})
    assert "key-123456" in options.target.secrets
    assert "key-123456" not in repr(options)


@pytest.mark.parametrize(
    ("values", "env", "message"),
    [
        ({"emulator": True, **LIVE}, {}, "--emulator and --target contradict"),
        ({**LIVE, "insecure": True, "ca_bundle": "x.pem"}, {}, "--insecure and --ca-bundle"),
        ({"insecure": True}, {}, "only apply to a live https target"),
        ({"ca_bundle": "x.pem", "emulator": True}, {"AZURE_OPENAI_ENDPOINT": "https://x"}, "live"),
        ({**LIVE, "deployment": ["a", "a"]}, {}, "names a deployment twice"),
        ({"deselect": ("*",)}, {}, "leave no clause to run"),
        ({"faults": ["slow"]}, {"OPENAI_BASE_URL": "https://x"}, "--fault only applies"),
        ({"surface": "dated-ish"}, {}, "--surface must be one of"),
        ({"timeout": 0}, {}, "--timeout must be a positive"),
        ({"boundary": "some"}, {}, "--boundary"),
    ],
)
def test_each_rule_is_one_line(
    values: dict[str, object], env: dict[str, str], message: str
) -> None:
    with pytest.raises(UsageError, match=message) as caught:
        _build(values, env)
    assert "\n" not in str(caught.value)


def test_an_endpoint_variable_makes_the_run_live() -> None:
    options = _build({"insecure": True}, {"AZURE_OPENAI_ENDPOINT": "https://x"})
    assert options.target.insecure is True


def test_unknown_settings_are_a_bug_not_a_user_error() -> None:
    with pytest.raises(TypeError, match="no run setting"):
        _build({"no_such_setting": 1})


def test_split_patterns() -> None:
    assert split_patterns(["A,B", " C ", ","]) == ("A", "B", "C")


def test_the_pytest_plugin_builds_through_from_settings(pytester: pytest.Pytester) -> None:
    # the plugin used to drop --aoai-timeout/-ca-bundle/-insecure/-reasoning/-fault: each
    # now reaches the options (and the rules: --aoai-insecure alone is refused)
    pytester.makeconftest(
        """
import pytest

def pytest_collection_modifyitems(config, items):
    from conformance.pytest_plugin import _options
    options = _options(config)
    t = options.target
    print("OPTIONS", t.timeout_s, t.faults, t.reasoning, t.emulator)
"""
    )
    result = pytester.runpytest_subprocess(
        "-s",
        "--aoai-target",
        "emulator",
        "--aoai-timeout",
        "5",
        "--aoai-fault",
        "wrong-path-accepted",
        "--aoai-reasoning",
        "--aoai-select",
        "ROUTE-003",
        "--aoai-no-schemathesis",
        "--collect-only",
    )
    result.stdout.fnmatch_lines(["*OPTIONS 5.0 ('wrong-path-accepted',) True True*"])
    refused = pytester.runpytest_subprocess("--aoai-target", "emulator", "--aoai-insecure")
    assert refused.ret != 0
    refused.stderr.fnmatch_lines(["*only apply to a live https target*"])
