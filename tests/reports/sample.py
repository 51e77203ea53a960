"""A hand-built RunResult that exercises every outcome and awkward value, for report tests."""

from __future__ import annotations

from conformance.model import Finding, Outcome, RunResult, Spend

CANARY_KEY = "canary-7f3a9c2e41b84d0f"
CANARY_JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJhdWQiOiJodHRwczovL2NvZ25pdGl2ZXNlcnZpY2VzLmF6dXJlLmNvbSJ9."
    "c2lnbmF0dXJlLWNhbmFyeQ"
)
TARGET = "https://gw.example.test/openai"


def sample_result(*, interrupted: bool = False, with_secrets: bool = False) -> RunResult:
    key = CANARY_KEY if with_secrets else "$AZURE_OPENAI_API_KEY"
    findings = [
        Finding(
            clause_id="RESP-002",
            title="choices[].finish_reason is a documented value",
            outcome=Outcome.FAILED,
            severity="must",
            surface="dated",
            source="seed 004 §CompletionsFinishReason",
            reason="finish_reason is not one of stop, length, content_filter, tool_calls",
            expected="one of stop|length|content_filter|tool_calls",
            observed='"done" <script>alert(1)</script> & `ticks` | pipe',
            where="/choices/0/finish_reason",
            reproduction=(
                f"curl -sS -X POST '{TARGET}/deployments/gpt-4o-mini/chat/completions"
                "?api-version=2024-10-21' -H 'content-type: application/json' "
                f'-H \'api-key: {key}\' -d \'{{"messages":[{{"role":"user","content":"hi"}}]}}\''
            ),
            target=TARGET,
        ),
        Finding(
            clause_id="ERR-002",
            title="error responses carry x-ms-error-code",
            outcome=Outcome.FAILED,
            severity="should",
            surface="v1",
            source="seed 004 §Responses",
            reason="the 404 has no x-ms-error-code header",
            expected="header present",
            observed="absent\nsecond line of observation",
            where="header:x-ms-error-code",
            reproduction=(
                f"curl -sS '{TARGET}/v1/models' -H 'Authorization: Bearer "
                f"{CANARY_JWT if with_secrets else '$AZURE_OPENAI_AD_TOKEN'}'"
            ),
            target=TARGET,
            baselined=True,
        ),
        Finding(
            clause_id="RATE-001",
            title="a 429 carries Retry-After",
            outcome=Outcome.INCONCLUSIVE,
            severity="must",
            surface="dated",
            source="seed 004 §429 Too Many Requests",
            reason="budget exhausted before the rate limit was reached",
            target=TARGET,
        ),
        Finding(
            clause_id="FOUNDRY-001",
            title="unknown body parameter with extra-parameters: error is rejected",
            outcome=Outcome.SKIPPED,
            severity="must",
            surface="foundry",
            source="seed 004 §Request Header extra-parameters",
            reason="the target does not serve the foundry surface",
            target=TARGET,
        ),
        Finding(
            clause_id="RESP-001",
            title="non-stream object is chat.completion",
            outcome=Outcome.PASSED,
            severity="must",
            surface="dated",
            source="seed 003 §Non-Streaming Response",
            target=TARGET,
        ),
    ]
    return RunResult(
        target=TARGET,
        surfaces=["dated", "v1", "foundry"],
        findings=findings,
        spend=Spend(requests=17, prompt_tokens=210, completion_tokens=35),
        started_at="2026-11-22T01:00:00Z",
        duration_s=1.234,
        interrupted=interrupted,
        notes=["api-version 2024-10-21 (newest registered GA)"],
    )
