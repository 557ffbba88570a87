//! `backup-vault` and `restore-vault` against a stateful fake vault on
//! loopback (see `fake_vault`): paging, throttling, managed items, conflicts,
//! damaged files, interrupted runs and 500 items, every blob byte-exact.

mod fake_vault;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use fake_vault::{FakeVault, Kind, TOKEN, TOKEN_VAR};
use serde_json::Value;

fn kv_backup(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kv-backup")).args(args).env(TOKEN_VAR, TOKEN).output().expect("run kv-backup")
}

fn backup_vault(vault: &FakeVault, dir: &Path, extra: &[&str]) -> Output {
    let uri = vault.uri();
    let mut args =
        vec!["backup-vault", "--vault", &uri, "--out", dir.to_str().unwrap(), "--token-env", TOKEN_VAR, "--allow-http"];
    args.extend_from_slice(extra);
    kv_backup(&args)
}

fn restore_vault(vault: &FakeVault, dir: &Path, extra: &[&str]) -> Output {
    let uri = vault.uri();
    let mut args =
        vec!["restore-vault", "--vault", &uri, "--in", dir.to_str().unwrap(), "--token-env", TOKEN_VAR, "--allow-http"];
    args.extend_from_slice(extra);
    kv_backup(&args)
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("exited normally")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The `--json` summary.
fn json_of(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", String::from_utf8_lossy(&output.stdout), stderr(output)))
}

fn manifest(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap()
}

fn blob_file(dir: &Path, name: &str) -> std::path::PathBuf {
    dir.join("keys").join(format!("{name}.blob"))
}

/// Every key of `source` is in `dir`, byte for byte, and in the manifest with its sha256.
fn assert_backed_up(source: &FakeVault, dir: &Path, names: &[String]) {
    let manifest = manifest(dir);
    let items = manifest["items"].as_array().unwrap();
    for name in names {
        let blob = source.blob(Kind::Keys, name).unwrap();
        assert_eq!(std::fs::read(blob_file(dir, name)).unwrap(), blob, "{name}");
        let entry =
            items.iter().find(|i| i["name"] == name.as_str()).unwrap_or_else(|| panic!("{name} not in manifest"));
        assert_eq!(entry["kind"], "keys");
        assert_eq!(entry["size"], blob.len());
        assert_eq!(entry["file"], format!("keys/{name}.blob"));
        let sha = entry["sha256"].as_str().unwrap();
        assert_eq!(sha.len(), 64);
    }
}

#[tokio::test]
async fn backs_up_every_page_skips_managed_keys_and_keeps_disabled_ones() {
    let source = FakeVault::start().await;
    let mut names = source.add_keys(57);
    source.add(Kind::Keys, "disabled-key", false, false);
    names.push("disabled-key".into());
    for name in ["cert-a", "cert-b", "cert-c"] {
        source.add(Kind::Keys, name, true, true);
    }
    let dir = tempfile::tempdir().unwrap();

    let output = backup_vault(&source, dir.path(), &["--json"]);

    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let counters = source.counters();
    // One client per kind listed, each with its challenge and an empty listing page besides the keys.
    let kinds_listed = manifest(dir.path())["kinds"].as_array().unwrap().len();
    assert_eq!(counters.challenges, kinds_listed, "one challenge per client, then its token is reused");
    assert_eq!(counters.list_pages, 3 + (kinds_listed - 1), "61 keys at 25 per page");
    assert_eq!(counters.backups, 58, "managed keys are never sent to backup");
    assert_backed_up(&source, dir.path(), &names);
    let manifest = manifest(dir.path());
    assert_eq!(manifest["format_version"], 1);
    assert_eq!(manifest["source_vault"], source.uri());
    assert_eq!(manifest["api_version"], "7.4");
    assert_eq!(manifest["complete"], true);
    assert_eq!(manifest["items"].as_array().unwrap().len(), 58);
    let disabled = manifest["items"].as_array().unwrap().iter().find(|i| i["name"] == "disabled-key").unwrap();
    assert_eq!(disabled["enabled"], false);
    let skipped = manifest["skipped"].as_array().unwrap();
    let skipped_names: Vec<&str> = skipped.iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(skipped_names, ["cert-a", "cert-b", "cert-c"]);
    assert!(skipped[0]["reason"].as_str().unwrap().contains("certificate"), "{skipped:?}");
    let summary = json_of(&output);
    assert_eq!((summary["backed_up"].as_u64(), summary["already_in_dir"].as_u64()), (Some(58), Some(0)));
    assert_eq!(summary["skipped"].as_array().unwrap().len(), 3);
    assert!(!dir.path().join("backup.journal").exists(), "the journal is folded into the manifest");

    // A second run finds everything in place and downloads nothing.
    let output = backup_vault(&source, dir.path(), &["--json"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(source.counters().backups, 58);
    let summary = json_of(&output);
    assert_eq!((summary["backed_up"].as_u64(), summary["already_in_dir"].as_u64()), (Some(0), Some(58)));
}

#[tokio::test]
async fn restores_into_another_vault_and_a_second_run_restores_nothing() {
    let source = FakeVault::start().await;
    let names = source.add_keys(30);
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(code(&backup_vault(&source, dir.path(), &[])), 0);

    let target = FakeVault::start().await;
    // One name is taken already: reported as present, not as an error.
    let taken = target.add(Kind::Keys, "key-0007", false, true);
    let output = restore_vault(&target, dir.path(), &["--json"]);

    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let summary = json_of(&output);
    assert_eq!(summary["restored"], 29);
    assert_eq!(summary["already_present"], 1);
    assert_eq!(summary["failed"], serde_json::json!([]));
    for name in &names {
        assert_eq!(target.blob(Kind::Keys, name), source.blob(Kind::Keys, name), "{name} byte-exact");
    }
    assert_eq!(target.blob(Kind::Keys, "key-0007").unwrap(), taken);
    assert_eq!(target.counters().restores, 30);

    // The journal makes a second run send nothing.
    let output = restore_vault(&target, dir.path(), &["--json"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(json_of(&output)["restored_earlier"], 30);
    assert_eq!(target.counters().restores, 30);

    // Without the journal every name is taken: all present, still success.
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "journal") {
            std::fs::remove_file(path).unwrap();
        }
    }
    let output = restore_vault(&target, dir.path(), &["--json"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let summary = json_of(&output);
    assert_eq!((summary["restored"].as_u64(), summary["already_present"].as_u64()), (Some(0), Some(30)));
}

#[tokio::test]
async fn a_name_held_by_a_deleted_key_is_a_failure() {
    let source = FakeVault::start().await;
    source.add_keys(5);
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(code(&backup_vault(&source, dir.path(), &[])), 0);
    let target = FakeVault::start().await;
    target.state().deleted.insert((Kind::Keys, "key-0002".into()));

    let output = restore_vault(&target, dir.path(), &["--json"]);

    assert_eq!(code(&output), 10, "{}", stderr(&output));
    let summary = json_of(&output);
    assert_eq!(summary["restored"], 4);
    let failed = summary["failed"].as_array().unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!((failed[0]["name"].as_str(), failed[0]["class"].as_str()), (Some("key-0002"), Some("Conflict")));
    assert!(failed[0]["error"].as_str().unwrap().contains("ObjectIsDeletedButRecoverable"), "{failed:?}");
    assert!(stderr(&output).contains("1 of 5 items failed"), "{}", stderr(&output));
}

#[tokio::test]
async fn a_damaged_file_stops_the_restore_unless_skipped() {
    let source = FakeVault::start().await;
    source.add_keys(10);
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(code(&backup_vault(&source, dir.path(), &[])), 0);
    let damaged = blob_file(dir.path(), "key-0004");
    let mut bytes = std::fs::read(&damaged).unwrap();
    bytes[100] ^= 0x01;
    std::fs::write(&damaged, &bytes).unwrap();
    std::fs::remove_file(blob_file(dir.path(), "key-0008")).unwrap();
    let target = FakeVault::start().await;

    let output = restore_vault(&target, dir.path(), &[]);

    assert_eq!(code(&output), 8, "{}", stderr(&output));
    let said = stderr(&output);
    assert!(said.contains("keys/key-0004.blob: the file's sha256 differs"), "{said}");
    assert!(said.contains("keys/key-0008.blob: the file is missing"), "{said}");
    assert!(said.contains("nothing was restored") && said.contains("--skip-damaged"), "{said}");
    assert!(target.server.received_requests().await.unwrap().is_empty(), "not one request before the check");

    let output = restore_vault(&target, dir.path(), &["--skip-damaged", "--json"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let summary = json_of(&output);
    assert_eq!(summary["restored"], 8);
    let skipped: Vec<&str> =
        summary["skipped"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(skipped, ["key-0004", "key-0008"]);
    assert!(target.blob(Kind::Keys, "key-0004").is_none());
}

#[tokio::test]
async fn an_interrupted_backup_resumes_with_only_the_missing_items() {
    let source = FakeVault::start().await;
    let names = source.add_keys(40);
    source.state().fail_backups_after = Some(15);
    let dir = tempfile::tempdir().unwrap();

    // The vault is cut off after 15 backups: those are kept, the rest fail.
    let output = backup_vault(&source, dir.path(), &["--parallel", "1", "--json"]);

    assert_eq!(code(&output), 10, "{}", stderr(&output));
    let summary = json_of(&output);
    assert_eq!(summary["backed_up"], 15);
    assert_eq!(summary["failed"].as_array().unwrap().len(), 25);
    let manifest_after_cut = manifest(dir.path());
    assert_eq!(manifest_after_cut["complete"], false);
    assert_eq!(manifest_after_cut["items"].as_array().unwrap().len(), 15);
    assert_eq!(manifest_after_cut["failed"].as_array().unwrap().len(), 25);

    // Back online: the re-run fetches exactly the 25 missing ones.
    let before: Vec<_> = source.state().backed_up.clone();
    {
        let mut state = source.state();
        state.fail_backups_after = None;
        state.backed_up.clear();
    }
    let output = backup_vault(&source, dir.path(), &["--json"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let fetched_again: Vec<_> = source.state().backed_up.clone();
    assert_eq!(fetched_again.len(), 25);
    assert!(fetched_again.iter().all(|item| !before.contains(item)), "nothing fetched twice");
    assert_backed_up(&source, dir.path(), &names);
    assert_eq!(manifest(dir.path())["complete"], true);
    assert_eq!(manifest(dir.path())["failed"], serde_json::json!([]));
}

#[tokio::test]
async fn a_killed_backup_resumes_from_its_journal() {
    let source = FakeVault::start().await;
    let names = source.add_keys(60);
    let dir = tempfile::tempdir().unwrap();
    let uri = source.uri();
    let mut child = Command::new(env!("CARGO_BIN_EXE_kv-backup"))
        .args(["backup-vault", "--vault", &uri, "--out", dir.path().to_str().unwrap()])
        .args(["--token-env", TOKEN_VAR, "--allow-http", "--parallel", "2"])
        .env(TOKEN_VAR, TOKEN)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill it part-way, as a user pressing Ctrl-C or a machine going down would.
    while source.state().backed_up.len() < 20 {
        assert!(child.try_wait().unwrap().is_none(), "kv-backup ended before it could be killed");
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let journal = std::fs::read_to_string(dir.path().join("backup.journal")).unwrap();
    let recorded = journal.lines().filter(|l| serde_json::from_str::<Value>(l).is_ok()).count();
    assert!((10..60).contains(&recorded), "{recorded}");

    source.state().backed_up.clear();
    let output = backup_vault(&source, dir.path(), &["--json"]);

    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(source.state().backed_up.len(), 60 - recorded, "only what the journal does not hold");
    assert_eq!(json_of(&output)["already_in_dir"], recorded);
    assert_backed_up(&source, dir.path(), &names);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("keys"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".blob"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files of the killed run: {leftovers:?}");
}

#[tokio::test]
async fn five_hundred_throttled_keys_move_byte_exact() {
    let source = FakeVault::start().await;
    let names = source.add_keys(500);
    source.state().throttle_every = Some(10);
    let dir = tempfile::tempdir().unwrap();

    let output = backup_vault(&source, dir.path(), &["--json"]);

    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(json_of(&output)["backed_up"], 500);
    let counters = source.counters();
    assert!(counters.throttled >= 50, "{counters:?}");
    assert_eq!(source.state().backed_up.len(), 500, "every key once, none lost to throttling");
    assert_backed_up(&source, dir.path(), &names);

    let target = FakeVault::start().await;
    target.state().throttle_every = Some(10);
    let output = restore_vault(&target, dir.path(), &["--json", "--parallel", "8"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(json_of(&output)["restored"], 500);
    assert!(target.counters().throttled >= 50);
    for name in &names {
        assert_eq!(target.blob(Kind::Keys, name), source.blob(Kind::Keys, name), "{name}");
    }
}

/// Secrets and certificates go the same way as keys when this build has their
/// clients (the manifest's `kinds` says which kinds were listed); a build with
/// keys only must leave their routes alone.
#[tokio::test]
async fn every_kind_this_build_lists_moves_and_certificates_restore_first() {
    let source = FakeVault::start().await;
    source.add_keys(4);
    source.add(Kind::Keys, "cert-1", true, true);
    for name in ["s-1", "s-2", "s-disabled"] {
        source.add(Kind::Secrets, name, false, name != "s-disabled");
    }
    source.add(Kind::Secrets, "cert-1", true, true);
    for name in ["cert-1", "cert-2"] {
        source.add(Kind::Certificates, name, false, true);
    }
    let dir = tempfile::tempdir().unwrap();

    let output = backup_vault(&source, dir.path(), &["--json"]);

    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let manifest = manifest(dir.path());
    let kinds: Vec<&str> = manifest["kinds"].as_array().unwrap().iter().map(|k| k.as_str().unwrap()).collect();
    let target = FakeVault::start().await;
    let output = restore_vault(&target, dir.path(), &["--json", "--parallel", "1"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    if kinds == ["keys"] {
        assert_eq!(source.state().per_kind.get(&Kind::Secrets), None);
        assert_eq!(source.state().per_kind.get(&Kind::Certificates), None);
        assert_eq!(json_of(&output)["restored"], 4);
        return;
    }
    assert_eq!(kinds, ["keys", "secrets", "certificates"]);
    let skipped: Vec<(&str, &str)> = manifest["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["kind"].as_str().unwrap(), s["name"].as_str().unwrap()))
        .collect();
    assert_eq!(skipped, [("keys", "cert-1"), ("secrets", "cert-1")], "managed items skipped");
    assert_eq!(json_of(&output)["restored"], 9);
    let order: Vec<Kind> = target.state().restored.iter().map(|(k, _)| *k).collect();
    let mut sorted = order.clone();
    sorted.sort_by_key(|k| [Kind::Certificates, Kind::Keys, Kind::Secrets].iter().position(|o| o == k));
    assert_eq!(order, sorted, "certificates, then keys, then secrets");
    let restored = target.state().restored.clone();
    for (kind, name) in restored {
        assert_eq!(target.blob(kind, &name), source.blob(kind, &name), "{kind:?} {name}");
        let file = dir.path().join(kind.collection()).join(format!("{name}.blob"));
        assert_eq!(std::fs::read(file).unwrap(), source.blob(kind, &name).unwrap());
    }
}

#[tokio::test]
async fn a_directory_of_another_vault_is_refused() {
    let one = FakeVault::start().await;
    one.add_keys(2);
    let other = FakeVault::start().await;
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(code(&backup_vault(&one, dir.path(), &[])), 0);

    let output = backup_vault(&other, dir.path(), &[]);

    assert_eq!(code(&output), 2, "{}", stderr(&output));
    assert!(stderr(&output).contains("holds a backup of"), "{}", stderr(&output));
    assert_eq!(other.counters().total, 0);
}
