"""Load: many customers buying at once while Telegram misbehaves."""
