"""Secrets never reach a report byte; report specs are checked up front; writes are atomic."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from rich.console import Console

from conformance.http.redact import MASK, redact
from conformance.model import Outcome
from conformance.reports import FORMATS, ReportWriteError, parse_report_spec, write_report
from conformance.reports.console import ConsoleReporter
from generator.errors import UsageError
from tests.reports.sample import CANARY_JWT, CANARY_KEY, sample_result

ENV_CANARY = "env-canary-5d1e0b7a9c"


def _with_unshaped_leaks() -> object:
    """A result where the canaries also appear where no header pattern would catch them."""
    result = sample_result(with_secrets=True)
    result.findings[0].observed = f"the body echoed {CANARY_KEY} and {ENV_CANARY}"
    result.findings[2].reason = f"token {CANARY_JWT} rejected"
    result.notes.append(f"auth header was api-key:{CANARY_KEY}")
    result.target = f"https://user:{CANARY_KEY}@gw.example.test/openai"
    return result


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_no_report_byte_contains_a_canary(
    tmp_path: Path, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", ENV_CANARY)
    path = tmp_path / f"report.{fmt}"
    write_report(_with_unshaped_leaks(), fmt, path, secrets=[CANARY_KEY])  # type: ignore[arg-type]
    data = path.read_bytes()
    for canary in (CANARY_KEY, ENV_CANARY, CANARY_JWT, CANARY_JWT.split(".")[1]):
        assert canary.encode() not in data, (fmt, canary)
    assert MASK.encode() in data


def test_console_never_prints_a_canary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", ENV_CANARY)
    buffer = io.StringIO()
    reporter = ConsoleReporter(Console(file=buffer, width=120), verbose=True, secrets=[CANARY_KEY])
    result = _with_unshaped_leaks()
    reporter.start(len(result.findings))  # type: ignore[attr-defined]
    for finding in result.findings:  # type: ignore[attr-defined]
        reporter.advance(finding)
    reporter.finish(result)  # type: ignore[arg-type]
    out = buffer.getvalue()
    for canary in (CANARY_KEY, ENV_CANARY, CANARY_JWT):
        assert canary not in out
    assert "RESP-002" in out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-H 'api-key: abc123secret'", f"-H 'api-key: {MASK}'"),
        ('{"api-key": "abc123secret"}', f'{{"api-key": "{MASK}"}}'),
        ("Ocp-Apim-Subscription-Key: zzz999", f"Ocp-Apim-Subscription-Key: {MASK}"),
        ("?api-key=abc123&x=1", f"?api-key={MASK}&x=1"),
        ("Authorization: Bearer tok.en-123", f"Authorization: {'Bearer'} {MASK}"),
        ("authorization: bearer tok", f"authorization: bearer {MASK}"),
        (f"saw {CANARY_JWT} here", f"saw {MASK} here"),
        ("https://u:p4ss@host/x", f"https://{MASK}@host/x"),
        # a shell variable is how a reproduction says "your key here": kept
        ('-H "api-key: $AZURE_OPENAI_API_KEY"', '-H "api-key: $AZURE_OPENAI_API_KEY"'),
        ("Authorization: Bearer $TOKEN", "Authorization: Bearer $TOKEN"),
        ("nothing secret here", "nothing secret here"),
        ("Entra bearer tokens are accepted", "Entra bearer tokens are accepted"),
        ("Authorization: Basic dXNlcjpwYXNz", f"Authorization: Basic {MASK}"),
        ('{"authorization": "opaque"}', f'{{"authorization": "{MASK}"}}'),
        ("the authorization header is missing", "the authorization header is missing"),
        ("Bearer abcdefghijklmnopqrstuvwxyz", f"Bearer {MASK}"),
    ],
)
def test_redaction_rules(text: str, expected: str) -> None:
    assert redact(text) == expected
    assert redact(redact(text)) == expected  # idempotent


def test_redaction_by_value_and_short_values() -> None:
    assert redact("echo s3cr3t-value!", ["s3cr3t-value"]) == f"echo {MASK}!"
    # a 3-character "secret" would mask ordinary words; shape rules still apply to it
    assert redact("the abc of it", ["abc"]) == "the abc of it"
    assert redact("api-key: abc", ["abc"]) == f"api-key: {MASK}"


# -- report specs -----------------------------------------------------------------------


def test_parse_report_spec_ok(tmp_path: Path) -> None:
    assert parse_report_spec(f"junit:{tmp_path}/out/j.xml") == ("junit", tmp_path / "out" / "j.xml")
    assert parse_report_spec(f"JSON:{tmp_path}/r.json")[0] == "json"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            "xml:out.xml",
            "report format 'xml' in 'xml:out.xml' is unknown; use one of json, junit, "
            "markdown, html (e.g. --report junit:reports/conformance.xml)",
        ),
        (
            "out.json",
            "report 'out.json' must be FORMAT:PATH with FORMAT one of json, junit, markdown, "
            "html (e.g. --report junit:reports/conformance.xml)",
        ),
        ("json:", "report 'json:' must be FORMAT:PATH"),
    ],
)
def test_parse_report_spec_errors(spec: str, message: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_report_spec(spec)
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value) and info.value.exit_code == 2


def test_parse_report_spec_rejects_unwritable_places(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(UsageError, match="is not writable; pick a path in a writable folder"):
        parse_report_spec(f"json:{blocker}/sub/report.json")
    with pytest.raises(UsageError, match="is a folder; give a file name"):
        parse_report_spec(f"json:{tmp_path}")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere; permissions cannot fail")
def test_parse_report_spec_rejects_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir(mode=0o500)
    with pytest.raises(UsageError, match="is not writable"):
        parse_report_spec(f"json:{folder}/r.json")


def test_write_report_creates_folders_and_replaces_atomically(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "report.md"
    write_report(sample_result(), "markdown", path)
    first = path.read_text(encoding="utf-8")
    result = sample_result()
    result.findings[0].outcome = Outcome.PASSED
    write_report(result, "markdown", path)
    assert path.read_text(encoding="utf-8") != first
    assert [p.name for p in path.parent.iterdir()] == ["report.md"]  # no temp files left
    assert oct(path.stat().st_mode & 0o777) == "0o644"


def test_write_report_failure_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ReportWriteError) as info:
        write_report(sample_result(), "json", blocker / "r.json")
    assert str(info.value).startswith(f"cannot write json report to '{blocker / 'r.json'}': ")
    assert info.value.exit_code == 2
