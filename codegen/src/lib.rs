//! The Key Vault client generator.
//!
//! A pipeline of stages, one module each, in the order they run:
//! [`load`] (read JSON, detect Swagger 2.0 / OpenAPI 3.0) → [`bundle`] (cross-file `$ref`s)
//! → [`convert`] (Swagger 2.0 → OpenAPI 3.0) → [`azure`] (Azure's conventions, one rule per
//! file) → [`progenitor`] → [`emit`] (facade, open enums, crate files, formatting) →
//! [`write`] (atomic write, or drift check).
//!
//! [`generate`] runs all of them and returns the files in memory; nothing touches the disk
//! until [`write::write`].

pub mod azure;
pub mod bundle;
pub mod convert;
pub mod diff;
pub mod emit;
pub mod error;
pub mod load;
pub mod names;
pub mod pointer;
pub mod progenitor;
pub mod validate;
pub mod walk;
pub mod write;

use std::path::PathBuf;
use std::time::{Duration, Instant};

pub use bundle::ExampleRef;
pub use error::{Error, Result};

/// What to generate, and how to label it.
#[derive(Debug, Clone)]
pub struct Options {
    /// The root spec file (`keys.json`); files it refers to are found relative to it.
    pub spec: PathBuf,
    /// How the spec is named in generated headers: a stable, machine-independent label.
    pub spec_label: String,
    /// The generated crate's package name.
    pub crate_name: String,
    /// The client type's name; derived from the spec file name when `None` (`keys` → `KeyClient`).
    pub client_name: Option<String>,
    /// Adds an empty `[workspace]` so the crate builds on its own outside this repository.
    pub standalone: bool,
    /// The runtime crate's folder as the generated `Cargo.toml` names it: relative to the
    /// crate inside this repository (`../../runtime`), absolute for a standalone crate.
    pub runtime_path: String,
}

/// One generated file, relative to the crate root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Path inside the crate (`src/client.rs`).
    pub path: PathBuf,
    /// Full content.
    pub contents: String,
}

/// Time spent in each stage.
#[derive(Debug, Clone, Default)]
pub struct Timings {
    /// Reading, bundling, converting and applying the Azure rules.
    pub prepare: Duration,
    /// progenitor's `generate_tokens`.
    pub progenitor: Duration,
    /// Facade, enums, crate files and formatting.
    pub emit: Duration,
}

/// What a generation produced, for the command line to report.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The crate's files.
    pub files: Vec<GeneratedFile>,
    /// Number of operations (client methods, pagers excluded).
    pub operations: usize,
    /// Number of named schemas.
    pub schemas: usize,
    /// Number of open enums.
    pub enums: usize,
    /// The examples the spec refers to (missing ones included, flagged).
    pub examples: Vec<ExampleRef>,
    /// The files read.
    pub inputs: Vec<PathBuf>,
    /// Stage timings.
    pub timings: Timings,
}

impl Generated {
    /// Lines of Rust code generated.
    pub fn rust_lines(&self) -> usize {
        self.files
            .iter()
            .filter(|f| f.path.extension().is_some_and(|e| e == "rs"))
            .map(|f| f.contents.lines().count())
            .sum()
    }
}

/// A spec made ready for progenitor: the typed document and what the Azure rules learned.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The converted, rewritten OpenAPI 3.0 document.
    pub openapi: openapiv3::OpenAPI,
    /// Facts for the emitter.
    pub facts: azure::AzureFacts,
    /// Examples found while bundling.
    pub examples: Vec<ExampleRef>,
    /// Files read.
    pub inputs: Vec<PathBuf>,
    /// Property descriptions, for the model fields' docs.
    pub field_docs: emit::docs::FieldDocs,
    /// Wire names of the body parameters by operationId, for the `dynamic` dispatcher.
    pub body_names: std::collections::BTreeMap<String, String>,
}

/// Runs the stages up to (not including) progenitor.
pub fn prepare(spec: &std::path::Path) -> Result<Prepared> {
    prepare_from(&load::Disk, spec)
}

/// [`prepare`], reading `spec` and the files it refers to from `source`.
pub fn prepare_from(source: &dyn load::Source, spec: &std::path::Path) -> Result<Prepared> {
    let loaded = load::read_json_from(source, spec)?;
    let dialect = load::detect(&loaded)?;
    validate::before_bundling(&loaded.doc, spec, dialect)?;
    let bundled = bundle::bundle_from(source, loaded)?;
    // Later stages see one bundled document; their errors are mapped back to the file and
    // pointer the offending value came from.
    let relocate = |e: Error| relocate(e, &bundled, dialect);
    validate::spec(&bundled.doc, spec, dialect).map_err(relocate)?;
    let mut doc = match dialect {
        load::Dialect::Swagger2 => convert::swagger2_to_openapi3(&bundled.doc, spec).map_err(relocate)?,
        load::Dialect::OpenApi3 => bundled.doc.clone(),
    };
    validate::operation_ids(&mut doc, spec).map_err(relocate)?;
    names::dedupe_schemas(&mut doc);
    let body_names = emit::dispatch::body_names(&doc);
    let facts = azure::apply(&mut doc, spec).map_err(relocate)?;
    let field_docs = emit::docs::collect(&doc);
    let openapi = convert::to_typed(doc, spec).map_err(relocate)?;
    Ok(Prepared { openapi, facts, examples: bundled.examples, inputs: bundled.files, field_docs, body_names })
}

/// Maps an error's pointer in the bundled (and converted) document back to its source file.
fn relocate(e: Error, bundled: &bundle::Bundled, dialect: load::Dialect) -> Error {
    let Error::Spec { file, pointer, message } = e else { return e };
    if file != bundled.path {
        return Error::Spec { file, pointer, message };
    }
    let mut pointer = pointer;
    if dialect == load::Dialect::Swagger2 {
        for (oas3, swagger) in [
            ("/components/schemas/", "/definitions/"),
            ("/components/parameters/", "/parameters/"),
            ("/components/requestBodies/", "/parameters/"),
            ("/components/responses/", "/responses/"),
        ] {
            if let Some(rest) = pointer.strip_prefix(oas3) {
                pointer = format!("{swagger}{rest}");
                break;
            }
        }
    }
    let (file, pointer) = bundle::locate(&pointer, &bundled.path, &bundled.origins);
    Error::Spec { file, pointer, message }
}

/// Generates the client crate for `opts.spec`, in memory.
pub fn generate(opts: &Options) -> Result<Generated> {
    generate_from(&load::Disk, opts)
}

/// Generates the client crate for `opts.spec` from files held in memory: `files` holds the
/// spec at `opts.spec` and the files its `$ref`s name, at paths relative to it. Nothing is
/// read from or written to the disk (the fuzz target's entry point).
pub fn generate_from_memory(files: &load::Memory, opts: &Options) -> Result<Generated> {
    generate_from(files, opts)
}

/// [`generate`], reading the spec files from `source`.
pub fn generate_from(source: &dyn load::Source, opts: &Options) -> Result<Generated> {
    let started = Instant::now();
    let mut prepared = prepare_from(source, &opts.spec)?;
    let prepare_time = started.elapsed();

    let started = Instant::now();
    let tokens = progenitor::generate(&prepared.openapi, &prepared.facts, &opts.spec)?;
    let progenitor_time = started.elapsed();

    let started = Instant::now();
    let mut raw: syn::File = syn::parse2(tokens).map_err(|e| Error::Generate {
        file: opts.spec.clone(),
        message: format!("progenitor output does not parse: {e}"),
    })?;
    emit::raw_passes::apply(&mut raw, &mut prepared).map_err(|e| match e {
        Error::Generate { message, .. } => Error::Generate { file: opts.spec.clone(), message },
        other => other,
    })?;
    emit::non_exhaustive::apply(&mut raw, &prepared.openapi);
    let title = prepared.openapi.info.title.clone();
    let client = opts.client_name.clone().unwrap_or_else(|| client_name_for(&opts.spec));
    let about =
        prepared.openapi.info.description.clone().filter(|d| !d.trim().is_empty()).unwrap_or_else(|| title.clone());
    // The emitters do not know the spec's path; their errors get it here.
    let named = |e: Error| match e {
        Error::Generate { message, .. } => Error::Generate { file: opts.spec.clone(), message },
        other => other,
    };
    let facade = emit::facade::emit(&raw, &client, &about, &prepared.facts.pageables).map_err(named)?;
    let pollers = emit::pollers::emit(&raw, &client, &prepared.facts.long_running).map_err(named)?;
    let dispatch =
        emit::dispatch::emit(&raw, &prepared.openapi, &prepared.facts.pageables, &prepared.body_names, &client)
            .map_err(named)?;
    // The dispatcher is a child module of the facade (`src/client/dynamic.rs`), compiled only
    // with the generated crate's `dynamic` feature.
    let facade = quote::quote! {
        #facade

        #pollers

        #[cfg(feature = "dynamic")]
        pub mod dynamic;
    };
    let ops = emit::facade::operations(&raw);
    let has = |m: &str| ops.iter().any(|o| o.method == m);
    let example = (has("backup_key") && has("restore_key"))
        .then(|| emit::crate_files::backup_restore_example(&opts.crate_name.replace('-', "_"), &client));

    let header = |how: &str| {
        vec![
            "@generated by `cargo xtask codegen`. Do not edit by hand.".to_string(),
            format!("{how} {}", opts.spec_label),
            "with kv-codegen; change the spec or the generator, then regenerate.".to_string(),
        ]
    };
    let rs_header = header("Generated from");
    let mut files = vec![
        GeneratedFile {
            path: "Cargo.toml".into(),
            contents: emit::format::with_header("#", &rs_header, &emit::crate_files::cargo_toml(opts, &client)),
        },
        GeneratedFile {
            path: "src/lib.rs".into(),
            contents: emit::format::with_header(
                "//",
                &rs_header,
                &emit::crate_files::lib_rs(opts, &prepared.facts, &title, &client, example.as_deref()),
            ),
        },
        GeneratedFile {
            path: "src/raw.rs".into(),
            contents: emit::format::with_header("//", &rs_header, &emit::format::file_text(&raw, &opts.spec)?),
        },
        GeneratedFile {
            path: "src/client.rs".into(),
            contents: emit::format::with_header("//", &rs_header, &emit::format::rust(facade, &opts.spec)?),
        },
        GeneratedFile {
            path: "src/enums.rs".into(),
            contents: emit::format::with_header(
                "//",
                &rs_header,
                &emit::format::rust(emit::enums::emit(&prepared.facts.enums), &opts.spec)?,
            ),
        },
    ];
    files.push(GeneratedFile {
        path: emit::dispatch::FILE.into(),
        contents: emit::format::with_header("//", &rs_header, &emit::format::rust(dispatch, &opts.spec)?),
    });
    let emit_time = started.elapsed();

    Ok(Generated {
        files,
        operations: ops.len(),
        schemas: prepared.openapi.components.as_ref().map_or(0, |c| c.schemas.len()),
        enums: prepared.facts.enums.len(),
        examples: prepared.examples,
        inputs: prepared.inputs,
        timings: Timings { prepare: prepare_time, progenitor: progenitor_time, emit: emit_time },
    })
}

/// `keys.json` → `KeyClient`, `secrets.json` → `SecretClient`; anything else → `<Stem>Client`.
pub fn client_name_for(spec: &std::path::Path) -> String {
    let stem = spec.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let singular = stem.strip_suffix('s').filter(|s| !s.is_empty()).unwrap_or(&stem);
    let camel = names::upper_camel(singular);
    if camel.is_empty() || camel.starts_with(|c: char| c.is_ascii_digit()) {
        "KeyVaultClient".into()
    } else {
        format!("{camel}Client")
    }
}
