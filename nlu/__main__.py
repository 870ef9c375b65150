"""`python -m nlu parse|evaluate [--backend embedded|rasa|rasa-only] [--rasa-url URL]`."""

from nlu.cli import main

raise SystemExit(main())
