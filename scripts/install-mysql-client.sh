#!/usr/bin/env bash
# Installs the Debian MySQL-compatible command-line client (mariadb-client provides `mysql`),
# used by test/sql/mysql_cli.test.ts. Safe to re-run.
set -euo pipefail
if command -v mysql >/dev/null 2>&1; then
  echo "mysql client already installed: $(command -v mysql)"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -y
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends mariadb-client
command -v mysql
