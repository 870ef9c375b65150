"""Every state machine: each illegal step is refused, each legal step writes one audit row."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import pytest
from sqlalchemy import func, select

from engine.base import transition
from engine.errors import IllegalTransition
from engine.transitions import MACHINES, E, allowed_events, next_status
from storage.models import AuditLog
from tests.conftest import Database


def _statuses(table: dict[tuple[StrEnum, E], StrEnum]) -> list[StrEnum]:
    kind = type(next(iter(table))[0])
    return list(kind)


CASES = [
    (machine, status, event)
    for machine, table in MACHINES.items()
    for status in _statuses(table)
    for event in E
]


@pytest.mark.parametrize(("machine", "status", "event"), CASES, ids=lambda v: str(v))
def test_each_pair_is_either_in_the_table_or_refused(
    machine: str, status: StrEnum, event: E
) -> None:
    table = MACHINES[machine]
    if (status, event) in table:
        assert next_status(machine, table, status, event) == table[(status, event)]
        assert event in allowed_events(table, status)
    else:
        with pytest.raises(IllegalTransition) as refused:
            next_status(machine, table, status, event)
        assert refused.value.params == {
            "machine": machine,
            "status": status.value,
            "event": event.value,
        }
        assert event not in allowed_events(table, status)


@dataclass
class Thing:
    status: StrEnum


async def test_every_legal_step_writes_exactly_one_audit_row(db: Database) -> None:
    steps = [(m, s, e) for m, table in MACHINES.items() for (s, e) in table]
    async with db.uow() as uow:
        for n, (machine, status, event) in enumerate(steps):
            thing = Thing(status)
            transition(
                uow,
                machine=machine,
                table=MACHINES[machine],
                obj=thing,
                attr="status",
                event=event,
                entity=machine,
                entity_id=n,
                by=None,
            )
            assert thing.status == MACHINES[machine][(status, event)]
        await uow.commit()
    async with db.sessions() as s:
        per_step = dict(
            (
                await s.execute(
                    select(AuditLog.entity_id, func.count()).group_by(AuditLog.entity_id)
                )
            ).all()
        )
        rows = (await s.scalars(select(AuditLog).order_by(AuditLog.entity_id))).all()
    assert per_step == {n: 1 for n in range(len(steps))}
    for row, (machine, status, event) in zip(rows, steps, strict=True):
        assert row.old_data == {"status": status.value}
        assert row.new_data == {
            "status": MACHINES[machine][(status, event)].value,
            "event": event.value,
        }


async def test_an_illegal_step_writes_nothing(db: Database) -> None:
    machine, table = "order", MACHINES["order"]
    delivered = _statuses(table)[3]
    async with db.uow() as uow:
        with pytest.raises(IllegalTransition):
            transition(
                uow,
                machine=machine,
                table=table,
                obj=Thing(delivered),
                attr="status",
                event=E.pay,
                entity="order",
                entity_id=1,
                by=None,
            )
        await uow.commit()
    async with db.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(AuditLog)) == 0
