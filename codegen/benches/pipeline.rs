//! Generator speed: our whole pipeline vs. bare progenitor on the same converted document.
//!
//! `cargo bench -p kv-codegen --bench pipeline` measures, in one run:
//! - `prepare`: load, bundle, convert and the Azure rules (everything before progenitor);
//! - `bare_progenitor`: progenitor with default settings on the prepared document, formatted
//!   with prettyplease — what a user of cargo-progenitor would pay for the same spec;
//! - `generate`: the full pipeline, files in memory (no disk writes).
//!
//! The spec defaults to ours; `KV_BENCH_SPEC=/path/to/keys.json` measures another one.

use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use kv_codegen::Options;

fn spec() -> PathBuf {
    std::env::var_os("KV_BENCH_SPEC").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../spec/specification/keyvault/data-plane/Microsoft.KeyVault/stable/7.4/keys.json")
    })
}

fn bench(c: &mut Criterion) {
    let spec = spec();
    let opts = Options {
        spec: spec.clone(),
        spec_label: "bench".into(),
        crate_name: "bench".into(),
        client_name: None,
        standalone: true,
        runtime_path: "../../runtime".into(),
    };
    let prepared = kv_codegen::prepare(&spec).expect("spec prepares");
    let mut group = c.benchmark_group("codegen");
    group.bench_function("prepare", |b| b.iter(|| kv_codegen::prepare(&spec).unwrap()));
    group.bench_function("bare_progenitor", |b| {
        b.iter(|| {
            let tokens = progenitor_impl::Generator::default().generate_tokens(&prepared.openapi).unwrap();
            prettyplease::unparse(&syn::parse2(tokens).unwrap())
        })
    });
    group.bench_function("generate", |b| b.iter(|| kv_codegen::generate(&opts).unwrap()));
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(5));
    targets = bench
}
criterion_main!(benches);
