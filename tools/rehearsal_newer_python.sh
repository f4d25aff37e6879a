#!/usr/bin/env bash
# The Colab rehearsal (tools/colab_rehearsal.py) under the Pythons Colab runs, which this machine lacks:
# Python 3.13 from Debian 13 (trixie) and Python 3.12 from Ubuntu 24.04 (noble), each debootstrapped into a
# folder and entered with chroot. Needs root, debootstrap and the Debian and Ubuntu mirrors.
#
#   tools/rehearsal_newer_python.sh [3.13|3.12 ...] [--image tpu|cpu|gpu ...] [-- REHEARSAL OPTIONS]
#                                   (default: 3.13 3.12, the TPU image; each --image adds an image; options
#                                   after -- go to tools.colab_rehearsal)
#   tools/rehearsal_newer_python.sh 3.13 --make-test    the README's `make test` under that Python instead
#                                                       (its environment in /test-venv in the root; apt adds make, ip)
#
# Each root file system is kept in $CHROOTS (default /var/tmp/lightning-course-chroots) and reused. The rehearsal's
# tools run on the checkout's .venv (make setup), its Python mounted into the root at the same path, so the root holds
# no second copy of the pins (about 8 GB with torch); the lessons run on the root's Python in the environment the
# rehearsal makes. The checkout is bind-mounted at /course, so the last commit is what is served.
set -euo pipefail
cd "$(dirname "$0")/.."
versions=() images=() make_test=0 rehearsal_options=()
while [ $# -gt 0 ]; do
  case "$1" in
    --image) images+=("$2"); shift 2 ;;
    --make-test) make_test=1; shift ;;
    --) shift; rehearsal_options=("$@"); break ;;
    3.13|3.12) versions+=("$1"); shift ;;
    *) echo "unknown argument: $1 (give 3.13, 3.12, --image tpu|cpu|gpu, --make-test and/or -- OPTIONS)" >&2; exit 2 ;;
  esac
done
[ ${#versions[@]} -gt 0 ] || versions=(3.13 3.12)
[ ${#images[@]} -gt 0 ] || images=(tpu)
CHROOTS=${CHROOTS:-/var/tmp/lightning-course-chroots}
[ "$(id -u)" = 0 ] || { echo "needs root (debootstrap, mount, chroot)" >&2; exit 2; }
command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap >/dev/null 2>&1 ||
  { apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null; }

make_root() {  # make_root DIR LIBPYTHON SUITE MIRROR [SCRIPT]; more debootstrap options in $OPTIONS
  local dir=$1 libpython=$2 suite=$3; shift 3
  [ -x "$dir/usr/bin/python3" ] && return
  mkdir -p "$(dirname "$dir")"
  # shellcheck disable=SC2086 # OPTIONS holds several words
  debootstrap ${OPTIONS:-} --variant=minbase --include="python3,python3-venv,python3-pip,$libpython,git,ca-certificates" \
    "$suite" "$dir" "$@" >"$dir.log" 2>&1 || { echo "debootstrap failed: see $dir.log" >&2; exit 1; }
}

for version in "${versions[@]}"; do
  root=$CHROOTS/python$version
  if [ "$version" = 3.13 ]; then
    make_root "$root" libpython3.13 trixie http://deb.debian.org/debian
  else  # Debian's debootstrap knows noble by Ubuntu's common script; Debian has no Ubuntu keyring to check with
    OPTIONS="--no-check-gpg --components=main,universe" make_root "$root" libpython3.12t64 \
      noble http://archive.ubuntu.com/ubuntu /usr/share/debootstrap/scripts/gutsy
  fi
  # pip inside reaches the package registry with the host's CA bundle and pip configuration
  for file in /etc/pip.conf /etc/ssl/certs/ca-certificates.crt; do [ -f "$file" ] && install -D "$file" "$root$file"; done
  [ -d /etc/xdg/pip ] && mkdir -p "$root/etc/xdg" && cp -r /etc/xdg/pip "$root/etc/xdg/"
  mounts=(proc sys dev opt course)
  mkdir -p "$root/opt" "$root/course"
  for m in proc sys dev opt; do mountpoint -q "$root/$m" || mount --bind "/$m" "$root/$m"; done
  mountpoint -q "$root/course" || mount --bind "$PWD" "$root/course"
  common=$(git rev-parse --path-format=absolute --git-common-dir)  # a worktree's repository lies outside it
  case "$common" in "$PWD"/*) ;; *) mkdir -p "$root$common"; mountpoint -q "$root$common" ||
    mount --bind "$common" "$root$common"; mounts+=("${common#/}") ;; esac
  trap 'for m in "${mounts[@]}"; do umount -l "$root/$m" 2>/dev/null || true; done' EXIT
  in_root() {
    chroot "$root" env -i HOME=/root LANG=C.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      PIP_DEFAULT_TIMEOUT=180 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
      SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt "$@"
  }
  if [ "$make_test" = 1 ]; then  # the checkout's .venv belongs to this machine's Python: the root gets its own
    in_root bash -c 'command -v make >/dev/null && command -v ip >/dev/null ||
      { apt-get update -qq && apt-get install -y -qq make iproute2 >/dev/null; }'
    in_root bash -c "cd /course && make test VENV=/test-venv PYTHON=/usr/bin/python3"
  else  # the tools run on the checkout's .venv, whose Python is mounted at its own path; the lessons on the root's
    base=$(.venv/bin/python -c 'import sys; print(sys.base_prefix)')
    mkdir -p "$root$base"; mountpoint -q "$root$base" || mount --bind "$base" "$root$base"; mounts+=("${base#/}")
    in_root bash -c 'cd /course && exec .venv/bin/python -m tools.colab_rehearsal --python /usr/bin/python3 \
      --workdir /tmp/rehearsal "$@"' rehearsal --image "${images[@]}" "${rehearsal_options[@]}"
  fi
  for m in "${mounts[@]}"; do umount -l "$root/$m" 2>/dev/null || true; done
  trap - EXIT
done
