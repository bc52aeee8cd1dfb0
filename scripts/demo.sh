#!/usr/bin/env bash
# The demo: build the provider and the sandbox, start the sandbox, `terraform apply` the
# quickstart example against it through our provider, print the outputs, then clean up.
# Offline: terraform finds the provider through dev_overrides, never the registry.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
port=${DEMO_PORT:-18080}
work="$root/.demo"
keep=${DEMO_KEEP:-0}

command -v terraform >/dev/null || { echo "demo: terraform is not on PATH" >&2; exit 1; }
echo "==> building terraform-provider-mongodbatlas and atlas-sandbox (release)"
cargo build --release -q -p terraform-provider-mongodbatlas -p atlas-sandbox
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
bin="$target_dir/release"

rm -rf "$work" && mkdir -p "$work"
public_key=demokeyx
private_key=11111111-2222-3333-4444-555555555555
echo "==> starting atlas-sandbox on 127.0.0.1:$port"
"$bin/atlas-sandbox" --listen "127.0.0.1:$port" --public-key "$public_key" --private-key "$private_key" \
  --transition-seconds 1 >"$work/sandbox.out" 2>"$work/sandbox.log" &
sandbox_pid=$!
cleanup() {
  if [ "$keep" != 1 ]; then kill "$sandbox_pid" 2>/dev/null || true; fi
}
trap cleanup EXIT
for _ in $(seq 1 100); do
  grep -q 'organization id' "$work/sandbox.out" 2>/dev/null && break
  kill -0 "$sandbox_pid" 2>/dev/null || { cat "$work/sandbox.log" >&2; exit 1; }
  sleep 0.1
done
org_id=$(sed -n 's/^atlas-sandbox organization id //p' "$work/sandbox.out" | head -n 1)
[ -n "$org_id" ] || { echo "demo: the sandbox did not print its organization id" >&2; cat "$work/sandbox.out" >&2; exit 1; }
echo "    organization $org_id"

cat >"$work/terraformrc" <<CFG
provider_installation {
  dev_overrides {
    "mongodb/mongodbatlas" = "$bin"
  }
}
CFG
cp examples/quickstart/main.tf "$work/"
export TF_CLI_CONFIG_FILE="$work/terraformrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
export MONGODB_ATLAS_BASE_URL="http://127.0.0.1:$port"
export MONGODB_ATLAS_PUBLIC_KEY="$public_key" MONGODB_ATLAS_PRIVATE_KEY="$private_key"
export TF_VAR_org_id="$org_id"

cd "$work"
echo "==> terraform apply"
terraform apply -auto-approve -no-color
echo "==> outputs"
terraform output
echo "==> a second plan is empty:"
terraform plan -no-color -detailed-exitcode >/dev/null && echo "    no changes"
if [ "$keep" = 1 ]; then
  echo "==> left running (DEMO_KEEP=1): sandbox pid $sandbox_pid on $MONGODB_ATLAS_BASE_URL, state in $work"
  echo "    clean up with: (cd $work && terraform destroy -auto-approve) ; kill $sandbox_pid"
  trap - EXIT
else
  echo "==> terraform destroy"
  terraform destroy -auto-approve -no-color >/dev/null && echo "    destroyed; stopping the sandbox"
fi
