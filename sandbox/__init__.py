"""The local Bot API emulator and web chat. Filled by the emulator issue; until then
`make run` without BOT_TOKEN explains what to set and exits."""
