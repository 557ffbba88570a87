//! Every spec of the shape corpus (`tests/shapes/`) generates; `cargo xtask shapes` compiles
//! them. Operations with several success bodies get their outcome enums.

use std::path::{Path, PathBuf};

use kv_codegen::{Options, generate};

fn corpus() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/shapes");
    let mut specs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("the shape corpus")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    specs.sort();
    specs
}

/// Generates on a thread with a main thread's stack (8 MiB, as `cargo xtask` has): 45 levels
/// of inline objects recurse deeper through typify and prettyplease than a test thread's
/// 2 MiB allow.
fn generated(spec: &Path) -> kv_codegen::Generated {
    let spec = spec.to_path_buf();
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || generated_here(&spec))
        .expect("a thread")
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e))
}

fn generated_here(spec: &Path) -> kv_codegen::Generated {
    let stem = spec.file_stem().unwrap().to_string_lossy().into_owned();
    let opts = Options {
        spec: spec.to_path_buf(),
        spec_label: format!("shapes/{stem}.json"),
        crate_name: format!("shape-{stem}"),
        client_name: None,
        standalone: true,
        runtime_path: "../../runtime".into(),
    };
    generate(&opts).unwrap_or_else(|e| panic!("{stem}: {e}"))
}

fn file<'a>(g: &'a kv_codegen::Generated, path: &str) -> &'a str {
    &g.files.iter().find(|f| f.path == Path::new(path)).unwrap_or_else(|| panic!("no {path}")).contents
}

#[test]
fn every_shape_generates() {
    let specs = corpus();
    assert!(specs.len() >= 16, "the corpus has {} specs", specs.len());
    for spec in &specs {
        let g = generated(spec);
        assert!(g.operations > 0, "{}", spec.display());
    }
}

#[test]
fn several_success_bodies_become_an_outcome_enum() {
    let spec = corpus().into_iter().find(|p| p.ends_with("success-two-bodies.json")).unwrap();
    let g = generated(&spec);
    let raw = file(&g, "src/raw.rs");
    let client = file(&g, "src/client.rs");
    let squeezed = |s: &str| s.split_whitespace().collect::<String>();
    let raw = squeezed(raw);
    assert!(
        raw.contains("pubenumPutItemOutcome{///`201`:Created.Created(Item),///`202`:Accepted.Accepted(Pending),}"),
        "{raw}"
    );
    assert!(raw.contains("Ok(Item),///`202`:Accepted.Accepted(Pending),///`204`:Nochange.(nobody)NoContent,"), "{raw}");
    // 200 and 201 with one body keep that body's type.
    assert!(!raw.contains("UpsertItemOutcome"));
    // A model already called PatchItemOutcome: the enum takes the next name.
    assert!(raw.contains("pubenumPatchItemOutcome2{"), "{raw}");
    let client = squeezed(client);
    assert!(client.contains("Result<Response<types::PutItemOutcome>,Error>"), "{client}");
    assert!(client.contains("Result<Response<types::Item>,Error>"), "{client}");
}

#[test]
fn colliding_names_stay_distinct() {
    let spec = corpus().into_iter().find(|p| p.ends_with("name-collisions.json")).unwrap();
    let raw = file(&generated(&spec), "src/raw.rs").split_whitespace().collect::<String>();
    for field in ["pubcamel_case:", "pubcamel_case_2:", "pubcamel_case_3:", "pubself_:", "pubself_2:"] {
        assert!(raw.contains(field), "no `{field}`");
    }
    assert!(raw.contains("#[serde(rename=\"camel_case\")]pubcamel_case_3"));
    for model in ["pubstructItem{", "pubstructItem2{", "pubstructItem3{"] {
        assert!(raw.contains(model), "no `{model}`");
    }
}

#[test]
fn parameters_that_fold_alike_keep_their_wire_names() {
    let spec = corpus().into_iter().find(|p| p.ends_with("param-names.json")).unwrap();
    let g = generated(&spec);
    let raw = file(&g, "src/raw.rs").split_whitespace().collect::<String>();
    assert!(raw.contains("QueryParam::new(\"maxResults\",&max_results)"), "{raw}");
    assert!(raw.contains("QueryParam::new(\"max_results\",&max_results_2)"), "{raw}");
    let dynamic = file(&g, "src/client/dynamic.rs").split_whitespace().collect::<String>();
    assert!(
        dynamic.contains("letp_max_results_2:::std::option::Option<::std::string::String>=arg(params,\"max_results\""),
        "{dynamic}"
    );
    // The facade's own bindings step aside for parameters named `raw` and `ctx`.
    let client = file(&g, "src/client.rs").split_whitespace().collect::<String>();
    assert!(client.contains("let(raw_,ctx_)=self.raw();"), "{client}");
}

#[test]
fn enum_values_get_deterministic_variants_and_keep_the_wire_value() {
    let spec = corpus().into_iter().find(|p| p.ends_with("enum-values.json")).unwrap();
    let g = generated(&spec);
    let enums = file(&g, "src/enums.rs").split_whitespace().collect::<String>();
    for piece in [
        // Media types as values.
        "///`application/x-pkcs12`ApplicationXPkcs12,",
        "Self::ApplicationXPkcs12=>\"application/x-pkcs12\",",
        // Keyword and catch-all clashes stay UpperCamelCase.
        "///`self`SelfValue,///`Self`SelfValue2,",
        // Integers and booleans: named variants, the number or boolean on the wire.
        "pubenumLevel{///`1`V1,///`2`V2,///`10`:Ten.V10,///`-1`Minus1,",
        "Self::Minus1=>-1,",
        "serializer.serialize_i64(self.value())",
        "pubenumFlag{///`true`True,",
        // An `x-ms-enum` named like a keyword or a std type.
        "pubenumSelfEnum{",
        "pubenumResult{",
    ] {
        assert!(enums.contains(piece), "no `{piece}` in {enums}");
    }
}

#[test]
fn skip_url_encoding_sends_the_value_as_given_and_still_refuses_dot_segments() {
    let spec = corpus().into_iter().find(|p| p.ends_with("skip-url-encoding.json")).unwrap();
    let g = generated(&spec);
    let raw = file(&g, "src/raw.rs").split_whitespace().collect::<String>();
    assert!(raw.contains("format!(\"{}/items/{}\",self.baseurl,item_path,)"), "{raw}");
    let client = file(&g, "src/client.rs").split_whitespace().collect::<String>();
    assert!(
        client.contains(
            "forsegmentinitem_path.split('/'){keyvault_runtime::check_path_segment(\"item_path\",segment)?;}"
        )
    );
}
