#!/usr/bin/env bash
# Which files of the frozen program are never opened: the self-test, sample data, a contract printed to
# PDF, the monthly export in every format and a real window (Xvfb, log in, every page of the navigation)
# under `strace -f -e trace=openat`.
# Used to decide what installer/spdesk.spec leaves out; prints "SIZE_KB PATH" for every file under
# _internal that no run opened, biggest first, and the total.
#   usage: bash installer/unused-files.sh BUNDLE_DIR [OUT_DIR]     (needs strace, Xvfb, xdotool)
set -euo pipefail
BUNDLE="$(cd "$1" && pwd)"
OUT="${2:-$(mktemp -d)}"
mkdir -p "$OUT"
HOME_DIR="$OUT/home"
rm -rf "$HOME_DIR" && mkdir -p "$HOME_DIR"
run() { env -i PATH=/usr/bin:/bin HOME="$HOME_DIR" LANG=C.UTF-8 XDG_RUNTIME_DIR="$OUT" "$@"; }

run QT_QPA_PLATFORM=offscreen strace -f -qq -e trace=openat,open,execve -o "$OUT/selftest.trace" \
  "$BUNDLE/spdesk" --self-test > "$OUT/selftest.txt"
# The document paths: sample data, a contract printed to PDF (preview: nothing recorded) and the
# monthly export in every format (xlsx, pdf, csv, json).
trace() { local name=$1; shift; run QT_QPA_PLATFORM=offscreen strace -f -qq -e trace=openat,open,execve \
  -o "$OUT/$name.trace" "$BUNDLE/spdesk" "$@"; }
trace demo demo > "$OUT/demo.txt"
PRACTICE="$HOME_DIR/.local/share/spdesk/spdesk-practice.sqlite3"
number=$(run "$BUNDLE/spdesk" --db "$PRACTICE" agreements list --json | grep -o '"number": "[^"]*"' | head -1 \
  | sed 's/"number": "\(.*\)"/\1/')
trace print --db "$PRACTICE" print agreement "$number" --preview --out "$OUT/agreement.pdf" > "$OUT/print.txt"
rm -rf "$OUT/export" && mkdir -p "$OUT/export"
trace export --db "$PRACTICE" export month "$(date +%Y-%m)" --to "$OUT/export" > "$OUT/export.txt" </dev/null
printf 'Desk-2024-pass\n' | run "$BUNDLE/spdesk" users add boss --roles admin --password-stdin >/dev/null
run SPDESK_PASSWORD=Desk-2024-pass SPDESK_NEW_PASSWORD=Desk-2024-passx "$BUNDLE/spdesk" users passwd >/dev/null

DISPLAY_NUM=":$(( 60 + RANDOM % 30 ))"
Xvfb "$DISPLAY_NUM" -screen 0 1366x768x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true' EXIT
sleep 2
run DISPLAY="$DISPLAY_NUM" QT_QPA_PLATFORM=xcb strace -f -qq -e trace=openat,open,execve -o "$OUT/gui.trace" \
  "$BUNDLE/spdesk" > "$OUT/gui.txt" 2>&1 &
app=$!
x() { DISPLAY="$DISPLAY_NUM" xdotool "$@"; }
# By WM_CLASS: xdotool's --name matches WM_NAME only, where Qt writes the bare title ('登录').
for _ in $(seq 120); do w=$(x search --onlyvisible --class '^spdesk$' 2>/dev/null | head -1 || true)
  [ -n "$w" ] && break; sleep 0.5; done
x windowfocus --sync "$w"; x type --delay 20 boss; x key Tab; x type --delay 20 Desk-2024-passx; x key Return
sleep 8
# Walk the navigation with the keyboard (each page is built when first shown).
m=$(x search --onlyvisible --class '^spdesk$' | grep -vx "$w" | tail -1)
x windowfocus --sync "$m" || true
for _ in $(seq 10); do x key ctrl+Tab; sleep 1; x key Down; sleep 1; done
sleep 3
kill "$app" 2>/dev/null || true
wait "$app" 2>/dev/null || true

cat "$OUT"/*.trace | grep -o '"[^"]*"' | tr -d '"' | sort -u > "$OUT/opened-as-named.txt"
# The files themselves: the loader opens Qt's libraries through PyInstaller's symbolic links at the top of
# _internal (libicudata.so.73 -> PySide6/Qt/lib/libicudata.so.73) and through paths with "..".
while read -r f; do if [ -e "$f" ]; then realpath -e "$f"; fi; done < "$OUT/opened-as-named.txt" | sort -u > "$OUT/opened.txt"
# PyInstaller unpacks nothing in one-folder mode: paths under the bundle are the files themselves.
(cd "$BUNDLE/_internal" && find . -type f | sed 's|^\./||') | while read -r f; do
  grep -qxF "$(realpath "$BUNDLE/_internal/$f")" "$OUT/opened.txt" || echo "$(du -k "$BUNDLE/_internal/$f" | cut -f1) $f"
done | sort -rn > "$OUT/unused.txt"
awk '{s += $1} END {print "never opened: " s " KB in " NR " files"}' "$OUT/unused.txt"
echo "lists in $OUT (unused.txt, opened.txt)"
