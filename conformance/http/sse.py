"""Server-sent event streams: a strict reading per the event-stream format, and a tolerant one.

The strict reader follows the WHATWG HTML Living Standard §9.2 "Server-sent events"
(§9.2.5 Parsing an event stream, §9.2.6 Interpreting an event stream): lines end with
CRLF, LF or CR; a line starting with ``:`` is a comment; ``field: value`` (one space after
the colon is dropped) sets ``data``, ``event``, ``id`` or ``retry``; several ``data:`` lines
of one event are joined with LF; an empty line dispatches the event; an event that the
stream ends before its blank line is never dispatched. Each departure from that framing
(or from what a chat-completions stream sends in it: one JSON chunk or ``[DONE]`` per
event) is a :class:`Violation` with the offending text, so a check can report it.

The tolerant reader (:func:`parse_sse`) reads every ``data:`` line as one event, whatever
the framing around it: it is what the content clauses use, so that a framing fault is
reported once, by the framing clauses, and not again by every clause that reads content.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "SseEvent",
    "parse_sse",
    "StrictEvent",
    "Violation",
    "StrictStream",
    "parse_strict",
    "escape",
    "FIELDS",
]

#: The field names the event-stream format interprets (§9.2.6); others are ignored.
FIELDS = ("data", "event", "id", "retry")

_LINE_END = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class SseEvent:
    """One ``data:`` line of a server-sent event stream (``json`` is None if unparseable)."""

    data: str
    json: Any = None
    parse_error: str | None = None

    @property
    def done(self) -> bool:
        return self.data.strip() == "[DONE]"


def _event(data: str) -> SseEvent:
    if data.strip() == "[DONE]":
        return SseEvent(data)
    try:
        return SseEvent(data, json.loads(data))
    except ValueError as exc:
        return SseEvent(data, None, str(exc))


def parse_sse(text: str) -> list[SseEvent]:
    """The tolerant reading: every ``data:`` line is one event, in order; JSON is parsed.

    Lines are split on CR, LF and CRLF only (a JSON string may hold U+2028 unescaped).
    """
    events: list[SseEvent] = []
    for line in _LINE_END.split(text):
        if line.startswith("data:"):
            events.append(_event(line[5:].lstrip(" ")))
    return events


@dataclass(frozen=True)
class StrictEvent:
    """One dispatched event: its joined data, type, the number of data lines, its offset."""

    data: str
    event: str = "message"
    data_lines: int = 1
    offset: int = 0

    @property
    def done(self) -> bool:
        return self.data.strip() == "[DONE]"


@dataclass(frozen=True)
class Violation:
    """One framing violation: which rule, where (character offset), and the text there."""

    kind: str  # "unterminated" | "run-together" | "unknown-field"
    offset: int
    message: str
    snippet: str  # the offending text, escaped (see :func:`escape`)


@dataclass
class StrictStream:
    events: list[StrictEvent] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    comments: int = 0

    def of_kind(self, kind: str) -> list[Violation]:
        return [v for v in self.violations if v.kind == kind]


def escape(text: str, limit: int = 120) -> str:
    r"""``text`` with line endings, tabs and other control characters escaped (``\n``,
    ``\r``, ``\x00``), cut to about ``limit`` characters, so it shows on one report line."""
    out = []
    for char in text:
        if char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif char == "\t":
            out.append("\\t")
        elif char == "\\":
            out.append("\\\\")
        elif ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0 or char in "\u2028\u2029\ufeff":
            out.append(f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")
        else:
            out.append(char)
    shown = "".join(out)
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


def _is_chunk(data: str) -> bool:
    if data.strip() == "[DONE]":
        return True
    try:
        json.loads(data)
    except ValueError:
        return False
    return True


def _window(text: str, start: int, end: int, before: int = 40, after: int = 40) -> str:
    """The text around ``start..end`` (``...`` where it is cut), escaped."""
    lo, hi = max(0, start - before), min(len(text), end + after)
    shown = escape(text[lo:hi], limit=10_000)
    return ("..." if lo else "") + shown + ("..." if hi < len(text) else "")


def parse_strict(text: str) -> StrictStream:
    """Read ``text`` as an event stream, strictly; collect the framing violations.

    Violations:

    - ``unterminated``: the stream ends inside an event (no blank line after its last
      field line); per §9.2.6 such an event is never dispatched.
    - ``run-together``: one event holds several ``data:`` lines that are each a complete
      chunk (JSON or ``[DONE]``) but together are not: events separated by a single line
      ending instead of a blank line. A reader that follows the format (the openai SDK
      does) joins them and cannot parse the result.
    - ``unknown-field``: a line that is neither a comment nor one of the fields the
      format interprets (``data``, ``event``, ``id``, ``retry``); the format ignores it,
      so whatever it carried is lost (e.g. a JSON chunk sent without ``data:``).
    """
    stream = StrictStream()
    if text.startswith("\ufeff"):  # §9.2.5: one leading BOM is skipped
        text = text[1:]
    data: list[str] = []
    event_type = ""
    event_start: int | None = None  # offset of the first field line of the pending event
    position = 0
    for match in [*_LINE_END.finditer(text), None]:
        end = match.start() if match is not None else len(text)
        line = text[position:end]
        line_start = position
        position = match.end() if match is not None else len(text)
        if match is None and line == "":
            break  # the stream ended right after a line ending
        if match is None:
            # §9.2.5: the last line has no line ending, so it never completes (the
            # pending event, with this line in it, is not dispatched)
            event_start = line_start if event_start is None else event_start
            break
        if line == "":
            if event_start is not None:
                _dispatch(stream, text, data, event_type, event_start, line_start)
            data, event_type, event_start = [], "", None
            continue
        if line.startswith(":"):
            stream.comments += 1
            continue
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if event_start is None:
            event_start = line_start
        if name == "data":
            data.append(value)
        elif name == "event":
            event_type = value
        elif name in ("id", "retry"):
            pass
        else:
            stream.violations.append(
                Violation(
                    "unknown-field",
                    line_start,
                    f"line is neither a comment nor a data:/event:/id:/retry: field "
                    f"(field name {escape(name, 30)!r}); the format ignores it",
                    _window(text, line_start, end, before=0, after=0),
                )
            )
    if event_start is not None:
        _run_together(stream, text, data, event_start, len(text))
        stream.violations.append(
            Violation(
                "unterminated",
                event_start,
                "the stream ends inside an event: no blank line after its last line, "
                "so the event is never dispatched",
                _window(text, event_start, len(text), before=0, after=0)
                if len(text) - event_start <= 80
                else "..." + escape(text[-80:], limit=10_000),
            )
        )
    return stream


def _dispatch(
    stream: StrictStream, text: str, data: list[str], event_type: str, start: int, end: int
) -> None:
    if not data:
        return  # §9.2.6: an event with an empty data buffer is not dispatched
    _run_together(stream, text, data, start, end)
    stream.events.append(StrictEvent("\n".join(data), event_type or "message", len(data), start))


def _run_together(stream: StrictStream, text: str, data: list[str], start: int, end: int) -> None:
    if len(data) > 1 and not _is_chunk("\n".join(data)) and all(_is_chunk(d) for d in data):
        found = _LINE_END.search(text, start, end)
        first_end = found.start() if found is not None else start
        stream.violations.append(
            Violation(
                "run-together",
                start,
                f"{len(data)} data: lines, each a complete chunk, form one event: the events "
                "are separated by a single line ending, not by a blank line",
                _window(text, first_end, first_end + 1),
            )
        )
