//! The progress display on stderr: one line per service and region while collecting. Shown
//! only when stderr is a terminal and logging is quiet; otherwise every call is a no-op.

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::borrow::Cow;
use std::time::Duration;

pub(crate) struct Progress {
    multi: Option<MultiProgress>,
}

impl Progress {
    pub fn new(enabled: bool) -> Progress {
        Progress {
            multi: enabled.then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr())),
        }
    }

    /// A line for one unit of work, e.g. `ec2 us-east-1`.
    pub fn task(&self, label: impl Into<Cow<'static, str>>) -> Task {
        let Some(multi) = &self.multi else {
            return Task(ProgressBar::hidden());
        };
        let style = ProgressStyle::with_template("{spinner} {prefix:<22} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        let bar = multi.add(ProgressBar::new_spinner().with_style(style));
        bar.set_prefix(label);
        bar.enable_steady_tick(Duration::from_millis(120));
        Task(bar)
    }

    /// Removes the display before the summary is printed.
    pub fn clear(&self) {
        if let Some(multi) = &self.multi {
            let _ = multi.clear();
        }
    }
}

pub(crate) struct Task(ProgressBar);

impl Task {
    pub fn step(&self, message: impl Into<Cow<'static, str>>) {
        self.0.set_message(message);
    }

    pub fn done(&self, message: impl Into<Cow<'static, str>>) {
        self.0.finish_with_message(message);
    }
}
