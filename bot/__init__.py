"""Application wiring: settings, logging, Bot/Dispatcher factory, middlewares, scheduler and
the `python -m bot` entry point. The only package that imports every other layer."""
