# Sourced by run.sh and test.sh: install_packages PKG... installs the Debian packages that are
# missing (apt-get update first, only when something is missing; non-interactive).

# The library and the CLI (patchelf: the bundled simdjson, cmake/LeanspecStaticDeps.cmake).
build_packages=(build-essential cmake ninja-build pkg-config patchelf libyaml-cpp-dev libcmark-gfm-dev
                libcmark-gfm-extensions-dev libsimdjson-dev libssl-dev
                libsqlitecpp-dev libsqlite3-dev libpq-dev libcurl4-openssl-dev libarchive-dev)

install_packages() {
  local p missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  echo "installing ${missing[*]}" >&2
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then sudo=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -q >&2
  "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
}
