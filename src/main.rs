use clap::Parser;
use schoolgate::{cli::Cli, config::Settings, telemetry};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    telemetry::init();
    let settings = Settings::load()?;
    schoolgate::cli::run(cli, settings).await
}
