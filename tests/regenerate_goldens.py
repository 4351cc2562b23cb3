"""Write every golden (`make goldens`). Read each changed field in the diff before committing."""

from __future__ import annotations

import sys

from tests.goldens import crawl_folder, dump, parse_cases, snapshot_folders


def main(only: list[str]) -> None:
    for case in parse_cases():
        if only and case.slug not in only:
            continue
        dump(case.expected_path, case.run())
        print(f"wrote {case.expected_path}")
    for slug, folder in snapshot_folders():
        if only and slug not in only:
            continue
        dump(folder / "crawl.expected.json", crawl_folder(slug, folder))
        print(f"wrote {folder / 'crawl.expected.json'}")


if __name__ == "__main__":
    main(sys.argv[1:])
