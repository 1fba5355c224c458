#!/usr/bin/env bash
# Builds a Debian bookworm guest disk as a VMware VM would have it, for the guest preparation
# tests: `debian-guest.sh OUT.img MODE` (`debian-guest.sh --host-tools` only installs the tools).
#   MODE host-only: the initramfs is built with MODULES=list and holds only VMware's storage drivers
#                   (vmw_pvscsi, mptspi, ahci, …) and the root filesystem, so the guest cannot find
#                   its root on virtio-scsi until it is prepared;
#   MODE generic:   MODULES=most (Debian's default), which boots on virtio as it is.
# The disk has an MBR partition table and one ext4 root partition (no LVM variant: this machine's
# kernel has no device-mapper, so a logical volume can be neither made nor activated here). The
# guest has linux-image-amd64, GRUB for BIOS booting from the disk (console on ttyS0),
# open-vm-tools (so that disabling it is tested), ifupdown naming VMware's interface `ens192`, and
# a unit that prints one line on ttyS0 once user space is up:
#   FERRY-GUEST-UP agent=yes|no nics=<interface names>
# The kernel waits 10 s for its root device (rootdelay), so a guest that cannot find it drops to
# the initramfs shell quickly ("Dropping to a shell").
#
# Cached under test/peers/.cache/debian-guest/: the debootstrapped root (once) and each built
# image (per MODE and this script's content); OUT is a sparse copy. Idempotent. Needs root
# on Debian; installs debootstrap and fdisk with apt when missing (and xfsprogs and btrfs-progs, with
# which the preparation tests make XFS and btrfs roots), waiting for the dpkg lock.
set -euo pipefail

out="${1:?usage: debian-guest.sh OUT.img host-only|generic}"
mode="${2:-}"
case "$out/$mode" in --host-tools/ | */host-only | */generic) ;; *) echo "debian-guest: MODE must be host-only or generic" >&2; exit 2 ;; esac
if [ "$(id -u)" -ne 0 ]; then
  echo "debian-guest: building a guest disk needs root (debootstrap, loop devices, chroot)" >&2
  exit 1
fi

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cache="$root/test/peers/.cache/debian-guest"
mkdir -p "$cache"
apt_get() { DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 "$@"; }
say() { echo "debian-guest: $*" >&2; }

# --- host tools -------------------------------------------------------------------------------
if ! command -v debootstrap >/dev/null || ! command -v sfdisk >/dev/null || ! command -v mkfs.xfs >/dev/null || ! command -v mkfs.btrfs >/dev/null; then
  say "installing debootstrap, fdisk, xfsprogs, btrfs-progs"
  # `apt-get update` takes the lists lock, which the dpkg lock timeout does not cover: retry.
  for attempt in $(seq 1 60); do
    apt_get update && break
    [ "$attempt" -lt 60 ] || exit 1
    say "apt-get update failed (another apt running?); retrying in 10 s"
    sleep 10
  done
  apt_get install -y --no-install-recommends debootstrap fdisk xfsprogs btrfs-progs
fi
[ "$out" = --host-tools ] && exit 0

# --- the root filesystem, debootstrapped once ---------------------------------------------------
packages=systemd-sysv,udev,kmod,linux-image-amd64,initramfs-tools,grub-pc-bin,grub2-common,open-vm-tools,ifupdown,isc-dhcp-client,iproute2,lvm2,e2fsprogs
rootfs="$cache/rootfs-$(echo "bookworm $packages" | sha256sum | cut -c1-12)"
if [ ! -f "$rootfs/.complete" ]; then
  say "debootstrap bookworm into $rootfs (once)"
  rm -rf "$rootfs"
  started=$(date +%s)
  # The mirror this machine's apt uses for bookworm.
  mirror="$(apt-get indextargets --format '$(RELEASE) $(REPO_URI)' | awk '$1 == "bookworm" { print $2; exit }')"
  if [ -z "$mirror" ]; then
    say "apt has no bookworm source to debootstrap from (apt-get indextargets)"
    exit 1
  fi
  DEBIAN_FRONTEND=noninteractive debootstrap --variant=minbase --include="$packages" bookworm "$rootfs" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
    { tail -n 30 "$cache/debootstrap.log" >&2; exit 1; }
  touch "$rootfs/.complete"
  say "debootstrap took $(($(date +%s) - started)) s"
fi

# --- the image, built once per mode and script -------------------------------------------------
key="$(cat "$0" | sha256sum | cut -c1-12)"
image="$cache/$mode-$key.img"
if [ -f "$image" ]; then
  cp --sparse=always "$image" "$out"
  exit 0
fi

work="$(mktemp -d)"
loop=""
mnt="$work/mnt"
cleanup() {
  for path in "$mnt/dev" "$mnt/proc" "$mnt/sys" "$mnt"; do
    mountpoint -q "$path" && umount -l "$path"
  done
  [ -n "$loop" ] && losetup -d "$loop"
  rm -rf "$work"
}
trap cleanup EXIT
started=$(date +%s)
say "building the $mode image"

truncate -s 3G "$work/disk.img"
echo 'label: dos
start=2048, type=83, bootable' | sfdisk -q "$work/disk.img"
loop="$(losetup --find --show --partscan "$work/disk.img")"
part="${loop}p1"
# A kernel without MBR support (this machine's) does not scan the table: add the partition by hand.
[ -b "$part" ] || partx -a "$loop"
for _ in $(seq 1 50); do [ -b "$part" ] && break; sleep 0.1; done
rootdev="$part"
mkfs.ext4 -q -L ferry-root "$rootdev"
uuid="$(blkid -s UUID -o value "$rootdev")"
mkdir -p "$mnt"
mount "$rootdev" "$mnt"
tar -C "$rootfs" --exclude=./.complete -cf - . | tar -C "$mnt" -xf -

kver="$(basename "$(ls -d "$mnt"/lib/modules/* | head -n 1)")"
echo "UUID=$uuid / ext4 errors=remount-ro 0 1" >"$mnt/etc/fstab"
echo ferry-guest >"$mnt/etc/hostname"
echo "root:ferry" | chroot "$mnt" chpasswd
cat >"$mnt/etc/network/interfaces" <<'EOF'
# The interface as VMware names it (vmxnet3 in PCI slot 192).
auto lo
iface lo inet loopback

allow-hotplug ens192
iface ens192 inet dhcp
EOF
cat >"$mnt/usr/local/sbin/ferry-guest-marker" <<'EOF'
#!/bin/sh
# Tells the test on the serial console that user space is up, and whether the Incus agent's unit
# is installed.
if systemctl cat incus-agent.service >/dev/null 2>&1; then agent=yes; else agent=no; fi
nics="$(ls /sys/class/net | grep -v '^lo$' | tr '\n' ',' | sed 's/,$//')"
echo "FERRY-GUEST-UP agent=$agent nics=${nics:-none}" >/dev/ttyS0
EOF
chmod 755 "$mnt/usr/local/sbin/ferry-guest-marker"
cat >"$mnt/etc/systemd/system/ferry-guest-marker.service" <<'EOF'
[Unit]
Description=Ferry test marker on the serial console
After=multi-user.target systemd-udev-settle.service
Wants=systemd-udev-settle.service

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/ferry-guest-marker

[Install]
WantedBy=default.target
EOF
ln -sf /etc/systemd/system/ferry-guest-marker.service "$mnt/etc/systemd/system/multi-user.target.wants/ferry-guest-marker.service"

if [ "$mode" = host-only ]; then
  sed -i 's/^MODULES=.*/MODULES=list/' "$mnt/etc/initramfs-tools/initramfs.conf"
  cat >>"$mnt/etc/initramfs-tools/modules" <<'EOF'
# What a host-only initramfs built on VMware holds: its storage drivers and the root filesystem.
vmw_pvscsi
mptspi
ahci
sd_mod
ext4
crc32c_generic
dm_mod
EOF
else
  sed -i 's/^MODULES=.*/MODULES=most/' "$mnt/etc/initramfs-tools/initramfs.conf"
fi

mount --bind /dev "$mnt/dev"
mount -t proc proc "$mnt/proc"
mount -t sysfs sysfs "$mnt/sys"
chroot "$mnt" update-initramfs -u -k all >"$work/initramfs.log" 2>&1 || { tail -n 30 "$work/initramfs.log" >&2; exit 1; }
chroot "$mnt" grub-install --target=i386-pc --modules="part_msdos ext2" "$loop" >"$work/grub.log" 2>&1 ||
  { cat "$work/grub.log" >&2; exit 1; }
# Written by hand: grub-mkconfig finds the root device through udev's /dev/disk/by-uuid, which a
# build host without udev lacks.
cat >"$mnt/boot/grub/grub.cfg" <<EOF
set timeout=1
insmod part_msdos
insmod ext2
search --no-floppy --fs-uuid --set=root $uuid
menuentry 'Debian GNU/Linux' {
  linux /boot/vmlinuz-$kver root=UUID=$uuid ro console=ttyS0,115200 rootdelay=10
  initrd /boot/initrd.img-$kver
}
EOF
umount "$mnt/dev" "$mnt/proc" "$mnt/sys"
umount "$mnt"
losetup -d "$loop"
loop=""
mv "$work/disk.img" "$image.tmp"
mv "$image.tmp" "$image"
# Images an earlier version of this script built are of no use any more.
find "$cache" -maxdepth 1 -name "$mode-*.img" ! -name "$(basename "$image")" -delete
say "built $image in $(($(date +%s) - started)) s"
cp --sparse=always "$image" "$out"
