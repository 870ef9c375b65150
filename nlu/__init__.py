"""Text and voice -> Intent(name, confidence, entities). Filled by the language issue."""
