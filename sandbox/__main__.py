"""`python -m sandbox`: run the emulator on its own so a bot process can be pointed at it.

Prints the base URL for the bot's TELEGRAM_API_BASE setting and serves until interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
from pathlib import Path

from sandbox.emulator import DEFAULT_TOKEN, Emulator
from sandbox.launcher import banner
from sandbox.personas import DEMO_PERSONAS


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8081, help="port; 0 picks a free one")
    parser.add_argument("--token", default=DEFAULT_TOKEN, help="the only token accepted")
    parser.add_argument(
        "--web",
        action="store_true",
        help="also serve the web chat at / with the demo personas (Sara, John, Maya, Demo Admin)",
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=None,
        metavar="DIR",
        help="keep the chats, their files and the undelivered updates in DIR across restarts",
    )
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    personas = DEMO_PERSONAS if args.web else ()
    emulator = Emulator(
        args.token,
        host=args.host,
        port=args.port,
        personas=personas,
        web=args.web,
        data_dir=args.data,
    )
    async with emulator:
        spec = emulator.spec.version if emulator.spec else "off (set TELEGRAM_API_SPEC)"
        print(f"Bot API emulator at {emulator.base_url}", flush=True)
        if args.web:
            print(banner(emulator), flush=True)
        print(f"token {emulator.token}; spec check: {spec}", flush=True)
        await stop.wait()
        for violation in emulator.violations:
            print(f"violation: {violation}", flush=True)


def main(argv: list[str] | None = None) -> None:
    # what the history on disk restored, or could not
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    asyncio.run(serve(parse_args(argv)))


if __name__ == "__main__":
    main()
