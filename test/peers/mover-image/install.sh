#!/usr/bin/env bash
# The mover image's peer suite boots the image under QEMU: against vcsim (mover-boot.test.ts),
# preparing a Debian guest disk (mover-prepare.test.ts), and checking then preparing a synthetic
# Windows disk copied from vcsim (mover-windows.test.ts, which builds the disk and a fake
# virtio-win ISO on the host with the guest tools). This runs the qemu, vcsim and guest-tools
# install scripts (idempotent; the qemu one builds the Debian guests), builds the mover bundle
# (`npm run build:mover`, or FERRY_MOVER_BUNDLE=FILE), then runs scripts/build-mover-image.sh into
# test/peers/.cache/mover-image/mover.iso, keeping the Debian root and the base initramfs in
# test/peers/.cache/mover-image/build between runs (cold: ~7 min on two busy cores with network to
# deb.debian.org; cached: seconds), and copies the host-only Debian guest
# (test/support/debian-guest.sh, cached) to test/peers/.cache/mover-image/debian-host-only.img,
# which the suite only reads (it writes a qcow2 overlay). Writes MOVER_ISO and
# DEBIAN_GUEST_HOST_ONLY to test/peers/.cache/mover-image.env. Idempotent; fails (non-zero) when
# anything is missing. Root.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
cache="$root/test/peers/.cache"
state="$cache/mover-image"
mkdir -p "$state"
bash "$root/test/peers/qemu/install.sh"
bash "$root/test/peers/vcsim/install.sh"
bash "$root/test/peers/guest-tools/install.sh"

bundle="${FERRY_MOVER_BUNDLE:-}"
if [ -z "$bundle" ]; then
  (cd "$root" && npm run --silent build:mover)
  bundle="$root/dist/mover/mover.mjs"
fi
[ -f "$bundle" ] || { echo "mover-image peer: the mover bundle $bundle is missing" >&2; exit 1; }

nice -n 10 bash "$root/scripts/build-mover-image.sh" --mover "$bundle" --cache "$state/build" "$state/mover.iso"
nice -n 10 bash "$root/test/support/debian-guest.sh" "$state/debian-host-only.img" host-only >/dev/null ||
  { echo "mover-image peer: building the host-only Debian guest (test/support/debian-guest.sh) failed" >&2; exit 1; }
{
  echo "MOVER_ISO=$state/mover.iso"
  echo "MOVER_BUNDLE_SHA256=$(sha256sum "$bundle" | cut -d' ' -f1)"
  echo "DEBIAN_GUEST_HOST_ONLY=$state/debian-host-only.img"
} >"$cache/mover-image.env"
echo "mover-image peer: ready ($state/mover.iso)"
