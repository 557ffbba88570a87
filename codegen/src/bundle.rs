//! Stage 2: bundle a multi-file spec into one document whose `$ref`s are all local.
//!
//! Azure's hand-written specs point into sibling files (`common.json#/definitions/KeyVaultError`),
//! which progenitor cannot follow. Each external target is copied into the root document under
//! the same section and name, and every `$ref` is rewritten to point at the copy. Example files
//! (`x-ms-examples`) are not schemas: they are collected, checked for existence and removed.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::load::{Disk, Loaded, Source, read_json_from};
use crate::pointer;

/// A `x-ms-examples` entry of one operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExampleRef {
    /// The operation's `operationId`, when it has one.
    pub operation_id: Option<String>,
    /// The example's title (its key under `x-ms-examples`).
    pub title: String,
    /// The example file, resolved against the spec file's folder.
    pub path: PathBuf,
    /// Whether that file exists; a missing example is reported, never fatal.
    pub exists: bool,
}

/// The result of bundling.
#[derive(Debug, Clone)]
pub struct Bundled {
    /// The root file.
    pub path: PathBuf,
    /// The root document with every external target copied in and every `$ref` local.
    pub doc: Value,
    /// The examples the operations point at.
    pub examples: Vec<ExampleRef>,
    /// Every file read, root first.
    pub files: Vec<PathBuf>,
    /// Where each copied-in value came from: local pointer → (file, pointer in that file).
    pub origins: BTreeMap<String, (PathBuf, String)>,
}

/// Bundles `root` and the files it refers to, read from the disk.
pub fn bundle(root: Loaded) -> Result<Bundled> {
    bundle_from(&Disk, root)
}

/// Bundles `root` and the files it refers to, read from `source`.
pub fn bundle_from(source: &dyn Source, root: Loaded) -> Result<Bundled> {
    let mut doc = root.doc;
    let examples = take_examples(source, &mut doc, &root.path);
    let root_key = source.canonical(&root.path);
    let mut b = Bundler {
        source,
        root_key: root_key.clone(),
        snapshot: doc.clone(),
        files: HashMap::new(),
        read_order: vec![root.path.clone()],
        imported: HashMap::new(),
        taken: HashMap::new(),
        pending: Vec::new(),
    };
    let root_path = root.path.clone();
    b.localize(&mut doc, &root_path, String::new())?;
    let mut origins = BTreeMap::new();
    for (local, value, origin) in std::mem::take(&mut b.pending) {
        insert_at(&mut doc, &local, value, &root.path)?;
        origins.insert(local, origin);
    }
    check_ref_cycles(&doc, &root.path, &origins)?;
    Ok(Bundled { path: root.path, doc, examples, files: b.read_order, origins })
}

struct Bundler<'s> {
    source: &'s dyn Source,
    root_key: PathBuf,
    /// The root as read, to check local targets while the document is being rewritten.
    snapshot: Value,
    files: HashMap<PathBuf, Value>,
    read_order: Vec<PathBuf>,
    /// (file, pointer) → local pointer of its copy.
    imported: HashMap<(PathBuf, String), String>,
    /// Local pointers already used by copies, with the value copied there.
    taken: HashMap<String, (PathBuf, String)>,
    pending: Vec<(String, Value, (PathBuf, String))>,
}

impl Bundler<'_> {
    /// Rewrites every `$ref` inside `value`, which sits at `at` in file `from`.
    fn localize(&mut self, value: &mut Value, from: &Path, at: String) -> Result<()> {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    let r = r.clone();
                    let local = self.resolve_ref(&r, from, &pointer::join(&at, "$ref"))?;
                    map.insert("$ref".into(), Value::String(format!("#{local}")));
                }
                for (k, v) in map.iter_mut() {
                    if k != "$ref" {
                        self.localize(v, from, pointer::join(&at, k))?;
                    }
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter_mut().enumerate() {
                    self.localize(v, from, format!("{at}/{i}"))?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Returns the local pointer that `reference` (found in `from` at `at`) becomes.
    fn resolve_ref(&mut self, reference: &str, from: &Path, at: &str) -> Result<String> {
        let (file_part, frag) = reference.split_once('#').unwrap_or((reference, ""));
        let target = if file_part.is_empty() {
            from.to_path_buf()
        } else {
            from.parent().unwrap_or(Path::new(".")).join(file_part)
        };
        let key = self.source.canonical(&target);
        let frag = pointer_of(frag);
        if key == self.root_key {
            if pointer::resolve(&self.snapshot, &frag).is_none() {
                return Err(Error::spec(from, at, format!("$ref target `{reference}` does not exist")));
            }
            return Ok(frag);
        }
        if let Some(local) = self.imported.get(&(key.clone(), frag.clone())) {
            return Ok(local.clone());
        }
        let target_doc = self.file(&target, &key, from, at)?;
        let Some(found) = pointer::resolve(target_doc, &frag).cloned() else {
            return Err(Error::spec(
                from,
                at,
                format!("$ref target `{reference}` does not exist: {} has nothing at #{frag}", target.display()),
            ));
        };
        let tokens: Vec<&str> = frag.split('/').skip(1).collect();
        let (section, name) = match tokens.as_slice() {
            [s, n] => (format!("/{s}"), pointer::unescape(n)),
            ["components", s, n] => (format!("/components/{s}"), pointer::unescape(n)),
            _ => {
                return Err(Error::spec(
                    from,
                    at,
                    format!("external $ref `{reference}` must name an entry of a section such as #/definitions/Name"),
                ));
            }
        };
        let local = self.free_name(&section, &name, &found);
        self.imported.insert((key.clone(), frag.clone()), local.clone());
        self.taken.insert(local.clone(), (target.clone(), frag.clone()));
        let mut copy = found;
        self.localize(&mut copy, &target, frag.clone())?;
        self.pending.push((local.clone(), copy, (target, frag)));
        Ok(local)
    }

    /// A local pointer for a copy of `value` named `name` in `section`, renamed on a clash.
    fn free_name(&self, section: &str, name: &str, value: &Value) -> String {
        let mut candidate = pointer::join(section, name);
        let mut n = 1;
        loop {
            let clash_root = pointer::resolve(&self.snapshot, &candidate).is_some_and(|v| v != value);
            if !clash_root && !self.taken.contains_key(&candidate) {
                return candidate;
            }
            n += 1;
            candidate = pointer::join(section, &format!("{name}{n}"));
        }
    }

    fn file(&mut self, target: &Path, key: &Path, from: &Path, at: &str) -> Result<&Value> {
        if !self.files.contains_key(key) {
            if !self.source.is_file(target) {
                return Err(Error::spec(from, at, format!("$ref points at missing file {}", target.display())));
            }
            let loaded = read_json_from(self.source, target)?;
            self.read_order.push(target.to_path_buf());
            self.files.insert(key.to_path_buf(), loaded.doc);
        }
        Ok(&self.files[key])
    }
}

/// A fragment as a JSON pointer (`definitions/X` and `/definitions/X` alike).
fn pointer_of(frag: &str) -> String {
    if frag.is_empty() || frag.starts_with('/') { frag.to_string() } else { format!("/{frag}") }
}

/// Puts `value` at `ptr` (`/section/name` or `/components/section/name`), creating the sections.
fn insert_at(doc: &mut Value, ptr: &str, value: Value, file: &Path) -> Result<()> {
    let tokens: Vec<String> = ptr.split('/').skip(1).map(pointer::unescape).collect();
    let mut cur = doc;
    let mut at = String::new();
    for t in &tokens[..tokens.len() - 1] {
        let Some(map) = cur.as_object_mut() else {
            return Err(Error::spec(file, at, "must be an object to hold definitions copied from other files"));
        };
        at = pointer::join(&at, t);
        cur = map.entry(t.clone()).or_insert_with(|| Value::Object(Map::new()));
    }
    let Some(map) = cur.as_object_mut() else {
        return Err(Error::spec(file, at, "must be an object to hold definitions copied from other files"));
    };
    map.insert(tokens[tokens.len() - 1].clone(), value);
    Ok(())
}

/// Removes `x-ms-examples` from every operation and returns what they pointed at.
fn take_examples(source: &dyn Source, doc: &mut Value, spec_path: &Path) -> Vec<ExampleRef> {
    let dir = spec_path.parent().unwrap_or(Path::new("."));
    let mut out = Vec::new();
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return out };
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else { continue };
        for op in item.values_mut() {
            let Some(op) = op.as_object_mut() else { continue };
            let Some(Value::Object(examples)) = op.remove("x-ms-examples") else { continue };
            let operation_id = op.get("operationId").and_then(Value::as_str).map(str::to_string);
            for (title, ex) in examples {
                if let Some(r) = ex.get("$ref").and_then(Value::as_str) {
                    let file = r.split('#').next().unwrap_or(r);
                    let path = dir.join(file.strip_prefix("./").unwrap_or(file));
                    let exists = source.is_file(&path);
                    out.push(ExampleRef { operation_id: operation_id.clone(), title, path, exists });
                }
            }
        }
    }
    out
}

/// Rejects chains of `$ref`s that lead back to themselves without any schema in between.
///
/// Each pointer is followed once: targets already known to end in a schema are remembered,
/// so a long chain of aliases costs linear time, not a walk per `$ref`.
fn check_ref_cycles(doc: &Value, root: &Path, origins: &BTreeMap<String, (PathBuf, String)>) -> Result<()> {
    let mut refs = Vec::new();
    collect_refs(doc, String::new(), &mut refs);
    let mut ends: HashSet<String> = HashSet::new();
    for (at, first) in refs {
        let mut chain = vec![first.clone()];
        let mut seen: HashSet<String> = HashSet::from([first.clone()]);
        let mut cur = first;
        while !ends.contains(&cur) {
            let Some(Value::String(next)) =
                pointer::resolve(doc, cur.trim_start_matches('#')).and_then(|t| t.get("$ref"))
            else {
                break;
            };
            chain.push(next.clone());
            if !seen.insert(next.clone()) {
                let (file, ptr) = locate(&at, root, origins);
                return Err(Error::spec(
                    file,
                    ptr,
                    format!("$ref cycle with no schema in between: {}", chain.join(" → ")),
                ));
            }
            cur = next.clone();
        }
        ends.extend(chain);
    }
    Ok(())
}

fn collect_refs(v: &Value, at: String, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get("$ref") {
                out.push((pointer::join(&at, "$ref"), r.clone()));
            }
            for (k, x) in m {
                collect_refs(x, pointer::join(&at, k), out);
            }
        }
        Value::Array(a) => a.iter().enumerate().for_each(|(i, x)| collect_refs(x, format!("{at}/{i}"), out)),
        _ => {}
    }
}

/// Maps a pointer in the bundled document back to the file and pointer it came from.
pub fn locate(at: &str, root: &Path, origins: &BTreeMap<String, (PathBuf, String)>) -> (PathBuf, String) {
    for (local, (file, ptr)) in origins {
        if at == local || at.starts_with(&format!("{local}/")) {
            return (file.clone(), format!("{ptr}{}", &at[local.len()..]));
        }
    }
    (root.to_path_buf(), at.to_string())
}
