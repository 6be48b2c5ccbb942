//! Shared by the fuzz targets: huizong's whole read stage (format sniffing, limits, calamine
//! under its guard, header finding, row classification, unit attribution) on one file. A
//! panic inside the reader's guard is what production turns into a rejected file, so it is
//! not a finding; any other panic, an abort or a broken row accounting is.

use std::path::Path;
use std::sync::{LazyLock, Once};

use huizong::config::Config;
use huizong::discover::Discovery;
use huizong::layout::Layout;
use huizong::period::Period;

static CONFIG: LazyLock<Config> = LazyLock::new(|| Config::defaults(Path::new(".")));
static LAYOUT: LazyLock<Layout> = LazyLock::new(Layout::embedded);
static HOOK: Once = Once::new();

pub fn read(name: &str, data: &[u8]) {
    HOOK.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            if !huizong::read::in_reader() {
                eprintln!("{info}");
                std::process::abort();
            }
        }));
    });
    let period = Period::new(2015, 10).expect("period");
    let discovery = Discovery { config: &CONFIG, layout: &LAYOUT, period };
    let entry = discovery.read_file(name, data);
    for s in &entry.sheets {
        assert_eq!(s.rows_nonblank, s.records.len() + s.skipped() + s.rejected.len());
    }
}
