#!/usr/bin/env bash
# Installs QEMU for Ferry's qemu peer suite: qemu-img (Debian's qemu-utils) writes the
# stream-optimized VMDKs the mover's decoder is checked against, and qemu-system-x86_64 with
# OVMF's UEFI firmware boots images under software emulation (the mover image test). What the
# tests need is written as KEY=VALUE lines to test/peers/.cache/qemu.env:
#   QEMU_IMG, QEMU_SYSTEM, OVMF_CODE, OVMF_VARS (the pflash pair, 4 MiB build)
#
# Idempotent: installs only what is missing. Fails (non-zero) when anything is missing afterwards.
# Installing needs root on Debian bookworm; another engineer may run apt at the same time, so
# every apt call waits for the dpkg lock instead of failing.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
cache="$root/test/peers/.cache"
mkdir -p "$cache"

ovmf_code=/usr/share/OVMF/OVMF_CODE_4M.fd
ovmf_vars=/usr/share/OVMF/OVMF_VARS_4M.fd
apt_get() { DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 "$@"; }

if ! command -v qemu-img >/dev/null || ! command -v qemu-system-x86_64 >/dev/null || [ ! -f "$ovmf_code" ] || [ ! -f "$ovmf_vars" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "qemu peer: installing qemu-utils, qemu-system-x86 and ovmf needs root" >&2
    exit 1
  fi
  echo "qemu peer: installing qemu-utils, qemu-system-x86, ovmf"
  # `apt-get update` takes the lists lock, which the dpkg lock timeout does not cover: retry.
  for attempt in $(seq 1 60); do
    apt_get update && break
    [ "$attempt" -lt 60 ] || exit 1
    echo "qemu peer: apt-get update failed (another apt running?); retrying in 10 s" >&2
    sleep 10
  done
  apt_get install -y --no-install-recommends qemu-utils qemu-system-x86 ovmf
fi

qemu_img="$(command -v qemu-img)"
qemu_system="$(command -v qemu-system-x86_64)"
for file in "$qemu_img" "$qemu_system" "$ovmf_code" "$ovmf_vars"; do
  if [ ! -e "$file" ]; then
    echo "qemu peer: $file is missing after the install" >&2
    exit 1
  fi
done

# Smoke test: qemu-img must write a stream-optimized VMDK (the decoder's peer).
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
head -c 1048576 /dev/urandom >"$work/disk.raw"
if ! "$qemu_img" convert -f raw -O vmdk -o subformat=streamOptimized "$work/disk.raw" "$work/disk.vmdk" ||
  [ "$(head -c 4 "$work/disk.vmdk")" != "KDMV" ]; then
  echo "qemu peer: $qemu_img does not write stream-optimized VMDKs" >&2
  exit 1
fi
"$qemu_system" --version >/dev/null

{
  echo "QEMU_IMG=$qemu_img"
  echo "QEMU_SYSTEM=$qemu_system"
  echo "OVMF_CODE=$ovmf_code"
  echo "OVMF_VARS=$ovmf_vars"
} >"$cache/qemu.env"
echo "qemu peer: ready ($("$qemu_img" --version | head -n 1))"
