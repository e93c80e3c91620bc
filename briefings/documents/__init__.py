"""One module per document kind; each turns a ``Request`` into a ``layout.OfficialDocument``."""
