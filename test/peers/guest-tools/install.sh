#!/usr/bin/env bash
# Installs the tools the mover's guest preparation runs and its peer suite builds guests with:
# ntfs-3g (mkntfs and the NTFS driver), libhivex-bin and libwin-hivex-perl (hivexget, hivexsh,
# hivexregedit), xorriso (the fake virtio-win ISO), fdisk (sfdisk). What the tests need is written
# as KEY=VALUE lines to test/peers/.cache/guest-tools.env.
#
# Idempotent: installs only what is missing. Fails (non-zero) when anything is missing afterwards.
# Installing needs root on Debian bookworm; another engineer may run apt at the same time, so
# every apt call waits for the dpkg lock instead of failing.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
cache="$root/test/peers/.cache"
mkdir -p "$cache"
# shellcheck source=../apt.sh
. "$here/../apt.sh"
tools=(ntfs-3g mkntfs hivexget hivexsh hivexregedit xorriso sfdisk losetup)

missing() { for tool in "${tools[@]}"; do command -v "$tool" >/dev/null || return 0; done; return 1; }
if missing; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "guest-tools peer: installing ntfs-3g, libhivex-bin, libwin-hivex-perl, xorriso needs root" >&2
    exit 1
  fi
  echo "guest-tools peer: installing ntfs-3g, libhivex-bin, libwin-hivex-perl, xorriso, fdisk"
  apt_update "guest-tools peer"
  apt_get install -y --no-install-recommends ntfs-3g libhivex-bin libwin-hivex-perl xorriso fdisk mount
fi
for tool in "${tools[@]}"; do
  if ! command -v "$tool" >/dev/null; then
    echo "guest-tools peer: $tool is missing after the install" >&2
    exit 1
  fi
done
# The suite attaches loop devices and mounts through FUSE: both must exist here.
for device in /dev/loop-control /dev/fuse; do
  if [ ! -e "$device" ]; then
    echo "guest-tools peer: $device is missing (the suite needs loop devices and FUSE)" >&2
    exit 1
  fi
done

{
  for tool in "${tools[@]}"; do
    echo "$(echo "$tool" | tr 'a-z-' 'A-Z_')=$(command -v "$tool")"
  done
} >"$cache/guest-tools.env"
echo "guest-tools peer: ready ($(dpkg-query -W -f='ntfs-3g ${Version}' ntfs-3g), $(dpkg-query -W -f='hivex ${Version}' libhivex-bin))"
