#!/usr/bin/env bash
# Run a command in a fresh network namespace with only loopback up (Jupyter kernels need loopback),
# so any attempt to reach the network fails at once. As root `unshare -n` does it; otherwise a user
# namespace (`unshare -rn`) is tried. Where that cannot be done (network namespaces are Linux-only), it
# says in one line why and runs the command as is, with network access.
set -euo pipefail
if ! command -v unshare >/dev/null; then
  why="unshare is missing (network namespaces are Linux-only)"
elif ! command -v ip >/dev/null; then
  why="ip is missing (install iproute2: it brings loopback up in the namespace)"
else
  for flags in -n -rn; do
    if unshare "$flags" true 2>/dev/null; then
      exec unshare "$flags" sh -c 'ip link set lo up && exec "$@"' sh "$@"
    fi
  done
  why="this system allows neither unshare -n (root) nor unshare -rn (user namespaces)"
fi
echo "without_network.sh: running WITH network access: $why" >&2
exec "$@"
