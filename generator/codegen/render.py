"""Render the IR through the Jinja templates in ``generator/templates``.

Logic lives in the filters below (quoting, docstrings, path expressions); the templates
only lay code out. ``ruff format`` owns the final whitespace (see ``generator.codegen.fmt``).
"""

from __future__ import annotations

import functools
import json
import textwrap
from pathlib import Path
from typing import Any

import jinja2

from generator.codegen.ir import Api, Body, Operation
from generator.codegen.surfaces import TOKEN_SCOPE

__all__ = ["TEMPLATES_DIR", "render_package", "render_root", "render_manifest", "environment"]

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "templates"


def pystr(value: str) -> str:
    """A Python string literal (double quotes, as ruff format writes them)."""
    return json.dumps(value, ensure_ascii=False)


def body_annotation(body: Body) -> str:
    if body.model:
        return f"models.{body.model} | Mapping[str, Any]"
    return "Mapping[str, Any]"


def model_ref(body: Body) -> str:
    return f"models.{body.model}" if body.model else "None"


def _doc_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')


def docstring(op: Operation, api: Api) -> str:
    summary = op.summary or f"{op.method} {op.path}"
    first, _, rest = summary.partition(". ")
    lines = textwrap.wrap(_doc_text(first.rstrip(".") + "."), 88) or [""]
    lines.append("")
    lines.append(f"``{op.method} {op.path}`` (operationId ``{op.operation_id}``).")
    if op.deprecated:
        lines.append("Deprecated by the spec.")
    if op.deployment == "path":
        lines.append("``deployment`` is the deployment name in the path.")
    elif op.deployment == "body":
        lines.append("``deployment``, when given, is sent as the body's ``model``.")
    elif op.deployment == "header":
        lines.append(
            f"``deployment``, when given, is sent as ``{api.surface.deployment_parameter}``."
        )
    documented = [p for p in op.params if p.description]
    if documented:
        lines.append("")
        lines.append("Args:")
        for p in documented:
            wrapped = textwrap.wrap(_doc_text(f"{p.python_name}: {p.description}"), 84)
            lines.extend("    " + w if i == 0 else "        " + w for i, w in enumerate(wrapped))
    models = sorted({r.model for r in op.responses if r.model and r.status.startswith("2")})
    if models:
        lines.append("")
        lines.append("Responses: " + ", ".join(f"``models.{m}``" for m in models) + ".")
    return "\n    ".join(lines).rstrip() + "\n    "


def path_expr(op: Operation) -> str:
    if not any(part.is_param for part in op.path_parts):
        return pystr(op.path)
    pieces: list[str] = []
    for part in op.path_parts:
        if part.is_param:
            pieces.append("{_runtime.path_value(" + part.text + ")}")
        else:
            literal = part.text.replace("\\", "\\\\").replace('"', '\\"')
            pieces.append(literal.replace("{", "{{").replace("}", "}}"))
    return 'f"' + "".join(pieces) + '"'


def responses_expr(op: Operation) -> str:
    by_status: dict[str, dict[str, str]] = {}
    for response in op.responses:
        target = f"models.{response.model}" if response.model else "None"
        by_status.setdefault(response.status, {})[response.media_type] = target
    inner = ", ".join(
        pystr(status) + ": {" + ", ".join(f"{pystr(m)}: {t}" for m, t in media.items()) + "}"
        for status, media in by_status.items()
    )
    return "{" + inner + "}"


def surface_doc(api: Api) -> str:
    rules = api.surface
    where = {
        "path": "the deployment goes in the path",
        "body": "the deployment goes in the body as ``model``",
        "header": f"the deployment goes in the ``{rules.deployment_parameter}`` header",
    }[rules.deployment]
    version = (
        f"``api-version={api.api_version}`` is sent by default"
        if rules.pin_api_version
        else "no api-version is sent unless given"
    )
    text = f"Paths start at ``{{endpoint}}{rules.base_path}``; {where}; {version} ({rules.source})."
    return "\n".join(textwrap.wrap(_doc_text(text), 88))


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The shared Jinja environment (templates are compiled once per process)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters.update(
        pystr=pystr,
        body_annotation=body_annotation,
        model_ref=model_ref,
        docstring=docstring,
        path_expr=path_expr,
        responses_expr=responses_expr,
        surface_doc=surface_doc,
    )
    return env


def _example(api: Api) -> str:
    """A one-line call for the package docstring: the chat-completions builder if any."""
    op = next((o for o in api.operations if o.path.endswith("/chat/completions")), None)
    if op is None:
        return ""
    args = [pystr(api.surface.endpoint_example)]
    if op.deployment is not None:
        args.append('deployment="gpt-4o-mini"')
    if op.body is not None:
        args.append('body={"messages": [{"role": "user", "content": "Hello"}]}')
    args.append('auth=auth.ApiKeyAuth("<key>")')
    return f"{op.function_name}({', '.join(args)})"


def render_package(api: Api, models_source: str) -> dict[str, str]:
    """File name → source for one package (before ruff)."""
    env = environment()
    context: dict[str, Any] = {"api": api, "token_scope": TOKEN_SCOPE, "example": _example(api)}
    return {
        "__init__.py": env.get_template("package_init.py.jinja").render(context),
        "_runtime.py": env.get_template("runtime.py.jinja").render(context),
        "auth.py": env.get_template("auth.py.jinja").render(context),
        "builders.py": env.get_template("builders.py.jinja").render(context),
        "models.py": models_source,
    }


def render_root(header: str, packages: list[tuple[str, str]]) -> str:
    return environment().get_template("root_init.py.jinja").render(header=header, packages=packages)


def render_manifest(header: str, fingerprint: str, files: list[tuple[str, str]]) -> str:
    return (
        environment()
        .get_template("manifest.py.jinja")
        .render(header=header, fingerprint=fingerprint, files=files)
    )
