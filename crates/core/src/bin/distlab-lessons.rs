//! Writes the lessons of every lab as the files a lab's page fetches: `DIR/<lab id>/index.json`,
//! the list of its lessons, and `DIR/<lab id>/<lesson id>.json`, each lesson's scenario file. A page loads its
//! list and the lesson it opens, not every lesson's text, so that lessons are data and a page's
//! wasm holds only code. `scripts/site.sh` runs it before building the pages:
//!
//!     cargo run -p distlab-core --bin distlab-lessons -- DIR

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use distlab_core::labs::{self, LabVisitor};
use distlab_core::scenario::{lesson_files, Lab};

struct Write {
    dir: PathBuf,
    written: usize,
    failed: Option<String>,
}

impl LabVisitor for Write {
    fn visit<L: Lab>(&mut self) {
        for (name, text) in lesson_files::<L>() {
            if self.failed.is_some() {
                return;
            }
            let path = self.dir.join(&name);
            let made = path.parent().map_or(Ok(()), std::fs::create_dir_all);
            match made.and_then(|()| write_if_changed(&path, &text)) {
                Ok(()) => self.written += 1,
                Err(e) => self.failed = Some(format!("{name}: {e}")),
            }
        }
    }
}

/// Leaves a file that is already right untouched, so that `trunk serve` sees no change.
fn write_if_changed(path: &Path, text: &str) -> std::io::Result<()> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    std::fs::write(path, text)
}

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: distlab-lessons DIR");
        return ExitCode::from(2);
    };
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("cannot create {}: {e}", dir.display());
        return ExitCode::FAILURE;
    }
    let mut write = Write {
        dir,
        written: 0,
        failed: None,
    };
    labs::visit(&mut write);
    if let Some(failed) = write.failed {
        eprintln!("cannot write {failed}");
        return ExitCode::FAILURE;
    }
    println!("{} lesson files in {}", write.written, write.dir.display());
    ExitCode::SUCCESS
}
