"""Write the model back as YAML in the input format (the inverse of :mod:`matrix.load`).

Used to generate test and benchmark inputs, and by anything that produces
directive files for a clerk to review.
"""

from __future__ import annotations

from typing import Any

import yaml

from .model import ANY_PROVINCE, Agency, Directive, Registry, Role, Task
from .schema import AGENCY, DIRECTIVE, ISSUER, SIGNER, TASK


class _Dumper(yaml.SafeDumper):
    """Block scalars for multi-line text, so a clerk can edit it."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def _dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1_000_000)


def _dates(dates: tuple[Any, ...]) -> Any:
    return dates[0].isoformat() if len(dates) == 1 else [d.isoformat() for d in dates]


def _task(task: Task, registry: Registry) -> dict[str, Any]:
    assign = {role.value: [a.written for a in task.assignments if a.role is role] for role in Role}
    return TASK.ordered(
        {
            "id": task.id,
            "text": task.text,
            "assign": {k: v for k, v in assign.items() if v},
            "title": task.title,
            "deadline": task.deadline,
            "report": task.report,
            "due": _dates(task.due) if task.due else None,
            "targets": list(task.targets),
            "notes": list(task.notes),
            "tasks": [_task(t, registry) for t in task.tasks],
        }
    )


def dump_directive(directive: Directive, registry: Registry) -> str:
    """The YAML text of one directive file, keys in the order of :data:`matrix.schema.DIRECTIVE`."""
    d = directive
    issuer = ISSUER.ordered(
        {"name": d.issuer.name, "kind": d.issuer.kind.value, "header": list(d.issuer.header), "short": d.issuer.short}
    )
    signer = SIGNER.ordered({"authority": list(d.signer.authority), "title": d.signer.title, "name": d.signer.name})
    data = DIRECTIVE.ordered(
        {
            "id": d.id,
            "kind": d.kind,
            "number": d.number,
            "symbol": d.symbol,
            "date": d.date.isoformat() if d.date else None,
            "as_of": d.as_of.isoformat() if d.as_of else None,
            "place": d.place,
            "province": d.province,
            "issuer": issuer,
            "title": d.title,
            "signer": signer,
            "recipients": list(d.recipients),
            "distribution": list(d.distribution),
            "preamble": d.preamble,
            "closing": list(d.closing),
            "notes": list(d.notes),
        }
    )
    data["tasks"] = [_task(t, registry) for t in d.tasks]  # required: written even when empty
    return _dump(data)


def _agency(agency: Agency) -> dict[str, Any]:
    return AGENCY.ordered(
        {
            "id": agency.id,
            "name": agency.name,
            "short": agency.short,
            "block": agency.block,
            "requested": True if agency.requested else None,
            "aliases": list(agency.aliases),
            "province": agency.province,
            "valid_from": agency.valid_from.isoformat() if agency.valid_from else None,
            "valid_to": agency.valid_to.isoformat() if agency.valid_to else None,
            "successor": agency.successor,
            "members": {p: list(m) for p, m in agency.members.items()} if agency.is_group else None,
        }
    )


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
