"""Present: render library objects for people: the terminal (`present.terminal`) and the web page's HTML
pieces (`present.html`: paragraphs, highlights, snippets); the web app's routes and templates live in searchkit.web."""
