#!/usr/bin/env bash
# Build the Debian package (UOS / Kylin / Debian) in one command:  make installer
#
#   1. PyInstaller one-folder bundle from installer/spdesk.spec (Python runtime, Qt, fonts, compiled
#      translations, templates, migrations);
#   2. stage it under /opt/spdesk with /usr/bin/spdesk, the menu entry and the icon;
#   3. dpkg-deb --build, then lintian when it is installed.
#
# The bundle is frozen with an interpreter built for glibc 2.28 (installer/build-python.sh, cached, so
# only the first build compiles it), so the .deb made on this Debian 12 machine runs on glibc 2.28 and
# newer (UOS 20, Kylin V10, Debian 10+). A check fails the build when any ELF file in the package needs
# a newer glibc (or a newer libstdc++ than Debian 10's) than the declared floor.
# Settings, all optional, from the environment:
#   FREEZE_PYTHON    interpreter with the pinned wheels and PyInstaller (default: installer/build-python.sh)
#   GLIBC_FLOOR      the floor the package declares and the check enforces (default 2.28)
#   SPDESK_VERSION   package version (default: version in pyproject.toml)
#   BUILD_DIR        scratch folder (default build/installer); DIST_DIR where the .deb goes (default dist)
#   SPDESK_BUNDLE    an already built PyInstaller folder to package instead of building one
#   DEB_COMPRESSION  xz (default, smallest) or gzip (faster, for tests)
#   LINTIAN          0 to skip lintian
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
PYTHON="$(command -v python3)"   # only reads pyproject.toml here
GLIBC_FLOOR="${GLIBC_FLOOR:-2.28}"
# Debian 10's libstdc++ (GCC 8): the newest symbol versions the system's libstdc++6 offers there.
GLIBCXX_FLOOR="3.4.25"
CXXABI_FLOOR="1.3.11"
BUILD_DIR="${BUILD_DIR:-$ROOT/build/installer}"
DIST_DIR="${DIST_DIR:-$ROOT/dist}"
VERSION="${SPDESK_VERSION:-$("$PYTHON" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')}"
ARCH="$(dpkg --print-architecture)"
MAINTAINER="${MAINTAINER:-Service Purchase Desk team <spdesk@example.org>}"
DEB="$DIST_DIR/spdesk_${VERSION}_${ARCH}.deb"
mkdir -p "$BUILD_DIR" "$DIST_DIR"

# 1. The bundle ------------------------------------------------------------------------------------
if [ -n "${SPDESK_BUNDLE:-}" ]; then
  BUNDLE="$SPDESK_BUNDLE"
else
  FREEZE_PYTHON="${FREEZE_PYTHON:-$(bash installer/build-python.sh | tail -1)}"
  echo "build-deb: PyInstaller bundle ($("$FREEZE_PYTHON" -c 'import sys; print(sys.version.split()[0])') built for glibc $GLIBC_FLOOR)"
  "$FREEZE_PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$BUILD_DIR/pyinstaller" --workpath "$BUILD_DIR/pyinstaller-work" installer/spdesk.spec
  BUNDLE="$BUILD_DIR/pyinstaller/spdesk"
fi
[ -x "$BUNDLE/spdesk" ] || { echo "build-deb: no bundle at $BUNDLE" >&2; exit 1; }

# 2. Stage the package tree ------------------------------------------------------------------------
PKG="$BUILD_DIR/pkg"
rm -rf "$PKG"
mkdir -p "$PKG/DEBIAN" "$PKG/opt" "$PKG/usr/bin" "$PKG/usr/share/applications" \
         "$PKG/usr/share/icons/hicolor/scalable/apps" "$PKG/usr/share/doc/spdesk"
cp -a "$BUNDLE" "$PKG/opt/spdesk"
# Never ship tests or stray byte code of them (the bundle has none; this is the guard).
find "$PKG/opt/spdesk" \( -name '__pycache__' -o -name 'tests' -o -name '*_test.py' -o -name 'test_*.py' \) \
  -prune -exec rm -rf {} +
install -m 0755 installer/debian/spdesk.sh "$PKG/usr/bin/spdesk"
install -m 0644 installer/debian/spdesk.desktop "$PKG/usr/share/applications/spdesk.desktop"
install -m 0644 app/resources/icons/spdesk.svg "$PKG/usr/share/icons/hicolor/scalable/apps/spdesk.svg"
install -m 0644 installer/debian/copyright "$PKG/usr/share/doc/spdesk/copyright"
{
  echo "spdesk ($VERSION) stable; urgency=medium"
  echo
  echo "  * Release $VERSION of Service Purchase Desk (政府购买服务工作台)."
  echo
  echo " -- $MAINTAINER  $(date -R -d "@${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}")"
} | gzip -9n > "$PKG/usr/share/doc/spdesk/changelog.gz"
chmod 0644 "$PKG/usr/share/doc/spdesk/changelog.gz"

# Debug symbols out of the shared objects (Python's extension modules come unstripped). Never the
# launcher itself: PyInstaller appends its archive to that file.
if command -v strip >/dev/null 2>&1; then
  find "$PKG/opt/spdesk/_internal" -type f -name '*.so*' -exec strip --strip-unneeded \
    --remove-section=.comment --remove-section=.note {} + 2>/dev/null || true
fi
mkdir -p "$PKG/usr/share/man/man1"
gzip -9n < installer/debian/spdesk.1 > "$PKG/usr/share/man/man1/spdesk.1.gz"

# Plain permissions: directories and programs 0755, everything else 0644.
find "$PKG" -type d -exec chmod 0755 {} +
find "$PKG/opt/spdesk" -type f -exec chmod 0644 {} +
chmod 0755 "$PKG/opt/spdesk/spdesk"
find "$PKG/opt/spdesk" -type f -name '*.so*' -exec chmod 0644 {} +

SIZE_KB="$(du -sk --exclude=DEBIAN "$PKG" | cut -f1)"
# The desktop libraries come from the system (the bundle leaves them out on purpose, see spdesk.spec);
# the names exist unchanged on Debian 10+, UOS 20 and Kylin V10. libcups2: Qt's CUPS print support
# plugin (printing a contract on the office printer).
DEPENDS="libc6 (>= $GLIBC_FLOOR), libstdc++6, libgcc-s1 | libgcc1, zlib1g, libexpat1, libglib2.0-0, libdbus-1-3, \
libfontconfig1, libfreetype6, libx11-6, libx11-xcb1, libxext6, libxrender1, libxcb1, libxkbcommon0, \
libxkbcommon-x11-0, libxcb-cursor0, libxcb-icccm4, libxcb-image0, libxcb-keysyms1, libxcb-randr0, \
libxcb-render-util0, libxcb-shape0, libxcb-xinerama0, libxcb-xkb1, libgl1, libegl1, libatomic1, \
libwayland-cursor0, libwayland-egl1, libcups2"
cat > "$PKG/DEBIAN/control" <<CONTROL
Package: spdesk
Version: $VERSION
Section: misc
Priority: optional
Architecture: $ARCH
Maintainer: $MAINTAINER
Installed-Size: $SIZE_KB
Depends: $DEPENDS
Description: Service Purchase Desk (政府购买服务工作台)
 Desktop program for street offices that purchase services from social
 organizations: registry of organizations, purchase projects, yearly service
 agreements, contract printing and the audit trail. Works without network.
 .
 The program lives in /opt/spdesk; each user's data stays in their own data
 folder (~/.local/share/spdesk), so upgrades and removal never touch it.
CONTROL

# 3. Check the floor, build and check -------------------------------------------------------------
# Every ELF file must need at most the declared glibc (and Debian 10's libstdc++): otherwise the
# program would stop at once on the oldest systems the Depends line admits.
sh installer/glibc-floor.sh "$PKG" --all GLIBC > "$BUILD_DIR/glibc-needed.txt"
sh installer/glibc-floor.sh "$PKG" --all GLIBCXX > "$BUILD_DIR/glibcxx-needed.txt"
sh installer/glibc-floor.sh "$PKG" --all CXXABI > "$BUILD_DIR/cxxabi-needed.txt"
over() {  # lines of FILE whose version is newer than FLOOR
  while read -r v f; do
    [ -n "$v" ] && [ "$(printf '%s\n%s\n' "$2" "$v" | sort -V | tail -1)" != "$2" ] && echo "  $3_$v  $f"
  done < "$1"; true
}
too_new="$(over "$BUILD_DIR/glibc-needed.txt" "$GLIBC_FLOOR" GLIBC; over "$BUILD_DIR/glibcxx-needed.txt" "$GLIBCXX_FLOOR" GLIBCXX
           over "$BUILD_DIR/cxxabi-needed.txt" "$CXXABI_FLOOR" CXXABI)"
newest="$(tail -1 "$BUILD_DIR/glibc-needed.txt" | cut -d' ' -f1)"
echo "build-deb: glibc needed: ${newest:-none} (declared floor $GLIBC_FLOOR; this machine: $(ldd --version | head -1 | awk '{print $NF}'))"
if [ -n "$too_new" ]; then
  echo "build-deb: these files need more than glibc $GLIBC_FLOOR / libstdc++ GLIBCXX_$GLIBCXX_FLOOR:" >&2
  echo "$too_new" >&2
  exit 4
fi
COMP="${DEB_COMPRESSION:-xz}"
dpkg-deb --root-owner-group -Z"$COMP" --build "$PKG" "$DEB" >/dev/null
echo "build-deb: $DEB ($(du -h "$DEB" | cut -f1), installed ${SIZE_KB} KB)"
if [ "${LINTIAN:-1}" != "0" ]; then
  if command -v lintian >/dev/null 2>&1; then
    # Every finding goes to lintian.txt; the summary names each tag and whether it is accepted
    # (installer/debian/lintian-accepted says why). A tag outside that list fails the build.
    lintian --no-tag-display-limit "$DEB" > "$BUILD_DIR/lintian.txt" 2>&1 || true
    accepted="$(grep -v '^#' installer/debian/lintian-accepted | awk 'NF {print $1}')"
    bad=0
    echo "build-deb: lintian findings (full list in $BUILD_DIR/lintian.txt):"
    while read -r count level tag; do
      if printf '%s\n' "$accepted" | grep -qx "$tag"; then note="accepted"; else note="NOT ACCEPTED"; bad=1; fi
      printf '  %5s %s %s (%s)\n' "$count" "$level" "$tag" "$note"
    done < <(grep -E '^[EWI]: ' "$BUILD_DIR/lintian.txt" | awk '{print $1, $3}' | sort | uniq -c | sort -rn)
    [ "$bad" = 0 ] || { echo "build-deb: lintian found problems that are not accepted" >&2; exit 3; }
  else
    echo "build-deb: lintian not installed (apt-get install lintian) - check skipped"
  fi
fi
