// The Incus agent's start-up, installed the way Incus installs it in its own images: Incus hands
// each VM the agent binary and its configuration on a config drive (a 9p share tagged `config`,
// or a CD-ROM labelled `incus-agent`) and announces itself on the virtio port
// `org.linuxcontainers.incus`; a udev rule starts the agent's unit when that port appears, and the
// unit's set-up copies the drive into a tmpfs and runs the agent from there. The files below are
// Ferry's own, written for that contract. A guest that already has an incus-agent unit (from a
// package) is left as it is.

import { guestFileExists, writeGuestFile } from './guest-files.js';
import type { PrepareStepRecord } from './protocol.js';

const SETUP_PATH = '/usr/local/sbin/ferry-incus-agent-setup';
const UNIT_PATH = '/etc/systemd/system/incus-agent.service';
const RULE_PATH = '/etc/udev/rules.d/99-ferry-incus-agent.rules';
const PACKAGED_UNITS = ['/lib/systemd/system/incus-agent.service', '/usr/lib/systemd/system/incus-agent.service'];

const SETUP = `#!/bin/sh
# Installed by Ferry when it migrated this VM to Incus: copies the Incus agent from the config
# drive Incus attaches (9p share "config", or the CD-ROM labelled incus-agent) into a tmpfs at
# /run/incus_agent, from where incus-agent.service runs it.
set -eu
agent=/run/incus_agent
drive=/run/incus_agent.drive

found=no
mkdir -p "$drive"
modprobe 9pnet_virtio >/dev/null 2>&1 || true
if mount -t 9p config "$drive" -o access=0,trans=virtio >/dev/null 2>&1; then
  found=yes
else
  cdrom=$(blkid -L incus-agent 2>/dev/null || true)
  if [ -n "$cdrom" ] && mount -o ro "$cdrom" "$drive" >/dev/null 2>&1; then found=yes; fi
fi
if [ "$found" = no ]; then
  rmdir "$drive" 2>/dev/null || true
  # After a restart the copy from the first start is still there.
  if [ -x "$agent/incus-agent" ]; then exit 0; fi
  echo "no Incus agent drive (9p config or CD-ROM incus-agent) attached" >&2
  exit 1
fi

umount -l "$agent" >/dev/null 2>&1 || true
mkdir -p "$agent"
mount -t tmpfs -o mode=0700,size=64M tmpfs "$agent"
cp -a "$drive"/. "$agent"/
umount "$drive"
rmdir "$drive"
chown -R root:root "$agent"
# SELinux: a binary on a tmpfs may not be executed by init until it is labelled as one.
if command -v selinuxenabled >/dev/null 2>&1 && selinuxenabled && command -v chcon >/dev/null 2>&1; then
  chcon -t bin_t "$agent/incus-agent" || true
fi
`;

const UNIT = `# Installed by Ferry when it migrated this VM to Incus.
[Unit]
Description=Incus agent (installed by Ferry)
Documentation=https://linuxcontainers.org/incus/docs/main/
Before=multi-user.target cloud-init.target cloud-init.service cloud-init-local.service
DefaultDependencies=no

[Service]
Type=notify
WorkingDirectory=-/run/incus_agent
ExecStartPre=${SETUP_PATH}
ExecStart=/run/incus_agent/incus-agent
Restart=on-failure
RestartSec=5s
StartLimitIntervalSec=60
StartLimitBurst=10
`;

const RULE = `# Installed by Ferry: start the Incus agent when Incus's virtio port appears.
ACTION=="add", SYMLINK=="virtio-ports/org.linuxcontainers.incus", TAG+="systemd", ENV{SYSTEMD_WANTS}+="incus-agent.service"
`;

export function installIncusAgent(root: string): PrepareStepRecord {
  const packaged = PACKAGED_UNITS.find((path) => guestFileExists(root, path));
  if (packaged !== undefined) return { step: 'incus-agent', changed: false, details: [`the guest has its own incus-agent unit (${packaged})`] };
  const details: string[] = [];
  if (writeGuestFile(root, SETUP_PATH, SETUP, 0o755)) details.push(`wrote ${SETUP_PATH}`);
  if (writeGuestFile(root, UNIT_PATH, UNIT)) details.push(`wrote ${UNIT_PATH}`);
  if (writeGuestFile(root, RULE_PATH, RULE)) details.push(`wrote ${RULE_PATH}`);
  if (details.length > 0) return { step: 'incus-agent', changed: true, details };
  return { step: 'incus-agent', changed: false, details: ['the Incus agent start-up was already installed'] };
}
