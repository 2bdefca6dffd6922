//! The `schoolgate` binary as a real process on the same database, mail relay and push
//! service as an in-process server: a second server, or one killed with SIGKILL like a crash
//! would. Shared by the API tests and the benchmarks.

use std::time::Duration;

use schoolgate::app::config::Settings;

pub struct ServerProcess {
    child: std::process::Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl ServerProcess {
    /// Starts `binary serve` with `settings`' database, files, SMTP relay (plain, on
    /// 127.0.0.1) and push service (on 127.0.0.1) plus `extra` environment variables, and
    /// waits until it answers `/healthz`.
    pub async fn start(binary: &str, settings: &Settings, extra: &[(&str, &str)]) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = tempfile::tempdir().unwrap();
        let mut command = std::process::Command::new(binary);
        command
            .arg("serve")
            .current_dir(dir.path())
            .env("RUST_LOG", "warn")
            .env("SCHOOLGATE_SERVER__BIND", format!("127.0.0.1:{port}"))
            .env("SCHOOLGATE_SERVER__PUBLIC_URL", &settings.server.public_url)
            .env("SCHOOLGATE_SCHOOL__NAME", &settings.school.name)
            .env("SCHOOLGATE_DATABASE__URL", settings.database.url.expose())
            .env(
                "SCHOOLGATE_DATABASE__MAX_CONNECTIONS",
                settings.database.max_connections.to_string(),
            )
            .env("SCHOOLGATE_FILES__FOLDER", &settings.files.folder)
            .env("SCHOOLGATE_MAIL__TRANSPORT", "smtp")
            .env("SCHOOLGATE_MAIL__SMTP__HOST", "127.0.0.1")
            .env(
                "SCHOOLGATE_MAIL__SMTP__PORT",
                settings.mail.smtp.port.to_string(),
            )
            .env("SCHOOLGATE_MAIL__SMTP__TLS", "none")
            .env("SCHOOLGATE_PUSH__ALLOWED_HOSTS", "127.0.0.1")
            .env("SCHOOLGATE_PUSH__ALLOW_INSECURE", "true")
            .env(
                "SCHOOLGATE_SCHEDULE__RUN_SCHEDULER",
                settings.schedule.run_scheduler.to_string(),
            );
        for (key, value) in extra {
            command.env(key, value);
        }
        let child = command.spawn().expect("starting schoolgate");
        let process = Self {
            child,
            port,
            _dir: dir,
        };
        let health = format!("{}/healthz", process.base_url());
        for _ in 0..1500 {
            if reqwest::get(&health)
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return process;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("schoolgate serve did not answer /healthz within 30 s");
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// SIGTERM, as a service manager stops a process; returns how long it took to exit.
    pub fn terminate(mut self) -> Duration {
        let started = std::time::Instant::now();
        let pid = libc::pid_t::try_from(self.child.id()).expect("a process id");
        // SAFETY: kill(2) with a pid this process started and has not reaped yet.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0, "SIGTERM");
        self.child.wait().expect("waiting for the server to exit");
        started.elapsed()
    }

    /// SIGKILL: no shutdown, no cleanup, like a power cut or the OOM killer.
    pub fn kill(mut self) {
        self.child.kill().expect("killing the server");
        self.child.wait().expect("reaping the server");
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
