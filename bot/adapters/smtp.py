"""Email over SMTP (aiosmtplib): the `Mailer` the outbox dispatcher (bot/notify.py) sends the
outbox's email rows with. The text is the Telegram notification's, as HTML with a plain-text
alternative; SMTP's answer decides whether a failure is for good (`EmailRefused`, 5xx) or for
now (`EmailUnavailable`: 4xx, the server down or slow)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import EmailMessage
from html import unescape

import aiosmtplib

from engine.gateways import EmailRefused, EmailUnavailable

_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class SmtpMailer:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0

    def message(self, to: str, subject: str, html_text: str) -> EmailMessage:
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = to
        mail["Subject"] = subject
        mail.set_content(unescape(_TAG.sub("", html_text)))
        body = html_text.replace("\n", "<br>\n")
        mail.add_alternative(f"<html><body><p>{body}</p></body></html>", subtype="html")
        return mail

    async def send(self, to: str, subject: str, html_text: str) -> None:
        try:
            await aiosmtplib.send(
                self.message(to, subject, html_text),
                hostname=self.host,
                port=self.port,
                username=self.username,
                password=self.password,
                use_tls=self.port == 465,  # implicit TLS; other ports upgrade with STARTTLS
                timeout=self.timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            if all(500 <= e.code < 600 for e in exc.recipients):
                raise EmailRefused(str(exc)) from exc
            raise EmailUnavailable(str(exc)) from exc
        except aiosmtplib.SMTPResponseException as exc:
            if 500 <= exc.code < 600:  # permanent by SMTP's rules; 4xx is temporary
                raise EmailRefused(str(exc)) from exc
            raise EmailUnavailable(str(exc)) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise EmailUnavailable(str(exc)) from exc
