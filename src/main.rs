use std::process::ExitCode;

use clap::Parser;
use schoolgate::{app::telemetry, cli};

#[tokio::main]
async fn main() -> ExitCode {
    let command = cli::Cli::parse();
    telemetry::init();
    cli::main(command).await
}
