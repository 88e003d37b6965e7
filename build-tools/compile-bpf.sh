#!/usr/bin/env bash
# Compiles every *.bpf.c in SRC_DIR into OUT_DIR/<name>.bpf.o for the BPF target.
# Called by Maven (exec-maven-plugin) so that BPF objects are rebuilt with the jar that embeds them.
set -euo pipefail
src_dir=$1
out_dir=$2
shift 2
command -v clang >/dev/null || { echo "compile-bpf: clang not found; run 'make setup' first" >&2; exit 1; }
mkdir -p "$out_dir"
shopt -s nullglob
for src in "$src_dir"/*.bpf.c; do
  obj="$out_dir/$(basename "${src%.c}").o"
  if [[ ! -f "$obj" || "$src" -nt "$obj" || -n "$(find "$src_dir" -name '*.h' -newer "$obj" -print -quit)" ]]; then
    clang -O2 -g -Wall -Werror -target bpf -I/usr/include/x86_64-linux-gnu -I"$src_dir" "$@" -c "$src" -o "$obj"
  fi
done
