#!/usr/bin/env bash
# Installs the Debian 12 packages cutover needs to build, test, demo and benchmark.
# Uses sudo when not root. Skips apt entirely when everything is already installed.
set -euo pipefail
PACKAGES=(
  build-essential cmake ninja-build pkg-config
  libboost-dev libpcre2-dev libtomlplusplus-dev libcli11-dev nlohmann-json3-dev
  libcpp-httplib-dev libfcgi-dev libgtest-dev libgmock-dev
  libssl-dev libcrypt-dev apache2-utils  # Basic auth hashes; htpasswd makes the test files
  curl wrk nginx-light haproxy python3 spawn-fcgi  # spawn-fcgi: the benchmarks' app processes
  php-cgi php-fpm fcgiwrap lighttpd  # real FastCGI peers and lighttpd for the end-to-end tests
  chromium chromium-driver           # the dashboard test drives headless Chromium
)
PACKAGES+=("$@")  # extra packages for optional targets (make fuzz: clang)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
