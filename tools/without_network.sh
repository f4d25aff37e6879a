#!/usr/bin/env bash
# Run a command in a fresh network namespace with only loopback up (Jupyter kernels need loopback),
# so any attempt to reach the network fails at once. As root `unshare -n` does it; otherwise a user
# namespace (`unshare -rn`) is tried. Where neither is allowed, say so loudly and run as is.
set -euo pipefail
if command -v ip >/dev/null; then
  for flags in -n -rn; do
    if unshare "$flags" true 2>/dev/null; then
      exec unshare "$flags" sh -c 'ip link set lo up && exec "$@"' sh "$@"
    fi
  done
fi
echo "without_network.sh: cannot create a network namespace here; running WITH network access" >&2
exec "$@"
