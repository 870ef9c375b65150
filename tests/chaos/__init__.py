"""Chaos: the real bot process killed with SIGKILL while customers buy by card, then the
data, the Stripe server and the chats are checked for anything lost or done twice."""
