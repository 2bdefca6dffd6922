//! A small SMTP server for tests: speaks enough of RFC 5321 for lettre, keeps every message,
//! and can be told to answer the next DATA commands with an error (e.g. 451) to test retries.

use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
    time::Duration,
};

use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::TcpListener,
};

#[derive(Clone, Debug)]
pub struct ReceivedMail {
    pub recipients: Vec<String>,
    pub raw: Vec<u8>,
    pub received_at: std::time::Instant,
}

impl ReceivedMail {
    pub fn parsed(&self) -> mail_parser::Message<'_> {
        mail_parser::MessageParser::default()
            .parse(&self.raw)
            .expect("a parseable message")
    }

    pub fn subject(&self) -> String {
        self.parsed().subject().unwrap_or_default().to_string()
    }

    pub fn text(&self) -> String {
        self.parsed()
            .body_text(0)
            .map(|text| text.to_string())
            .unwrap_or_default()
    }

    pub fn html(&self) -> String {
        self.parsed()
            .body_html(0)
            .map(|html| html.to_string())
            .unwrap_or_default()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.parsed()
            .header_raw(name)
            .map(|value| value.trim().to_string())
    }

    /// The token of the first link in the text part of the form `.../<path>#token=...`.
    pub fn link_token(&self, path: &str) -> String {
        let text = self.text();
        let marker = format!("/{path}#token=");
        let start = text
            .find(&marker)
            .unwrap_or_else(|| panic!("no {marker} link in mail:\n{text}"))
            + marker.len();
        text[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect()
    }
}

#[derive(Default)]
struct Inbox {
    /// How long the server takes to accept each mail (a busy relay).
    processing_time: std::time::Duration,
    mails: Vec<ReceivedMail>,
    data_replies: VecDeque<&'static str>,
    data_commands: usize,
    /// Hang up after each accepted mail, as relays with a per-session limit do.
    one_mail_per_connection: bool,
    connections: usize,
    open_connections: usize,
    most_open_connections: usize,
}

#[derive(Clone)]
pub struct SmtpServer {
    pub port: u16,
    inbox: Arc<Mutex<Inbox>>,
}

impl SmtpServer {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server = Self {
            port: listener.local_addr().unwrap().port(),
            inbox: Arc::default(),
        };
        let accepting = server.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let session = accepting.clone();
                tokio::spawn(async move {
                    session.opened();
                    let _ = session.serve(stream).await;
                    session.inbox.lock().unwrap().open_connections -= 1;
                });
            }
        });
        server
    }

    /// Each mail takes this long to be accepted from now on.
    pub fn set_processing_time(&self, processing_time: std::time::Duration) {
        self.inbox.lock().unwrap().processing_time = processing_time;
    }

    /// The next DATA commands are answered with these replies instead of accepting the mail.
    pub fn reject_next_data_with(&self, reply: &'static str) {
        self.inbox.lock().unwrap().data_replies.push_back(reply);
    }

    /// From now on the connection is closed after each accepted mail, without a QUIT.
    pub fn hang_up_after_each_mail(&self) {
        self.inbox.lock().unwrap().one_mail_per_connection = true;
    }

    /// Connections made so far, and the most that were open at once.
    pub fn connections(&self) -> (usize, usize) {
        let inbox = self.inbox.lock().unwrap();
        (inbox.connections, inbox.most_open_connections)
    }

    fn opened(&self) {
        let mut inbox = self.inbox.lock().unwrap();
        inbox.connections += 1;
        inbox.open_connections += 1;
        inbox.most_open_connections = inbox.most_open_connections.max(inbox.open_connections);
    }

    pub fn mails(&self) -> Vec<ReceivedMail> {
        self.inbox.lock().unwrap().mails.clone()
    }

    pub fn data_commands(&self) -> usize {
        self.inbox.lock().unwrap().data_commands
    }

    pub fn mails_to(&self, address: &str) -> Vec<ReceivedMail> {
        self.mails()
            .into_iter()
            .filter(|mail| {
                mail.recipients
                    .iter()
                    .any(|r| r.eq_ignore_ascii_case(address))
            })
            .collect()
    }

    /// The digest and news-batch mails to `address` (scheduled mail carries List-Unsubscribe;
    /// transactional mail does not).
    pub fn scheduled_mails_to(&self, address: &str) -> Vec<ReceivedMail> {
        self.mails_to(address)
            .into_iter()
            .filter(|mail| mail.header("List-Unsubscribe").is_some())
            .collect()
    }

    /// Waits up to 10 s for the `count`-th mail to `address`.
    pub async fn wait_for_mails_to(&self, address: &str, count: usize) -> Vec<ReceivedMail> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let mails = self.mails_to(address);
            if mails.len() >= count {
                return mails;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "expected {count} mail(s) to {address} within 10 s, got {}",
                mails.len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub async fn wait_for_mail_to(&self, address: &str) -> ReceivedMail {
        self.wait_for_mails_to(address, 1).await.remove(0)
    }

    async fn serve(&self, stream: tokio::net::TcpStream) -> std::io::Result<()> {
        let (reader, mut writer) = stream.into_split();
        let mut lines = BufReader::new(reader);
        writer.write_all(b"220 localhost ESMTP test\r\n").await?;
        let mut recipients = Vec::new();
        let mut line = String::new();
        loop {
            line.clear();
            if lines.read_line(&mut line).await? == 0 {
                return Ok(());
            }
            let command = line.trim_end().to_ascii_uppercase();
            let reply: String = if command.starts_with("EHLO") {
                "250-localhost\r\n250-8BITMIME\r\n250 SMTPUTF8".into()
            } else if command.starts_with("HELO") || command.starts_with("NOOP") {
                "250 OK".into()
            } else if command.starts_with("MAIL FROM") {
                recipients.clear();
                "250 OK".into()
            } else if command.starts_with("RCPT TO") {
                let address = line.trim_end()[8..]
                    .trim()
                    .trim_start_matches('<')
                    .split('>')
                    .next()
                    .unwrap_or_default()
                    .to_string();
                recipients.push(address);
                "250 OK".into()
            } else if command == "DATA" {
                let rejection = {
                    let mut inbox = self.inbox.lock().unwrap();
                    inbox.data_commands += 1;
                    inbox.data_replies.pop_front()
                };
                if let Some(rejection) = rejection {
                    rejection.into()
                } else {
                    writer.write_all(b"354 go ahead\r\n").await?;
                    let raw = read_data(&mut lines).await?;
                    let processing_time = self.inbox.lock().unwrap().processing_time;
                    tokio::time::sleep(processing_time).await;
                    let hang_up = {
                        let mut inbox = self.inbox.lock().unwrap();
                        inbox.mails.push(ReceivedMail {
                            recipients: std::mem::take(&mut recipients),
                            raw,
                            received_at: std::time::Instant::now(),
                        });
                        inbox.one_mail_per_connection
                    };
                    if hang_up {
                        writer.write_all(b"250 queued\r\n").await?;
                        return Ok(());
                    }
                    "250 queued".into()
                }
            } else if command.starts_with("RSET") {
                recipients.clear();
                "250 OK".into()
            } else if command.starts_with("QUIT") {
                writer.write_all(b"221 bye\r\n").await?;
                return Ok(());
            } else {
                "502 not implemented".into()
            };
            writer.write_all(format!("{reply}\r\n").as_bytes()).await?;
        }
    }
}

/// Reads the DATA section up to the lone dot, undoing dot-stuffing.
async fn read_data(
    lines: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
) -> std::io::Result<Vec<u8>> {
    let mut raw = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if lines.read_until(b'\n', &mut line).await? == 0 {
            return Ok(raw);
        }
        if line == b".\r\n" || line == b".\n" {
            return Ok(raw);
        }
        let content = if line.starts_with(b"..") {
            &line[1..]
        } else {
            &line[..]
        };
        raw.extend_from_slice(content);
    }
}
