"""docs/configuration.md, generated from the Settings class so that the reference cannot drift.

Every setting's environment variable, type, limits, default and description
come from bot/settings.py; `patientbot config-doc` writes the page and
`patientbot config-doc --check` (run by the test suite) fails when the page
is out of date. Defaults that are paths inside the checkout show it as
`<checkout>`, so the page does not depend on where it was generated.
"""

from __future__ import annotations

import typing
from typing import Any

from pydantic import SecretStr
from pydantic.fields import ModelField

from bot.paths import ROOT
from bot.settings import Settings

HEADER = """# Configuration reference

Generated from `bot/settings.py` by `patientbot config-doc`; do not edit by hand.

Every setting is read from the environment (prefix `PATIENTBOT_`) or from
`var/patientbot.env`, which `make setup` writes with fresh secrets for this
machine and extends with any secret a newer version needs. Secrets have no
default: a process refuses to start without them. The action server
(actions/) reads only the variables named in docs/operations.md.

| Variable | Type | Default | Description |
| --- | --- | --- | --- |
"""


def _type(field: ModelField) -> str:
    outer = field.outer_type_
    if typing.get_origin(outer) is typing.Literal:
        kind = " \\| ".join(f"`{value}`" for value in typing.get_args(outer))
    elif issubclass(field.type_, SecretStr):
        kind = "secret"
    elif field.type_ is bool:
        kind = "boolean"
    elif issubclass(field.type_, int):
        kind = "integer"
    elif issubclass(field.type_, float):
        kind = "number"
    elif field.type_.__name__ == "AnyHttpUrl":
        kind = "URL"
    elif field.type_.__name__.endswith("Path"):
        kind = "path"
    else:
        kind = "text"
    info = field.field_info
    limits = [f"{op} {value}" for op, value in ((">=", info.ge), (">", info.gt), ("<=", info.le)) if value is not None]
    return kind + (f" ({', '.join(limits)})" if limits else "")


def _default(field: ModelField) -> str:
    if field.required:
        return "**required**"
    value: Any = field.default
    if value is None:
        return "none"
    text = str(value).lower() if isinstance(value, bool) else str(value)
    return f"`{text.replace(str(ROOT), '<checkout>')}`"


def render() -> str:
    """The whole page: one table row per setting, in the order bot/settings.py declares them."""
    rows = []
    for name, field in Settings.__fields__.items():
        description = (field.field_info.description or "").replace("|", "\\|")
        rows.append(
            f"| `PATIENTBOT_{name.upper()}` | {_type(field)} | {_default(field)} | {description} |"
        )
    return HEADER + "\n".join(rows) + "\n"
