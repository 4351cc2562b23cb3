"""Write every golden (`make goldens`). Read each changed field in the diff before committing."""

from __future__ import annotations

import sys

from aggregator.devtools.goldens import refresh

if __name__ == "__main__":
    for path in refresh(sys.argv[1:]):
        print(f"wrote {path}")
