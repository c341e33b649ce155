#!/usr/bin/env bash
# A Debian 11 (bullseye, glibc 2.31) root made with `debootstrap --variant=minbase`, cached, for the
# installer's install test (tests/installer/test_debian11.py). Prints the root's path on its last line.
#
#   bash installer/debian11-root.sh           # needs root, debootstrap and the package mirror
#
# The mirror is the one the system's own apt sources name. The root is made once into
# $SPDESK_BUILD_CACHE/debian11-root (default ~/.cache/spdesk-build) and reused; the test copies nothing
# into it permanently (each run installs the .deb, then purges it). Xvfb and xauth are installed into
# the root as well so that the real window can be started there.
set -euo pipefail
CACHE="${SPDESK_BUILD_CACHE:-$HOME/.cache/spdesk-build}"
ROOTFS="$CACHE/debian11-root"
SUITE=bullseye
EXTRA="xvfb,xauth,xdotool,x11-apps"
log() { echo "debian11-root: $*" >&2; }

[ "$(id -u)" = 0 ] || { log "needs root (debootstrap, chroot)"; exit 2; }
if [ ! -f "$ROOTFS/.complete" ]; then
  command -v debootstrap >/dev/null || { export DEBIAN_FRONTEND=noninteractive; apt-get install -y -qq debootstrap >/dev/null; }
  mirror="${DEBIAN_MIRROR:-$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)}"
  [ -n "$mirror" ] || mirror="$(awk '$1 == "deb" {print $2; exit}' /etc/apt/sources.list)"
  [ -n "$mirror" ] || { log "no Debian mirror in the system's apt sources (set DEBIAN_MIRROR)"; exit 2; }
  rm -rf "$ROOTFS.tmp"
  log "debootstrap --variant=minbase $SUITE (once; cached in $ROOTFS)"
  debootstrap --variant=minbase --include="$EXTRA" "$SUITE" "$ROOTFS.tmp" "$mirror" > "$CACHE/debootstrap.log" 2>&1 \
    || { tail -20 "$CACHE/debootstrap.log" >&2; exit 1; }
  # Later `apt-get install ./spdesk_*.deb` inside the root resolves Depends from the same mirror.
  echo "deb $mirror $SUITE main" > "$ROOTFS.tmp/etc/apt/sources.list"
  chroot "$ROOTFS.tmp" apt-get update -qq >/dev/null
  chroot "$ROOTFS.tmp" apt-get clean
  touch "$ROOTFS.tmp/.complete"
  rm -rf "$ROOTFS" && mv "$ROOTFS.tmp" "$ROOTFS"
fi
# Tools the test uses inside the root (a root cached by an earlier version of this script may lack one).
if [ ! -x "$ROOTFS/usr/bin/xdotool" ] || [ ! -x "$ROOTFS/usr/bin/Xvfb" ]; then
  log "adding Xvfb and xdotool to the root"
  chroot "$ROOTFS" apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive chroot "$ROOTFS" apt-get install -y -qq --no-install-recommends \
    xvfb xauth xdotool x11-apps >/dev/null
fi
echo "$ROOTFS"
