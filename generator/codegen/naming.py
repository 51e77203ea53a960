"""Names a person would write: class names from a schema's place in the spec.

Pure string helpers with no knowledge of OpenAPI. The rules are deliberate and small:
PascalCase for classes, snake_case for functions and parameters, a namespace prefix is
dropped when the short name is unique, and a name that is already taken is never given
a number — callers pick a longer, more specific name instead (see ``prepare``).
"""

from __future__ import annotations

import keyword
import re

__all__ = [
    "RESERVED_CLASS_NAMES",
    "pascal",
    "snake",
    "singular",
    "strip_namespace",
    "distinct_parts",
    "joined",
    "words",
]

# Names the generated models module imports or that pydantic/typing own: a schema with
# one of these names would shadow an import, so it gets a "Schema" suffix instead.
RESERVED_CLASS_NAMES = frozenset(
    {
        "Annotated",
        "Any",
        "AnyUrl",
        "AwareDatetime",
        "BaseModel",
        "ConfigDict",
        "Enum",
        "Field",
        "False",
        "Literal",
        "None",
        "Optional",
        "RootModel",
        "True",
        "Union",
    }
)

_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z]|\d|\b|_)|[A-Z]?[a-z]+|[A-Z]+|\d+")


def words(text: str) -> list[str]:
    """``createChatCompletion_v2`` → ``["create", "Chat", "Completion", "v", "2"]``."""
    found: list[str] = []
    for chunk in re.split(r"[^0-9A-Za-z]+", text):
        found.extend(_WORD.findall(chunk))
    return found


def pascal(text: str) -> str:
    """``chatCompletion.request_message`` → ``ChatCompletionRequestMessage``.

    Inner capitals are kept (``JSONSchema`` stays ``JSONSchema``); a name that would
    start with a digit gets an ``N`` in front so that it is a valid identifier.
    """
    parts = [p for p in re.split(r"[^0-9A-Za-z]+", text) if p]
    name = "".join(p[:1].upper() + p[1:] for p in parts) or "Unnamed"
    if name[0].isdigit():
        name = "N" + name
    return name


def snake(text: str) -> str:
    """``createChatCompletion`` / ``Transcriptions_Create`` / ``deployment-id`` → snake_case."""
    name = "_".join(w.lower() for w in words(text)) or "unnamed"
    if name[0].isdigit():
        name = "n_" + name
    if keyword.iskeyword(name) or name in {"auth", "endpoint", "body", "httpx", "models"}:
        name += "_"
    return name


def singular(word: str) -> str | None:
    """An English singular for a PascalCase plural, or None when there is no safe one."""
    lower = word.lower()
    if lower.endswith("ies") and len(word) > 3:
        return word[:-3] + "y"
    if lower.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if lower.endswith(("ss", "us", "is")):
        return None
    if lower.endswith("s") and len(word) > 1:
        return word[:-1]
    return None


def strip_namespace(name: str) -> str:
    """``OpenAI.ChatCompletionTool`` → ``ChatCompletionTool``."""
    return name.rsplit(".", 1)[-1]


def distinct_parts(names: list[str]) -> list[str]:
    """The words that tell PascalCase names apart, without their common prefix and suffix.

    ``[ChatCompletionRequestSystemMessage, ChatCompletionRequestUserMessage]`` →
    ``[System, User]``. Falls back to the whole names when the parts are not distinct.
    """
    split = [words(n) for n in names]
    if len(split) < 2:
        return list(names)
    prefix = 0
    while all(len(w) > prefix for w in split) and len({w[prefix] for w in split}) == 1:
        prefix += 1
    suffix = 0
    while (
        all(len(w) > prefix + suffix for w in split)
        and len({w[len(w) - 1 - suffix] for w in split}) == 1
    ):
        suffix += 1
    parts = ["".join(w[prefix : len(w) - suffix]) for w in split]
    if all(parts) and len(set(parts)) == len(parts):
        return [p[:1].upper() + p[1:] for p in parts]
    return list(names)


# Words that only say a schema is an object: ``…FileCitationObject`` wraps a file citation.
_FILLER_WORDS = frozenset({"object"})


def joined(owner: str, label: str) -> str:
    """``owner + label`` without the leading words of ``label`` that ``owner`` repeats.

    At the end of the owner: ``…ContentPartImage`` + ``ImageUrl`` → ``…ContentPartImageUrl``.
    In the middle, when only filler words (``Object``) follow the repeat, they go too:
    ``…FileCitationObject`` + ``FileCitation`` → ``…FileCitation`` and ``…CodeObject`` +
    ``CodeInterpreter`` → ``…CodeInterpreter``. A label the owner ends with in full is
    kept (``…Static`` + ``Static``): dropping it would give the owner's own name.
    Callers fall back to the plain concatenation when the shorter name is taken.
    """
    owner_words, label_words = words(owner), words(label)
    if "".join(owner_words) != owner or "".join(label_words) != label:
        return owner + label  # not a plain PascalCase name: nothing to compare
    lower = [w.lower() for w in owner_words]
    head = [w.lower() for w in label_words]
    core = len(lower)
    while core > 0 and lower[core - 1] in _FILLER_WORDS:
        core -= 1
    for size in range(min(len(head), core), 0, -1):
        if lower[len(lower) - size :] == head[:size]:
            if size == len(head):
                return owner + label
            return "".join(owner_words + label_words[size:])
        if core < len(lower) and lower[core - size : core] == head[:size]:
            return "".join(owner_words[:core] + label_words[size:])
    return owner + label
