//! Progress of a vault command on stderr: a bar on a terminal, one plain line
//! per item otherwise (logs, CI), so stdout stays free for the summary.

use std::io::IsTerminal as _;

use indicatif::{ProgressBar, ProgressStyle};

pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// Progress over `total` items, described by `label` ("backing up keys").
    pub fn new(label: &str, total: usize) -> Self {
        if !std::io::stderr().is_terminal() {
            eprintln!("{label}: {total} to do");
            return Self { bar: None };
        }
        let bar = ProgressBar::new(total as u64);
        let style = ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        bar.set_style(style);
        bar.set_prefix(label.to_owned());
        Self { bar: Some(bar) }
    }

    /// One item finished; `line` says how.
    pub fn item(&self, line: &str) {
        match &self.bar {
            Some(bar) => {
                bar.inc(1);
                bar.set_message(line.to_owned());
            }
            None => eprintln!("{line}"),
        }
    }

    /// A line that must stay visible (a failure), above the bar.
    pub fn note(&self, line: &str) {
        match &self.bar {
            Some(bar) => {
                bar.inc(1);
                bar.println(line);
            }
            None => eprintln!("{line}"),
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
