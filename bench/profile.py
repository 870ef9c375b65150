"""Read a py-spy collapsed-stack file ("frame;frame;... count" lines): the frames that take
the most samples, inclusive, optionally only those of the project's own code.

python -m bench.profile /tmp/prof/shop-polling.txt [--all] [--top 25]
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

OWN = ("bot/", "handlers/", "engine/", "storage/", "nlu/")


def inclusive(path: Path, own_only: bool) -> tuple[Counter[str], int]:
    counts: Counter[str] = Counter()
    total = 0
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, n = line.rpartition(" ")
        if not n.isdigit():
            continue
        samples = int(n)
        total += samples
        frames = set(stack.split(";"))
        for frame in frames:
            if not own_only or any(part in frame for part in OWN):
                counts[frame] += samples
    return counts, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file", type=Path)
    parser.add_argument("--all", action="store_true", help="library frames too")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    counts, total = inclusive(args.file, not args.all)
    print(f"{total} samples")
    for frame, n in counts.most_common(args.top):
        print(f"{100 * n / total:5.1f}%  {frame}")


if __name__ == "__main__":
    main()
