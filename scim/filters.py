"""The subset of SCIM filters and PATCH paths the portal understands
(RFC 7644 §3.4.2.2, §3.5.2), parsed by hand: a few dozen lines cover what
Entra ID, Okta and Google send (``userName eq "…"``, ``externalId eq``,
``emails.value eq``, ``and``; paths such as ``emails[type eq "work"].value``
and ``urn:…:enterprise:2.0:User:department``). README: why not a library.

Attribute names are case-insensitive (RFC 7643 §2.1), so every name is
lowered here and matched lowered."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from scim.errors import ScimError

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<paren>[()\[\]])
      | (?P<word>[A-Za-z0-9_:.$\-]+)
    )""",
    re.VERBOSE,
)
OPERATORS = {"eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"}
URN_PREFIX = "urn:"


@dataclass(frozen=True)
class Comparison:
    attr: str  # lowered, full dotted path without schema URN: "emails.value"
    op: str  # lowered operator, or "pr"
    value: Any = None


def _tokens(text: str) -> list[str]:
    out: list[str] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ScimError(400, "invalidFilter", f"Unreadable filter near {text[pos:pos + 20]!r}.")
        out.append(m.group("string") or m.group("paren") or m.group("word"))
        pos = m.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return out


def strip_schema(attr: str) -> str:
    """``urn:…:enterprise:2.0:User:department`` → ``department`` with the
    URN kept apart by the caller when it matters; a plain name as it is."""
    if attr.lower().startswith(URN_PREFIX):
        return attr.rsplit(":", 1)[1]
    return attr


def _value(token: str) -> Any:
    if token.startswith('"'):
        return json.loads(token)
    low = token.lower()
    if low in ("true", "false"):
        return low == "true"
    if low == "null":
        return None
    try:
        return json.loads(token)
    except ValueError:
        raise ScimError(400, "invalidFilter", f"Unreadable value {token!r}.") from None


def parse_filter(text: str, *, prefix: str = "") -> list[Comparison]:
    """A conjunction of comparisons: ``a eq "x" and b pr``. ``or``, ``not``
    and grouping are refused with ``invalidFilter`` (no directory we serve
    sends them for users or groups)."""
    tokens = _tokens(text)
    result: list[Comparison] = []
    i = 0
    while i < len(tokens):
        if i + 1 >= len(tokens):
            raise ScimError(400, "invalidFilter", "Incomplete filter.")
        attr = tokens[i]
        if attr in "()[]" or attr.lower() in ("or", "not", "and"):
            raise ScimError(400, "invalidFilter", "Only comparisons joined by 'and' are supported.")
        name = (prefix + strip_schema(attr)).lower()
        op = tokens[i + 1].lower()
        if op == "pr":
            result.append(Comparison(name, "pr"))
            i += 2
        elif op in OPERATORS and i + 2 < len(tokens):
            result.append(Comparison(name, op, _value(tokens[i + 2])))
            i += 3
        else:
            raise ScimError(400, "invalidFilter", f"Unsupported operator {tokens[i + 1]!r}.")
        if i < len(tokens):
            if tokens[i].lower() != "and":
                raise ScimError(400, "invalidFilter", "Only comparisons joined by 'and' are supported.")
            i += 1
            if i == len(tokens):
                raise ScimError(400, "invalidFilter", "Incomplete filter.")
    return result


@dataclass(frozen=True)
class Path:
    """A PATCH path: ``attr``, ``attr.sub``, ``attr[filter]`` or
    ``attr[filter].sub``, with an optional schema URN in front."""

    schema: str  # lowered URN, or ""
    attr: str  # lowered
    value_filter: tuple[Comparison, ...] = ()
    sub: str = ""  # lowered


_PATH = re.compile(r"^(?P<attr>[A-Za-z0-9_$\-]+)(?:\[(?P<filter>.*)\])?(?:\.(?P<sub>[A-Za-z0-9_$\-]+))?$", re.S)


def parse_path(text: str) -> Path:
    text = (text or "").strip()
    schema = ""
    if text.lower().startswith(URN_PREFIX):
        # urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department
        # – the schema URN ends where the attribute name starts (after the
        # last ':' outside any brackets).
        head = text.split("[", 1)[0]
        schema, _colon, rest = head.rpartition(":")
        text = rest + text[len(head):]
        schema = schema.lower()
    m = _PATH.match(text)
    if not m:
        raise ScimError(400, "invalidPath", f"Unsupported path {text!r}.")
    attr = m.group("attr").lower()
    sub = (m.group("sub") or "").lower()
    if "." in attr:
        attr, sub = attr.split(".", 1)
    value_filter = tuple(parse_filter(m.group("filter"))) if m.group("filter") else ()
    return Path(schema=schema, attr=attr, value_filter=value_filter, sub=sub)


def matches(item: dict[str, Any], comparisons: tuple[Comparison, ...]) -> bool:
    """Whether a multi-valued attribute's item (``{"type": "work", …}``)
    satisfies a value filter such as ``[type eq "work"]``."""
    lowered = {str(k).lower(): v for k, v in item.items()}
    for c in comparisons:
        value = lowered.get(c.attr)
        if c.op == "pr":
            if value in (None, ""):
                return False
        elif c.op == "eq":
            if isinstance(value, str) and isinstance(c.value, str):
                if value.lower() != c.value.lower():
                    return False
            elif value != c.value:
                return False
        else:
            return False
    return True
