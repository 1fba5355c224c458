#!/usr/bin/env bash
# Builds the mover image (docs/providers/incus.md, "The mover image"): a hybrid ISO that boots under
# UEFI (secure boot included: Debian's signed shim, grub and kernel) and BIOS, into a Debian
# bookworm root held entirely in the initramfs: the kernel's modules for virtual hardware, udev,
# Node.js (Debian's, v18), busybox (DHCP), and the bundled mover started by a shell init
# (scripts/mover-image/init).
#
#   scripts/build-mover-image.sh [--mover FILE] [--cache DIR] [--mirror URL] OUT.iso
#
#   --mover FILE  the bundled mover (default dist/mover/mover.mjs: `npm run build:mover`)
#   --cache DIR   keeps the Debian root and the base initramfs between builds
#                 (default /var/cache/ferry-mover-image); delete it to take newer Debian packages
#   --mirror URL  the Debian mirror (default http://deb.debian.org/debian)
#
# Idempotent: a second build reuses the cached base and only packs the mover and the init (seconds).
# Needs root (debootstrap, chroot) on Debian or Ubuntu, and network to the mirror on a cold cache;
# installs its own build tools with apt. Another engineer may run apt at the same time, so every apt
# call waits for the dpkg lock instead of failing.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
mover="$root/dist/mover/mover.mjs"
cache=/var/cache/ferry-mover-image
mirror=http://deb.debian.org/debian
suite=bookworm
out=""

usage() { echo "usage: scripts/build-mover-image.sh [--mover FILE] [--cache DIR] [--mirror URL] OUT.iso" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --mover) mover="${2:?}"; shift 2 ;;
    --cache) cache="${2:?}"; shift 2 ;;
    --mirror) mirror="${2:?}"; shift 2 ;;
    -h|--help) usage ;;
    -*) echo "build-mover-image: unknown option $1" >&2; usage ;;
    *) [ -z "$out" ] || usage; out="$1"; shift ;;
  esac
done
[ -n "$out" ] || usage
say() { echo "build-mover-image: $*" >&2; }
fail() { say "$*"; exit 1; }

[ "$(id -u)" -eq 0 ] || fail "needs root (debootstrap and chroot)"
[ -f "$mover" ] || fail "$mover not found: build the mover first (npm run build:mover) or pass --mover FILE"
mover="$(cd "$(dirname "$mover")" && pwd)/$(basename "$mover")"
mkdir -p "$cache" "$(dirname "$out")"
out="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"
started=$SECONDS

# --- build tools --------------------------------------------------------------------------------
apt_get() { DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 "$@"; }
tools=(debootstrap:debootstrap xorriso:xorriso grub-mkimage:grub-common mkfs.vfat:dosfstools
  mcopy:mtools zstd:zstd cpio:cpio)
missing=()
for tool in "${tools[@]}"; do command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}"); done
[ -d /usr/lib/grub/i386-pc ] || missing+=(grub-pc-bin)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  # `apt-get update` takes the lists lock, which the dpkg lock timeout does not cover: retry.
  for attempt in $(seq 1 60); do
    apt_get update && break
    [ "$attempt" -lt 60 ] || fail "apt-get update kept failing"
    say "apt-get update failed (another apt running?); retrying in 10 s"
    sleep 10
  done
  apt_get install -y --no-install-recommends "${missing[@]}"
fi

# --- level 1: the Debian root, with every package the image takes from it ----------------------
# nodejs runs the mover; udev names the disks (/dev/disk/by-id/*incus_<device>) and loads drivers;
# busybox gives udhcpc and acpid; kmod loads modules; ca-certificates for vCenters without a pinned
# fingerprint. Guest preparation (issue #20) reads and changes the guest's file systems with the
# guest's own tools in a chroot, and needs these to find and mount them: fdisk (sfdisk), lvm2,
# xfsprogs, btrfs-progs (e2fsprogs and util-linux are in minbase); Windows guests (experimental):
# ntfs-3g, hivex's tools (libhivex-bin, libwin-hivex-perl: perl stays in the image) and xorriso for
# the virtio-win ISO. The kernel, shim and grub are unpacked from their packages, not installed.
packages=nodejs,udev,kmod,busybox,ca-certificates,fdisk,lvm2,xfsprogs,btrfs-progs,ntfs-3g,libhivex-bin,libwin-hivex-perl,xorriso
debian_key="$(echo "$suite $mirror $packages v1" | sha256sum | cut -c1-16)"
debian="$cache/debian-$debian_key"
in_root() { chroot "$debian" env DEBIAN_FRONTEND=noninteractive LC_ALL=C PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }
mounted=()
cleanup() {
  local m
  for m in "${mounted[@]}"; do umount -l "$m" 2>/dev/null || true; done
  [ -z "${work:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
if [ ! -f "$debian/.complete" ]; then
  say "debootstrap $suite (minbase + $packages) from $mirror into $debian"
  rm -rf "$debian"
  nice -n 10 debootstrap --variant=minbase --include="$packages" "$suite" "$debian" "$mirror" >&2 \
    || fail "debootstrap failed (network to $mirror?); see above"
  cat >"$debian/etc/apt/sources.list" <<EOF
deb $mirror $suite main
deb $mirror $suite-updates main
deb http://deb.debian.org/debian-security $suite-security main
EOF
  mount -t proc proc "$debian/proc" && mounted+=("$debian/proc")
  in_root apt-get -o APT::Sandbox::User=root update >&2
  in_root nice -n 10 apt-get -y -o DPkg::Options::=--force-confold dist-upgrade >&2
  kernel_pkg="$(in_root apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')"
  [ -n "$kernel_pkg" ] || fail "cannot tell which kernel linux-image-amd64 depends on"
  mkdir -p "$debian/var/cache/ferry-debs"
  in_root sh -c "cd /var/cache/ferry-debs && apt-get -o APT::Sandbox::User=root download $kernel_pkg shim-signed grub-efi-amd64-signed" >&2
  in_root apt-get clean
  umount "$debian/proc" && mounted=()
  touch "$debian/.complete"
fi

# --- level 2: the base initramfs and the boot files ---------------------------------------------
base_key="$(cat "$0" "$here/mover-image/grub.cfg" | sha256sum | cut -c1-16)-$debian_key"
base="$cache/base-$base_key"
if [ ! -f "$base/.complete" ]; then
  say "packing the base root into $base"
  rm -rf "$base"
  work="$(mktemp -d)"
  staging="$work/root"
  cp -a "$debian" "$staging"
  rm -f "$staging/.complete"
  debs="$staging/var/cache/ferry-debs"
  for deb in "$debs"/*.deb; do dpkg-deb -x "$deb" "$work/unpacked"; done
  rm -rf "$debs"

  # The kernel and only the modules virtual hardware needs (with their dependencies).
  kver="$(basename "$(ls -d "$work/unpacked/lib/modules/"*)")"
  cp "$work/unpacked/boot/vmlinuz-$kver" "$work/vmlinuz"
  mkdir -p "$staging/lib/modules"
  mv "$work/unpacked/lib/modules/$kver" "$staging/lib/modules/$kver"
  chroot "$staging" depmod -a "$kver"
  wanted=(virtio_pci virtio_scsi virtio_blk virtio_net virtio_console virtio_balloon virtio_rng
    sd_mod sr_mod nvme isofs 9p 9pnet_virtio qemu_fw_cfg vsock vmw_vsock_virtio_transport
    af_packet button evdev efivarfs
    ext4 xfs btrfs vfat nls_cp437 nls_iso8859-1 nls_utf8 dm_mod loop fuse)
  keep="$work/keep"
  for module in "${wanted[@]}"; do
    chroot "$staging" modprobe --show-depends -S "$kver" "$module" 2>/dev/null | awk '$1 == "insmod" { print $2 }' >>"$keep" || true
  done
  grep -q virtio_scsi "$keep" || fail "the kernel $kver has no virtio_scsi module: the module list is wrong"
  find "$staging/lib/modules/$kver/kernel" -name '*.ko*' | sed "s|^$staging||" | sort >"$work/all"
  sort -u "$keep" | comm -23 "$work/all" - | sed "s|^|$staging|" | xargs rm -f
  find "$staging/lib/modules/$kver/kernel" -type d -empty -delete
  chroot "$staging" depmod -a "$kver"

  # What the running image never reads: documentation, locales, package management, the
  # hardware database (names for lsusb and friends). glibc's gconv modules stay: hivex recodes a
  # Windows registry's names (Latin-1) and values (UTF-16LE) with iconv, and fails without them.
  rm -rf "$staging"/usr/share/{doc,man,info,locale,lintian,bug,common-licenses,bash-completion,zsh,i18n} \
    "$staging"/var/cache/* "$staging"/var/lib/apt/lists/* "$staging"/var/log/* \
    "$staging"/usr/lib/udev/hwdb.d "$staging"/usr/lib/udev/hwdb.bin \
    "$staging"/etc/udev/hwdb.bin "$staging"/usr/lib/apt "$staging"/usr/bin/apt* "$staging"/var/lib/dpkg/info/*.md5sums \
    "$staging"/boot "$staging"/usr/lib/systemd/system "$staging"/usr/lib/systemd/user "$staging"/etc/systemd
  mkdir -p "$staging"/{proc,sys,dev,run,tmp,var/lib/ferry-mover,opt/ferry}
  [ -e "$staging/dev/console" ] || mknod -m 600 "$staging/dev/console" c 5 1
  echo ferry-mover >"$staging/etc/hostname"

  (cd "$staging" && find . -mindepth 1 -print0 | LC_ALL=C sort -z | cpio --null --create --format=newc --quiet) \
    | nice -n 10 zstd -q -15 -T2 >"$work/base.cpio.zst"
  du -s --block-size=1M "$staging" | cut -f1 >"$work/root-mib"

  # UEFI: shim (signed by Microsoft) loads grub (signed by Debian; the CD flavour finds the ISO by
  # /.disk/info and reads /boot/grub/grub.cfg), which boots the signed kernel through shim.
  efi="$work/efi.img"
  truncate -s 8M "$efi"
  mkfs.vfat -n FERRY_EFI "$efi" >/dev/null
  mmd -i "$efi" ::/EFI ::/EFI/boot
  mcopy -i "$efi" "$work/unpacked/usr/lib/shim/shimx64.efi.signed" ::/EFI/boot/bootx64.efi
  mcopy -i "$efi" "$work/unpacked/usr/lib/grub/x86_64-efi-signed/gcdx64.efi.signed" ::/EFI/boot/grubx64.efi
  # BIOS: grub's El Torito image from the host's grub-pc-bin, reading the same grub.cfg.
  grub-mkimage -O i386-pc-eltorito -p /boot/grub -o "$work/bios.img" \
    biosdisk iso9660 normal configfile linux search search_fs_file echo serial terminal test
  cp /usr/lib/grub/i386-pc/boot_hybrid.img "$work/boot_hybrid.img"

  mkdir -p "$base"
  mv "$work/vmlinuz" "$work/base.cpio.zst" "$work/efi.img" "$work/bios.img" "$work/boot_hybrid.img" "$work/root-mib" "$base/"
  echo "$kver" >"$base/kernel-version"
  rm -rf "$work"
  work=""
  touch "$base/.complete"
fi
# Older levels are of no further use.
find "$cache" -mindepth 1 -maxdepth 1 \( -name 'debian-*' ! -name "debian-$debian_key" -o -name 'base-*' ! -name "base-$base_key" \) \
  -exec rm -rf {} +

# --- the image: the base plus the mover and the init --------------------------------------------
work="$(mktemp -d)"
iso="$work/iso"
mkdir -p "$work/top/opt/ferry" "$iso/boot/grub" "$iso/.disk"
install -m 0755 "$here/mover-image/init" "$work/top/init"
install -m 0644 "$mover" "$work/top/opt/ferry/mover.mjs"
# The base archive ends on any byte; the kernel skips the zeros between concatenated archives.
cp "$base/base.cpio.zst" "$iso/boot/initrd.img"
truncate -s %512 "$iso/boot/initrd.img"
(cd "$work/top" && printf '%s\n' init opt opt/ferry opt/ferry/mover.mjs | cpio --create --format=newc --quiet) \
  | zstd -q -3 >>"$iso/boot/initrd.img"
cp "$base/vmlinuz" "$iso/boot/vmlinuz"
cp "$base/efi.img" "$iso/boot/efi.img"
cp "$base/bios.img" "$iso/boot/grub/bios.img"
cp "$here/mover-image/grub.cfg" "$iso/boot/grub/grub.cfg"
echo "Ferry mover $(sha256sum "$mover" | cut -c1-12), Debian $suite, Linux $(cat "$base/kernel-version")" >"$iso/.disk/info"

xorriso -as mkisofs -quiet -r -J -joliet-long -V FERRY_MOVER -o "$work/out.iso" \
  -isohybrid-mbr "$base/boot_hybrid.img" -partition_offset 16 \
  -b boot/grub/bios.img -c boot/grub/boot.cat -no-emul-boot -boot-load-size 4 -boot-info-table --grub2-boot-info \
  -eltorito-alt-boot -e boot/efi.img -no-emul-boot -isohybrid-gpt-basdat \
  "$iso" >&2
# Replaced whole: a reader of OUT never sees half an image.
cp "$work/out.iso" "$out.partial"
mv "$out.partial" "$out"
say "$out: $(du --block-size=1M "$out" | cut -f1) MiB (root $(cat "$base/root-mib") MiB unpacked), built in $((SECONDS - started)) s"
