#!/usr/bin/env bash
# Install the Debian packages Douane needs when they are missing:
# Java 17 and Maven (the Kafka broker), Pango/HarfBuzz and fonts (WeasyPrint PDFs),
# poppler-utils (pdftotext/pdftoppm, used by report tests), and on x86-64 libhyperscan-dev (the detection
# gate's C scan, collector/detect/_gatescan.c, is built against it; without it the Python binding scans).
set -euo pipefail

need=()
command -v java >/dev/null || need+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || need+=(maven)
command -v pdftotext >/dev/null || need+=(poppler-utils)
for lib in libpango-1.0.so.0 libpangoft2-1.0.so.0 libharfbuzz-subset.so.0; do
  ldconfig -p | grep -q "$lib" || need+=("$lib")
done
fc-list 2>/dev/null | grep -qi dejavu || need+=(fonts-dejavu-core)
[ "$(uname -m)" = x86_64 ] && [ ! -f /usr/include/hs/hs.h ] && need+=(libhyperscan-dev)

[ ${#need[@]} -eq 0 ] && exit 0

# Map library sonames to their Debian packages.
pkgs=()
for n in "${need[@]}"; do
  case "$n" in
    libpango-1.0.so.0) pkgs+=(libpango-1.0-0) ;;
    libpangoft2-1.0.so.0) pkgs+=(libpangoft2-1.0-0) ;;
    libharfbuzz-subset.so.0) pkgs+=(libharfbuzz-subset0) ;;
    *) pkgs+=("$n") ;;
  esac
done

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "installing Debian packages: ${pkgs[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
