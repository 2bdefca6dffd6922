//! The `schoolgate` command: serve, migrate, demo, admin create.

use clap::{Parser, Subcommand};

use crate::{
    accounts, config::Settings, demo, domain::accounts::Role, domain::language::Language,
    startup::Application, store,
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
    /// Create an admin account and print its activation link.
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

pub async fn run(cli: Cli, settings: Settings) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            Application::build(settings)
                .await?
                .run_until_stopped()
                .await
        }
        Command::Migrate => {
            let db = store::connect(&settings.database).await?;
            store::migrate(&db).await?;
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
            let new = store::users::NewUser {
                email: email.parse()?,
                first_name,
                last_name,
                role: Role::Admin,
                language,
            };
            let app = Application::build(settings).await?;
            let invitation = accounts::invite(&app.state(), None, new, false)
                .await
                .map_err(|err| anyhow::anyhow!("{err}"))?;
            println!(
                "Admin {} created. Open this link to choose a password:\n{}",
                invitation.user.email, invitation.activation_url
            );
            Ok(())
        }
    }
}
