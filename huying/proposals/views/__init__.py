"""The proposals' pages, one module a concern: drafting and review (``drafts``), attachments,
handling and the public zone (``handling``), statistics, excellent-proposal awards."""
