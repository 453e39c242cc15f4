"""Write the model back as YAML in the input format (the inverse of :mod:`matrix.load`).

Used to generate test and benchmark inputs, and by anything that produces
directive files for a clerk to review.
"""
from __future__ import annotations

from typing import Any

import yaml

from .model import ANY_PROVINCE, Agency, Directive, Registry, Role, Task


class _Dumper(yaml.SafeDumper):
    """Block scalars for multi-line text, so a clerk can edit it."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def _dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1_000_000)


def _task(task: Task, registry: Registry) -> dict[str, Any]:
    data: dict[str, Any] = {"id": task.id, "text": task.text}
    assign: dict[str, list[str]] = {}
    for role in Role:
        names = [a.written for a in task.assignments if a.role is role]
        if names:
            assign[role.value] = names
    if assign:
        data["assign"] = assign
    for key in ("title", "deadline", "report"):
        if getattr(task, key):
            data[key] = getattr(task, key)
    if task.due:
        data["due"] = task.due[0].isoformat() if len(task.due) == 1 else [d.isoformat() for d in task.due]
    for key in ("targets", "notes"):
        if getattr(task, key):
            data[key] = list(getattr(task, key))
    if task.tasks:
        data["tasks"] = [_task(t, registry) for t in task.tasks]
    return data


def dump_directive(directive: Directive, registry: Registry) -> str:
    """The YAML text of one directive file."""
    d = directive
    data: dict[str, Any] = {"id": d.id, "kind": d.kind}
    for key in ("number", "symbol"):
        if getattr(d, key):
            data[key] = getattr(d, key)
    if d.date:
        data["date"] = d.date.isoformat()
    if d.as_of:
        data["as_of"] = d.as_of.isoformat()
    for key in ("place", "province"):
        if getattr(d, key):
            data[key] = getattr(d, key)
    issuer: dict[str, Any] = {"name": d.issuer.name, "kind": d.issuer.kind.value}
    if d.issuer.header:
        issuer["header"] = list(d.issuer.header)
    if d.issuer.short:
        issuer["short"] = d.issuer.short
    data["issuer"] = issuer
    data["title"] = d.title
    signer = {k: v for k, v in (("authority", list(d.signer.authority)), ("title", d.signer.title), ("name", d.signer.name)) if v}
    if signer:
        data["signer"] = signer
    for key in ("recipients", "distribution", "closing", "notes"):
        if getattr(d, key):
            data[key] = list(getattr(d, key))
    if d.preamble:
        data["preamble"] = d.preamble
    data["tasks"] = [_task(t, registry) for t in d.tasks]
    return _dump(data)


def _agency(agency: Agency) -> dict[str, Any]:
    data: dict[str, Any] = {"id": agency.id, "name": agency.name, "short": agency.short, "block": agency.block}
    if agency.requested:
        data["requested"] = True
    if agency.aliases:
        data["aliases"] = list(agency.aliases)
    if agency.province:
        data["province"] = agency.province
    for key in ("valid_from", "valid_to"):
        if getattr(agency, key):
            data[key] = getattr(agency, key).isoformat()
    if agency.successor:
        data["successor"] = agency.successor
    if agency.is_group and agency.members:
        data["members"] = {p: list(m) for p, m in agency.members.items()}
    return data


def dump_registry(registry: Registry) -> str:
    """The YAML text of a registry file."""
    data = {
        "provinces": dict(registry.provinces),
        "blocks": [{"id": b.id, "name": b.name} for b in registry.blocks],
        "agencies": [_agency(a) for a in registry.agencies if not a.is_group],
        "groups": [_agency(a) for a in registry.agencies if a.is_group],
    }
    if not data["groups"]:
        del data["groups"]
    return _dump(data).replace(f"'{ANY_PROVINCE}':", f'"{ANY_PROVINCE}":')
