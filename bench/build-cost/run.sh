#!/usr/bin/env bash
# Clean debug build cost of a downstream binary: our generated clients against the official
# Azure SDK (azure_security_keyvault_* + azure_identity), side by side in one run.
#
# Usage: bench/build-cost/run.sh            (RUNS=2 by default; RUNS=3 for a steadier median)
#        KEEP=1 bench/build-cost/run.sh     (keep the scratch crates and logs under $WORK)
#
# The downstream crates are written into a scratch directory, never into the workspace. One
# `cargo fetch` per crate fills the shared registry cache (the only network use); every timed
# build is then `cargo build --offline` into a fresh CARGO_TARGET_DIR that is deleted right
# after (disk is tight). The two sides alternate within each round, so a busy machine slows
# both alike; the figures to compare are the medians and ratios of one run.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
RUNS=${RUNS:-2}
WORK=${WORK:-$(mktemp -d /tmp/build-cost.XXXXXX)}
OFFICIAL_VERSION=${OFFICIAL_VERSION:-1.0.1}
# Incremental compilation is on for path dependencies but off for registry crates; turn it
# off so our path-dep clients build the way published crates would.
export CARGO_INCREMENTAL=0
unset RUSTC_WRAPPER CARGO_BUILD_JOBS
mkdir -p "$WORK/logs"
cleanup() { [[ -n ${KEEP:-} ]] || rm -rf "$WORK"; }
trap cleanup EXIT

tokio_dep='tokio = { version = "1", features = ["macros", "rt-multi-thread"] }'

# ours-3 / ours-keys: path deps on generated/, with the TLS backend as a feature of the binary
# so one crate serves the ring default, aws-lc and native-tls builds.
write_ours() { # name, clients...
    local name=$1; shift
    local dir="$WORK/$name"; mkdir -p "$dir/src"
    {
        printf '[package]\nname = "%s"\nversion = "0.0.0"\nedition = "2024"\npublish = false\n\n[workspace]\n\n' "$name"
        printf '[features]\ndefault = ["rustls"]\n'
        for feature in rustls rustls-aws-lc native-tls; do
            printf '%s = [' "$feature"
            local sep=""
            for c in "$@"; do printf '%s"keyvault-%s/%s"' "$sep" "$c" "$feature"; sep=", "; done
            printf ']\n'
        done
        printf '\n[dependencies]\n'
        for c in "$@"; do
            printf 'keyvault-%s = { path = "%s/generated/keyvault-%s", default-features = false }\n' "$c" "$REPO" "$c"
        done
        echo "$tokio_dep"
    } >"$dir/Cargo.toml"
    {
        echo 'use std::sync::Arc;'
        echo
        echo '#[tokio::main]'
        echo 'async fn main() -> Result<(), Box<dyn std::error::Error>> {'
        echo '    let vault = std::env::var("VAULT_URL")?;'
        echo '    let credential: Arc<dyn keyvault_keys::TokenCredential> ='
        echo '        Arc::new(keyvault_keys::StaticToken::new(std::env::var("TOKEN")?));'
        for c in "$@"; do
            case $c in
                keys) echo '    let b = keyvault_keys::KeyClient::new(&vault, credential.clone())?.backup_key("k").await?;' ;;
                secrets) echo '    let b = keyvault_secrets::SecretClient::new(&vault, credential.clone())?.backup_secret("s").await?;' ;;
                certificates) echo '    let b = keyvault_certificates::CertificateClient::new(&vault, credential.clone())?.backup_certificate("c").await?;' ;;
            esac
            echo '    println!("{:?}", b.into_inner().value);'
        done
        echo '    Ok(())'
        echo '}'
    } >"$dir/src/main.rs"
    # Resolve with the versions the workspace is tested with.
    cp "$REPO/Cargo.lock" "$dir/Cargo.lock"
}

# official-3 / official-keys: the published crates with their default features.
write_official() { # name, clients...
    local name=$1; shift
    local dir="$WORK/$name"; mkdir -p "$dir/src"
    {
        printf '[package]\nname = "%s"\nversion = "0.0.0"\nedition = "2024"\npublish = false\n\n[workspace]\n\n[dependencies]\n' "$name"
        for c in "$@"; do printf 'azure_security_keyvault_%s = "=%s"\n' "$c" "$OFFICIAL_VERSION"; done
        echo 'azure_identity = "1"'
        echo "$tokio_dep"
    } >"$dir/Cargo.toml"
    {
        echo '#[tokio::main]'
        echo 'async fn main() -> Result<(), Box<dyn std::error::Error>> {'
        echo '    let vault = std::env::var("VAULT_URL")?;'
        echo '    let credential = azure_identity::DeveloperToolsCredential::new(None)?;'
        for c in "$@"; do
            case $c in
                keys) echo '    let b = azure_security_keyvault_keys::KeyClient::new(&vault, credential.clone(), None)?.backup_key("k", None).await?;' ;;
                secrets) echo '    let b = azure_security_keyvault_secrets::SecretClient::new(&vault, credential.clone(), None)?.backup_secret("s", None).await?;' ;;
                certificates) echo '    let b = azure_security_keyvault_certificates::CertificateClient::new(&vault, credential.clone(), None)?.backup_certificate("c", None).await?;' ;;
            esac
            echo '    println!("{:?}", b.into_model()?.value);'
        done
        echo '    Ok(())'
        echo '}'
    } >"$dir/src/main.rs"
}

write_ours ours-3 keys secrets certificates
write_ours ours-keys keys
write_official official-3 keys secrets certificates
write_official official-keys keys

for name in ours-3 ours-keys official-3 official-keys; do
    (cd "$WORK/$name" && cargo fetch -q)
done
# The lock file lists every feature's crates, so the fetch above covers aws-lc and native-tls.
if [[ -n ${FETCH_ONLY:-} ]]; then KEEP=1; echo "crates written and fetched in $WORK"; exit 0; fi

# One timed clean build: appends "label seconds crates" to $WORK/results.
build() { # label, crate dir, extra cargo args...
    local label=$1 name=$2; shift 2
    local target="$WORK/target-$label" log="$WORK/logs/$label.$round.log"
    local load; load=$(cut -d' ' -f1 /proc/loadavg)
    local start end
    start=$(date +%s.%N)
    (cd "$WORK/$name" && CARGO_TARGET_DIR="$target" nice -n 0 cargo build --offline "$@") >"$log" 2>&1 \
        || { echo "build $label failed, see $log" >&2; KEEP=1; tail -20 "$log" >&2; exit 1; }
    end=$(date +%s.%N)
    rm -rf "$target"
    local crates; crates=$(grep -c '^ *Compiling ' "$log")
    grep '^ *Compiling ' "$log" | awk '{print $2}' | sort -u >"$WORK/logs/$label.crates"
    local secs; secs=$(echo "$end - $start" | bc)
    printf '%s %.1f %s\n' "$label" "$secs" "$crates" >>"$WORK/results"
    printf '  round %s  %-22s %6.1f s  %3s crates  (load %s at start)\n' "$round" "$label" "$secs" "$crates" "$load"
}

echo "work dir: $WORK, $RUNS rounds, $(nproc) cores, rustc $(rustc --version | cut -d' ' -f2)"
: >"$WORK/results"
for round in $(seq 1 "$RUNS"); do
    build official-3 official-3
    build ours-3 ours-3
    build official-keys official-keys
    build ours-keys ours-keys
done
# Once each, for the feature table.
round=1
build ours-3-aws-lc ours-3 --no-default-features --features rustls-aws-lc
build ours-3-native-tls ours-3 --no-default-features --features native-tls

median() { # label -> "seconds crates"
    awk -v l="$1" '$1 == l {print $2, $3}' "$WORK/results" | sort -n | awk '
        {t[NR] = $1; c = $2}
        END {m = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2; printf "%.1f %d\n", m, c}'
}
read -r o3t o3c < <(median official-3)
read -r u3t u3c < <(median ours-3)
read -r okt okc < <(median official-keys)
read -r ukt ukc < <(median ours-keys)
read -r alt alc < <(median ours-3-aws-lc)
read -r ntt ntc < <(median ours-3-native-tls)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo
echo "| build (clean, debug, --offline) | wall time (median of $RUNS) | crates compiled | time ratio | crate ratio |"
echo "|---|---|---|---|---|"
echo "| official: keys + secrets + certificates $OFFICIAL_VERSION + azure_identity | $o3t s | $o3c | 1 | 1 |"
echo "| ours: keyvault-keys + -secrets + -certificates (\`rustls\`, ring) | $u3t s | $u3c | $(ratio "$u3t" "$o3t") | $(ratio "$u3c" "$o3c") |"
echo "| official: keys $OFFICIAL_VERSION + azure_identity | $okt s | $okc | 1 | 1 |"
echo "| ours: keyvault-keys (\`rustls\`, ring) | $ukt s | $ukc | $(ratio "$ukt" "$okt") | $(ratio "$ukc" "$okc") |"
echo "| ours, three clients, \`rustls-aws-lc\` (1 run) | $alt s | $alc | $(ratio "$alt" "$o3t") | $(ratio "$alc" "$o3c") |"
echo "| ours, three clients, \`native-tls\` (1 run) | $ntt s | $ntc | $(ratio "$ntt" "$o3t") | $(ratio "$ntc" "$o3c") |"
echo
echo "ring default vs rustls-aws-lc (three clients, round 1 of each):"
echo "  $(awk '$1 == "ours-3" {print $2; exit}' "$WORK/results") s vs $alt s"
echo
echo "Compiled by the official three-client build, not by ours:"
comm -23 "$WORK/logs/official-3.crates" "$WORK/logs/ours-3.crates" | tr '\n' ' '; echo
echo "Compiled by ours, not by the official build:"
comm -13 "$WORK/logs/official-3.crates" "$WORK/logs/ours-3.crates" | tr '\n' ' '; echo
echo "Added by rustls-aws-lc over the ring default:"
comm -13 "$WORK/logs/ours-3.crates" "$WORK/logs/ours-3-aws-lc.crates" | tr '\n' ' '; echo
echo "Added by native-tls over the ring default:"
comm -13 "$WORK/logs/ours-3.crates" "$WORK/logs/ours-3-native-tls.crates" | tr '\n' ' '; echo
