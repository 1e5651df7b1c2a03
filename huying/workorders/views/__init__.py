"""The work-order pages: the dispatch console and the unit inbox (``console``), the command
centre's dashboard and statistics (``dashboard``), the public and intake pages (``public``)."""
