//! Failing output, handled once for every command.
//!
//! `println!` (std's and anstream's) panics when standard output cannot be written: a full
//! disk (`sift frameworks list > /dev/full`) or a closed descriptor. Rather than change the
//! printing of every command, `main` runs the command under `catch_unwind`: this module's
//! panic hook stays silent for exactly those panics (their message is std's "failed printing
//! to stdout"), and `main` turns them into one line on standard error and exit code 1.
//! Every other panic is a bug and keeps the default report.
//!
//! A closed pipe (`sift ... | head`) is not a failure: anstream's `println!` ignores it, and
//! commands that stream (`score`, `export`) stop quietly.

use std::any::Any;
use std::io::Write;

const FAILED_STDOUT: &str = "failed printing to stdout";

/// The reason, when a panic payload is a failure to write standard output.
pub fn failed_output(payload: &(dyn Any + Send)) -> Option<String> {
    let message =
        payload.downcast_ref::<String>().map(String::as_str).or_else(|| payload.downcast_ref::<&str>().copied())?;
    let reason = message.strip_prefix(FAILED_STDOUT)?;
    Some(reason.trim_start_matches(':').trim().to_owned())
}

/// Installs a panic hook that says nothing for failures to write standard output (`main`
/// reports those) and defers to the default hook for everything else.
pub fn quiet_panics_on_failed_output() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if failed_output(info.payload()).is_none() {
            default(info);
        }
    }));
}

/// Writes one line to standard error; if even that fails there is nobody left to tell.
pub fn error_line(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// The error and its causes, each said once: a library error that puts its source in its
/// own message ("cannot read `x`: Is a directory") is not followed by that source again.
pub fn without_repeats(error: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in error.chain() {
        let part = cause.to_string();
        let part = part.trim();
        if part.is_empty() || text.contains(part) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(part);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_failures_to_print_are_recognised() {
        let full: Box<dyn Any + Send> =
            Box::new("failed printing to stdout: No space left on device (os error 28)".to_owned());
        assert_eq!(failed_output(full.as_ref()).as_deref(), Some("No space left on device (os error 28)"));
        let bug: Box<dyn Any + Send> = Box::new("index out of bounds");
        assert_eq!(failed_output(bug.as_ref()), None);
    }

    #[test]
    fn causes_already_in_the_message_are_not_repeated() {
        let io = std::io::Error::other("Is a directory (os error 21)");
        let error = anyhow::Error::new(io).context("cannot read `x`: Is a directory (os error 21)").context("import");
        assert_eq!(without_repeats(&error), "import: cannot read `x`: Is a directory (os error 21)");
    }
}
