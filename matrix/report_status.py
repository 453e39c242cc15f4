"""`matrix status` output: per agency, the counts of the four states and the overdue items."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from .model import Corpus, format_date
from .text import shorten
from .tracking import STATES, State, Status, unread_phrases


def by_agency(statuses: Sequence[Status]) -> dict[str, list[Status]]:
    """Statuses grouped per agency id, agencies with overdue items first, then by name."""
    groups: dict[str, list[Status]] = defaultdict(list)
    for status in statuses:
        groups[status.entry.agency.id].append(status)

    def order(item: tuple[str, list[Status]]) -> tuple[int, str]:
        overdue = sum(s.state is State.OVERDUE for s in item[1])
        return (-overdue, item[1][0].entry.agency.name)

    return dict(sorted(groups.items(), key=order))


def counts(statuses: Sequence[Status]) -> dict[State, int]:
    out = {state: 0 for state in STATES}
    for status in statuses:
        out[status.state] += 1
    return out


def status_text(statuses: Sequence[Status], as_of: dt.date, corpus: Corpus) -> str:
    lines = [f"Tình hình thực hiện đến ngày {format_date(as_of)} ({len(statuses)} lượt giao chủ trì, thực hiện)."]
    total = counts(statuses)
    lines.append("Tổng: " + "; ".join(f"{state.value}: {n}" for state, n in total.items()))
    for _, group in by_agency(statuses).items():
        agency = group[0].entry.agency
        c = counts(group)
        lines.append("")
        lines.append(f"{agency.name}: " + "; ".join(f"{state.value} {n}" for state, n in c.items() if n))
        for status in group:
            if status.state is not State.OVERDUE:
                continue
            row = status.entry.row
            since = format_date(status.overdue_since)
            lines.append(
                f"  - quá hạn từ {since}: {row.directive.kind} {row.directive.reference or row.directive.id}, "
                f"mục {row.task.id}: {shorten(row.task.text, 90)}"
            )
    unread = [u for u in unread_phrases(corpus) if not u.open_ended]
    if unread:
        lines.append("")
        lines.append(f"Không đọc được thời hạn ({len(unread)} chỗ, hãy ghi 'due:' nếu cần theo dõi):")
        lines.extend(f"  - {u.directive}, mục {u.task}, {u.field}: {shorten(u.text, 90)}" for u in unread)
    return "\n".join(lines)


def status_json(statuses: Sequence[Status], as_of: dt.date) -> str:
    agencies: list[dict[str, Any]] = []
    for agency_id, group in by_agency(statuses).items():
        agencies.append(
            {
                "agency": agency_id,
                "name": group[0].entry.agency.name,
                "counts": {state.value: n for state, n in counts(group).items()},
                "items": [
                    {
                        "directive": s.entry.row.directive.id,
                        "task": s.entry.row.task.id,
                        "role": s.entry.role.value,
                        "state": s.state.value,
                        "deadline": s.deadline.isoformat() if s.deadline else None,
                        "next_due": s.next_due.isoformat() if s.next_due else None,
                        "missed_reports": [d.isoformat() for d in s.missed],
                        "reports": [
                            {"date": r.date.isoformat(), "number": r.number, "done": r.done} for r in s.records
                        ],
                    }
                    for s in group
                ],
            }
        )
    return json.dumps(
        {"as_of": as_of.isoformat(), "counts": {s.value: n for s, n in counts(statuses).items()}, "agencies": agencies},
        ensure_ascii=False,
        indent=2,
    )
