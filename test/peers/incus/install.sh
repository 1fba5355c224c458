#!/usr/bin/env bash
# Installs and starts the Incus daemon the Incus provider's peer suite runs against: Incus 6.0.4
# LTS (`incus-base`) from Debian bookworm-backports, plus nftables (managed bridges need it) and
# busybox-static (a local container image; the machine needs no network for images).
#
# There is no systemd on these machines: incusd is started by hand. The daemon gets two `dir`
# storage pools, two managed bridges without NAT (nothing on the host is rewritten), HTTPS on
# 127.0.0.1:8444, a trusted client certificate and a busybox image. What the tests need is
# written as KEY=VALUE lines to test/peers/.cache/incus.env.
#
# Idempotent: run it again and it only starts what is not running. Fails (non-zero) when anything
# is missing. Run as root on Debian bookworm. Another engineer may run apt at the same time, so
# every apt call waits for the dpkg lock instead of failing.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
cache="$root/test/peers/.cache"
state="$cache/incus"
mkdir -p "$state" /var/log/incus

address=127.0.0.1:8444
bridge=ferrybr0
second_bridge=ferrybr1
second_pool=ferry-b
socket=/var/lib/incus/unix.socket
image_alias=ferry-busybox
client_name=ferry-peer
# shellcheck source=../apt.sh
. "$here/../apt.sh"

if [ "$(id -u)" -ne 0 ]; then
  echo "incus peer: installing and starting incusd needs root" >&2
  exit 1
fi

# --- packages ---------------------------------------------------------------------------------
if [ ! -x /usr/libexec/incus/incusd ] || ! command -v nft >/dev/null || [ ! -x /bin/busybox ]; then
  backports=/etc/apt/sources.list.d/bookworm-backports.sources
  if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    echo "incus peer: adding $backports"
    cat >"$backports" <<'EOF'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  fi
  echo "incus peer: installing incus-base (bookworm-backports), nftables, busybox-static"
  apt_update "incus peer"
  apt_get install -y -t bookworm-backports incus-base
  apt_get install -y --no-install-recommends nftables busybox-static
fi
incus_version="$(dpkg-query -W -f='${Version}' incus-base)"
case "$incus_version" in
  6.0.*) ;;
  *) echo "incus peer: expected incus-base 6.0.x (the LTS), found $incus_version" >&2; exit 1 ;;
esac

# --- daemon -----------------------------------------------------------------------------------
# The incusd this script started, if it still runs (a stopped one lingers as a zombie until
# PID 1 reaps it: that does not count).
running() {
  local pid
  pid="$(cat "$state/incusd.pid" 2>/dev/null)" || return 1
  [ -r "/proc/$pid/stat" ] && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$pid/stat" && grep -q incusd "/proc/$pid/cmdline" 2>/dev/null
}
if ! /usr/libexec/incus/incusd waitready --timeout=1 >/dev/null 2>&1 && ! running; then
  echo "incus peer: starting incusd"
  group=incus-admin
  getent group "$group" >/dev/null || group=root
  # Incus finds its helpers (incusd forkexec etc.) under /usr/libexec/incus.
  PATH=/usr/libexec/incus:$PATH setsid nohup /usr/libexec/incus/incusd --group "$group" \
    --logfile=/var/log/incus/incus.log >"$state/incusd.stdout" 2>&1 </dev/null &
  echo $! >"$state/incusd.pid"
fi
if ! /usr/libexec/incus/incusd waitready --timeout=60; then
  echo "incus peer: incusd did not become ready; its output:" >&2
  tail -n 30 "$state/incusd.stdout" /var/log/incus/incus.log >&2 || true
  exit 1
fi

# --- server configuration (preseed: creates what is missing, updates the rest) ------------------
incus admin init --preseed <<EOF
config:
  core.https_address: $address
storage_pools:
- name: default
  driver: dir
- name: $second_pool
  driver: dir
networks:
- name: $bridge
  type: bridge
  config:
    ipv4.address: 10.211.0.1/24
    ipv4.nat: "false"
    ipv6.address: none
- name: $second_bridge
  type: bridge
  config:
    ipv4.address: 10.212.0.1/24
    ipv4.nat: "false"
    ipv6.address: none
profiles:
- name: default
  devices:
    root: {path: /, pool: default, type: disk}
    eth0: {name: eth0, network: $bridge, type: nic}
EOF

# --- client certificate, trusted by the daemon --------------------------------------------------
if [ ! -s "$state/client.crt" ] || [ ! -s "$state/client.key" ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:secp384r1 -sha384 -nodes -days 3650 \
    -subj "/CN=$client_name" -keyout "$state/client.key" -out "$state/client.crt" 2>/dev/null
  chmod 600 "$state/client.key"
fi
fingerprint="$(openssl x509 -in "$state/client.crt" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' | tr 'A-F' 'a-f')"
if ! incus config trust list --format csv | grep -q "${fingerprint:0:12}"; then
  incus config trust remove "$client_name" >/dev/null 2>&1 || true
  incus config trust add-certificate "$state/client.crt" --name "$client_name"
fi
cp /var/lib/incus/server.crt "$state/server.crt"
server_fingerprint="$(openssl x509 -in "$state/server.crt" -noout -fingerprint -sha256 | sed 's/.*=//')"

# --- a busybox container image, built locally ---------------------------------------------------
if ! incus image info "$image_alias" >/dev/null 2>&1; then
  echo "incus peer: building the $image_alias image"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  rootfs="$work/rootfs"
  mkdir -p "$rootfs"/{bin,sbin,etc,dev,proc,sys,tmp,root,run,var,usr/bin,usr/sbin}
  cp /bin/busybox "$rootfs/bin/busybox"
  for applet in $("$rootfs/bin/busybox" --list); do
    [ -e "$rootfs/bin/$applet" ] || ln -s busybox "$rootfs/bin/$applet"
  done
  ln -sf ../bin/busybox "$rootfs/sbin/init"
  cat >"$rootfs/etc/inittab" <<'EOF'
::sysinit:/bin/mount -t tmpfs tmpfs /tmp
::respawn:/bin/sleep 3600
::ctrlaltdel:/bin/true
::shutdown:/bin/true
EOF
  echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
  echo 'root:x:0:' >"$rootfs/etc/group"
  cat >"$work/metadata.yaml" <<EOF
architecture: x86_64
creation_date: $(date +%s)
properties:
  description: busybox for Ferry's Incus peer suite
  os: busybox
  release: static
EOF
  tar -C "$work" -czf "$work/image.tar.gz" metadata.yaml rootfs
  incus image import "$work/image.tar.gz" --alias "$image_alias" >/dev/null
fi

{
  echo "INCUS_VERSION=$incus_version"
  echo "INCUS_SOCKET=$socket"
  echo "INCUS_ENDPOINT=https://$address"
  echo "INCUS_CLIENT_CERT=$state/client.crt"
  echo "INCUS_CLIENT_KEY=$state/client.key"
  echo "INCUS_SERVER_CERT=$state/server.crt"
  echo "INCUS_SERVER_FINGERPRINT=$server_fingerprint"
  echo "INCUS_POOL=default"
  echo "INCUS_NETWORK=$bridge"
  echo "INCUS_POOL_B=$second_pool"
  echo "INCUS_NETWORK_B=$second_bridge"
  echo "INCUS_IMAGE=$image_alias"
} >"$cache/incus.env"
echo "incus peer: ready (Incus $incus_version at https://$address and unix://$socket)"
