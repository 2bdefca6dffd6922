use std::process::ExitCode;

use clap::Parser;
use schoolgate::{app::telemetry, cli};

#[tokio::main]
async fn main() -> ExitCode {
    limit_allocator_arenas();
    let command = cli::Cli::parse();
    telemetry::init();
    cli::main(command).await
}

/// glibc's allocator gives each busy thread an arena of its own (up to 8 per core) and keeps
/// freed memory in each: photos decoded on ever other blocking threads made a server grow by
/// hundreds of megabytes. Two arenas keep the peak near what is really in use.
fn limit_allocator_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes the allocator's settings; glibc serialises it with its
    // own lock, so calling it while other threads allocate is allowed.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}
