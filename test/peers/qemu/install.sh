#!/usr/bin/env bash
# Installs QEMU for the peer suites that boot or convert disk images: qemu-utils (qemu-img),
# qemu-system-x86 (software emulation is enough: no KVM needed) and ovmf (UEFI firmware), from
# Debian. Writes their paths as KEY=VALUE lines to test/peers/.cache/qemu.env, and builds the two
# Debian guests of the guest-preparation suite (test/support/debian-guest.sh, cached; cold: minutes,
# needs network to the Debian mirror). Idempotent; fails
# (non-zero) when anything is missing. Installing needs root on Debian; another engineer may run
# apt at the same time, so every apt call waits for the dpkg lock instead of failing.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
cache="$root/test/peers/.cache"
mkdir -p "$cache"
# shellcheck source=../apt.sh
. "$here/../apt.sh"

ovmf_code=/usr/share/OVMF/OVMF_CODE_4M.fd
if ! command -v qemu-img >/dev/null || ! command -v qemu-system-x86_64 >/dev/null || [ ! -f "$ovmf_code" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "qemu peer: qemu-utils, qemu-system-x86 and ovmf are missing and installing them needs root" >&2
    exit 1
  fi
  echo "qemu peer: installing qemu-utils, qemu-system-x86, ovmf"
  apt_update "qemu peer"
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
# The Debian guests the guest-preparation suite prepares and boots (test/support/debian-guest.sh):
# built here, once, so the suite's tests only copy them (a cold debootstrap takes minutes).
guests="$(mktemp -d)"
for mode in host-only generic; do
  if ! nice -n 10 bash "$root/test/support/debian-guest.sh" "$guests/$mode.img" "$mode" >/dev/null; then
    rm -rf "$guests"
    echo "qemu peer: building the $mode Debian guest (test/support/debian-guest.sh) failed" >&2
    exit 1
  fi
done
rm -rf "$guests"
echo "qemu peer: ready ($(qemu-system-x86_64 --version | head -n 1))"
