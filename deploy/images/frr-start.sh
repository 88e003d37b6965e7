#!/bin/bash
# Runs FRR as a container's main process: frrinit.sh starts watchfrr and the daemons that
# /etc/frr/daemons enables (the ConfigMap mounted there also holds frr.conf); SIGTERM stops them.
set -euo pipefail
stop() {
  /usr/lib/frr/frrinit.sh stop || true
  exit 0
}
trap stop TERM INT
/usr/lib/frr/frrinit.sh start
sleep infinity &
wait $!
