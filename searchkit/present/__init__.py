"""Present: render library objects for people (terminal) and machines (JSON). HTML lives in searchkit.web."""
