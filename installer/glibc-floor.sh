#!/bin/sh
# The newest glibc symbol version any ELF file under DIR needs (objdump -T over every .so and program):
# the bundle starts only on systems with that glibc or newer.   usage: glibc-floor.sh DIR [--all]
set -eu
dir="$1"
list=$(find "$dir" -type f | while read -r f; do
  if [ "$(head -c4 "$f" 2>/dev/null | od -An -c | tr -d ' \n')" = "177ELF" ]; then
    v=$(objdump -T "$f" 2>/dev/null | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -V | tail -1)
    [ -n "$v" ] && echo "$v ${f#"$dir"/}"
  fi
done | sort -V)
if [ "${2:-}" = "--all" ]; then echo "$list"; else echo "$list" | tail -1 | cut -d' ' -f1; fi
