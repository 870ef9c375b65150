"""The shop's edge: each module speaks one outside service's SDK or protocol. The payment and
mail adapters implement Protocols the engine declares (engine/gateways.py, engine/base.py) and
are wired in at start-up (bot/app.py, bot/runner.py); the tracking adapter reads the
providers' JSON and calls the engine's operations. Nothing but bot/ imports these, and the
engine, handlers, nlu and storage never import an SDK (pyproject.toml's contracts).

- `stripe`: card refunds and the list of recent charges, through the stripe library.
- `paypal`: PayPal Checkout, captures and refunds, through paypal-server-sdk.
- `smtp`: the outbox's email rows, over SMTP (aiosmtplib).
- `tracking`: shipping providers' tracking updates, polled from their API and pushed to ours.
"""
