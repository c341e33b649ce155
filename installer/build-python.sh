#!/usr/bin/env bash
# The interpreter the installer freezes with: CPython 3.11 built for glibc 2.28 (UOS 20, Kylin V10,
# Debian 10+), with the project's pinned wheels and PyInstaller installed into a venv of it.
#
#   bash installer/build-python.sh        # prints the path of that venv's python on its last line
#
# Sources come from Debian's source packages (apt-get source, through a private apt configuration that
# mirrors the system's sources as deb-src: the system's apt setup is not touched). The compiler is Zig
# (PyPI package `ziglang`): `zig cc -target x86_64-linux-gnu.2.28` links against glibc 2.28's symbol
# versions whatever glibc the build machine has. zlib, bzip2, xz (liblzma), libffi and SQLite are built
# as static PIC libraries and linked into Python's extension modules; Python's own copies of expat and
# libmpdec are used. Left out, because the offline program never loads them: ssl/_hashlib (OpenSSL;
# hashlib falls back to Python's built-in sha2/md5/blake2), readline, curses, tkinter, dbm/gdbm, _uuid
# (uuid works without it).
#
# Everything is cached under $SPDESK_BUILD_CACHE (default ~/.cache/spdesk-build), keyed by the versions
# and by this script: a second run reuses the interpreter (seconds); a changed constraints.txt rebuilds
# only the venv. Settings from the environment, all optional:
#   SPDESK_BUILD_CACHE   cache folder
#   ZIG_VERSION          ziglang release from PyPI (default below)
#   JOBS                 parallel compile jobs (default: number of cores)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CACHE="${SPDESK_BUILD_CACHE:-$HOME/.cache/spdesk-build}"
ZIG_VERSION="${ZIG_VERSION:-0.17.0}"
GLIBC_FLOOR="2.28"
TARGET="x86_64-linux-gnu.$GLIBC_FLOOR"
JOBS="${JOBS:-$(nproc)}"
# Debian source packages (bookworm); the versions are part of the cache key.
PY_SRC="python3.11"
DEPS_SRC="zlib bzip2 xz-utils libffi sqlite3"
HOST_PYTHON="${HOST_PYTHON:-$(command -v python3)}"
mkdir -p "$CACHE"
exec 4>&2
log() { echo "build-python: $*" >&4; }

[ "$(uname -m)" = "x86_64" ] || { log "only x86_64 is set up (target $TARGET)"; exit 2; }

# 1. Zig from PyPI -----------------------------------------------------------------------------------
ZIG_DIR="$CACHE/zig-$ZIG_VERSION"
if [ ! -x "$ZIG_DIR/ziglang/zig" ]; then
  log "ziglang $ZIG_VERSION from PyPI"
  rm -rf "$ZIG_DIR.tmp"
  "$HOST_PYTHON" -m pip install -q --disable-pip-version-check --no-deps --target "$ZIG_DIR.tmp" "ziglang==$ZIG_VERSION"
  rm -rf "$ZIG_DIR" && mv "$ZIG_DIR.tmp" "$ZIG_DIR"
fi
ZIG="$ZIG_DIR/ziglang/zig"
export ZIG_GLOBAL_CACHE_DIR="$CACHE/zig-cache" ZIG_LOCAL_CACHE_DIR="$CACHE/zig-cache"
TOOLS="$CACHE/zig-tools-$ZIG_VERSION"
mkdir -p "$TOOLS"
# Wrappers: configure scripts want one word per tool. UBSan off (zig cc turns it on without -O).
printf '#!/bin/sh\nexec "%s" cc -target %s -fno-sanitize=undefined -Wno-date-time "$@"\n' "$ZIG" "$TARGET" > "$TOOLS/cc"
printf '#!/bin/sh\nexec "%s" c++ -target %s -fno-sanitize=undefined -Wno-date-time "$@"\n' "$ZIG" "$TARGET" > "$TOOLS/c++"
printf '#!/bin/sh\nexec "%s" ar "$@"\n' "$ZIG" > "$TOOLS/ar"
printf '#!/bin/sh\nexec "%s" ranlib "$@"\n' "$ZIG" > "$TOOLS/ranlib"
chmod +x "$TOOLS"/*
export CC="$TOOLS/cc" CXX="$TOOLS/c++" AR="$TOOLS/ar" RANLIB="$TOOLS/ranlib"

# 2. Sources: Debian source packages through a private apt configuration -----------------------------
APT="$CACHE/apt"
APT_OPTS=(-o "Dir::State::Lists=$APT/lists" -o "Dir::Etc::SourceList=/dev/null"
          -o "Dir::Etc::SourceParts=$APT/sources" -o "Dir::Cache=$APT/cache" -o "APT::Sandbox::User=root"
          -o "Debug::NoLocking=1")
apt_src_setup() {
  mkdir -p "$APT/lists/partial" "$APT/sources" "$APT/cache/archives/partial"
  rm -f "$APT/sources"/*
  # The system's own package sources, as deb-src (deb822 files and one-line lists alike).
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && sed -n 's/^Types:.*\bdeb\b.*$/Types: deb-src/; p' "$f" >> "$APT/sources/src.sources"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] && sed -n 's/^deb \(.*\)$/deb-src \1/p' "$f" >> "$APT/sources/src.list"
  done
  apt-get "${APT_OPTS[@]}" update -qq >/dev/null 2>&1 || apt-get "${APT_OPTS[@]}" update
}
SRC="$CACHE/src"
mkdir -p "$SRC"
versions_file="$CACHE/source-versions"
if [ ! -s "$versions_file" ]; then
  apt_src_setup
  for p in $PY_SRC $DEPS_SRC; do
    v=$(apt-cache "${APT_OPTS[@]}" showsrc "$p" | awk '/^Version:/ {print $2}' | sort -V | tail -1)
    [ -n "$v" ] || { log "no source package $p (deb-src of the system's sources)"; exit 2; }
    echo "$p $v"
  done > "$versions_file.tmp"
  mv "$versions_file.tmp" "$versions_file"
fi
upstream() { awk -v p="$1" '$1 == p {print $2}' "$versions_file" | sed 's/^[0-9]*://; s/-[^-]*$//'; }
orig() { ls "$SRC"/"$1"_"$(upstream "$1")".orig.tar.* 2>/dev/null | grep -v -- '-www' | head -1; }
for p in $PY_SRC $DEPS_SRC; do
  if [ -z "$(orig "$p")" ]; then
    [ -d "$APT/lists" ] && ls "$APT/lists" | grep -q Sources || apt_src_setup
    log "source package $p"
    # Only the upstream tarball is used (a .dsc missing on a security mirror does not matter).
    (cd "$SRC" && apt-get "${APT_OPTS[@]}" source --download-only -qq "$p" >/dev/null 2>&1 || true)
    [ -n "$(orig "$p")" ] || { log "could not download the source of $p"; exit 2; }
  fi
done

# RECIPE: raise it when a change to steps 1-3 must rebuild the interpreter.
RECIPE=1
KEY=$( { cat "$versions_file"; echo "zig $ZIG_VERSION $TARGET recipe $RECIPE"; } | sha256sum | cut -c1-12)
PY_VER="$(upstream $PY_SRC)"
PREFIX="$CACHE/cpython-$PY_VER-glibc$GLIBC_FLOOR-$KEY"

# 3. The C libraries and CPython (skipped when the prefix is there) ----------------------------------
if [ ! -x "$PREFIX/bin/python3.11" ]; then
  started=$(date +%s)
  WORK="$CACHE/work-$KEY"
  DEPS="$WORK/deps"
  rm -rf "$WORK" && mkdir -p "$WORK" "$DEPS/lib" "$DEPS/include"
  unpack() { mkdir -p "$WORK/$1" && tar xf "$(orig "$1")" -C "$WORK/$1" --strip-components=1; }
  FLAGS="-O2 -fPIC -w"
  # Compiler chatter of the libraries goes to a log, shown when a step fails.
  trap 'log "failed; the end of $WORK/deps.log:"; tail -25 "$WORK/deps.log" >&4' ERR
  exec 2>>"$WORK/deps.log"

  log "zlib $(upstream zlib)"; unpack zlib
  (cd "$WORK/zlib" && CFLAGS="$FLAGS" ./configure --static --prefix="$DEPS" >/dev/null \
     && make -s -j"$JOBS" libz.a >/dev/null && make -s install >/dev/null)

  log "bzip2 $(upstream bzip2)"; unpack bzip2
  (cd "$WORK/bzip2" && make -s -j"$JOBS" CC="$CC" AR="$AR" RANLIB="$RANLIB" CFLAGS="$FLAGS -D_FILE_OFFSET_BITS=64" libbz2.a >/dev/null \
     && cp libbz2.a "$DEPS/lib/" && cp bzlib.h "$DEPS/include/")

  log "xz $(upstream xz-utils)"; unpack xz-utils
  (cd "$WORK/xz-utils" && CFLAGS="$FLAGS" ./configure -q --prefix="$DEPS" --disable-shared --enable-static \
     --disable-xz --disable-xzdec --disable-lzmadec --disable-lzmainfo --disable-scripts --disable-doc \
     --disable-nls >/dev/null && make -s -j"$JOBS" >/dev/null 2>&1 && make -s install >/dev/null)

  log "libffi $(upstream libffi)"; unpack libffi
  (cd "$WORK/libffi" && CFLAGS="$FLAGS" ./configure -q --prefix="$DEPS" --libdir="$DEPS/lib" --disable-shared \
     --enable-static --with-pic --disable-docs --disable-multi-os-directory --disable-exec-static-tramp >/dev/null \
     && make -s -j"$JOBS" >/dev/null 2>&1 && make -s install >/dev/null)

  log "sqlite $(upstream sqlite3)"; unpack sqlite3
  # The amalgamation (sqlite3.c) is generated from the full source tree; that needs tclsh.
  command -v tclsh >/dev/null || { log "tclsh is needed to build SQLite (apt-get install tcl)"; exit 2; }
  command -v patchelf >/dev/null || { log "patchelf is needed (apt-get install patchelf)"; exit 2; }
  (cd "$WORK/sqlite3" && CC=cc CFLAGS="-O2" ./configure -q --disable-tcl >/dev/null && make -s sqlite3.c >/dev/null 2>&1 \
     && "$CC" $FLAGS -DSQLITE_ENABLE_FTS5 -DSQLITE_ENABLE_JSON1 -DSQLITE_ENABLE_MATH_FUNCTIONS \
        -DSQLITE_ENABLE_DBSTAT_VTAB -DSQLITE_THREADSAFE=1 -DSQLITE_OMIT_LOAD_EXTENSION=0 -c sqlite3.c -o sqlite3.o \
     && "$AR" rcs "$DEPS/lib/libsqlite3.a" sqlite3.o && cp sqlite3.h sqlite3ext.h "$DEPS/include/")

  exec 2>&4
  trap - ERR
  log "CPython $PY_VER (configure + make, the longest step)"; unpack $PY_SRC
  # Zig's linker takes the soname only in its long form, and `zig cc -shared` wants at least one
  # source or object besides libraries (the libpython3.so stub is made from libpython3.11.so alone).
  sed -i 's/-Wl,-h\$(INSTSONAME)/-Wl,-soname,$(INSTSONAME)/
          s/\$(BLDSHARED) \$(NO_AS_NEEDED) -o \$@ -Wl,-h\$@ \$^/echo "static int unused;" > Modules\/empty_for_zig.c; $(BLDSHARED) $(NO_AS_NEEDED) -o $@ -Wl,-soname,$@ Modules\/empty_for_zig.c $^/' \
    "$WORK/$PY_SRC/Makefile.pre.in"
  # setup.py (3.11 still builds some modules with it) adds the build machine's /usr/include and
  # /usr/local: those headers belong to glibc 2.36 and clash with Zig's 2.28 ones. Only our folders.
  "$HOST_PYTHON" - "$WORK/$PY_SRC/setup.py" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
for old, new in (
    ("            add_dir_to_list(self.compiler.library_dirs, '/usr/local/lib')\n"
     "            add_dir_to_list(self.compiler.include_dirs, '/usr/local/include')\n", "            pass\n"),
    ("        self.add_multiarch_paths()\n", ""),
    ("        system_lib_dirs = ['/lib64', '/usr/lib64', '/lib', '/usr/lib']\n"
     "        system_include_dirs = ['/usr/include']\n", "        system_lib_dirs = []\n        system_include_dirs = []\n"),
):
    assert s.count(old) == 1, old
    s = s.replace(old, new)
open(p, "w").write(s)
PY
  (cd "$WORK/$PY_SRC" \
   && CPPFLAGS="-I$DEPS/include" LDFLAGS="-L$DEPS/lib" \
      LIBFFI_CFLAGS="-I$DEPS/include" LIBFFI_LIBS="-L$DEPS/lib -lffi" \
      LIBSQLITE3_CFLAGS="-I$DEPS/include" LIBSQLITE3_LIBS="-L$DEPS/lib -lsqlite3 -lm" \
      LIBLZMA_CFLAGS="-I$DEPS/include" LIBLZMA_LIBS="-L$DEPS/lib -llzma" \
      BZIP2_CFLAGS="-I$DEPS/include" BZIP2_LIBS="-L$DEPS/lib -lbz2" \
      ZLIB_CFLAGS="-I$DEPS/include" ZLIB_LIBS="-L$DEPS/lib -lz" \
      PKG_CONFIG=false \
      py_cv_module__tkinter=n/a py_cv_module__curses=n/a py_cv_module__curses_panel=n/a \
      py_cv_module_readline=n/a py_cv_module__dbm=n/a py_cv_module__gdbm=n/a py_cv_module__uuid=n/a \
      py_cv_module_nis=n/a py_cv_module__ssl=n/a py_cv_module__hashlib=n/a py_cv_module__crypt=n/a \
      ./configure -q --prefix="$PREFIX" --enable-shared --with-ensurepip=install --without-readline \
        --with-system-expat=no --with-system-libmpdec=no >"$WORK/configure.log" 2>&1 \
   && make -s -j"$JOBS" >"$WORK/make.log" 2>&1 \
   && make -s install >"$WORK/install.log" 2>&1) \
   || { log "CPython build failed; logs in $WORK"; tail -n 30 "$WORK"/*.log >&2; exit 1; }
  # The program finds its own libpython3.11.so, also when started through the venv's symlink (so the
  # absolute path; it only ever runs on the build machine). Without it the build machine's libpython
  # (glibc 2.35) would be loaded and frozen. patchelf: make's quoting of $ORIGIN in LDFLAGS is fragile.
  patchelf --set-rpath "$PREFIX/lib" "$PREFIX/bin/python3.11"
  # No search path in the library and the extension modules (lintian: relative-library-search-path);
  # in the bundle PyInstaller's loader finds libpython.
  for f in "$PREFIX/lib/libpython3.11.so.1.0" "$PREFIX"/lib/python3.11/lib-dynload/*.so; do
    [ -z "$(patchelf --print-rpath "$f")" ] || patchelf --remove-rpath "$f"
  done
  # The test suite and its data are not needed to freeze (saves ~100 MB in the cache).
  rm -rf "$PREFIX/lib/python3.11/test" "$PREFIX/lib/python3.11/idlelib" "$PREFIX/lib/python3.11/tkinter"
  rm -rf "$WORK"
  log "interpreter built in $(( $(date +%s) - started )) s: $PREFIX"
fi
[ "$(ldd "$PREFIX/bin/python3.11" | awk '/libpython/ {print $3}')" = "$PREFIX/lib/libpython3.11.so.1.0" ] \
  || { log "the built interpreter does not load its own libpython"; exit 1; }
"$PREFIX/bin/python3.11" -c 'import sqlite3, zlib, lzma, bz2, ctypes, decimal, pyexpat' \
  || { log "the built interpreter lacks a module"; exit 1; }

# 4. A venv of it with the pinned wheels and PyInstaller ---------------------------------------------
# The built interpreter has no ssl, so the host's pip downloads the wheels (binary only: nothing is
# compiled with the host's compiler, which would raise the glibc floor) into a cached wheel folder.
REQS="$CACHE/requirements-$KEY.txt"
"$HOST_PYTHON" - "$ROOT/pyproject.toml" > "$REQS" <<'PY'
import sys, tomllib
p = tomllib.load(open(sys.argv[1], "rb"))["project"]
print("\n".join(p["dependencies"] + [d for d in p["optional-dependencies"]["dev"] if d.startswith("pyinstaller")]))
PY
VKEY=$(cat "$REQS" "$ROOT/constraints.txt" | sha256sum | cut -c1-12)
VENV="$CACHE/venv-$KEY-$VKEY"
if [ ! -x "$VENV/bin/python" ]; then
  WHEELS="$CACHE/wheels"
  mkdir -p "$WHEELS"
  log "wheels for the frozen program (pinned by constraints.txt)"
  "$HOST_PYTHON" -m pip download -q --disable-pip-version-check --only-binary :all: --dest "$WHEELS" \
    --python-version 3.11 --implementation cp --abi cp311 $(for v in 2_28 2_27 2_26 2_24 2_17 2_12 2_5; do
      printf -- '--platform manylinux_%s_x86_64 ' "$v"; done) --platform manylinux2014_x86_64 \
    --platform manylinux2010_x86_64 --platform manylinux1_x86_64 \
    -c "$ROOT/constraints.txt" -r "$REQS"
  rm -rf "$VENV"
  "$PREFIX/bin/python3.11" -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --isolated --no-index --find-links "$WHEELS" \
    --only-binary :all: -c "$ROOT/constraints.txt" -r "$REQS"
fi
[ "$(ldd "$VENV/bin/python" | awk '/libpython/ {print $3}')" = "$PREFIX/lib/libpython3.11.so.1.0" ] \
  || { log "the venv's python does not load the built libpython"; exit 1; }
echo "$VENV/bin/python"
