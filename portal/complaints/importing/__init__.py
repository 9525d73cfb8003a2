"""Importing SP4N-LAPOR! exports, one module per stage.

- :mod:`.vocabulary` — the export's columns and coded values (status, channel, type, gender, yes/no);
- :mod:`.reading` — CSV/XLSX to a header and rows; the preview's peek;
- :mod:`.normalising` — one row to column values or row errors (reference data, categories, due dates);
- :mod:`.writing` — the :class:`~.writing.Importer`: batched inserts/updates, events, follow-ups;
- :mod:`.runs` — a batch's lifecycle (preview, confirm, import), uploads and background jobs;
- :mod:`.dates` — LAPOR!'s date formats; :mod:`.cli` — the ``import-lapor`` command.
"""
