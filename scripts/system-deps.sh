#!/usr/bin/env bash
# Qt needs a few system libraries even offscreen; a real window needs the X11/xcb ones too.
# Installs what is missing when run as root on Debian/UOS/Kylin; otherwise prints the exact command.
set -eu
mode="${1:-test}"
pkgs_test="libglib2.0-0 libgl1 libegl1 libxkbcommon0 libfontconfig1 libfreetype6 libdbus-1-3 poppler-utils fonts-arphic-uming"
pkgs_gui="libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 \
libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxrender1 libxi6 fonts-wqy-microhei"
want="$pkgs_test"
[ "$mode" = "gui" ] && want="$pkgs_test $pkgs_gui"

command -v dpkg-query >/dev/null 2>&1 || { echo "system-deps: not a Debian-based system; skipping the check"; exit 0; }
missing=""
for p in $want; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  case "$status" in *"install ok installed"*) ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0

cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: installing$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
  echo "system-deps: these system packages are missing:$missing"
  echo "Install them with:  sudo $cmd"
  exit 1
fi
