"""The strict event-stream reader (conformance.http.sse) and the tolerant one."""

from __future__ import annotations

import pytest

from conformance.http.sse import escape, parse_sse, parse_strict

GOOD = 'data: {"a":1}\n\n: keep-alive\n\ndata: {"b":2}\n\ndata: [DONE]\n\n'


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_every_line_ending_of_the_format_reads_the_same(ending: str) -> None:
    stream = parse_strict(GOOD.replace("\n", ending))
    assert stream.violations == []
    assert [e.data for e in stream.events] == ['{"a":1}', '{"b":2}', "[DONE]"]
    assert stream.comments == 1


def test_multi_line_data_joins_with_lf_and_is_no_violation() -> None:
    stream = parse_strict('data: {"a":\ndata: 1}\n\ndata:[DONE]\n\n')
    assert stream.violations == []
    assert stream.events[0].data == '{"a":\n1}' and stream.events[0].data_lines == 2
    assert stream.events[1].done


def test_single_newline_framing_is_reported_with_the_bytes_escaped() -> None:
    stream = parse_strict('data: {"a":1}\ndata: {"b":2}\ndata: [DONE]\n')
    kinds = [v.kind for v in stream.violations]
    assert kinds == ["run-together", "unterminated"]
    assert '{"a":1}\\ndata: {"b":2}' in stream.violations[0].snippet
    assert stream.events == []  # nothing is ever dispatched
    # the tolerant reader still reads the content
    assert [e.data for e in parse_sse('data: {"a":1}\ndata: [DONE]\n')] == ['{"a":1}', "[DONE]"]


def test_an_unterminated_last_event_and_an_unknown_field() -> None:
    stream = parse_strict('{"a":1}\n\ndata: {"b":2}\n\ndata: [DONE]')
    assert [v.kind for v in stream.violations] == ["unknown-field", "unterminated"]
    assert [e.data for e in stream.events] == ['{"b":2}']


def test_escape_shows_control_characters() -> None:
    assert escape("a\r\n\tb\x00\u2028") == "a\\r\\n\\tb\\x00\\u2028"
    assert len(escape("x" * 500, limit=50)) == 50


def test_tolerant_reader_does_not_split_on_unicode_line_separators() -> None:
    events = parse_sse('data: {"t":"a\u2028b"}\n\n')
    assert events[0].json == {"t": "a\u2028b"}
