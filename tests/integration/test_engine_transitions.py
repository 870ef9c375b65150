"""Every state machine's step writes one audit row, an illegal one nothing (the tables
themselves: tests/unit/test_transition_tables.py)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import pytest
from sqlalchemy import func, select

from engine.base import transition
from engine.errors import IllegalTransition
from engine.transitions import MACHINES, E
from storage.models import AuditLog
from tests.conftest import Database


def _statuses(table: dict[tuple[StrEnum, E], StrEnum]) -> list[StrEnum]:
    kind = type(next(iter(table))[0])
    return list(kind)


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
