#!/usr/bin/env bash
# Release packaging: builds terraform-provider-mongodbatlas (release profile) and writes, in
# the layout the Terraform registry protocol and goreleaser use:
#
#   dist/terraform-provider-mongodbatlas_<VERSION>_<os>_<arch>.zip   one per target; holds
#                                                                    terraform-provider-mongodbatlas_v<VERSION>
#   dist/terraform-provider-mongodbatlas_<VERSION>_manifest.json     {"version":1,"metadata":{"protocol_versions":["6.0"]}}
#   dist/terraform-provider-mongodbatlas_<VERSION>_SHA256SUMS        sha256 of the zips and the manifest
#
# <VERSION> is the provider crate's version (provider/Cargo.toml), e.g. 2.0.0+rs.1: see README
# "Install from a release package" for why. The zips are reproducible (fixed mtime: the last
# commit's time, or SOURCE_DATE_EPOCH).
#
# Usage: scripts/release.sh [--target <rust triple>]... [--out DIR] [--mirror DIR] [--binary PATH]
#   --target   build for this Rust target instead of the host (repeatable); its standard
#              library must be installed (rustup target add <triple>) with a linker for it
#   --out      where the files go (default: dist/)
#   --mirror   also install the zips into a Terraform filesystem_mirror at DIR (packed
#              layout: DIR/registry.terraform.io/mongodb/mongodbatlas/<zip>)
#   --binary   package this already-built host binary instead of building one (its
#              --version must print <VERSION>); the acceptance test uses it
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
name=terraform-provider-mongodbatlas
address=registry.terraform.io/mongodb/mongodbatlas

targets=()
out="$root/dist"
mirror=""
binary=""
while [ $# -gt 0 ]; do
  case "$1" in
    --target) targets+=("$2"); shift 2 ;;
    --out) out=$2; shift 2 ;;
    --mirror) mirror=$2; shift 2 ;;
    --binary) binary=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "release: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

die() { echo "release: $*" >&2; exit 1; }

# The version: provider/Cargo.toml's own `version = "..."` line (the crate does not inherit the
# workspace's).
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/provider/Cargo.toml" | head -n 1)
[ -n "$version" ] || die "no version line in provider/Cargo.toml"
host=$(rustc -vV | sed -n 's/^host: //p')

# Rust target triple -> Terraform's <os>_<arch>.
platform() {
  local os arch
  case "$1" in
    *-linux-*) os=linux ;;
    *-apple-darwin) os=darwin ;;
    *-windows-*) os=windows ;;
    *-freebsd) os=freebsd ;;
    *) die "no Terraform platform for target $1" ;;
  esac
  case "$1" in
    x86_64-*) arch=amd64 ;;
    aarch64-*) arch=arm64 ;;
    i686-*) arch=386 ;;
    armv7-*|arm-*) arch=arm ;;
    *) die "no Terraform architecture for target $1" ;;
  esac
  echo "${os}_${arch}"
}

# zip with fixed metadata, so the same binary gives the same bytes (and SHA256SUMS).
epoch=${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || echo 315532800)}
pack() { # pack <file> <zip>
  touch -d "@$epoch" "$1"
  if command -v zip >/dev/null; then
    (cd "$(dirname "$1")" && TZ=UTC zip -q -X "$2" "$(basename "$1")")
  else
    python3 - "$1" "$2" "$epoch" <<'PY'
import os, sys, time, zipfile
src, dst, epoch = sys.argv[1], sys.argv[2], int(sys.argv[3])
info = zipfile.ZipInfo(os.path.basename(src), time.gmtime(epoch)[:6])
info.external_attr = 0o100755 << 16
info.compress_type = zipfile.ZIP_DEFLATED
with open(src, "rb") as f, zipfile.ZipFile(dst, "w") as z:
    z.writestr(info, f.read())
PY
  fi
}

mkdir -p "$out"
out=$(cd "$out" && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# What to package: (triple, binary) pairs.
builds=()
if [ -n "$binary" ]; then
  [ ${#targets[@]} -eq 0 ] || die "--binary packages the host binary; do not combine it with --target"
  [ -x "$binary" ] || die "$binary is not an executable"
  printed=$("$binary" --version)
  [ "$printed" = "$name $version" ] || die "$binary --version prints '$printed', expected '$name $version'"
  builds+=("$host" "$binary")
else
  [ ${#targets[@]} -gt 0 ] || targets=("$host")
  target_dir=$(cargo metadata --format-version 1 --no-deps --manifest-path "$root/Cargo.toml" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
  for t in "${targets[@]}"; do
    # The host build goes to target/release (shared with scripts/demo.sh), others to
    # target/<triple>/release.
    flag=(--target "$t"); dir="$target_dir/$t/release"
    [ "$t" != "$host" ] || { flag=(); dir="$target_dir/release"; }
    echo "==> cargo build --release --locked -p $name ${flag[*]}" >&2
    cargo build --release --locked -q --manifest-path "$root/Cargo.toml" -p "$name" ${flag[@]+"${flag[@]}"} ||
      die "building for $t failed (is its standard library installed: rustup target add $t? a linker for it?)"
    exe=$name; case "$t" in *-windows-*) exe=$name.exe ;; esac
    builds+=("$t" "$dir/$exe")
  done
fi

zips=()
for ((i = 0; i < ${#builds[@]}; i += 2)); do
  triple=${builds[i]}
  plat=$(platform "$triple")
  inner="${name}_v${version}"; case "$triple" in *-windows-*) inner=$inner.exe ;; esac
  mkdir -p "$stage/$plat"
  cp "${builds[i + 1]}" "$stage/$plat/$inner"
  chmod 755 "$stage/$plat/$inner"
  zipname="${name}_${version}_${plat}.zip"
  rm -f "$out/$zipname"
  pack "$stage/$plat/$inner" "$out/$zipname"
  zips+=("$zipname")
done

manifest="${name}_${version}_manifest.json"
printf '{\n  "version": 1,\n  "metadata": {\n    "protocol_versions": ["6.0"]\n  }\n}\n' >"$out/$manifest"
sums="${name}_${version}_SHA256SUMS"
(cd "$out" && sha256sum "${zips[@]}" "$manifest" >"$sums")

if [ -n "$mirror" ]; then
  mkdir -p "$mirror/$address"
  for z in "${zips[@]}"; do cp "$out/$z" "$mirror/$address/$z"; done
fi

for f in "${zips[@]}" "$manifest" "$sums"; do echo "$out/$f"; done
