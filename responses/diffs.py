"""What changed between two texts, character by character (Chinese has no spaces to split on):
for the approval inbox, the draft page and the API."""
from dataclasses import dataclass
from difflib import SequenceMatcher


@dataclass(frozen=True)
class Segment:
    op: str  # "equal", "insert" or "delete"
    text: str


def segments(old: str, new: str) -> list[Segment]:
    """The new text as runs kept, inserted and deleted relative to the old one."""
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    runs: list[Segment] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            runs.append(Segment("equal", new[j1:j2]))
            continue
        if i2 > i1:
            runs.append(Segment("delete", old[i1:i2]))
        if j2 > j1:
            runs.append(Segment("insert", new[j1:j2]))
    return runs

