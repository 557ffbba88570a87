//! The outcome of a replay, and its table.

use std::collections::BTreeMap;

use super::formats::{Format, RecordingError};

/// What happened to one exchange.
#[derive(Clone, Debug)]
pub enum Verdict {
    /// No operation of the client has this method and path.
    Unmatched(String),
    /// Not Key Vault's, or nothing to replay (see [`plan`](super::plan)): not counted as matched.
    Skipped(String),
    /// Matched, and every check passed (with notes on how it was replayed).
    Passed(Vec<String>),
    /// Matched, and some check failed.
    Failed(Vec<String>),
}

/// One exchange's outcome.
#[derive(Clone, Debug)]
pub struct ExchangeResult {
    /// Position in the recording.
    pub index: usize,
    /// `POST /keys/x/create → 200`.
    pub label: String,
    /// The operation it matched.
    pub operation: Option<String>,
    /// The verdict.
    pub verdict: Verdict,
    /// Differences accepted by [`KNOWN`](super::KNOWN).
    pub known: Vec<String>,
}

/// One recording's outcome.
#[derive(Clone, Debug)]
pub struct RecordingResult {
    /// The recording's name.
    pub name: String,
    /// Its format.
    pub format: Format,
    /// Its exchanges' outcomes, in the order replayed.
    pub exchanges: Vec<ExchangeResult>,
}

impl RecordingResult {
    fn count(&self, f: impl Fn(&Verdict) -> bool) -> usize {
        self.exchanges.iter().filter(|e| f(&e.verdict)).count()
    }

    /// Exchanges that matched an operation.
    pub fn matched(&self) -> usize {
        self.count(|v| matches!(v, Verdict::Passed(_) | Verdict::Failed(_)))
    }

    /// Matched exchanges that passed.
    pub fn passed(&self) -> usize {
        self.count(|v| matches!(v, Verdict::Passed(_)))
    }

    /// Matched exchanges that failed.
    pub fn failed(&self) -> usize {
        self.count(|v| matches!(v, Verdict::Failed(_)))
    }

    /// Exchanges set aside: not Key Vault's, or nothing to replay.
    pub fn skipped(&self) -> usize {
        self.count(|v| matches!(v, Verdict::Skipped(_)))
    }

    /// Exchanges on a vault's host that no operation of the client has.
    pub fn unmatched(&self) -> usize {
        self.count(|v| matches!(v, Verdict::Unmatched(_)))
    }
}

/// Counts over a whole folder.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Exchanges read.
    pub exchanges: usize,
    /// Matched an operation.
    pub matched: usize,
    /// Matched and passed.
    pub passed: usize,
    /// Matched and failed.
    pub failed: usize,
    /// Set aside (not Key Vault's, nothing to replay).
    pub skipped: usize,
    /// On a vault's host, matching no operation.
    pub unmatched: usize,
}

/// The outcome of a whole folder.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// The client replayed through (`keys`).
    pub client: String,
    /// One entry per recording read.
    pub recordings: Vec<RecordingResult>,
    /// Files that could not be read as recordings, with where and why.
    pub errors: Vec<RecordingError>,
    /// Time taken.
    pub seconds: f64,
}

impl Report {
    /// Whether every file was read and every matched exchange passed.
    pub fn ok(&self) -> bool {
        self.errors.is_empty() && self.recordings.iter().all(|r| r.failed() == 0)
    }

    /// Counts over all recordings.
    pub fn totals(&self) -> Totals {
        self.recordings.iter().fold(Totals::default(), |t, r| Totals {
            exchanges: t.exchanges + r.exchanges.len(),
            matched: t.matched + r.matched(),
            passed: t.passed + r.passed(),
            failed: t.failed + r.failed(),
            skipped: t.skipped + r.skipped(),
            unmatched: t.unmatched + r.unmatched(),
        })
    }

    /// The table: one row per recording, then the unreadable files, the failures and
    /// unmatched exchanges, then how exchanges were replayed or why they were skipped,
    /// counted.
    pub fn render(&self) -> String {
        let width = self.recordings.iter().map(|r| r.name.len()).max().unwrap_or(9).max(9);
        let mut s = format!(
            "{:<width$}  {:<11}  {:>9}  {:>7}  {:>6}  {:>6}  {:>7}  reason\n",
            "recording", "format", "exchanges", "matched", "passed", "failed", "skipped"
        );
        for r in &self.recordings {
            let reason = r
                .exchanges
                .iter()
                .find_map(|e| match &e.verdict {
                    Verdict::Failed(p) => {
                        Some(format!("#{} {}: {}", e.index, e.label, p.first().cloned().unwrap_or_default()))
                    }
                    _ => None,
                })
                .or_else(|| {
                    r.exchanges.iter().find_map(|e| match &e.verdict {
                        Verdict::Unmatched(why) => Some(format!("unmatched #{} {}: {why}", e.index, e.label)),
                        _ => None,
                    })
                })
                .unwrap_or_default();
            s.push_str(&format!(
                "{:<width$}  {:<11}  {:>9}  {:>7}  {:>6}  {:>6}  {:>7}  {reason}\n",
                r.name,
                r.format.name(),
                r.exchanges.len(),
                r.matched(),
                r.passed(),
                r.failed(),
                r.skipped()
            ));
        }
        let t = self.totals();
        s.push_str(&format!(
            "{:<width$}  {:<11}  {:>9}  {:>7}  {:>6}  {:>6}  {:>7}\n",
            "total", "", t.exchanges, t.matched, t.passed, t.failed, t.skipped
        ));
        let mut details = String::new();
        for e in &self.errors {
            details.push_str(&format!("ERROR {e}\n"));
        }
        let mut notes: BTreeMap<String, usize> = BTreeMap::new();
        for r in &self.recordings {
            for e in &r.exchanges {
                match &e.verdict {
                    Verdict::Failed(problems) => {
                        details.push_str(&format!(
                            "FAIL {} #{} {} ({})\n",
                            r.name,
                            e.index,
                            e.label,
                            e.operation.as_deref().unwrap_or("?")
                        ));
                        for p in problems {
                            details.push_str(&format!("       {p}\n"));
                        }
                    }
                    Verdict::Unmatched(why) => {
                        details.push_str(&format!("unmatched {} #{} {}: {why}\n", r.name, e.index, e.label))
                    }
                    Verdict::Skipped(why) => *notes.entry(format!("skipped: {why}")).or_default() += 1,
                    Verdict::Passed(ns) => {
                        for n in ns {
                            *notes.entry(n.clone()).or_default() += 1;
                        }
                    }
                }
                for k in &e.known {
                    *notes.entry(format!("known: {k}")).or_default() += 1;
                }
            }
        }
        if !details.is_empty() {
            s.push('\n');
            s.push_str(&details);
        }
        if !notes.is_empty() {
            s.push_str("\nhow exchanges were replayed:\n");
            for (n, count) in notes {
                s.push_str(&format!("  {count:>4} × {n}\n"));
            }
        }
        // Conformance reads the first words of this line: keep their order.
        s.push_str(&format!(
            "replay: {} of {} matched exchanges passed, {} failed, {} unmatched, {} skipped, {} unreadable \
             ({} exchanges in {} recordings, client {}, {:.2} s)\n",
            t.passed,
            t.matched,
            t.failed,
            t.unmatched,
            t.skipped,
            self.errors.len(),
            t.exchanges,
            self.recordings.len(),
            self.client,
            self.seconds
        ));
        s
    }
}
