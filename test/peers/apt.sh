# Sourced by the peers' install scripts: apt calls that wait for another engineer's apt run
# instead of failing (the dpkg lock for up to 10 minutes).
apt_get() { DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 "$@"; }

# `apt-get update` takes the lists lock, which the dpkg lock timeout does not cover: retried every
# 10 s for 10 minutes. $1 names the peer in the messages.
apt_update() {
  local who="$1" attempt
  for attempt in $(seq 1 60); do
    apt_get update && return 0
    [ "$attempt" -lt 60 ] || return 1
    echo "$who: apt-get update failed (another apt running?); retrying in 10 s" >&2
    sleep 10
  done
}
