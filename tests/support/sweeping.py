"""What beat does each second, in one call: the deadline sweep, then the ladders' next rungs."""
from dataclasses import dataclass

from incidents import sweep
from notifications import ladder


@dataclass
class Swept:
    breached: list[int]
    warned: list[int]
    climbed: list[int]

    def __bool__(self):
        return bool(self.breached or self.warned or self.climbed)


def sweep_all(now=None) -> Swept:
    report = sweep.sweep(now=now)
    return Swept(report.breached, report.warned, ladder.climb_due(now=now))
