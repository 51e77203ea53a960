"""Bad ``run`` invocations: a one-line error saying what to do, exit 2, no traceback.

Nothing here reaches a network: every case is refused before the first request (the
``.invalid`` hosts are never resolved; 127.0.0.1:9 is never contacted).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.cli import main
from tests.resilience.helpers import CREDENTIAL_ENV

LIVE = ["--target", "http://127.0.0.1:9", "--deployment", "d", "--api-key", "k"]
TLS = ["--target", "https://127.0.0.1:9", "--deployment", "d", "--api-key", "k"]

# (id, argv with {tmp} for the test's folder, the text the error must contain; a full line
# where the wording matters to users and scripts)
CASES: list[tuple[str, list[str], str]] = [
    (
        "url-no-host",
        ["--target", "http://"],
        "error: --target 'http://' is not an http(s) URL; "
        "pass e.g. https://RESOURCE.openai.azure.com",
    ),
    ("url-not-a-url", ["--target", "not a url"], "is not an http(s) URL"),
    ("url-ftp", ["--target", "ftp://example.invalid"], "is not an http(s) URL"),
    (
        "url-with-credentials",
        ["--target", "https://u:pw-in-url@example.invalid", "--deployment", "d"],
        "error: --target must not carry credentials (user:password@); "
        "pass the key with --api-key or AZURE_OPENAI_API_KEY",
    ),
    (
        "url-with-key-in-query",
        ["--target", "https://example.invalid/?api-key=abc", "--deployment", "d"],
        "must not carry a key in its query string",
    ),
    ("unknown-surface", ["--surface", "bogus"], "Invalid value for '--surface'"),
    ("unknown-auth", ["--auth", "bogus"], "Invalid value for '--auth'"),
    ("unknown-profile", ["--profile", "no-such-profile"], "profile 'no-such-profile' not found"),
    ("bad-profile-file", ["--profile", "{tmp}/bad.json"], "is not readable JSON"),
    ("profile-is-folder", ["--profile", "{tmp}"], "is a folder; pass a profile JSON file"),
    ("profile-file-missing", ["--profile", "{tmp}/nope.json"], "does not exist; check the path"),
    ("unknown-fault", ["--fault", "no-such-fault"], "unknown fault 'no-such-fault'"),
    (
        "fault-on-live-target",
        [*LIVE, "--fault", "no-done"],
        "--fault only applies to the embedded emulator",
    ),
    (
        "missing-key",
        ["--target", "http://127.0.0.1:9", "--deployment", "d"],
        "error: no credentials for the target: pass --api-key KEY (or set AZURE_OPENAI_API_KEY), "
        "or choose --auth entra or --auth none",
    ),
    (
        "auth-api-key-without-key",
        ["--target", "http://127.0.0.1:9", "--deployment", "d", "--auth", "api-key"],
        "error: --auth api-key needs a key: pass --api-key KEY or set AZURE_OPENAI_API_KEY",
    ),
    (
        "live-without-deployment",
        ["--target", "http://127.0.0.1:9", "--api-key", "k"],
        "error: a live target needs a deployment: pass --deployment NAME (the deployment to test)",
    ),
    ("emulator-unknown-deployment", ["--deployment", "nope"], "the emulator has no deployment"),
    (
        "max-requests-zero",
        ["--max-requests", "0"],
        "error: --max-requests must be at least 1",
    ),
    ("max-requests-negative", ["--max-requests", "-5"], "--max-requests must be at least 1"),
    ("max-requests-not-int", ["--max-requests", "abc"], "'abc' is not a valid integer"),
    ("max-tokens-zero", ["--max-tokens-total", "0"], "--max-tokens-total must be at least 1"),
    (
        "timeout-zero",
        ["--timeout", "0"],
        "error: --timeout must be a positive number of seconds, e.g. --timeout 30",
    ),
    ("timeout-not-number", ["--timeout", "soon"], "'soon' is not a valid float"),
    (
        "unknown-select-id",
        ["--select", "ROUTE-999"],
        "error: no clause matches 'ROUTE-999'; run `aoai-conformance contracts` to list the "
        "clause ids",
    ),
    ("select-glob-matches-nothing", ["--select", "NOPE-*"], "no clause matches 'NOPE-*'"),
    ("deselect-everything", ["--deselect", "*"], "leave no clause to run"),
    (
        "unknown-report-format",
        ["--report", "xml:out.xml"],
        "error: report format 'xml' in 'xml:out.xml' is unknown; use one of json, junit, "
        "markdown, html (e.g. --report junit:reports/conformance.xml)",
    ),
    ("report-without-path", ["--report", "json"], "must be FORMAT:PATH"),
    (
        "unwritable-report-path",
        ["--report", "json:{tmp}/a-file/out.json"],
        "is not writable; pick a path in a writable folder",
    ),
    ("report-path-is-folder", ["--report", "json:{tmp}"], "is a folder; give a file name"),
    (
        "same-report-path-twice",
        ["--report", "json:{tmp}/r.out", "--report", "junit:{tmp}/r.out"],
        "give each its own file",
    ),
    (
        "update-baseline-without-file",
        ["--update-baseline"],
        "error: --update-baseline needs --baseline FILE (the file to write)",
    ),
    ("baseline-missing", ["--baseline", "{tmp}/missing.json"], "does not exist"),
    ("baseline-not-json", ["--baseline", "{tmp}/bad.json"], "is not valid JSON"),
    ("baseline-is-folder", ["--baseline", "{tmp}"], "is a directory"),
    (
        "emulator-and-target",
        ["--emulator", "--target", "http://127.0.0.1:9"],
        "error: --emulator and --target contradict each other; drop one",
    ),
    (
        "insecure-and-ca-bundle",
        [*TLS, "--insecure", "--ca-bundle", "{tmp}/bad.pem"],
        "error: --insecure and --ca-bundle contradict each other; drop one",
    ),
    (
        "ca-bundle-missing",
        [*TLS, "--ca-bundle", "{tmp}/missing.pem"],
        "does not exist; pass a PEM file of trusted CAs",
    ),
    (
        "ca-bundle-not-pem",
        [*TLS, "--ca-bundle", "{tmp}/bad.pem"],
        "is not a readable PEM CA bundle",
    ),
    (
        "ca-bundle-without-live-target",
        ["--ca-bundle", "{tmp}/bad.pem"],
        "error: --ca-bundle/--insecure only apply to a live https target; pass --target URL",
    ),
    ("insecure-without-live-target", ["--insecure"], "only apply to a live https target"),
    ("unknown-option", ["--bogus-option"], "No such option '--bogus-option'"),
    ("option-without-value", ["--api-version"], "requires an argument"),
]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in CREDENTIAL_ENV:
        monkeypatch.delenv(name, raising=False)


def test_there_are_at_least_20_distinct_cases() -> None:
    assert len({case_id for case_id, _, _ in CASES}) == len(CASES) >= 20


@pytest.mark.parametrize(("argv", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_invocation_is_one_line_exit_2(
    argv: list[str], message: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.json").write_text("not json", encoding="utf-8")
    (tmp_path / "bad.pem").write_text("not a certificate", encoding="utf-8")
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    args = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    message = message.replace("{tmp}", str(tmp_path))
    assert main(["run", *args]) == 2
    captured = capfd.readouterr()
    err = captured.err
    assert "Traceback" not in err + captured.out
    assert err.count("\n") == 1 and err.startswith("error: "), err
    assert message in err, err
    if message.startswith("error: "):
        assert err.rstrip("\n") == message  # the important ones, word for word


def test_no_error_line_repeats_a_credential(capfd: pytest.CaptureFixture[str]) -> None:
    secret = "pw-in-url-Zq7Xw3Rt9Lp2"
    for target in (f"ftp://u:{secret}@example.invalid", f"https://u:{secret}@example.invalid"):
        assert main(["run", "--target", target, "--deployment", "d"]) == 2
        assert secret not in capfd.readouterr().err


# -- every subcommand (issue 13): path options missing / a folder / unwritable / on /proc,
# number options out of range, unknown names. (id, argv, env, text the one line contains)
OTHER: list[tuple[str, list[str], dict[str, str], str]] = [
    ("emulate-port-too-big", ["emulate", "--port", "99999"], {}, "99999 is not in the range"),
    ("emulate-port-negative", ["emulate", "--port", "-1"], {}, "-1 is not in the range"),
    ("emulate-port-not-int", ["emulate", "--port", "abc"], {}, "'abc' is not a valid integer"),
    ("emulate-stream-delay", ["emulate", "--stream-delay", "11"], {}, "11.0 is not in the range"),
    ("emulate-unknown-fault", ["emulate", "--fault", "nope"], {}, "unknown fault 'nope'"),
    ("emulate-unknown-profile", ["emulate", "--profile", "nope"], {}, "'--profile'"),
    ("emulate-deployment-empty", ["emulate", "--deployment", ":x"], {}, "the name is empty"),
    ("emulate-deployment-rpm-0", ["emulate", "--deployment", "d:rpm=0"], {}, "must be positive"),
    ("emulate-deployment-rpm-nan", ["emulate", "--deployment", "d:rpm=x"], {}, "needs a number"),
    ("emulate-deployment-option", ["emulate", "--deployment", "d:bogus"], {}, "unknown option"),
    ("emulate-bad-host", ["emulate", "--host", "a\x00b", "--port", "0"], {}, "cannot listen on"),
    (
        "emulate-port-taken",
        ["emulate", "--port", "{port}"],
        {},
        "cannot listen on 127.0.0.1:{port}",
    ),
    ("specs-show-unknown", ["specs", "show", "nope"], {}, "unknown spec id 'nope'"),
    ("specs-show-no-id", ["specs", "show"], {}, "Missing argument 'SPEC_ID'"),
    ("specs-sync-unknown", ["specs", "sync", "nope"], {}, "unknown spec id 'nope'"),
    (
        "specs-sync-cache-is-a-file",
        ["specs", "sync", "azure-openai-2024-10-21"],
        {"AOAI_SPECS_CACHE": "{tmp}/a-file"},
        "error: the spec cache (AOAI_SPECS_CACHE) {tmp}/a-file is a file, not a folder; "
        "set AOAI_SPECS_CACHE to a writable folder",
    ),
    (
        "specs-sync-cache-on-proc",
        ["specs", "sync", "azure-openai-2024-10-21"],
        {"AOAI_SPECS_CACHE": "/proc/aoai-nope"},
        "cannot be written",
    ),
    (
        "specs-list-mirror-missing",
        ["specs", "list"],
        {"AOAI_SPECS_MIRROR": "{tmp}/no-such-mirror"},
        "error: AOAI_SPECS_MIRROR={tmp}/no-such-mirror is not a folder (missing); point it at "
        "a copy of the spec mirror, or unset it to use the cache and the installed packages",
    ),
    (
        "specs-list-mirror-is-a-file",
        ["specs", "list", "--format", "json"],
        {"AOAI_SPECS_MIRROR": "{tmp}/a-file"},
        "is not a folder (a file)",
    ),
    ("specs-list-bad-option", ["specs", "list", "--bogus"], {}, "No such option '--bogus'"),
    ("specs-diff-unknown", ["specs", "diff", "nope1", "nope2"], {}, "unknown spec id 'nope1'"),
    ("specs-diff-format", ["specs", "diff", "a", "b", "--format", "xml"], {}, "'--format'"),
    ("specs-diff-fail-on", ["specs", "diff", "a", "b", "--fail-on", "x"], {}, "'--fail-on'"),
    (
        "specs-diff-registry-missing",
        ["specs", "diff", "a", "b", "--registry", "{tmp}/missing.json"],
        {},
        "no such file",
    ),
    (
        "specs-diff-registry-folder",
        ["specs", "diff", "a", "b", "--registry", "{tmp}"],
        {},
        "is a directory",
    ),
    (
        "specs-add-registry-missing",
        ["specs", "add", "2099-01-01", "--registry", "{tmp}/missing.json"],
        {},
        "no such file",
    ),
    (
        "specs-add-output-on-proc",
        ["specs", "add", "2099-01-01", "--registry", "{tmp}/registry.json", "--output", "/proc/x"],
        {},
        "error: --output /proc/x cannot be written: folder /proc is not writable",
    ),
    (
        "specs-add-output-under-a-file",
        [
            "specs",
            "add",
            "2099-01-01",
            "--registry",
            "{tmp}/registry.json",
            "--output",
            "{tmp}/a-file/x",
        ],
        {},
        "is a file",
    ),
    ("generate-output-on-proc", ["generate", "--output", "/proc/x"], {}, "cannot be written"),
    ("generate-output-is-a-file", ["generate", "--output", "{tmp}/a-file"], {}, "is a file"),
    ("generate-output-under-file", ["generate", "--output", "{tmp}/a-file/x"], {}, "is a file"),
    ("generate-unknown-spec", ["generate", "--spec", "nope", "--output", "{tmp}/g"], {}, "'nope'"),
    ("generate-bad-option", ["generate", "--bogus"], {}, "No such option '--bogus'"),
    ("contracts-write-on-proc", ["contracts", "--write", "/proc/x.md"], {}, "cannot write"),
    ("contracts-write-folder", ["contracts", "--write", "{tmp}"], {}, "is a directory"),
    ("contracts-json-and-markdown", ["contracts", "--json", "--markdown"], {}, "choose one"),
    ("contracts-format-unknown", ["contracts", "--format", "xml"], {}, "'--format'"),
    ("specs-list-format-unknown", ["specs", "list", "--format", "md"], {}, "'--format'"),
    ("unknown-command", ["bogus"], {}, "No such command 'bogus'"),
    (
        "run-report-on-proc",
        ["run", "--report", "json:/proc/nope/r.json"],
        {},
        "error: --report json:/proc/nope/r.json: report file /proc/nope/r.json cannot be "
        "written: folder /proc is not writable",
    ),
    (
        "run-baseline-on-proc",
        ["run", "--update-baseline", "--baseline", "/proc/x.json"],
        {},
        "error: --baseline /proc/x.json cannot be written: folder /proc is not writable",
    ),
    ("run-max-tokens-negative", ["run", "--max-tokens-total", "-1"], {}, "at least 1"),
    ("run-timeout-negative", ["run", "--timeout", "-1"], {}, "--timeout must be a positive"),
    ("run-boundary-unknown", ["run", "--boundary", "bogus"], {}, "'--boundary'"),
    ("run-report-no-format", ["run", "--report", ":x"], {}, "must be FORMAT:PATH"),
    (
        "run-mirror-missing",
        ["run"],
        {"AOAI_SPECS_MIRROR": "{tmp}/no-such-mirror"},
        "is not a folder (missing)",
    ),
    (
        "run-embedded-auth-none",
        ["run", "--auth", "none"],
        {},
        "error: --auth none only applies to a live target: the embedded emulator requires a "
        "key or an Entra token, as Azure does; drop --auth none or pass --target URL",
    ),
    (
        "run-embedded-unregistered-env-version",
        ["run"],
        {"OPENAI_API_VERSION": "2024-06-01"},
        "2024-06-01 (from OPENAI_API_VERSION) is not one: pass one of them, unset "
        "OPENAI_API_VERSION, or check a live target with --target URL",
    ),
    (
        "run-embedded-unregistered-version",
        ["run", "--api-version", "2031-01-01"],
        {},
        "error: the embedded emulator serves only the registered dated api-versions",
    ),
    (
        "run-no-spec-for-any-surface",
        ["run", "--surface", "v1"],
        {"AOAI_SPECS_MIRROR": "", "AOAI_SPECS_CACHE": "{tmp}/empty-cache"},
        "error: no surface can be checked: the spec(s) azure-openai-v1 are missing; run "
        "`aoai-conformance specs sync azure-openai-v1` where the network is reachable",
    ),
]


def test_at_least_60_bad_invocations_across_all_subcommands() -> None:
    ids = [c[0] for c in CASES] + [c[0] for c in OTHER]
    assert len(set(ids)) == len(ids) >= 60
    commands = {argv[0] for _, argv, _, _ in OTHER} | {"run"}
    assert {"run", "emulate", "specs", "generate", "contracts"} <= commands


@pytest.mark.parametrize(
    ("argv", "env", "message"), [c[1:] for c in OTHER], ids=[c[0] for c in OTHER]
)
def test_every_subcommand_refuses_bad_input_in_one_line(
    argv: list[str],
    env: dict[str, str],
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    import json
    import socket

    from generator.paths import REGISTRY_FILE

    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    (tmp_path / "registry.json").write_text(REGISTRY_FILE.read_text(encoding="utf-8"))
    json.loads((tmp_path / "registry.json").read_text(encoding="utf-8"))
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    port = str(taken.getsockname()[1])

    def fill(text: str) -> str:
        return text.replace("{tmp}", str(tmp_path)).replace("{port}", port)

    for name, value in env.items():
        if value:
            monkeypatch.setenv(name, fill(value))
        else:
            monkeypatch.delenv(name, raising=False)
    try:
        code = main([fill(a) for a in argv])
    finally:
        taken.close()
    captured = capfd.readouterr()
    assert "Traceback" not in captured.err + captured.out
    assert code == 2, captured.err
    err = captured.err
    assert err.count("\n") == 1 and err.startswith("error: "), err
    assert fill(message) in err, err


# -- one vocabulary (issue 13): the same format and profile names in every command
@pytest.mark.parametrize(
    "argv",
    [
        ["contracts", "--format", "markdown"],
        ["contracts", "--format", "md"],
        ["contracts", "--markdown"],
        ["specs", "diff", "2024-10-21", "2025-04-01-preview", "--format", "markdown"],
        ["specs", "diff", "2024-10-21", "2025-04-01-preview", "--format", "md"],
    ],
    ids=lambda argv: " ".join(argv[:1] + argv[-2:]),
)
def test_markdown_and_md_name_the_same_format(
    argv: list[str], capfd: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 0
    assert "\n# " in "\n" + capfd.readouterr().out  # a Markdown heading, not a table


def test_run_report_md_is_markdown(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    args = ["run", "--select", "ROUTE-001", "--no-schemathesis", "--surface", "dated"]
    assert main([*args, "--report", f"md:{tmp_path / 'a.md'}"]) == 0
    assert main([*args, "--report", f"markdown:{tmp_path / 'b.md'}"]) == 0
    capfd.readouterr()
    a = (tmp_path / "a.md").read_text(encoding="utf-8").splitlines()
    b = (tmp_path / "b.md").read_text(encoding="utf-8").splitlines()
    assert a[0].startswith("#") and a[0] == b[0]


def test_profile_names_are_the_same_in_run_and_emulate(capfd: pytest.CaptureFixture[str]) -> None:
    from conformance.cli.emulate import PROFILE_ALIASES, emulate
    from conformance.emulator import PROFILES

    choices = set(next(p for p in emulate.params if p.name == "profile").type.choices)
    assert {"seed-003", "seed-003-gateway"} <= choices
    assert set(PROFILE_ALIASES.values()) <= set(PROFILES)
    assert main(["run", "--profile", "nope"]) == 2
    err = capfd.readouterr().err
    assert "seed-003 (seed-003-gateway)" in err and "litellm-gateway" in err
