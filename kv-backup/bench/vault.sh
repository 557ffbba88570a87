#!/usr/bin/env bash
# backup-vault vs. a loop of single-key backups, and peak memory as the vault
# grows, against the fake vault on loopback. Release build; no network.
# Usage: kv-backup/bench/vault.sh   (KV_BENCH_SIZES=50,200,500,2000 by default)
set -euo pipefail
cd "$(dirname "$0")/../.."
exec cargo bench -p kv-backup --bench vault --no-default-features
