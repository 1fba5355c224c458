#!/usr/bin/env bash
# Installs QEMU for the peer suites that boot or convert disk images: qemu-utils (qemu-img),
# qemu-system-x86 (software emulation is enough: no KVM needed) and ovmf (UEFI firmware), from
# Debian. Writes their paths as KEY=VALUE lines to test/peers/.cache/qemu.env. Idempotent; fails
# (non-zero) when anything is missing. Installing needs root on Debian; another engineer may run
# apt at the same time, so every apt call waits for the dpkg lock instead of failing.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
cache="$(cd "$here/../../.." && pwd)/test/peers/.cache"
mkdir -p "$cache"
apt_get() { DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 "$@"; }

ovmf_code=/usr/share/OVMF/OVMF_CODE_4M.fd
if ! command -v qemu-img >/dev/null || ! command -v qemu-system-x86_64 >/dev/null || [ ! -f "$ovmf_code" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "qemu peer: qemu-utils, qemu-system-x86 and ovmf are missing and installing them needs root" >&2
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
for file in "$ovmf_code" /usr/share/OVMF/OVMF_VARS_4M.fd /usr/share/OVMF/OVMF_CODE_4M.secboot.fd /usr/share/OVMF/OVMF_VARS_4M.ms.fd; do
  [ -f "$file" ] || { echo "qemu peer: $file is missing (ovmf package?)" >&2; exit 1; }
done

{
  echo "QEMU_IMG=$(command -v qemu-img)"
  echo "QEMU_SYSTEM=$(command -v qemu-system-x86_64)"
  echo "QEMU_VERSION=$(qemu-system-x86_64 --version | sed -n '1s/.*version \([^ ]*\).*/\1/p')"
  echo "OVMF_CODE=$ovmf_code"
  echo "OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd"
  # Secure boot: the firmware that enforces it, and variables with Microsoft's keys enrolled (what
  # Incus uses for security.secureboot=true).
  echo "OVMF_CODE_SECBOOT=/usr/share/OVMF/OVMF_CODE_4M.secboot.fd"
  echo "OVMF_VARS_MS=/usr/share/OVMF/OVMF_VARS_4M.ms.fd"
} >"$cache/qemu.env"
echo "qemu peer: ready ($(qemu-system-x86_64 --version | head -n 1))"
