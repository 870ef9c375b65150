"""The marketplace's rules: one transactional core that every entry point calls.

Never imports aiogram (an import-linter contract checks it). Operations open a unit of work,
check that the acting user may act, change state, write audit and outbox rows, commit once.
"""
