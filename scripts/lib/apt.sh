# Sourced by the set-up scripts: apt_install PKG... installs Debian packages when run as root (as on CI),
# and otherwise prints the command to run and fails.
apt_install() {
  [ $# -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing: $*; run: sudo apt-get update && sudo apt-get install -y $*" >&2
    return 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
