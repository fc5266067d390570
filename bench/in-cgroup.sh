#!/usr/bin/env bash
# Runs a command inside a memory cgroup of its own with a hard limit, as a container runtime would: past the limit
# the kernel reclaims and then OOM-kills, and .NET sizes its GC heap from the limit (75 % by default).
#   bench/in-cgroup.sh NAME LIMIT_BYTES COMMAND [ARGS...]
# Uses the cgroup v1 memory controller at /sys/fs/cgroup/memory, or cgroup v2 at /sys/fs/cgroup; where neither can be
# written (no root, no delegation) it says so and runs the command without a limit.
set -euo pipefail
name="$1" limit="$2"
shift 2
if [ -w /sys/fs/cgroup/memory ]; then
  group="/sys/fs/cgroup/memory/$name"
  mkdir -p "$group"
  echo "$limit" >"$group/memory.limit_in_bytes"
  echo $$ >"$group/cgroup.procs"
elif [ -w /sys/fs/cgroup/cgroup.procs ] && grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
  group="/sys/fs/cgroup/$name"
  mkdir -p "$group"
  echo "$limit" >"$group/memory.max"
  echo $$ >"$group/cgroup.procs"
else
  echo "in-cgroup: no writable memory cgroup here; $name runs without a $limit-byte limit" >&2
fi
exec "$@"
