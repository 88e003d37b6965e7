#!/usr/bin/env bash
# Fails if the test suite left anything behind: namespaces, links, bpffs mounts or pins made by tests
# all carry the prefix "spt" (see TestNetwork.PREFIX); tools the tests start are listed by name.
set -u
left=""
ns=$(ip netns list 2>/dev/null | awk '{print $1}' | grep '^spt' || true)
[ -n "$ns" ] && left+=" namespaces: $(echo $ns)"
links=$(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep '^spt' || true)
[ -n "$links" ] && left+=" links: $(echo $links)"
mounts=$(awk '$2 ~ "^/run/spt" {print $2}' /proc/mounts)
[ -n "$mounts" ] && left+=" mounts: $(echo $mounts)"
dirs=$(ls -d /run/spt* 2>/dev/null || true)
[ -n "$dirs" ] && left+=" directories: $(echo $dirs)"
if [ -n "$left" ]; then
  echo "check-clean: the test suite left things behind:$left" >&2
  exit 1
fi
echo "check-clean: nothing left behind"
