#!/bin/sh
# The newest glibc symbol version any ELF file under DIR needs (objdump -T over every .so and program):
# the bundle starts only on systems with that glibc or newer.
#   usage: glibc-floor.sh DIR [--all [PREFIX]]
#   --all lists "VERSION FILE" for every ELF file, oldest first; PREFIX is GLIBC (default), GLIBCXX or CXXABI.
set -eu
dir="$1"
prefix="${3:-GLIBC}"
list=$(find "$dir" -type f | while read -r f; do
  if [ "$(head -c4 "$f" 2>/dev/null | od -An -c | tr -d ' \n')" = "177ELF" ]; then
    v=$(objdump -T "$f" 2>/dev/null | grep -o "[( ]${prefix}_[0-9][0-9.]*" | sed "s/^.${prefix}_//" | sort -V | tail -1)
    [ -n "$v" ] && echo "$v ${f#"$dir"/}"
  fi
done | sort -V)
if [ "${2:-}" = "--all" ]; then echo "$list"; else echo "$list" | tail -1 | cut -d' ' -f1; fi
