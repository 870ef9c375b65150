"""Each state machine's table is the whole truth about its steps: every (status, event) pair
of every machine is either a listed step or refused by name. (Whether the operations use the
tables is tested through the operations, in tests/integration.)"""

from __future__ import annotations

from enum import StrEnum

import pytest

from engine.errors import IllegalTransition
from engine.transitions import MACHINES, E, allowed_events, next_status


def test_each_pair_is_either_in_the_table_or_refused() -> None:
    checked = 0
    for machine, table in MACHINES.items():
        statuses: list[StrEnum] = list(type(next(iter(table))[0]))
        for status in statuses:
            allowed = allowed_events(table, status)
            for event in E:
                checked += 1
                if (status, event) in table:
                    assert next_status(machine, table, status, event) == table[(status, event)]
                    assert event in allowed, (machine, status, event)
                    continue
                with pytest.raises(IllegalTransition) as refused:
                    next_status(machine, table, status, event)
                assert refused.value.params == {
                    "machine": machine,
                    "status": status.value,
                    "event": event.value,
                }
                assert event not in allowed, (machine, status, event)
    assert len(MACHINES) >= 5  # the loops really ran
    assert checked >= 5 * 2 * len(E)
