#!/usr/bin/env bash
# The benchmark command: release builds, then every benchmark, printed as a table.
# Pass names (startup, digest, sandbox, terraform — or its parts scale, creates) to run only some.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p terraform-provider-mongodbatlas -p atlas-sandbox
cargo build --release -q -p acceptance-tests --bin bench
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
exec "$target_dir/release/bench" "$@"
