//! The `schoolgate` command: serve, migrate, demo, admin create. Expected failures (a port in
//! use, a wrong setting, an e-mail taken) end with one line on stderr, never a backtrace.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::{
    app::config::Settings,
    demo,
    entities::users::{Language, Role},
    features::accounts::{self, NewUser},
    platform::db,
    startup::{self, Application},
};

#[derive(Debug, Parser)]
#[command(
    name = "schoolgate",
    version,
    about = "School-to-parent communication server"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Run the server with a small demo school loaded into an empty database.
    Demo,
    /// Account administration.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an admin account and print its activation link. Works while a server runs on
    /// the same database.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "School")]
        first_name: String,
        #[arg(long, default_value = "Office")]
        last_name: String,
        /// nl, de or en (default: the school's default language).
        #[arg(long)]
        language: Option<String>,
    },
}

/// Runs the command; an error is printed as one line (with its causes) and exit code 1.
pub async fn main(cli: Cli) -> ExitCode {
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::load()?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            Application::build(settings)
                .await?
                .run_until_stopped()
                .await
        }
        Command::Migrate => {
            let db = db::connect(&settings.database).await?;
            db::migrate(&db).await?;
            println!("Database is up to date.");
            Ok(())
        }
        Command::Demo => {
            let app = Application::build(settings).await?;
            demo::load_if_empty(&app.state()).await?;
            println!(
                "Schoolgate runs on http://127.0.0.1:{} (API console: /api/docs)",
                app.port()
            );
            app.run_until_stopped().await
        }
        Command::Admin {
            command:
                AdminCommand::Create {
                    email,
                    first_name,
                    last_name,
                    language,
                },
        } => {
            let language = match language {
                Some(code) => Language::parse(&code)?,
                None => settings.default_language(),
            };
            let new = NewUser {
                email: email.parse()?,
                first_name,
                name_prefix: None,
                last_name,
                role: Role::Admin,
                language,
            };
            // No listener: a server may be running on the configured port.
            let services = startup::services(settings).await?;
            let invitation = accounts::invite(&services, None, new, false).await?;
            println!(
                "Admin {} created. Open this link to choose a password:\n{}",
                invitation.user.email, invitation.activation_url
            );
            Ok(())
        }
    }
}
