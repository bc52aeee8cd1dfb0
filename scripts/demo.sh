#!/usr/bin/env bash
# The demo: build the provider and the sandbox, start the sandbox, `terraform apply` the demo
# example (examples/demo: a project, an M10 replica set, a database user and two access-list
# entries) through our provider, print the cluster's connection string, show that a second
# `terraform plan` has no changes, then destroy and stop the sandbox.
# Offline: terraform finds the provider through dev_overrides, never the registry.
#
# Environment:
#   DEMO_KEEP=1            leave the sandbox running and the state in .demo/ (no destroy)
#   DEMO_PORT              sandbox port (18080)
#   DEMO_TRANSITION_SECONDS  how long the sandbox's cluster creation and deletion last (12:
#                          terraform reports "Still creating..." every 10 s)
#   DEMO_TARGET=external   no sandbox: apply the same example to the Atlas the provider's own
#                          variables point at (MONGODB_ATLAS_BASE_URL, unset = real Atlas, and
#                          MONGODB_ATLAS_PUBLIC_KEY/PRIVATE_KEY, CLIENT_ID/CLIENT_SECRET or
#                          ACCESS_TOKEN), in organization MONGODB_ATLAS_ORG_ID. That creates
#                          billable resources: it asks first unless DEMO_YES=1.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
port=${DEMO_PORT:-18080}
work="$root/.demo"
keep=${DEMO_KEEP:-0}
target=${DEMO_TARGET:-sandbox}
transition=${DEMO_TRANSITION_SECONDS:-12}

die() { echo "demo: $*" >&2; exit 1; }
command -v terraform >/dev/null || die "terraform is not on PATH"
case "$target" in
  sandbox | external) ;;
  *) die "DEMO_TARGET must be 'sandbox' (the default) or 'external', not '$target'" ;;
esac

# Every variable the provider reads credentials or the base URL from (aliases included).
atlas_env=(MONGODB_ATLAS_PUBLIC_API_KEY MONGODB_ATLAS_PUBLIC_KEY MCLI_PUBLIC_API_KEY
  MONGODB_ATLAS_PRIVATE_API_KEY MONGODB_ATLAS_PRIVATE_KEY MCLI_PRIVATE_API_KEY
  MONGODB_ATLAS_CLIENT_ID MONGODB_ATLAS_CLIENT_SECRET MONGODB_ATLAS_ACCESS_TOKEN
  MONGODB_ATLAS_BASE_URL MCLI_OPS_MANAGER_URL)

if [ "$target" = external ]; then
  [ -n "${MONGODB_ATLAS_ORG_ID:-}" ] || die "DEMO_TARGET=external needs MONGODB_ATLAS_ORG_ID (the organization to create the demo project in)"
  have_credentials=0
  for v in "${atlas_env[@]}"; do
    case "$v" in *BASE_URL | *OPS_MANAGER_URL) continue ;; esac
    [ -n "${!v:-}" ] && have_credentials=1
  done
  [ "$have_credentials" = 1 ] || die "DEMO_TARGET=external needs credentials: MONGODB_ATLAS_PUBLIC_KEY and MONGODB_ATLAS_PRIVATE_KEY, MONGODB_ATLAS_CLIENT_ID and MONGODB_ATLAS_CLIENT_SECRET, or MONGODB_ATLAS_ACCESS_TOKEN"
  external_url=${MONGODB_ATLAS_BASE_URL:-${MCLI_OPS_MANAGER_URL:-https://cloud.mongodb.com}}
  run_id=$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
  project_name="tfdemo-$run_id"
  cat >&2 <<WARN
demo: DEMO_TARGET=external creates real, billable resources at $external_url
      in organization $MONGODB_ATLAS_ORG_ID: project "$project_name" with an M10 cluster
      (3 nodes, AWS US_EAST_1), a database user and two access-list entries. Creating and
      deleting the cluster takes several minutes.
WARN
  if [ "${DEMO_YES:-0}" != 1 ]; then
    answer=$({ printf 'Type "yes" to go on: ' >/dev/tty && read -r a </dev/tty && printf %s "$a"; } 2>/dev/null) || answer=""
    [ "$answer" = yes ] || die "not confirmed (set DEMO_YES=1 to skip the question); nothing was created"
  fi
fi

echo "==> building terraform-provider-mongodbatlas and atlas-sandbox (release)"
cargo build --release -q -p terraform-provider-mongodbatlas -p atlas-sandbox
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
bin="$target_dir/release"

rm -rf "$work" && mkdir -p "$work"
sandbox_pid=
cleanup() {
  if [ -n "$sandbox_pid" ] && [ "$keep" != 1 ]; then kill "$sandbox_pid" 2>/dev/null || true; fi
}
trap cleanup EXIT

if [ "$target" = sandbox ]; then
  for v in "${atlas_env[@]}"; do
    if [ -n "${!v:-}" ]; then
      echo "    (ignoring $v from your environment: the demo talks to the sandbox; DEMO_TARGET=external uses it)"
    fi
    unset "$v"
  done
  public_key=demokeyx
  private_key=11111111-2222-3333-4444-555555555555
  echo "==> starting atlas-sandbox on 127.0.0.1:$port (clusters take ${transition}s to create and to delete)"
  "$bin/atlas-sandbox" --listen "127.0.0.1:$port" --public-key "$public_key" --private-key "$private_key" \
    --transition-seconds "$transition" >"$work/sandbox.out" 2>"$work/sandbox.log" &
  sandbox_pid=$!
  for _ in $(seq 1 100); do
    grep -q 'organization id' "$work/sandbox.out" 2>/dev/null && break
    kill -0 "$sandbox_pid" 2>/dev/null || { cat "$work/sandbox.log" >&2; exit 1; }
    sleep 0.1
  done
  org_id=$(sed -n 's/^atlas-sandbox organization id //p' "$work/sandbox.out" | head -n 1)
  [ -n "$org_id" ] || { echo "demo: the sandbox did not print its organization id" >&2; cat "$work/sandbox.out" >&2; exit 1; }
  echo "    organization $org_id"
  export MONGODB_ATLAS_BASE_URL="http://127.0.0.1:$port"
  export MONGODB_ATLAS_PUBLIC_KEY="$public_key" MONGODB_ATLAS_PRIVATE_KEY="$private_key"
  project_name=demo
  db_password=demo-password-123
else
  org_id=$MONGODB_ATLAS_ORG_ID
  echo "==> target: $external_url, organization $org_id, project $project_name"
  db_password="pw-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
fi

cat >"$work/terraformrc" <<CFG
provider_installation {
  dev_overrides {
    "mongodb/mongodbatlas" = "$bin"
  }
}
CFG
cp examples/demo/main.tf "$work/"
export TF_CLI_CONFIG_FILE="$work/terraformrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0
export TF_VAR_org_id="$org_id" TF_VAR_project_name="$project_name" TF_VAR_db_password="$db_password"

# terraform's own progress lines, without the plan body (the whole output is in the log file).
progress() {
  grep --line-buffered -E '^(Plan:|Apply complete|Destroy complete|.*: (Creating|Creation complete|Still creating|Destroying|Destruction complete|Still destroying|Modifying|Modifications complete|Still modifying)|Error|│|╷|╵)'
}

cd "$work"
echo "==> terraform apply (examples/demo: project, M10 cluster, database user, 2 access-list entries)"
if ! terraform apply -auto-approve -no-color 2>&1 | tee apply.log | progress; then
  echo "demo: terraform apply failed; its output is in $work/apply.log" >&2
  if [ "$target" = external ]; then
    echo "demo: remove what it created with: (cd $work && terraform destroy -auto-approve), or target/debug/sweep --prefix $project_name" >&2
  fi
  exit 1
fi
echo "==> connection string of cluster \"demo\""
echo "    $(terraform output -raw connection_string)"
echo "    $(terraform output -raw connection_string_standard)"
echo "==> outputs"
terraform output -no-color
echo "==> terraform plan -detailed-exitcode (again, refreshing from the API)"
set +e
terraform plan -no-color -detailed-exitcode >plan.log 2>&1
plan_status=$?
set -e
case $plan_status in
  0) grep -E '^No changes\.' plan.log | sed 's/^/    /' ;;
  2) cat plan.log; die "the second plan is not empty" ;;
  *) cat plan.log; die "terraform plan failed" ;;
esac

if [ "$keep" = 1 ]; then
  if [ "$target" = sandbox ]; then
    echo "==> left running (DEMO_KEEP=1): sandbox pid $sandbox_pid on $MONGODB_ATLAS_BASE_URL, state in $work"
    echo "    clean up with: (cd $work && terraform destroy -auto-approve) ; kill $sandbox_pid"
  else
    echo "==> left in place (DEMO_KEEP=1): project $project_name at $external_url, state in $work"
    echo "    clean up with: (cd $work && terraform destroy -auto-approve)"
  fi
  trap - EXIT
else
  echo "==> terraform destroy"
  if ! terraform destroy -auto-approve -no-color 2>&1 | tee destroy.log | progress; then
    die "terraform destroy failed; its output is in $work/destroy.log"
  fi
  if [ "$target" = sandbox ]; then echo "==> stopping the sandbox"; fi
fi
