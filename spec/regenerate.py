#!/usr/bin/env python3
"""Regenerate atlas-admin-v2-subset.json in this folder.

The cutter and the full spec live in shared/atlas-openapi (make_subset.py, v2.yaml); this
wrapper adds the operation families this repository needs beyond the shared subset (service
accounts, used by the sandbox's OAuth emulation) and writes here.

    python3 spec/regenerate.py [--atlas-openapi DIR]   # default: ../../shared/atlas-openapi
"""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

EXTRA_FAMILIES = {
    "service_accounts": [
        "listOrgServiceAccounts", "createOrgServiceAccount", "getOrgServiceAccount",
        "updateOrgServiceAccount", "deleteOrgServiceAccount",
    ],
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--atlas-openapi",
                    default=os.path.normpath(os.path.join(HERE, "..", "..", "shared", "atlas-openapi")))
    args, rest = ap.parse_known_args()
    sys.path.insert(0, args.atlas_openapi)
    import make_subset  # noqa: E402  (found through --atlas-openapi)

    for family, ops in EXTRA_FAMILIES.items():
        make_subset.OPERATIONS.setdefault(family, [])
        for op in ops:
            if op not in make_subset.OPERATIONS[family]:
                make_subset.OPERATIONS[family].append(op)
    sys.argv = [sys.argv[0], "--input", os.path.join(args.atlas_openapi, "v2.yaml"),
                "--output", os.path.join(HERE, "atlas-admin-v2-subset.json")] + rest
    make_subset.main()


if __name__ == "__main__":
    main()
