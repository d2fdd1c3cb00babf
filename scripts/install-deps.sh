#!/usr/bin/env bash
# Installs what a fresh Debian (bookworm) machine lacks to build and test layerdelta.
# Idempotent: re-running it only installs what is missing.
set -euo pipefail

need_root() { if [ "$(id -u)" -ne 0 ]; then echo "sudo"; fi; }
SUDO=$(need_root)

BACKPORTS=/etc/apt/sources.list.d/bookworm-backports.list
if ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo "deb http://deb.debian.org/debian bookworm-backports main" | $SUDO tee "$BACKPORTS" >/dev/null
  UPDATED=0
fi

PKGS=(
  docker-registry skopeo prometheus-pushgateway prometheus prometheus-alertmanager apache2-utils
  golang-1.19-go gcc libc6-dev upx-ucl zstd curl openssl ca-certificates chromium file binutils hyperfine
  tinyproxy mmdebstrap rpm zsh fish fonts-dejavu-core
)
BPO_PKGS=(golang-1.21-go golang-1.23-go)

missing=()
for p in "${PKGS[@]}" "${BPO_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -qq
  export DEBIAN_FRONTEND=noninteractive
  plain=(); bpo=()
  for p in "${missing[@]}"; do
    case " ${BPO_PKGS[*]} " in *" $p "*) bpo+=("$p") ;; *) plain+=("$p") ;; esac
  done
  [ "${#plain[@]}" -gt 0 ] && $SUDO apt-get install -y -qq --no-install-recommends "${plain[@]}"
  [ "${#bpo[@]}" -gt 0 ] && $SUDO apt-get install -y -qq --no-install-recommends -t bookworm-backports "${bpo[@]}"
fi

# The Debian packages start services under systemd where it runs; tests start their own on free ports.
for svc in docker-registry prometheus prometheus-pushgateway prometheus-alertmanager prometheus-node-exporter tinyproxy; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then
    $SUDO systemctl stop "$svc" || true
  fi
done
echo "dependencies: ok"
