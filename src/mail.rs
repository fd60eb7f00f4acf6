//! Sending email through the configured SMTP server (LISA_SMTP_URL).

use lettre::message::header::ContentType;
use lettre::message::{Body, Mailbox};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    /// `url` as lettre reads it: smtp://host:25 (plain), smtp://user:pass@host:587?tls=required
    /// (STARTTLS) or smtps://user:pass@host:465 (TLS).
    pub fn new(url: &str, from: &str) -> anyhow::Result<Mailer> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| anyhow::anyhow!("LISA_SMTP_URL is not a usable SMTP address: {e}"))?
            .timeout(Some(std::time::Duration::from_secs(20)))
            .build();
        let from = from.parse().map_err(|e| anyhow::anyhow!("LISA_MAIL_FROM is not an address: {e}"))?;
        Ok(Mailer { transport, from })
    }

    pub async fn send(&self, to: &str, name: &str, subject: &str, text: String) -> anyhow::Result<()> {
        let to = Mailbox::new(Some(name.to_string()), to.parse()?);
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(Body::new(text))?;
        self.transport.send(message).await?;
        Ok(())
    }
}
